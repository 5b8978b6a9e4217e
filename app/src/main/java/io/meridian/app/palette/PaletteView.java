package io.meridian.app.palette;

import io.meridian.model.catalogue.CatalogueEntry;
import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * The palette's region search: a field, the matches and an Add button. Double-click or Enter on
 * a match adds it.
 *
 * <p>Node ids: {@code #catalogue-search}, {@code #catalogue-results}, {@code #add-region}.
 */
public final class PaletteView {
  private final VBox root = new VBox(6);

  /** Builds the palette for {@code model}. */
  public PaletteView(PaletteViewModel model) {
    TextField search = new TextField();
    search.setId("catalogue-search");
    search.setPromptText("Search regions: city, code, country");
    search.textProperty().bindBidirectional(model.queryProperty());
    search.setTooltip(new Tooltip("Type part of a city, provider code or country, e.g."
        + " 'frankfurt', 'eu-west' or 'brazil'"));

    ListView<CatalogueEntry> results = new ListView<>(model.results());
    results.setId("catalogue-results");
    results.setCellFactory(list -> new ListCell<>() {
      @Override
      protected void updateItem(CatalogueEntry item, boolean empty) {
        super.updateItem(item, empty);
        setText(empty || item == null ? null : PaletteViewModel.describe(item));
      }
    });
    results.setPlaceholder(new Label("No region matches"));
    model.chosenProperty().bind(results.getSelectionModel().selectedItemProperty());
    results.setOnMouseClicked(event -> {
      if (event.getButton() == MouseButton.PRIMARY && event.getClickCount() == 2) {
        model.addChosen();
      }
    });
    results.setOnKeyPressed(event -> {
      if (event.getCode() == KeyCode.ENTER) {
        model.addChosen();
      }
    });
    search.setOnAction(event -> model.addChosen());
    VBox.setVgrow(results, Priority.ALWAYS);

    Button add = new Button("Add region");
    add.setId("add-region");
    add.setMaxWidth(Double.MAX_VALUE);
    add.setOnAction(event -> model.addChosen());
    add.setTooltip(new Tooltip("Adds the chosen catalogue region (or the first match) to the"
        + " design at its real location"));

    root.getChildren().setAll(new Label("Region catalogue"), search, results, add);
    root.setPadding(new Insets(6));
    root.setMinWidth(0);
  }

  /** The palette's content. */
  public Parent root() {
    return root;
  }
}

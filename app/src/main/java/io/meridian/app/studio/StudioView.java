package io.meridian.app.studio;

import atlantafx.base.theme.Styles;
import io.meridian.model.diagnostics.Severity;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Window;

/**
 * The studio's main window content: menu, outline of the design on the left, the map in the
 * centre, problems below and a status line. Builds controls and binds them to a
 * {@link StudioViewModel}; holds no logic of its own.
 *
 * <p>Node ids for tests and styling: {@code #outline}, {@code #sketch}, {@code #problems},
 * {@code #problems-heading}, {@code #status}. The map in the centre is a placeholder
 * ({@code TopologySketch}, built in {@code sketch()}) until the visualization module's graph
 * control takes its place.
 */
public final class StudioView {
  private final StudioViewModel model;
  private final Runnable quit;
  private final BorderPane root = new BorderPane();
  private final TreeView<String> outline = new TreeView<>(new TreeItem<>("design"));
  private final TreeItem<String> regions = new TreeItem<>();
  private final TreeItem<String> links = new TreeItem<>();
  private final TreeItem<String> datasets = new TreeItem<>();

  /**
   * Builds the window content.
   *
   * @param model the state to show
   * @param quit what File › Quit does
   */
  public StudioView(StudioViewModel model, Runnable quit) {
    this.model = model;
    this.quit = quit;
    root.setTop(menuBar());
    SplitPane top = new SplitPane(outline(), sketch());
    top.setDividerPositions(0.24);
    SplitPane.setResizableWithParent(top.getItems().get(0), false);
    SplitPane main = new SplitPane(top, problemsPanel());
    main.setOrientation(Orientation.VERTICAL);
    main.setDividerPositions(0.74);
    root.setCenter(main);
    root.setBottom(statusBar());
  }

  /** The content to put in a scene. */
  public Parent root() {
    return root;
  }

  private MenuBar menuBar() {
    MenuItem open = new MenuItem("Open…");
    open.setAccelerator(KeyCombination.keyCombination("Shortcut+O"));
    open.setOnAction(event -> chooseFile());
    MenuItem empty = new MenuItem("New empty design");
    empty.setAccelerator(KeyCombination.keyCombination("Shortcut+N"));
    empty.setOnAction(event -> model.newDesign());
    MenuItem exit = new MenuItem("Quit");
    exit.setAccelerator(KeyCombination.keyCombination("Shortcut+Q"));
    exit.setOnAction(event -> quit.run());
    Menu file = new Menu("File", null, open, empty, new SeparatorMenuItem(), exit);

    CheckMenuItem dark = new CheckMenuItem("Dark theme");
    dark.setAccelerator(KeyCombination.keyCombination("Shortcut+Shift+D"));
    dark.selectedProperty().bindBidirectional(model.darkThemeProperty());
    Menu view = new Menu("View", null, dark);
    return new MenuBar(file, view);
  }

  private void chooseFile() {
    FileChooser chooser = new FileChooser();
    chooser.setTitle("Open topology");
    chooser.getExtensionFilters().addAll(
        new FileChooser.ExtensionFilter("Topologies (*.yaml, *.yml, *.json)", "*.yaml", "*.yml",
            "*.json"),
        new FileChooser.ExtensionFilter("All files", "*.*"));
    Path current = model.fileProperty().get();
    File folder = current == null || current.toAbsolutePath().getParent() == null
        ? new File(System.getProperty("user.dir"))
        : current.toAbsolutePath().getParent().toFile();
    if (folder.isDirectory()) {
      chooser.setInitialDirectory(folder);
    }
    Window window = root.getScene() == null ? null : root.getScene().getWindow();
    File chosen = chooser.showOpenDialog(window);
    if (chosen != null) {
      model.open(chosen.toPath());
    }
  }

  private TreeView<String> outline() {
    outline.setId("outline");
    outline.setShowRoot(false);
    outline.setMinWidth(180);
    outline.getRoot().getChildren().addAll(List.of(regions, links, datasets));
    bindBranch(regions, "Regions", model.regions());
    bindBranch(links, "Links", model.links());
    bindBranch(datasets, "Datasets", model.datasets());
    model.selectionProperty().addListener((observable, old, target) -> {
      if (target == null) {
        outline.getSelectionModel().clearSelection();
        return;
      }
      TreeItem<String> branch = switch (target.section()) {
        case REGIONS -> regions;
        case LINKS -> links;
        case DATASETS -> datasets;
      };
      TreeItem<String> item = branch.getChildren().get(target.index());
      outline.getSelectionModel().select(item);
      outline.scrollTo(outline.getRow(item));
    });
    return outline;
  }

  private static void bindBranch(TreeItem<String> branch, String name,
      ObservableList<String> lines) {
    Runnable refresh = () -> {
      branch.setValue(name + " (" + lines.size() + ")");
      branch.getChildren().setAll(lines.stream().map(TreeItem::new).toList());
    };
    lines.addListener((ListChangeListener<String>) change -> refresh.run());
    branch.setExpanded(true);
    refresh.run();
  }

  private TopologySketch sketch() {
    TopologySketch sketch = new TopologySketch();
    sketch.setId("sketch");
    sketch.setMinSize(0, 0);
    sketch.topologyProperty().bind(model.topologyProperty());
    sketch.darkProperty().bind(model.darkThemeProperty());
    sketch.messageProperty().bind(model.mapMessageProperty());
    return sketch;
  }

  private VBox problemsPanel() {
    Label heading = new Label();
    heading.setId("problems-heading");
    heading.textProperty().bind(Bindings.size(model.problems()).asString("Problems (%d)"));
    heading.getStyleClass().add(Styles.TEXT_BOLD);
    heading.setPadding(new Insets(4, 10, 4, 10));
    TableView<ProblemRow> table = problems();
    VBox.setVgrow(table, Priority.ALWAYS);
    return new VBox(heading, table);
  }

  private TableView<ProblemRow> problems() {
    TableView<ProblemRow> table = new TableView<>(model.problems());
    table.setId("problems");
    table.setPlaceholder(new Label("No problems"));
    table.getSelectionModel().selectedItemProperty().addListener((observable, old, row) -> {
      if (row != null) {
        model.reveal(row);
      }
    });
    table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
    TableColumn<ProblemRow, Severity> severity = new TableColumn<>("Severity");
    severity.setCellValueFactory(row -> new ReadOnlyObjectWrapper<>(
        row.getValue().severity()));
    severity.setCellFactory(column -> new SeverityCell());
    severity.setPrefWidth(90);
    table.getColumns().add(severity);
    table.getColumns().add(textColumn("Location", ProblemRow::location, 220));
    table.getColumns().add(textColumn("Code", ProblemRow::code, 170));
    table.getColumns().add(textColumn("Message", ProblemRow::message, 360));
    table.getColumns().add(textColumn("Fix", ProblemRow::fix, 300));
    return table;
  }

  private static TableColumn<ProblemRow, String> textColumn(
      String title, Function<ProblemRow, String> value, double width) {
    TableColumn<ProblemRow, String> column = new TableColumn<>(title);
    column.setCellValueFactory(row -> new ReadOnlyStringWrapper(value.apply(row.getValue())));
    column.setPrefWidth(width);
    return column;
  }

  private HBox statusBar() {
    Label status = new Label();
    status.setId("status");
    status.textProperty().bind(model.statusProperty());
    ProgressIndicator busy = new ProgressIndicator();
    busy.setPrefSize(14, 14);
    busy.visibleProperty().bind(model.loadingProperty());
    busy.managedProperty().bind(busy.visibleProperty());
    Region spring = new Region();
    HBox.setHgrow(spring, Priority.ALWAYS);
    HBox bar = new HBox(8, status, spring, busy);
    bar.setAlignment(Pos.CENTER_LEFT);
    bar.setPadding(new Insets(4, 10, 4, 10));
    bar.getStyleClass().add(Styles.TEXT_SMALL);
    return bar;
  }

  /** Severity in the theme's danger, warning or muted colour. */
  private static final class SeverityCell extends TableCell<ProblemRow, Severity> {
    @Override
    protected void updateItem(Severity item, boolean empty) {
      super.updateItem(item, empty);
      if (empty || item == null) {
        setGraphic(null);
        return;
      }
      Label label = new Label(item.label());
      label.getStyleClass().add(switch (item) {
        case ERROR -> Styles.DANGER;
        case WARNING -> Styles.WARNING;
        case INFO -> Styles.TEXT_MUTED;
      });
      setGraphic(label);
    }
  }
}

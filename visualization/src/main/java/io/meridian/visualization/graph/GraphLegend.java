package io.meridian.visualization.graph;

import javafx.css.PseudoClass;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Line;

/**
 * The one legend for graph overlays: the three {@link Status} values, each with its region
 * marker and its link pattern, and the two region roles. Styled by the same stylesheet as
 * the graph (style class {@value #STYLE_CLASS}; add {@code dark} for the dark theme), so
 * what the legend shows is what the graph draws.
 */
public class GraphLegend extends VBox {

  /** The style class of the legend. */
  public static final String STYLE_CLASS = "graph-legend";

  private static final String STYLESHEET =
      GraphLegend.class.getResource("/io/meridian/visualization/visualization.css")
          .toExternalForm();
  private static final double LINE_LENGTH_PX = 22;

  /** Creates the legend. */
  public GraphLegend() {
    getStyleClass().add(STYLE_CLASS);
    Label title = new Label("Status");
    title.getStyleClass().add("legend-title");
    getChildren().add(title);
    for (Status status : Status.values()) {
      getChildren().add(entry(status.displayName(), status.pseudoClass(), true));
    }
    getChildren().add(entry("Data region", PseudoClass.getPseudoClass("data"), false));
    getChildren().add(entry("Witness", PseudoClass.getPseudoClass("witness"), false));
    setMouseTransparent(true);
  }

  @Override
  public String getUserAgentStylesheet() {
    return STYLESHEET;
  }

  private static HBox entry(String text, PseudoClass state, boolean withLine) {
    Region marker = new Region();
    marker.getStyleClass().add("legend-marker");
    HBox entry = new HBox(marker);
    if (withLine) {
      Line line = new Line(0, 0, LINE_LENGTH_PX, 0);
      line.getStyleClass().add("legend-line");
      entry.getChildren().add(line);
    }
    entry.getChildren().add(new Label(text));
    entry.getStyleClass().add("legend-entry");
    entry.pseudoClassStateChanged(state, true);
    return entry;
  }
}

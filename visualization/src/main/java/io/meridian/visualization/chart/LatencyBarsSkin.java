package io.meridian.visualization.chart;

import io.meridian.visualization.graph.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.beans.InvalidationListener;
import javafx.css.PseudoClass;
import javafx.scene.control.Label;
import javafx.scene.control.SkinBase;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/**
 * The default skin of {@link LatencyBars}: a heading and a three-column grid (label, bar,
 * figure). When the list changes the rows already shown are updated in place (texts, bar
 * fractions, pseudo-classes) and only missing rows are created or extra ones removed: the
 * studio replaces the list after every edit, and new nodes cost CSS and layout passes that
 * updated ones do not.
 */
public class LatencyBarsSkin extends SkinBase<LatencyBars> {

  private static final PseudoClass UNAVAILABLE = PseudoClass.getPseudoClass("unavailable");

  private final Label heading = new Label();
  private final GridPane grid = new GridPane();
  private final VBox box = new VBox(heading, grid);
  private final List<Bar> shownBars = new ArrayList<>();
  private final List<Label> shownLabels = new ArrayList<>();
  private final List<Label> shownFigures = new ArrayList<>();
  private final InvalidationListener rebuild = observable -> rebuild();

  /**
   * Creates the skin.
   *
   * @param control the control
   */
  public LatencyBarsSkin(LatencyBars control) {
    super(control);
    heading.getStyleClass().add("latency-title");
    heading.textProperty().bind(control.titleProperty());
    heading.visibleProperty().bind(control.titleProperty().isNotNull());
    heading.managedProperty().bind(heading.visibleProperty());
    grid.getStyleClass().add("latency-grid");
    ColumnConstraints labels = new ColumnConstraints();
    ColumnConstraints bars = new ColumnConstraints();
    bars.setHgrow(Priority.ALWAYS);
    bars.setMinWidth(60);
    ColumnConstraints figures = new ColumnConstraints();
    grid.getColumnConstraints().setAll(labels, bars, figures);
    getChildren().add(box);
    control.getBars().addListener(rebuild);
    rebuild();
  }

  @Override
  public void dispose() {
    if (getSkinnable() != null) {
      getSkinnable().getBars().removeListener(rebuild);
      heading.textProperty().unbind();
      heading.visibleProperty().unbind();
    }
    super.dispose();
  }

  private void rebuild() {
    List<LatencyBar> rows = List.copyOf(getSkinnable().getBars());
    double scaleMs = 0;
    for (LatencyBar row : rows) {
      if (row.isAvailable()) {
        scaleMs = Math.max(scaleMs, row.valueMs());
      }
      if (!Double.isNaN(row.floorMs())) {
        scaleMs = Math.max(scaleMs, row.floorMs());
      }
    }
    while (shownBars.size() > rows.size()) {
      int last = shownBars.size() - 1;
      grid.getChildren().removeAll(shownLabels.remove(last), shownBars.remove(last),
          shownFigures.remove(last));
    }
    for (int i = shownBars.size(); i < rows.size(); i++) {
      Label label = new Label();
      label.getStyleClass().addAll("latency-label", "latency-row");
      Bar bar = new Bar();
      bar.getStyleClass().add("latency-row");
      Label figure = new Label();
      figure.getStyleClass().addAll("latency-figure", "latency-row");
      grid.addRow(i, label, bar, figure);
      shownLabels.add(label);
      shownBars.add(bar);
      shownFigures.add(figure);
    }
    for (int i = 0; i < rows.size(); i++) {
      LatencyBar row = rows.get(i);
      Label label = shownLabels.get(i);
      Bar bar = shownBars.get(i);
      Label figure = shownFigures.get(i);
      label.setText(row.label());
      figure.setText(figure(row));
      bar.show(row, scaleMs);
      for (javafx.scene.Node node : List.of(label, bar, figure)) {
        for (Status status : Status.values()) {
          node.pseudoClassStateChanged(status.pseudoClass(), row.status() == status);
        }
        node.pseudoClassStateChanged(UNAVAILABLE, !row.isAvailable());
      }
    }
  }

  /**
   * @param row a row
   * @return {@code "88 ms (floor 41 ms) · note"}, or {@code "unavailable · note"}
   */
  static String figure(LatencyBar row) {
    StringBuilder text = new StringBuilder(row.isAvailable() ? ms(row.valueMs()) : "unavailable");
    if (row.isAvailable() && !Double.isNaN(row.floorMs())) {
      text.append(" (floor ").append(ms(row.floorMs())).append(')');
    }
    if (row.note() != null && !row.note().isEmpty()) {
      text.append(" · ").append(row.note());
    }
    return text.toString();
  }

  private static String ms(double value) {
    return value < 10 ? String.format(Locale.ROOT, "%.1f ms", value)
        : String.format(Locale.ROOT, "%.0f ms", value);
  }

  /** A bar: a track, the floor part and the value part, sized by fraction of the track. */
  static final class Bar extends Region {
    private final Region floor = new Region();
    private final Region value = new Region();
    private double valueFraction;
    private double floorFraction;

    Bar() {
      getStyleClass().add("bar-track");
      value.getStyleClass().add("bar-value");
      floor.getStyleClass().add("bar-floor");
      getChildren().addAll(value, floor);
    }

    /** Shows a row against a scale; lays out again only when a fraction changed. */
    void show(LatencyBar row, double scaleMs) {
      double newValue = scaleMs > 0 && row.isAvailable() ? row.valueMs() / scaleMs : 0;
      double newFloor = scaleMs > 0 && !Double.isNaN(row.floorMs()) ? row.floorMs() / scaleMs : 0;
      if (newValue != valueFraction || newFloor != floorFraction) {
        valueFraction = newValue;
        floorFraction = newFloor;
        requestLayout();
      }
    }

    /** @return the value bar's width as a fraction of the track */
    double valueFraction() {
      return valueFraction;
    }

    /** @return the value part, for tests */
    Region valuePart() {
      return value;
    }

    @Override
    protected void layoutChildren() {
      double x = snappedLeftInset();
      double y = snappedTopInset();
      double width = getWidth() - x - snappedRightInset();
      double height = getHeight() - y - snappedBottomInset();
      value.resizeRelocate(x, y, width * valueFraction, height);
      floor.resizeRelocate(x, y, width * Math.min(floorFraction, 1), height);
    }

    @Override
    protected double computePrefHeight(double width) {
      return 14 + snappedTopInset() + snappedBottomInset();
    }

    @Override
    protected double computePrefWidth(double height) {
      return 160;
    }
  }
}

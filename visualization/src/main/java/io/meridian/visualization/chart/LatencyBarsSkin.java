package io.meridian.visualization.chart;

import io.meridian.visualization.graph.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.InvalidationListener;
import javafx.css.PseudoClass;
import javafx.scene.control.ContentDisplay;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.SkinBase;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.text.Text;

/**
 * The default skin of {@link LatencyBars}: a heading and a virtualised list of rows (label, bar,
 * figure), so only the rows that fit the view exist as nodes. A 200-region design shows about a
 * dozen rows at a time; a grid of all 600 labels and bars was laid out again after every edit
 * (ADR 0054). The columns line up as a grid's would: the label and figure columns are as wide as
 * the widest text of the whole table, measured once per distinct text, not per node.
 *
 * <p>When the list changes, the rows shown are updated in place (texts, bar fractions,
 * pseudo-classes); the list view only calls {@code updateItem} on the visible cells.
 */
public class LatencyBarsSkin extends SkinBase<LatencyBars> {

  private static final PseudoClass UNAVAILABLE = PseudoClass.getPseudoClass("unavailable");

  /** Height of one row: the bar and the figure's 11 px text with room between rows. */
  static final double ROW_HEIGHT_PX = 18;

  /** Space between the label, bar and figure columns (the grid's horizontal gap before). */
  static final double COLUMN_GAP_PX = 8;

  /** The bar column never gets narrower than this. */
  static final double BAR_WIDTH_MIN_PX = 60;

  /** Distinct texts whose widths are remembered; a bound, cleared when it is reached. */
  private static final int MEASURED_TEXTS_MAX = 4_096;

  private final Label heading = new Label();
  private final ListView<LatencyBar> list;
  private final VBox box;
  /** Styled like a row's label and figure, never shown: its font is the one to measure with. */
  private final Label fontProbe = new Label();
  private final Text measure = new Text();
  private final Map<String, Double> regularWidths = new HashMap<>();
  private final Map<String, Double> boldWidths = new HashMap<>();
  private final List<RowCell> cells = new ArrayList<>();
  private final InvalidationListener rowsChanged = observable -> rowsChanged();
  private final InvalidationListener fontChanged = observable -> {
    regularWidths.clear();
    boldWidths.clear();
    rowsChanged();
  };
  private double scaleMs;
  private double labelColumnPx;
  private double figureColumnPx;

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
    list = new ListView<>(control.getBars());
    list.getStyleClass().add("latency-list");
    list.setFixedCellSize(ROW_HEIGHT_PX);
    list.setFocusTraversable(false);
    // A table to read, not a list to pick from: rows are not selectable.
    list.setSelectionModel(null);
    list.setCellFactory(view -> {
      RowCell cell = new RowCell();
      cells.add(cell);
      return cell;
    });
    list.setPlaceholder(new Label(""));
    VBox.setVgrow(list, Priority.ALWAYS);
    box = new VBox(heading, list);
    fontProbe.getStyleClass().addAll("latency-label", "latency-row");
    fontProbe.setManaged(false);
    fontProbe.setVisible(false);
    getChildren().addAll(box, fontProbe);
    fontProbe.fontProperty().addListener(fontChanged);
    control.getBars().addListener(rowsChanged);
    rowsChanged();
  }

  @Override
  public void dispose() {
    if (getSkinnable() != null) {
      getSkinnable().getBars().removeListener(rowsChanged);
      fontProbe.fontProperty().removeListener(fontChanged);
      heading.textProperty().unbind();
      heading.visibleProperty().unbind();
      list.setItems(null);
    }
    super.dispose();
  }

  /**
   * The list's scale and column widths follow the whole table, so a new list may change rows
   * that are already shown even when their own value did not change: those few are updated
   * here; the list view updates the cells of changed rows itself.
   */
  private void rowsChanged() {
    List<LatencyBar> rows = getSkinnable().getBars();
    double scale = 0;
    double labels = 0;
    double figures = 0;
    Font font = fontProbe.getFont();
    for (LatencyBar row : rows) {
      if (row.isAvailable()) {
        scale = Math.max(scale, row.valueMs());
      }
      if (!Double.isNaN(row.floorMs())) {
        scale = Math.max(scale, row.floorMs());
      }
      labels = Math.max(labels, width(row.label(), font, false));
      figures = Math.max(figures, width(figure(row), font, !row.isAvailable()
          || row.status() == Status.FAILING));
    }
    boolean columnsChanged = scale != scaleMs || labels != labelColumnPx
        || figures != figureColumnPx;
    scaleMs = scale;
    labelColumnPx = labels;
    figureColumnPx = figures;
    if (columnsChanged) {
      for (RowCell cell : cells) {
        cell.showAgain();
      }
    }
  }

  /** The width of a text in the rows' font, remembered per text. */
  private double width(String text, Font font, boolean bold) {
    Map<String, Double> widths = bold ? boldWidths : regularWidths;
    Double known = widths.get(text);
    if (known != null) {
      return known;
    }
    if (widths.size() >= MEASURED_TEXTS_MAX) {
      widths.clear();
    }
    measure.setFont(bold ? Font.font(font.getFamily(), FontWeight.BOLD, font.getSize()) : font);
    measure.setText(text);
    // Whole pixels and one to spare, so that a label is never cut to an ellipsis by rounding.
    double width = Math.ceil(measure.getLayoutBounds().getWidth()) + 1;
    widths.put(text, width);
    return width;
  }

  /**
   * The rows that exist as nodes now (visible ones and the list view's spares), for tests that
   * check the table builds only what fits.
   *
   * @return the count of row cells created
   */
  int createdRowCount() {
    return cells.size();
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
    return Figures.millis(value);
  }

  /** One row of the list: its label, bar and figure laid out in the table's columns. */
  private final class RowCell extends ListCell<LatencyBar> {
    private final Label label = new Label();
    private final Bar bar = new Bar();
    private final Label figure = new Label();
    private final Region content = new Region() {
      {
        getChildren().addAll(label, bar, figure);
      }

      @Override
      protected void layoutChildren() {
        double height = getHeight();
        double barHeight = bar.prefHeight(-1);
        double barLeft = labelColumnPx + COLUMN_GAP_PX;
        double figureLeft = Math.max(barLeft + BAR_WIDTH_MIN_PX,
            getWidth() - figureColumnPx);
        double barWidth = Math.max(BAR_WIDTH_MIN_PX, figureLeft - COLUMN_GAP_PX - barLeft);
        label.resizeRelocate(0, 0, labelColumnPx, height);
        bar.resizeRelocate(barLeft, Math.round((height - barHeight) / 2), barWidth, barHeight);
        figure.resizeRelocate(figureLeft, 0, figureColumnPx, height);
      }

      // No wider than the narrowest bar needs: the list would otherwise scroll sideways
      // rather than shorten the bars.
      @Override
      protected double computePrefWidth(double height) {
        return computeMinWidth(height);
      }

      @Override
      protected double computeMinWidth(double height) {
        return labelColumnPx + COLUMN_GAP_PX + BAR_WIDTH_MIN_PX + COLUMN_GAP_PX
            + figureColumnPx;
      }
    };

    RowCell() {
      getStyleClass().add("latency-cell");
      label.getStyleClass().addAll("latency-label", "latency-row");
      bar.getStyleClass().add("latency-row");
      figure.getStyleClass().addAll("latency-figure", "latency-row");
      setContentDisplay(ContentDisplay.GRAPHIC_ONLY);
      setText(null);
    }

    @Override
    protected void updateItem(LatencyBar row, boolean empty) {
      super.updateItem(row, empty);
      if (empty || row == null) {
        setGraphic(null);
        return;
      }
      setGraphic(content);
      show(row);
    }

    /** Shows the row again after the table's scale or columns changed. */
    void showAgain() {
      LatencyBar row = getItem();
      if (row != null && !isEmpty()) {
        show(row);
        content.requestLayout();
      }
    }

    private void show(LatencyBar row) {
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

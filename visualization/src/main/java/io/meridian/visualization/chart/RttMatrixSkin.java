package io.meridian.visualization.chart;

import io.meridian.model.Region;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.value.ChangeListener;
import javafx.collections.FXCollections;
import javafx.css.PseudoClass;
import javafx.scene.control.SkinBase;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.input.MouseEvent;

/**
 * The default skin of {@link RttMatrix}: a {@link TableView} whose rows are region indexes
 * of the {@link RttMatrixModel}, with one column group per jurisdiction. The table
 * virtualises rows, and with a fixed cell height columns too, so a 200-region matrix creates
 * and styles cells only for what is on screen. A new model over the same regions (an RTT
 * edited, a link added) keeps the columns and refreshes the cells; columns are sized from their
 * header instead of by laying out cells, which costs seconds on a large design.
 */
public class RttMatrixSkin extends SkinBase<RttMatrix> {

  private static final PseudoClass NEAR = PseudoClass.getPseudoClass("near");
  private static final PseudoClass MID = PseudoClass.getPseudoClass("mid");
  private static final PseudoClass FAR = PseudoClass.getPseudoClass("far");
  private static final PseudoClass ROUTED = PseudoClass.getPseudoClass("routed");
  private static final PseudoClass UNREACHABLE = PseudoClass.getPseudoClass("unreachable");
  private static final PseudoClass SELF = PseudoClass.getPseudoClass("self");
  private static final Comparator<Double> MISSING_LAST =
      Comparator.nullsLast(Comparator.comparingDouble(
          (Double value) -> value.isNaN() ? Double.MAX_VALUE : value));

  /** Row height; fixed, so that the table only makes cells for the columns in view. */
  static final double CELL_HEIGHT_PX = 24;

  /** Room for an RTT such as "~888.8" in the monospace cell font. */
  private static final double VALUE_WIDTH_MIN_PX = 56;

  /** Padding and sort arrow around a column header's text. */
  private static final double HEADER_PADDING_PX = 22;

  private final TableView<Integer> table = new TableView<>();
  private RttMatrixModel current;
  private final ChangeListener<RttMatrixModel> modelListener =
      (observable, before, after) -> rebuild(after);

  /**
   * Creates the skin.
   *
   * @param matrix the control
   */
  public RttMatrixSkin(RttMatrix matrix) {
    super(matrix);
    table.getStyleClass().add("rtt-table");
    table.setColumnResizePolicy(TableView.UNCONSTRAINED_RESIZE_POLICY);
    table.setFixedCellSize(CELL_HEIGHT_PX);
    table.setPlaceholder(new javafx.scene.control.Label("No regions"));
    getChildren().add(table);
    matrix.modelProperty().addListener(modelListener);
    rebuild(matrix.getModel());
  }

  @Override
  public void dispose() {
    if (getSkinnable() != null) {
      getSkinnable().modelProperty().removeListener(modelListener);
    }
    super.dispose();
  }

  private void rebuild(RttMatrixModel model) {
    RttMatrixModel before = current;
    current = model;
    if (before != null && before.regions().equals(model.regions())
        && before.groups().equals(model.groups())) {
      // Same rows and columns: only values changed. Keep the columns and the cells (refresh()
      // would recreate every cell); replacing the items makes the visible cells update, then
      // the user's sort is applied to the new values.
      table.getItems().setAll(IntStream.range(0, model.size()).boxed().toList());
      if (!table.getSortOrder().isEmpty()) {
        table.sort();
      }
      return;
    }
    List<TableColumn<Integer, ?>> columns = new ArrayList<>();
    // The name column's value is the row index, so sorting it restores the grouped order.
    TableColumn<Integer, Integer> names = new TableColumn<>("Region");
    names.getStyleClass().add("rtt-region-column");
    names.setCellValueFactory(row -> new ReadOnlyObjectWrapper<>(row.getValue()));
    names.setCellFactory(tableColumn -> new TableCell<>() {
      @Override
      protected void updateItem(Integer row, boolean empty) {
        super.updateItem(row, empty);
        setText(empty || row == null ? null : label(current.regions().get(row)));
      }
    });
    names.setPrefWidth(model.regions().stream()
        .mapToDouble(region -> textWidth(label(region))).max().orElse(0) + HEADER_PADDING_PX);
    columns.add(names);
    int column = 0;
    for (Map.Entry<String, Integer> group : model.groups()) {
      TableColumn<Integer, Double> groupColumn = new TableColumn<>(group.getKey());
      groupColumn.getStyleClass().add("rtt-group-column");
      for (int i = 0; i < group.getValue(); i++, column++) {
        groupColumn.getColumns().add(rttColumn(model.regions().get(column), column));
      }
      columns.add(groupColumn);
    }
    table.getSortOrder().clear();
    table.getColumns().setAll(columns);
    table.setItems(FXCollections.observableArrayList(
        IntStream.range(0, model.size()).boxed().toList()));
  }

  private TableColumn<Integer, Double> rttColumn(Region region, int column) {
    TableColumn<Integer, Double> rtt = new TableColumn<>(region.displayName());
    rtt.setId("rtt-" + region.id().value());
    rtt.getStyleClass().add("rtt-column");
    rtt.setCellValueFactory(row -> new ReadOnlyObjectWrapper<>(
        current.rttMs(row.getValue(), column)));
    rtt.setComparator(MISSING_LAST);
    rtt.setCellFactory(tableColumn -> new RttCell(this, column));
    // A preferred width of its own stops the header from sizing the column by laying out cells.
    rtt.setPrefWidth(Math.max(VALUE_WIDTH_MIN_PX,
        textWidth(region.displayName()) + HEADER_PADDING_PX));
    return rtt;
  }

  private static double textWidth(String text) {
    javafx.scene.text.Text measure = new javafx.scene.text.Text(text);
    return Math.ceil(measure.getLayoutBounds().getWidth());
  }

  private static String label(Region region) {
    return region.displayName() + " (" + region.jurisdiction().code() + ")";
  }

  /**
   * @param rttMs a round-trip time
   * @return the text shown for it: whole milliseconds, one decimal below ten
   */
  static String format(double rttMs) {
    // Arithmetic rather than String.format: a large matrix formats thousands of cells at once.
    if (!Double.isFinite(rttMs) || rttMs < 0) {
      return String.format(Locale.ROOT, "%.1f", rttMs);
    }
    if (rttMs < 10) {
      long tenths = Math.round(rttMs * 10);
      return tenths / 10 + "." + tenths % 10;
    }
    return Long.toString(Math.round(rttMs));
  }

  /**
   * One matrix cell: text and pseudo-classes from the model's value and source. Its tooltip is
   * made on the first hover, not per update: a table lays out thousands of cells (every column
   * of every visible row, and more to size columns), and each {@link Tooltip} is a popup
   * window with its own scene, costly enough to hold the studio up for seconds on a large design.
   */
  private static final class RttCell extends TableCell<Integer, Double> {
    private final RttMatrixSkin skin;
    private final int column;
    private String tip;

    RttCell(RttMatrixSkin skin, int column) {
      this.skin = skin;
      this.column = column;
      getStyleClass().add("rtt-cell");
      addEventHandler(MouseEvent.MOUSE_ENTERED, event -> showTip());
    }

    /** The tooltip text of the shown value, or null; the tooltip follows when one exists. */
    String tip() {
      return tip;
    }

    private void showTip() {
      if (tip == null) {
        setTooltip(null);
      } else if (getTooltip() == null) {
        setTooltip(new Tooltip(tip));
      } else {
        getTooltip().setText(tip);
      }
    }

    private void tip(String text) {
      tip = text;
      if (getTooltip() != null) {
        showTip();
      }
    }

    @Override
    protected void updateItem(Double value, boolean empty) {
      super.updateItem(value, empty);
      RttMatrixModel model = skin.current;
      Integer row = empty || getTableRow() == null ? null : getTableRow().getItem();
      RttMatrixModel.Source source = row == null ? null : model.source(row, column);
      double rtt = value == null ? Double.NaN : value;
      pseudoClassStateChanged(SELF, source == RttMatrixModel.Source.SELF);
      pseudoClassStateChanged(ROUTED, source == RttMatrixModel.Source.ROUTED);
      pseudoClassStateChanged(UNREACHABLE, source == RttMatrixModel.Source.NONE);
      boolean measured = source == RttMatrixModel.Source.DIRECT
          || source == RttMatrixModel.Source.ROUTED;
      pseudoClassStateChanged(NEAR, measured && rtt < RttMatrix.NEAR_MS_MAX);
      pseudoClassStateChanged(MID, measured && rtt >= RttMatrix.NEAR_MS_MAX
          && rtt < RttMatrix.MID_MS_MAX);
      pseudoClassStateChanged(FAR, measured && rtt >= RttMatrix.MID_MS_MAX);
      if (source == null) {
        setText(null);
        tip(null);
        return;
      }
      String from = model.regions().get(row).displayName();
      String to = model.regions().get(column).displayName();
      switch (source) {
        case SELF -> {
          setText("");
          tip(null);
        }
        case DIRECT -> {
          setText(format(rtt));
          tip(from + " ↔ " + to + ": " + format(rtt) + " ms, direct link");
        }
        case ROUTED -> {
          setText("~" + format(rtt));
          tip(from + " ↔ " + to + ": " + format(rtt)
              + " ms through other regions (no direct link)");
        }
        case NONE -> {
          setText("—");
          tip(from + " and " + to + " have no network path");
        }
        default -> throw new IllegalStateException("unknown source " + source);
      }
    }
  }
}

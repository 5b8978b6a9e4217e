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
 * virtualises rows, so a 200-region matrix creates cells only for what is on screen.
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

  private final TableView<Integer> table = new TableView<>();
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
    List<TableColumn<Integer, ?>> columns = new ArrayList<>();
    // The name column's value is the row index, so sorting it restores the grouped order.
    TableColumn<Integer, Integer> names = new TableColumn<>("Region");
    names.getStyleClass().add("rtt-region-column");
    names.setCellValueFactory(row -> new ReadOnlyObjectWrapper<>(row.getValue()));
    names.setCellFactory(tableColumn -> new TableCell<>() {
      @Override
      protected void updateItem(Integer row, boolean empty) {
        super.updateItem(row, empty);
        setText(empty || row == null ? null : label(model.regions().get(row)));
      }
    });
    columns.add(names);
    int column = 0;
    for (Map.Entry<String, Integer> group : model.groups()) {
      TableColumn<Integer, Double> groupColumn = new TableColumn<>(group.getKey());
      groupColumn.getStyleClass().add("rtt-group-column");
      for (int i = 0; i < group.getValue(); i++, column++) {
        groupColumn.getColumns().add(rttColumn(model, column));
      }
      columns.add(groupColumn);
    }
    table.getSortOrder().clear();
    table.getColumns().setAll(columns);
    table.setItems(FXCollections.observableArrayList(
        IntStream.range(0, model.size()).boxed().toList()));
  }

  private static TableColumn<Integer, Double> rttColumn(RttMatrixModel model, int column) {
    Region region = model.regions().get(column);
    TableColumn<Integer, Double> rtt = new TableColumn<>(region.displayName());
    rtt.setId("rtt-" + region.id().value());
    rtt.getStyleClass().add("rtt-column");
    rtt.setCellValueFactory(row -> new ReadOnlyObjectWrapper<>(
        model.rttMs(row.getValue(), column)));
    rtt.setComparator(MISSING_LAST);
    rtt.setCellFactory(tableColumn -> new RttCell(model, column));
    return rtt;
  }

  private static String label(Region region) {
    return region.displayName() + " (" + region.jurisdiction().code() + ")";
  }

  /**
   * @param rttMs a round-trip time
   * @return the text shown for it: whole milliseconds, one decimal below ten
   */
  static String format(double rttMs) {
    return rttMs < 10 ? String.format(Locale.ROOT, "%.1f", rttMs)
        : String.format(Locale.ROOT, "%.0f", rttMs);
  }

  /**
   * One matrix cell: text and pseudo-classes from the model's value and source. Its tooltip is
   * made on the first hover, not per update: a table lays out thousands of cells (every column
   * of every visible row, and more to size columns), and each {@link Tooltip} is a popup
   * window with its own scene, costly enough to hold the studio up for seconds on a large design.
   */
  private static final class RttCell extends TableCell<Integer, Double> {
    private final RttMatrixModel model;
    private final int column;
    private String tip;

    RttCell(RttMatrixModel model, int column) {
      this.model = model;
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

package io.meridian.app.analysis;

import io.meridian.model.Topology;
import io.meridian.visualization.chart.LatencyBars;
import io.meridian.visualization.chart.RttMatrix;
import io.meridian.visualization.chart.VisibilityChart;
import java.util.List;
import javafx.beans.value.ObservableValue;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * The analysis panel: a dataset and an operation to look at, then tabs for latency per region
 * over its physical floor, the staleness curve, RPO and RTO, the what-if verdicts and the RTT
 * matrix. Binds to an {@link AnalysisViewModel}; holds no logic.
 *
 * <p>Node ids: {@code #analysis-dataset}, {@code #analysis-operation}, {@code #latency-bars},
 * {@code #visibility-chart}, {@code #recovery}, {@code #verdicts}, {@code #rtt-matrix}.
 */
public final class AnalysisPanel {
  private final VBox root = new VBox(6);

  /**
   * Builds the panel.
   *
   * @param model what to show
   * @param topology the design, for the RTT matrix
   * @param dark whether the dark theme is on; the charts then use their {@code .dark} colours
   */
  public AnalysisPanel(AnalysisViewModel model, ObservableValue<Topology> topology,
      ObservableValue<Boolean> dark) {
    ComboBox<String> dataset = new ComboBox<>(model.datasets());
    dataset.setId("analysis-dataset");
    dataset.valueProperty().bindBidirectional(model.datasetProperty());
    dataset.setTooltip(new Tooltip("The dataset whose latency, staleness and recovery are shown;"
        + " its replicas are highlighted on the map"));
    ComboBox<String> operation = new ComboBox<>();
    operation.getItems().setAll(AnalysisViewModel.OPERATIONS);
    operation.setId("analysis-operation");
    operation.valueProperty().bindBidirectional(model.operationProperty());
    operation.setTooltip(new Tooltip("Writes, or reads at one consistency level: from eventual"
        + " (nearest replica, may be stale) to strong (always the latest write)"));
    Label summary = new Label();
    summary.textProperty().bind(model.summaryProperty());
    summary.setWrapText(true);
    HBox choices = new HBox(8, new Label("Dataset"), dataset, new Label("Operation"), operation);
    choices.setAlignment(Pos.CENTER_LEFT);

    LatencyBars bars = new LatencyBars();
    bars.setId("latency-bars");
    Runnable refreshBars = () -> bars.getBars().setAll(model.bars());
    model.bars().addListener((ListChangeListener<Object>) change -> refreshBars.run());
    refreshBars.run();
    bars.titleProperty().bind(model.operationProperty().map(
        op -> "p50 " + op + " latency per client region (bar) over the physical floor (mark)"));

    // The tabs behind the first are built when first shown (ADR 0032): a hidden tab's content
    // is still styled and laid out, and the studio's start should not pay for a 64-column RTT
    // matrix or a chart nobody has looked at yet.
    java.util.function.Consumer<Control> followTheme = chartControl -> {
      Runnable restyle = () -> {
        chartControl.getStyleClass().remove("dark");
        if (Boolean.TRUE.equals(dark.getValue())) {
          chartControl.getStyleClass().add("dark");
        }
      };
      dark.addListener((o, was, now) -> restyle.run());
      restyle.run();
    };
    followTheme.accept(bars);

    TabPane tabs = new TabPane(tab("Latency", bars),
        lazyTab("Staleness", () -> {
          VisibilityChart chart = new VisibilityChart();
          chart.setId("visibility-chart");
          Runnable refreshCurves = () -> chart.getSeries().setAll(model.curves());
          model.curves().addListener((ListChangeListener<Object>) change -> refreshCurves.run());
          refreshCurves.run();
          followTheme.accept(chart);
          return chart;
        }),
        lazyTab("RPO / RTO", () -> {
          ListView<String> recovery = new ListView<>(model.recovery());
          recovery.setId("recovery");
          recovery.setPlaceholder(new Label("No recovery figures for this dataset"));
          return recovery;
        }),
        lazyTab("Who can write and read", () -> {
          ListView<String> verdicts = new ListView<>(model.verdicts());
          verdicts.setId("verdicts");
          verdicts.setPlaceholder(new Label("No regions"));
          return verdicts;
        }),
        lazyTab("RTT matrix", () -> {
          RttMatrix matrix = new RttMatrix();
          matrix.setId("rtt-matrix");
          // The check computes the matrix's shortest paths off the JavaFX thread and hands them
          // over with its result; before the first check, and for results without one, the
          // matrix follows the design itself.
          Runnable showMatrix = () -> {
            AnalysisViewModel.CheckedMatrix checked = model.rttMatrixProperty().get();
            if (checked != null && checked.matrix() != null) {
              matrix.show(checked.topology(), checked.matrix());
            } else {
              matrix.show(topology.getValue(), null);
            }
          };
          model.rttMatrixProperty().addListener((o, was, now) -> showMatrix.run());
          topology.addListener((o, was, now) -> {
            if (now == null) {
              matrix.show(null, null);
            } else if (model.rttMatrixProperty().get() == null) {
              showMatrix.run();
            }
          });
          showMatrix.run();
          followTheme.accept(matrix);
          return matrix;
        }));
    tabs.setId("analysis-tabs");
    VBox.setVgrow(tabs, Priority.ALWAYS);
    root.getChildren().setAll(choices, summary, tabs);
    root.setPadding(new Insets(6, 10, 6, 10));
    root.setMinSize(0, 0);
  }

  private static Tab tab(String name, javafx.scene.Node content) {
    Tab tab = new Tab(name, content);
    tab.setClosable(false);
    return tab;
  }

  /** A tab whose content is made by {@code content} the first time the tab is selected. */
  private static Tab lazyTab(String name, java.util.function.Supplier<javafx.scene.Node> content) {
    Tab tab = new Tab(name);
    tab.setClosable(false);
    tab.selectedProperty().addListener(new javafx.beans.value.ChangeListener<Boolean>() {
      @Override
      public void changed(javafx.beans.value.ObservableValue<? extends Boolean> observable,
          Boolean was, Boolean selected) {
        if (selected) {
          tab.selectedProperty().removeListener(this);
          tab.setContent(content.get());
        }
      }
    });
    return tab;
  }

  /** The panel's content. */
  public Parent root() {
    return root;
  }
}

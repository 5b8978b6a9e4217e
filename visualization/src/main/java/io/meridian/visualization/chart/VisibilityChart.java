package io.meridian.visualization.chart;

import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.control.Control;
import javafx.scene.control.Skin;

/**
 * The t-visibility chart (after Bailis et al., "Probabilistically Bounded Staleness"): for
 * each curve, the probability that a read issued some milliseconds after a write sees it.
 * Curves come from the analysis; the chart only draws them.
 *
 * <p>Styling: style class {@value #STYLE_CLASS}; the chart inside is a plain JavaFX
 * {@code LineChart} ({@code .chart}, {@code .chart-series-line}).
 */
public class VisibilityChart extends Control {

  /** The style class of every t-visibility chart. */
  public static final String STYLE_CLASS = "visibility-chart";

  private static final String STYLESHEET =
      VisibilityChart.class.getResource("/io/meridian/visualization/visualization.css")
          .toExternalForm();

  private final ObservableList<VisibilitySeries> series = FXCollections.observableArrayList();

  /** Creates an empty chart. */
  public VisibilityChart() {
    getStyleClass().add(STYLE_CLASS);
  }

  @Override
  protected Skin<?> createDefaultSkin() {
    return new VisibilityChartSkin(this);
  }

  @Override
  public String getUserAgentStylesheet() {
    return STYLESHEET;
  }

  /**
   * The curves, in legend order. Replace them with {@code setAll} when a new analysis
   * arrives.
   *
   * @return the live list
   */
  public ObservableList<VisibilitySeries> getSeries() {
    return series;
  }
}

package io.meridian.visualization.chart;

import java.util.ArrayList;
import java.util.List;
import javafx.beans.InvalidationListener;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.SkinBase;

/**
 * The default skin of {@link VisibilityChart}: a {@link LineChart} with time after the write
 * on {@code x} and probability (0 to 1) on {@code y}, without symbols or animation.
 */
public class VisibilityChartSkin extends SkinBase<VisibilityChart> {

  private final NumberAxis time = new NumberAxis();
  private final NumberAxis probability = new NumberAxis(0, 1, 0.1);
  private final LineChart<Number, Number> chart = new LineChart<>(time, probability);
  private final InvalidationListener rebuild = observable -> rebuild();

  /**
   * Creates the skin.
   *
   * @param control the control
   */
  public VisibilityChartSkin(VisibilityChart control) {
    super(control);
    time.setLabel("ms after the write");
    time.setForceZeroInRange(true);
    probability.setLabel("P(read sees the write)");
    probability.setAutoRanging(false);
    chart.setCreateSymbols(false);
    chart.setAnimated(false);
    chart.getStyleClass().add("visibility-line-chart");
    getChildren().add(chart);
    control.getSeries().addListener(rebuild);
    rebuild();
  }

  @Override
  public void dispose() {
    if (getSkinnable() != null) {
      getSkinnable().getSeries().removeListener(rebuild);
    }
    super.dispose();
  }

  /** @return the chart, for tests */
  LineChart<Number, Number> chart() {
    return chart;
  }

  /**
   * Shows the control's curves. When the chart already shows as many curves with the same
   * names (an edit that moved the curves, the usual case), only the points change, in place:
   * new series would make the chart create new lines and legend entries, each styled and laid
   * out again, on every edit of the design.
   */
  private void rebuild() {
    List<VisibilitySeries> curves = getSkinnable().getSeries();
    List<XYChart.Series<Number, Number>> shown = chart.getData();
    boolean sameCurves = shown.size() == curves.size();
    for (int i = 0; sameCurves && i < curves.size(); i++) {
      sameCurves = curves.get(i).name().equals(shown.get(i).getName());
    }
    if (sameCurves) {
      for (int i = 0; i < curves.size(); i++) {
        update(shown.get(i), curves.get(i));
      }
      return;
    }
    List<XYChart.Series<Number, Number>> all = new ArrayList<>();
    for (VisibilitySeries curve : getSkinnable().getSeries()) {
      double[] times = curve.timesMs();
      double[] probabilities = curve.probabilities();
      List<XYChart.Data<Number, Number>> points = new ArrayList<>(times.length);
      for (int i = 0; i < times.length; i++) {
        points.add(new XYChart.Data<>(times[i], probabilities[i]));
      }
      XYChart.Series<Number, Number> series = new XYChart.Series<>();
      series.setName(curve.name());
      series.getData().setAll(points);
      all.add(series);
    }
    chart.getData().setAll(all);
  }

  /** Moves a shown curve's points to {@code curve}'s, adding or removing points as needed. */
  private static void update(XYChart.Series<Number, Number> series, VisibilitySeries curve) {
    double[] times = curve.timesMs();
    double[] probabilities = curve.probabilities();
    javafx.collections.ObservableList<XYChart.Data<Number, Number>> points = series.getData();
    if (points.size() != times.length) {
      List<XYChart.Data<Number, Number>> fresh = new ArrayList<>(times.length);
      for (int i = 0; i < times.length; i++) {
        fresh.add(new XYChart.Data<>(times[i], probabilities[i]));
      }
      points.setAll(fresh);
      return;
    }
    for (int i = 0; i < times.length; i++) {
      XYChart.Data<Number, Number> point = points.get(i);
      if (point.getXValue().doubleValue() != times[i]) {
        point.setXValue(times[i]);
      }
      if (point.getYValue().doubleValue() != probabilities[i]) {
        point.setYValue(probabilities[i]);
      }
    }
  }
}

package io.meridian.visualization.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.visualization.testing.Snapshots;
import javafx.scene.Scene;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.XYChart;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** Proves that t-visibility curves are checked on creation and drawn one line per curve, headless. */
@ExtendWith(ApplicationExtension.class)
class VisibilityChartTest {

  private VisibilityChart chart;

  @Start
  void start(Stage stage) {
    chart = new VisibilityChart();
    chart.getSeries().setAll(
        new VisibilitySeries("Frankfurt", new double[] {0, 5, 10, 20, 40},
            new double[] {0.2, 0.7, 0.95, 0.999, 1}),
        new VisibilitySeries("Tokyo", new double[] {0, 50, 100, 150, 200},
            new double[] {0.01, 0.3, 0.8, 0.99, 1}));
    stage.setScene(new Scene(new StackPane(chart), 600, 360));
    stage.show();
  }

  @Test
  void drawsOneLinePerCurveWithAllItsPoints(FxRobot robot) {
    @SuppressWarnings("unchecked")
    LineChart<Number, Number> lines = (LineChart<Number, Number>) robot
        .lookup(".visibility-line-chart").query();
    assertThat(lines.getData()).hasSize(2);
    assertThat(lines.getData().get(1).getName()).isEqualTo("Tokyo");
    assertThat(lines.getData().get(1).getData()).hasSize(5);
    Snapshots.write(robot, chart, "visibility-chart");
  }

  @Test
  void newCurvesWithTheSameNamesMoveTheShownLinesInsteadOfReplacingThem(FxRobot robot) {
    @SuppressWarnings("unchecked")
    LineChart<Number, Number> lines = (LineChart<Number, Number>) robot
        .lookup(".visibility-line-chart").query();
    XYChart.Series<Number, Number> tokyoBefore = lines.getData().get(1);

    robot.interact(() -> chart.getSeries().setAll(
        new VisibilitySeries("Frankfurt", new double[] {0, 5, 10, 20, 40},
            new double[] {0.2, 0.7, 0.95, 0.999, 1}),
        new VisibilitySeries("Tokyo", new double[] {0, 60, 120, 180, 240, 300},
            new double[] {0.01, 0.2, 0.7, 0.95, 0.999, 1})));

    assertThat(lines.getData().get(1)).isSameAs(tokyoBefore);
    assertThat(tokyoBefore.getData()).extracting(point -> point.getXValue().doubleValue())
        .containsExactly(0.0, 60.0, 120.0, 180.0, 240.0, 300.0);

    robot.interact(() -> chart.getSeries().setAll(
        new VisibilitySeries("Tokyo", new double[] {0, 70}, new double[] {0.5, 1})));

    assertThat(lines.getData()).singleElement().satisfies(series -> {
      assertThat(series.getName()).isEqualTo("Tokyo");
      assertThat(series.getData()).extracting(point -> point.getYValue().doubleValue())
          .containsExactly(0.5, 1.0);
    });
  }

  @Test
  void timeToReachAProbabilityIsTheFirstPointAtOrAboveIt() {
    VisibilitySeries curve = chart.getSeries().get(0);
    assertThat(curve.timeToReachMs(0.999)).isEqualTo(20);
    assertThat(curve.timeToReachMs(1.0)).isEqualTo(40);
    assertThat(new VisibilitySeries("never", new double[] {0}, new double[] {0.5})
        .timeToReachMs(0.9)).isNaN();
  }

  @Test
  void curvesThatGoBackInTimeOrLeaveZeroToOneAreRefused() {
    assertThatThrownBy(() -> new VisibilitySeries("x", new double[] {0, 10, 5},
        new double[] {0, 0.5, 1})).hasMessageContaining("ascending");
    assertThatThrownBy(() -> new VisibilitySeries("x", new double[] {0},
        new double[] {1.5})).hasMessageContaining("outside 0..1");
    assertThatThrownBy(() -> new VisibilitySeries("x", new double[] {0, 1},
        new double[] {1})).hasMessageContaining("2 times but 1");
  }
}

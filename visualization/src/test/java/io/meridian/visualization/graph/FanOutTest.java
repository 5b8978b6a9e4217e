package io.meridian.visualization.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Proves that markers closer than the separation spread evenly around their common place and that distant markers stay put. */
class FanOutTest {

  private static final double SCALE = 100;

  @Test
  void distantRegionsAreNotMoved() {
    FanOut fanOut = new FanOut(20);
    fanOut.compute(new double[] {0, 0, 1, 0, 0, 1}, 3, SCALE);
    for (int i = 0; i < 3; i++) {
      assertThat(fanOut.offsetX(i)).isZero();
      assertThat(fanOut.offsetY(i)).isZero();
    }
  }

  @Test
  void regionsInTheSamePlaceSpreadAtLeastTheSeparationApart() {
    FanOut fanOut = new FanOut(20);
    double[] xy = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
    fanOut.compute(xy, 4, SCALE);
    for (int i = 0; i < 4; i++) {
      for (int j = i + 1; j < 4; j++) {
        double dx = fanOut.offsetX(i) - fanOut.offsetX(j);
        double dy = fanOut.offsetY(i) - fanOut.offsetY(j);
        assertThat(Math.hypot(dx, dy)).as("%d-%d", i, j).isGreaterThanOrEqualTo(20 - 1e-9);
      }
    }
    // The first region sits on top of the common place.
    assertThat(fanOut.offsetX(0)).isCloseTo(0, within(1e-9));
    assertThat(fanOut.offsetY(0)).isLessThan(0);
  }

  @Test
  void fanIsCentredOnTheGroupsAveragePlace() {
    FanOut fanOut = new FanOut(20);
    double[] xy = {0, 0, 0.05, 0};
    fanOut.compute(xy, 2, SCALE);
    double screenX0 = xy[0] * SCALE + fanOut.offsetX(0);
    double screenX1 = xy[2] * SCALE + fanOut.offsetX(1);
    assertThat((screenX0 + screenX1) / 2).isCloseTo(2.5, within(1e-9));
  }

  @Test
  void zoomingInFarEnoughDissolvesTheFan() {
    FanOut fanOut = new FanOut(20);
    double[] xy = {0, 0, 0.01, 0};
    fanOut.compute(xy, 2, SCALE);
    assertThat(fanOut.offsetX(1)).isNotZero();
    fanOut.compute(xy, 2, SCALE * 50);
    assertThat(fanOut.offsetX(1)).isZero();
  }

  @Test
  void chainsOfCloseRegionsFormOneGroup() {
    FanOut fanOut = new FanOut(20);
    double[] xy = {0, 0, 0.15, 0, 0.30, 0};
    fanOut.compute(xy, 3, SCALE);
    assertThat(fanOut.offsetX(0)).isNotZero();
    assertThat(fanOut.offsetY(2)).isNotZero();
  }
}

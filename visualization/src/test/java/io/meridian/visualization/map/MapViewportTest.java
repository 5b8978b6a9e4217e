package io.meridian.visualization.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.meridian.visualization.projection.ProjectedBounds;
import org.junit.jupiter.api.Test;

/** Proves that the viewport maps between projected and screen coordinates consistently under pan, zoom and fit. */
class MapViewportTest {

  private static final double WIDTH = 800;
  private static final double HEIGHT = 600;

  @Test
  void centreOfTheViewportIsTheCentreOfTheScreen() {
    MapViewport viewport = new MapViewport(1.5, -0.5, 200);
    assertThat(viewport.screenX(1.5, WIDTH)).isCloseTo(400, within(1e-9));
    assertThat(viewport.screenY(-0.5, HEIGHT)).isCloseTo(300, within(1e-9));
  }

  @Test
  void northIsUpOnScreen() {
    MapViewport viewport = new MapViewport(0, 0, 100);
    assertThat(viewport.screenY(1, HEIGHT)).isLessThan(viewport.screenY(0, HEIGHT));
  }

  @Test
  void screenToProjectedIsTheInverseOfProjectedToScreen() {
    MapViewport viewport = new MapViewport(0.3, 0.7, 321);
    double x = viewport.projectedX(viewport.screenX(-1.25, WIDTH), WIDTH);
    double y = viewport.projectedY(viewport.screenY(0.4, HEIGHT), HEIGHT);
    assertThat(x).isCloseTo(-1.25, within(1e-12));
    assertThat(y).isCloseTo(0.4, within(1e-12));
  }

  @Test
  void zoomingKeepsThePointUnderTheCursorInPlace() {
    MapViewport viewport = new MapViewport(0, 0, 150);
    double x = viewport.projectedX(620, WIDTH);
    double y = viewport.projectedY(110, HEIGHT);
    MapViewport zoomed = viewport.zoomedAt(2.5, 620, 110, WIDTH, HEIGHT);
    assertThat(zoomed.scale()).isCloseTo(375, within(1e-9));
    assertThat(zoomed.screenX(x, WIDTH)).isCloseTo(620, within(1e-9));
    assertThat(zoomed.screenY(y, HEIGHT)).isCloseTo(110, within(1e-9));
  }

  @Test
  void panningMovesContentWithTheDrag() {
    MapViewport viewport = new MapViewport(0, 0, 150);
    MapViewport panned = viewport.pannedBy(40, -25);
    assertThat(panned.screenX(0, WIDTH)).isCloseTo(440, within(1e-9));
    assertThat(panned.screenY(0, HEIGHT)).isCloseTo(275, within(1e-9));
  }

  @Test
  void fitShowsEveryCornerOfTheBoundsInsideThePadding() {
    ProjectedBounds bounds = new ProjectedBounds(-2, -0.5, 1, 1.1);
    MapViewport viewport = MapViewport.fit(bounds, WIDTH, HEIGHT, 20, 10_000);
    for (double x : new double[] {bounds.minX(), bounds.maxX()}) {
      assertThat(viewport.screenX(x, WIDTH)).isBetween(20 - 1e-9, WIDTH - 20 + 1e-9);
    }
    for (double y : new double[] {bounds.minY(), bounds.maxY()}) {
      assertThat(viewport.screenY(y, HEIGHT)).isBetween(20 - 1e-9, HEIGHT - 20 + 1e-9);
    }
    // The limiting dimension touches the padding exactly.
    assertThat(viewport.screenX(bounds.minX(), WIDTH)).isCloseTo(20, within(1e-9));
  }

  @Test
  void fittingASinglePointUsesTheMaximumScale() {
    MapViewport viewport = MapViewport.fit(new ProjectedBounds(1, 1, 1, 1), WIDTH, HEIGHT, 20,
        5000);
    assertThat(viewport.scale()).isEqualTo(5000);
    assertThat(viewport.centerX()).isEqualTo(1);
  }

  @Test
  void constraintsClampScaleAndKeepTheCentreOnTheWorld() {
    ProjectedBounds world = new ProjectedBounds(-2, -1, 2, 1);
    MapViewport wild = new MapViewport(5, -3, 1e6);
    MapViewport constrained = wild.constrained(10, 1000, world);
    assertThat(constrained).isEqualTo(new MapViewport(2, -1, 1000));
    MapViewport inside = new MapViewport(0, 0, 100);
    assertThat(inside.constrained(10, 1000, world)).isSameAs(inside);
  }

  @Test
  void interpolationEndsAtTheTargetAndMovesScaleGeometrically() {
    MapViewport from = new MapViewport(0, 0, 100);
    MapViewport to = new MapViewport(1, -1, 400);
    assertThat(from.interpolate(to, 0)).isEqualTo(from);
    MapViewport end = from.interpolate(to, 1);
    assertThat(end.scale()).isCloseTo(400, within(1e-9));
    assertThat(end.centerX()).isCloseTo(1, within(1e-12));
    assertThat(from.interpolate(to, 0.5).scale()).isCloseTo(200, within(1e-9));
  }

  @Test
  void nonPositiveScaleIsRefused() {
    assertThatThrownBy(() -> new MapViewport(0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scale");
  }
}

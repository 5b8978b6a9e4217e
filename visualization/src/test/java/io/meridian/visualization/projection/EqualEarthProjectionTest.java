package io.meridian.visualization.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Proves that Equal Earth puts known points where the published formula does, keeps areas, and inverts exactly. */
class EqualEarthProjectionTest {

  private final EqualEarthProjection projection = EqualEarthProjection.INSTANCE;

  @Test
  void originProjectsToOrigin() {
    double[] xy = projection.project(0, 0);
    assertThat(xy[0]).isCloseTo(0, within(1e-12));
    assertThat(xy[1]).isCloseTo(0, within(1e-12));
  }

  @Test
  void equatorAtTheAntimeridianIsTheWidestPoint() {
    // 2·√3·π / (3·1.340264), computed by hand from the paper's constants.
    assertThat(projection.project(180, 0)[0]).isCloseTo(2.7066299, within(1e-6));
    assertThat(projection.project(-180, 0)[0]).isCloseTo(-2.7066299, within(1e-6));
  }

  @Test
  void polesAreFlatLinesAtTheTopAndBottom() {
    // θ = π/3 at the pole; y = A1·θ + A2·θ³ + A3·θ⁷ + A4·θ⁹.
    double[] northAtZero = projection.project(0, 90);
    double[] northAtEdge = projection.project(180, 90);
    assertThat(northAtZero[1]).isCloseTo(1.3173627, within(1e-6));
    assertThat(northAtEdge[1]).isCloseTo(northAtZero[1], within(1e-12));
    // The paper gives the pole line as about 0.59 of the equator's length.
    assertThat(northAtEdge[0]).isCloseTo(1.6035886, within(1e-6));
    assertThat(northAtEdge[0] / EqualEarthProjection.X_MAX).isCloseTo(0.59, within(0.005));
    assertThat(projection.project(0, -90)[1]).isCloseTo(-1.3173627, within(1e-6));
  }

  @Test
  void aspectRatioIsAboutTwoPointZeroFive() {
    ProjectedBounds world = projection.worldBounds();
    assertThat(world.width() / world.height()).isCloseTo(2.0546, within(1e-3));
  }

  @Test
  void eastIsRightAndNorthIsUp() {
    double[] frankfurt = projection.project(8.68, 50.11);
    double[] sydney = projection.project(151.21, -33.87);
    double[] virginia = projection.project(-77.5, 38.9);
    assertThat(frankfurt[0]).isGreaterThan(virginia[0]);
    assertThat(sydney[0]).isGreaterThan(frankfurt[0]);
    assertThat(frankfurt[1]).isGreaterThan(0);
    assertThat(sydney[1]).isLessThan(0);
  }

  @Test
  void latitudeBandsKeepTheirShareOfTheSphereArea() {
    // On the unit sphere the band between φ1 and φ2 has area 2π(sin φ2 − sin φ1). Every
    // parallel is a straight line whose length is twice the projected x at 180°, so the
    // projected band area is a one-dimensional integral over latitude.
    double[][] bands = {{0, 30}, {30, 60}, {60, 90}, {-45, 10}};
    for (double[] band : bands) {
      double projectedArea = 0;
      int steps = 20_000;
      double[] previous = projection.project(180, band[0]);
      for (int i = 1; i <= steps; i++) {
        double[] current = projection.project(180, band[0] + (band[1] - band[0]) * i / steps);
        projectedArea += (previous[0] + current[0]) * (current[1] - previous[1]);
        previous = current;
      }
      double sphereArea = 2 * Math.PI
          * (Math.sin(Math.toRadians(band[1])) - Math.sin(Math.toRadians(band[0])));
      assertThat(projectedArea).as("band %s..%s", band[0], band[1])
          .isCloseTo(sphereArea, within(1e-4));
    }
  }

  @ParameterizedTest(name = "({0}, {1})")
  @CsvSource({
      "0, 0", "8.68, 50.11", "-77.5, 38.9", "151.21, -33.87", "179.99, 0.5", "-179.99, -0.5",
      "-122.3, 47.6", "139.7, 35.7", "0, 89.9", "45, -89.9", "-70.6, -33.4", "103.8, 1.35"})
  void inverseReturnsTheOriginalPoint(double longitude, double latitude) {
    double[] xy = projection.project(longitude, latitude);
    double[] lonLat = new double[2];
    assertThat(projection.invert(xy[0], xy[1], lonLat, 0)).isTrue();
    assertThat(lonLat[0]).isCloseTo(longitude, within(1e-8));
    assertThat(lonLat[1]).isCloseTo(latitude, within(1e-8));
  }

  @Test
  void inverseRefusesPointsOutsideTheGlobe() {
    double[] out = {7, 7};
    assertThat(projection.invert(0, 2, out, 0)).isFalse();
    assertThat(projection.invert(2.8, 0, out, 0)).isFalse();
    assertThat(out).containsExactly(7, 7);
  }

  @Test
  void bulkProjectionWritesAtTheGivenOffset() {
    double[] out = new double[6];
    projection.project(10, 20, out, 2);
    assertThat(out[0]).isZero();
    assertThat(out[2]).isEqualTo(projection.project(10, 20)[0]);
    assertThat(out[3]).isEqualTo(projection.project(10, 20)[1]);
    assertThat(out[4]).isZero();
  }
}

package io.meridian.visualization.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import io.meridian.visualization.projection.EqualEarthProjection;
import org.junit.jupiter.api.Test;

/** Proves that a topology is projected once into region points and link curves that bow north through the great-circle midpoint, and that links across the Pacific go the short way. */
class ProjectedTopologyTest {

  private final EqualEarthProjection projection = EqualEarthProjection.INSTANCE;

  @Test
  void regionsAreProjectedAtTheirCoordinates() {
    ProjectedTopology projected = ProjectedTopology.of(SampleTopologies.fiveRegions(), projection);
    int tokyo = projected.indexOf(RegionId.of("ap-tokyo")).orElseThrow();
    double[] expected = projection.project(139.7, 35.7);
    assertThat(projected.regionX(tokyo)).isEqualTo(expected[0]);
    assertThat(projected.regionY(tokyo)).isEqualTo(expected[1]);
    assertThat(projected.regionCount()).isEqualTo(5);
    assertThat(projected.linkCount()).isEqualTo(5);
  }

  @Test
  void duplicateRegionsAndLinksToUnknownRegionsAreSkipped() {
    Topology topology = Topology.empty("broken")
        .plusRegion(Region.of("a", 0, 0, "EU"))
        .plusRegion(Region.of("a", 10, 10, "EU"))
        .plusRegion(Region.of("b", 20, 20, "EU"))
        .plusLink(Link.of("a", "b", 10))
        .plusLink(Link.of("b", "a", 12))
        .plusLink(Link.of("a", "ghost", 10));
    ProjectedTopology projected = ProjectedTopology.of(topology, projection);
    assertThat(projected.regionCount()).isEqualTo(2);
    assertThat(projected.linkCount()).isEqualTo(1);
    assertThat(projected.links().get(0).rttMs()).isEqualTo(10);
  }

  @Test
  void linkCurvePassesHalfWayNorthOfTheGreatCircleMidpoint() {
    // Frankfurt to Virginia: the great circle runs north of both ends, and the bow adds more.
    Topology topology = Topology.empty("atlantic")
        .plusRegion(Region.of("fra", 50.11, 8.68, "EU"))
        .plusRegion(Region.of("iad", 38.9, -77.5, "US"))
        .plusLink(Link.of("fra", "iad", 88));
    ProjectedTopology projected = ProjectedTopology.of(topology, projection);
    double midY = 0.25 * projected.regionY(0) + 0.5 * projected.controlY(0)
        + 0.25 * projected.regionY(1);
    double greatCircleMidY = projection.project(-39.0, 52.4)[1];
    assertThat(midY).isGreaterThan(greatCircleMidY);
    assertThat(midY).isGreaterThan(Math.max(projected.regionY(0), projected.regionY(1)));
  }

  @Test
  void linkAcrossThePacificIsDrawnTheShortWayInTwoPiecesMeetingTheMapEdges() {
    Topology topology = Topology.empty("pacific")
        .plusRegion(Region.of("tokyo", 35.7, 139.7, "JP"))
        .plusRegion(Region.of("oregon", 45.6, -121.2, "US"))
        .plusLink(Link.of("tokyo", "oregon", 100));
    ProjectedTopology projected = ProjectedTopology.of(topology, projection);
    assertThat(projected.crossesAntimeridian(0)).isTrue();
    // Where the great circle meets longitude 180, by the closed-form meridian crossing.
    double latitude = meridianCrossingLatitude(35.7, 139.7, 45.6, -121.2, 180);
    assertThat(latitude).isBetween(40.0, 60.0);
    double[] east = projection.project(180, latitude);
    double[] west = projection.project(-180, latitude);
    // Tokyo's piece leaves the map at its east edge, Oregon's comes back at the west edge.
    assertThat(projected.edgeX(0, 0)).isCloseTo(east[0], within(1e-6));
    assertThat(projected.edgeY(0, 0)).isCloseTo(east[1], within(1e-6));
    assertThat(projected.edgeX(0, 1)).isCloseTo(west[0], within(1e-6));
    assertThat(projected.edgeY(0, 1)).isCloseTo(west[1], within(1e-6));
    // Each piece stays on its own side: neither runs back across the whole map.
    assertThat(projected.controlX(0)).isGreaterThan(projected.regionX(0));
    assertThat(projected.wrapControlX(0)).isLessThan(projected.regionX(1));
    assertThat(Math.abs(projected.controlX(0))).isLessThan(EqualEarthProjection.X_MAX * 1.05);
    assertThat(Math.abs(projected.wrapControlX(0))).isLessThan(EqualEarthProjection.X_MAX * 1.05);
  }

  @Test
  void onlyLinksWhoseShortWayCrossesTheAntimeridianAreSplit() {
    Topology topology = Topology.empty("mixed")
        .plusRegion(Region.of("auckland", -36.8, 174.8, "NZ"))
        .plusRegion(Region.of("honolulu", 21.3, -157.9, "US"))
        .plusRegion(Region.of("sydney", -33.9, 151.2, "AU"))
        .plusRegion(Region.of("frankfurt", 50.11, 8.68, "EU"))
        .plusRegion(Region.of("virginia", 38.9, -77.5, "US"))
        .plusLink(Link.of("auckland", "honolulu", 90))
        .plusLink(Link.of("auckland", "sydney", 25))
        .plusLink(Link.of("frankfurt", "virginia", 88))
        // Sydney to Frankfurt spans more than 140 degrees of longitude but goes west, over Asia.
        .plusLink(Link.of("sydney", "frankfurt", 250));
    ProjectedTopology projected = ProjectedTopology.of(topology, projection);
    assertThat(projected.crossesAntimeridian(0)).isTrue();
    assertThat(projected.crossesAntimeridian(1)).isFalse();
    assertThat(projected.crossesAntimeridian(2)).isFalse();
    assertThat(projected.crossesAntimeridian(3)).isFalse();
    assertThat(projected.edgeX(1, 0)).isNaN();
  }

  /** Aviation Formulary: latitude at which the great circle through two points meets a meridian. */
  private static double meridianCrossingLatitude(double lat1, double lon1, double lat2,
      double lon2, double lon) {
    double phi1 = Math.toRadians(lat1);
    double phi2 = Math.toRadians(lat2);
    double lambda1 = Math.toRadians(lon1);
    double lambda2 = Math.toRadians(lon2);
    double lambda = Math.toRadians(lon);
    return Math.toDegrees(Math.atan((Math.sin(phi1) * Math.cos(phi2) * Math.sin(lambda - lambda2)
        - Math.sin(phi2) * Math.cos(phi1) * Math.sin(lambda - lambda1))
        / (Math.cos(phi1) * Math.cos(phi2) * Math.sin(lambda1 - lambda2))));
  }

  @Test
  void boundsHoldEveryRegionAndAnEmptyTopologyHasNone() {
    ProjectedTopology projected = ProjectedTopology.of(SampleTopologies.fiveRegions(), projection);
    for (int i = 0; i < projected.regionCount(); i++) {
      assertThat(projected.bounds().orElseThrow().contains(projected.regionX(i),
          projected.regionY(i))).isTrue();
    }
    assertThat(ProjectedTopology.of(Topology.empty("none"), projection).bounds()).isEmpty();
    assertThat(ProjectedTopology.of(null, projection).regionCount()).isZero();
  }
}

package io.meridian.visualization.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import io.meridian.visualization.projection.EqualEarthProjection;
import org.junit.jupiter.api.Test;

/** Proves that a topology is projected once into region points and link curves that bow north through the great-circle midpoint. */
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
  void linkAcrossTheAntimeridianStaysOnTheMap() {
    Topology topology = Topology.empty("pacific")
        .plusRegion(Region.of("tokyo", 35.7, 139.7, "JP"))
        .plusRegion(Region.of("oregon", 45.6, -121.2, "US"))
        .plusLink(Link.of("tokyo", "oregon", 100));
    ProjectedTopology projected = ProjectedTopology.of(topology, projection);
    assertThat(Math.abs(projected.controlX(0))).isLessThan(EqualEarthProjection.X_MAX);
    double midX = 0.25 * projected.regionX(0) + 0.5 * projected.controlX(0)
        + 0.25 * projected.regionX(1);
    assertThat(midX).isCloseTo((projected.regionX(0) + projected.regionX(1)) / 2,
        within(0.2));
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

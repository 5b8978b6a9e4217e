package io.meridian.visualization.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Proves that the RTT matrix groups regions by jurisdiction and gives direct, routed and missing round trips without starting JavaFX. */
class RttMatrixModelTest {

  private static Topology topology() {
    return Topology.empty("matrix")
        .plusRegion(Region.of("us-east", 38.9, -77.5, "US"))
        .plusRegion(Region.of("eu-west", 53.3, -6.3, "EU"))
        .plusRegion(Region.of("eu-central", 50.1, 8.7, "EU"))
        .plusRegion(Region.of("ap-tokyo", 35.7, 139.7, "JP"))
        .plusRegion(Region.of("island", -40, -170, "NZ"))
        .plusLink(Link.of("us-east", "eu-west", 70))
        .plusLink(Link.of("eu-west", "eu-central", 25))
        .plusLink(Link.of("eu-central", "ap-tokyo", 230));
  }

  @Test
  void regionsAreGroupedByJurisdictionThenName() {
    RttMatrixModel model = RttMatrixModel.of(topology());
    assertThat(model.regions()).extracting(r -> r.id().value())
        .containsExactly("eu-central", "eu-west", "ap-tokyo", "island", "us-east");
    assertThat(model.groups()).containsExactly(Map.entry("EU", 2), Map.entry("JP", 1),
        Map.entry("NZ", 1), Map.entry("US", 1));
  }

  @Test
  void linkedPairsShowTheLinkRttBothWays() {
    RttMatrixModel model = RttMatrixModel.of(topology());
    int us = index(model, "us-east");
    int west = index(model, "eu-west");
    assertThat(model.rttMs(us, west)).isEqualTo(70);
    assertThat(model.rttMs(west, us)).isEqualTo(70);
    assertThat(model.source(us, west)).isEqualTo(RttMatrixModel.Source.DIRECT);
    assertThat(model.source(us, us)).isEqualTo(RttMatrixModel.Source.SELF);
    assertThat(model.rttMs(us, us)).isZero();
  }

  @Test
  void unlinkedPairsWithAPathPayTheFastestRoute() {
    RttMatrixModel model = RttMatrixModel.of(topology());
    int us = index(model, "us-east");
    int tokyo = index(model, "ap-tokyo");
    assertThat(model.rttMs(us, tokyo)).isEqualTo(70 + 25 + 230);
    assertThat(model.source(tokyo, us)).isEqualTo(RttMatrixModel.Source.ROUTED);
  }

  @Test
  void pairsWithNoPathHaveNoRtt() {
    RttMatrixModel model = RttMatrixModel.of(topology());
    int island = index(model, "island");
    int us = index(model, "us-east");
    assertThat(model.rttMs(island, us)).isNaN();
    assertThat(model.source(us, island)).isEqualTo(RttMatrixModel.Source.NONE);
  }

  @Test
  void aDirectLinkWinsOverAFasterDetour() {
    Topology topology = Topology.empty("detour")
        .plusRegion(Region.of("a", 0, 0, "EU"))
        .plusRegion(Region.of("b", 0, 10, "EU"))
        .plusRegion(Region.of("c", 0, 20, "EU"))
        .plusLink(Link.of("a", "c", 100))
        .plusLink(Link.of("a", "b", 10))
        .plusLink(Link.of("b", "c", 10));
    RttMatrixModel model = RttMatrixModel.of(topology);
    assertThat(model.rttMs(index(model, "a"), index(model, "c"))).isEqualTo(100);
  }

  @Test
  void emptyTopologyGivesAnEmptyMatrix() {
    assertThat(RttMatrixModel.of(null).size()).isZero();
    assertThat(RttMatrixModel.of(Topology.empty("none")).groups()).isEmpty();
  }

  private static int index(RttMatrixModel model, String id) {
    return model.indexOf(RegionId.of(id)).orElseThrow();
  }
}

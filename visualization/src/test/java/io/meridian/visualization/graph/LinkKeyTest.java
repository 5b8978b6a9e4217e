package io.meridian.visualization.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.model.Link;
import io.meridian.model.RegionId;
import org.junit.jupiter.api.Test;

/** Proves that a link key names an undirected link whichever way round its ends are given. */
class LinkKeyTest {

  @Test
  void endsInEitherOrderNameTheSameLink() {
    RegionId a = RegionId.of("us-east");
    RegionId b = RegionId.of("eu-central");
    assertThat(LinkKey.between(a, b)).isEqualTo(LinkKey.between(b, a));
    assertThat(LinkKey.of(Link.of("us-east", "eu-central", 80)))
        .isEqualTo(LinkKey.between(b, a));
    assertThat(LinkKey.between(a, b).first()).isEqualTo(b);
  }

  @Test
  void aLinkFromARegionToItselfIsRefused() {
    RegionId a = RegionId.of("us-east");
    assertThatThrownBy(() -> LinkKey.between(a, a))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("us-east");
  }

  @Test
  void rttLabelsShowOneDecimalOnlyBelowTenMilliseconds() {
    assertThat(TopologyGraphSkin.formatRtt(1.24)).isEqualTo("1.2 ms");
    assertThat(TopologyGraphSkin.formatRtt(88.4)).isEqualTo("88 ms");
  }
}

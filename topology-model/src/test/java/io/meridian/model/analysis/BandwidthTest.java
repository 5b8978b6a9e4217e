package io.meridian.model.analysis;

import static io.meridian.model.analysis.Fixtures.AP;
import static io.meridian.model.analysis.Fixtures.EU;
import static io.meridian.model.analysis.Fixtures.US;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meridian.model.Topology;
import org.junit.jupiter.api.Test;

/**
 * Replication traffic per link direction is the write rate times the value plus framing, along
 * every route a write is shipped; links near or over capacity are flagged, and a saturated link
 * makes asynchronous RPO unbounded.
 */
class BandwidthTest {
  /** 10 Mbit/s links everywhere. */
  private static Topology thinLinks() {
    return Fixtures.with(Fixtures.async())
        .mapLink(US, EU, l -> l.withBandwidthMbps(10))
        .mapLink(EU, AP, l -> l.withBandwidthMbps(10))
        .mapLink(US, AP, l -> l.withBandwidthMbps(10));
  }

  @Test
  void trafficIsRateTimesValuePlusFramingInTheShippingDirection() {
    TopologyAnalysis analysis = TopologyAnalyzer.analyzeOnce(thinLinks(),
        AnalysisOptions.DEFAULTS.withWriteRatePerSecond(500));

    LinkAnalysis usEu = analysis.link("us-east~eu-west").orElseThrow();
    double mbps = 500 * (1024 + 64) * 8 / 1e6;
    assertThat(usEu.trafficAToBMbps()).isCloseTo(mbps, within(1e-9));
    assertThat(usEu.trafficBToAMbps()).isZero();
    assertThat(usEu.status()).isEqualTo(BandwidthStatus.OK);
    assertThat(usEu.datasets()).containsExactly("data");
    assertThat(analysis.link("eu-west~ap-south").orElseThrow().utilisation()).isZero();
  }

  @Test
  void aLinkOverCapacityIsSaturatedWithAWarningAndRpoBecomesUnbounded() {
    TopologyAnalysis analysis = TopologyAnalyzer.analyzeOnce(thinLinks(),
        AnalysisOptions.DEFAULTS.withWriteRatePerSecond(2000));

    assertThat(analysis.link("us-east~eu-west").orElseThrow().status())
        .isEqualTo(BandwidthStatus.SATURATED);
    assertThat(analysis.warnings()).anyMatch(w -> w.startsWith("link us-east~eu-west: "
        + "replication needs 17.4 Mbit/s of 10") && w.endsWith("lag grows without bound"));
    Rpo rpo = analysis.dataset("data").orElseThrow().recovery().rpo();
    assertThat(rpo.bounded()).isFalse();
    assertThat(rpo.expectedMs()).isNull();
  }

  @Test
  void aBusyLinkIsNearSaturation() {
    TopologyAnalysis analysis = TopologyAnalyzer.analyzeOnce(thinLinks(),
        AnalysisOptions.DEFAULTS.withWriteRatePerSecond(1000));

    assertThat(analysis.link("us-east~eu-west").orElseThrow().status())
        .isEqualTo(BandwidthStatus.NEAR_SATURATION);
  }
}

package io.meridian.model.analysis;

import static io.meridian.model.analysis.Fixtures.AP;
import static io.meridian.model.analysis.Fixtures.EU;
import static io.meridian.model.analysis.Fixtures.US;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meridian.model.Geo;
import io.meridian.model.Topology;
import org.junit.jupiter.api.Test;

/**
 * Every link and every prediction carries the speed-of-light floor over the same great circles,
 * and a link declared faster than light shows a floor above its round trip and a warning.
 */
class PhysicalFloorTest {

  @Test
  void aLinksFloorIsLightInFibreOverTheGreatCircle() {
    TopologyAnalysis analysis = TopologyAnalyzer.analyzeOnce(Fixtures.with(Fixtures.async()),
        AnalysisOptions.DEFAULTS);

    LinkAnalysis link = analysis.link("us-east~eu-west").orElseThrow();
    double km = Geo.greatCircleKm(38.9, -77.4, 53.3, -6.3);
    assertThat(link.greatCircleKm()).isCloseTo(km, within(1e-9));
    assertThat(link.floorRttMs()).isCloseTo(2 * km * 0.0049, within(1e-9));
    assertThat(link.rttOverFloor()).isCloseTo(80 / link.floorRttMs(), within(1e-9));
    assertThat(link.fasterThanLight()).isFalse();
  }

  @Test
  void aFasterThanLightLinkShowsAFloorAboveItsRoundTripAndAWarning() {
    Topology impossible = Fixtures.with(Fixtures.async())
        .mapLink(US, AP, link -> link.withRttMs(10));

    TopologyAnalysis analysis = TopologyAnalyzer.analyzeOnce(impossible, AnalysisOptions.DEFAULTS);

    LinkAnalysis link = analysis.link("ap-south~us-east").orElseThrow();
    assertThat(link.fasterThanLight()).isTrue();
    assertThat(link.floorRttMs()).isGreaterThan(link.rttMs());
    assertThat(analysis.warnings()).anyMatch(w -> w.startsWith("link us-east~ap-south: rttMs 10 is"
        + " faster than light"));
    Latency write = analysis.dataset("data").orElseThrow().region(AP).orElseThrow().write()
        .latency();
    assertThat(write.floorMs()).isGreaterThan(write.p50Ms());
  }

  @Test
  void aPredictionsFloorFollowsTheSameFormulaAsItsLatency() {
    DatasetAnalysis d = Fixtures.analyse(Fixtures.with(Fixtures.quorum(3, 2, 2)));

    double usEu = Geo.fibreRttFloorMs(Fixtures.regions().get(0), Fixtures.regions().get(1));
    double euAp = Geo.fibreRttFloorMs(Fixtures.regions().get(1), Fixtures.regions().get(2));
    // eu-west coordinates: 2nd smallest of {0, floor(us), floor(ap)}.
    assertThat(d.region(EU).orElseThrow().write().latency().floorMs())
        .isCloseTo(Math.min(usEu, euAp), within(1e-9));
    assertThat(d.region(EU).orElseThrow().write().latency().p50OverFloor()).isGreaterThan(1);
  }
}

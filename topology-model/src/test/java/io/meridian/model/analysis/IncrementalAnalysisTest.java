package io.meridian.model.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.QuorumSpec;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import io.meridian.model.analysis.bench.GeneratedTopology;
import org.junit.jupiter.api.Test;

/**
 * Re-analysing after an edit recomputes only what the edit touches, and the result is exactly
 * what a fresh analysis gives.
 */
class IncrementalAnalysisTest {
  private static final Topology BIG = GeneratedTopology.of(20, 4, 7);
  private static final AnalysisOptions OPTIONS = AnalysisOptions.DEFAULTS.withSamples(1000);

  @Test
  void analysingTheSameTopologyAgainReusesEverything() {
    TopologyAnalyzer analyzer = new TopologyAnalyzer();
    TopologyAnalysis first = analyzer.analyze(BIG, OPTIONS);

    TopologyAnalysis second = analyzer.analyze(BIG, OPTIONS);

    assertThat(second).isEqualTo(first);
    AnalysisStatistics stats = analyzer.lastStatistics();
    assertThat(stats.regionResultsComputed()).isZero();
    assertThat(stats.regionResultsReused()).isEqualTo(20 * BIG.datasets().size());
    assertThat(stats.sampleArraysDrawn()).isZero();
    assertThat(stats.networkRebuilt()).isFalse();
  }

  @Test
  void editingOnePolicyRecomputesOnlyItsDataset() {
    TopologyAnalyzer analyzer = new TopologyAnalyzer();
    analyzer.analyze(BIG, OPTIONS);
    Topology edited = BIG.mapPolicy("quorum-fast", p -> p.withQuorum(new QuorumSpec(5, 1, 2)));

    TopologyAnalysis incremental = analyzer.analyze(edited, OPTIONS);

    assertThat(analyzer.lastStatistics().regionResultsComputed()).isEqualTo(20);
    assertThat(analyzer.lastStatistics().networkRebuilt()).isFalse();
    assertThat(incremental).isEqualTo(TopologyAnalyzer.analyzeOnce(edited, OPTIONS));
  }

  @Test
  void editingOneLinkRecomputesOnlyTheClientsWhoseRoutesCrossIt() {
    TopologyAnalyzer analyzer = new TopologyAnalyzer();
    analyzer.analyze(BIG, OPTIONS);
    var link = BIG.links().get(0);
    Topology edited = BIG.mapLink(link.a(), link.b(), l -> l.withJitterMs(l.jitterMs() + 1));

    TopologyAnalysis incremental = analyzer.analyze(edited, OPTIONS);

    AnalysisStatistics stats = analyzer.lastStatistics();
    assertThat(stats.networkRebuilt()).isTrue();
    assertThat(stats.regionResultsComputed()).isLessThan(20 * BIG.datasets().size());
    assertThat(stats.regionResultsReused()).isPositive();
    assertThat(incremental).isEqualTo(TopologyAnalyzer.analyzeOnce(edited, OPTIONS));
  }

  @Test
  void changingTheWhatIfReusesNothingStaleAndMatchesAFreshRun() {
    TopologyAnalyzer analyzer = new TopologyAnalyzer();
    analyzer.analyze(BIG, OPTIONS);
    AnalysisOptions failed = OPTIONS.withFailedRegions(java.util.List.of(RegionId.of("r00")));

    TopologyAnalysis incremental = analyzer.analyze(BIG, failed);

    assertThat(incremental).isEqualTo(TopologyAnalyzer.analyzeOnce(BIG, failed));
    assertThat(incremental.dataset("orders").orElseThrow().writeLeader())
        .isEqualTo(RegionId.of("r07"));
  }
}

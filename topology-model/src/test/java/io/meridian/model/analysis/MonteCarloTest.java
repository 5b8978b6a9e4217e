package io.meridian.model.analysis;

import static io.meridian.model.analysis.Fixtures.AP;
import static io.meridian.model.analysis.Fixtures.EU;
import static io.meridian.model.analysis.Fixtures.US;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meridian.model.Link;
import io.meridian.model.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Monte Carlo estimates are reproducible from the seed, and the true value lies within the
 * stated 95% interval where a closed form is known: with the exponential delay model and a shift
 * of zero, a round trip over one link is jitter times a Gamma(2, 1) variable.
 */
class MonteCarloTest {
  private static final double JITTER_MS = 10;

  /** us-east~eu-west: rtt 20 ms, jitter 10 ms, so the shift rtt/2 - jitter is zero. */
  private static Topology exponentialLink() {
    return Fixtures.with(Fixtures.async()).mapLink(US, EU,
        link -> link.withRttMs(2 * JITTER_MS).withJitterMs(JITTER_MS));
  }

  private static AnalysisOptions exponential() {
    return AnalysisOptions.DEFAULTS.withDelayModel(DelayModel.SHIFTED_EXPONENTIAL)
        .withSamples(20_000);
  }

  /** The p-quantile of Gamma(2, 1): solves 1 - e^-x (1 + x) = p by bisection. */
  private static double gamma2Quantile(double p) {
    double low = 0;
    double high = 100;
    for (int i = 0; i < 200; i++) {
      double mid = (low + high) / 2;
      if (1 - Math.exp(-mid) * (1 + mid) < p) {
        low = mid;
      } else {
        high = mid;
      }
    }
    return (low + high) / 2;
  }

  @Test
  void theTrueQuantilesOfAnExponentialRoundTripLieWithinTheStatedIntervals() {
    Latency write = Fixtures.analyse(exponentialLink(), exponential())
        .region(EU).orElseThrow().write().latency();

    double p50 = JITTER_MS * gamma2Quantile(0.5);
    double p99 = JITTER_MS * gamma2Quantile(0.99);
    assertThat(p50).isBetween(write.p50CiMs().low(), write.p50CiMs().high());
    assertThat(p99).isBetween(write.p99CiMs().low(), write.p99CiMs().high());
    assertThat(write.p50Ms()).isCloseTo(p50, within(0.05 * p50));
    assertThat(write.p99Ms()).isCloseTo(p99, within(0.05 * p99));
  }

  @Test
  void theSameSeedGivesTheSameAnalysis() {
    Topology topology = Fixtures.with(Fixtures.quorum(3, 2, 2))
        .withLinks(List.of(new Link(US, EU, 80, 6, 1000, 0.5, true),
            new Link(EU, AP, 120, 9, 1000, 0, true), new Link(US, AP, 190, 12, 1000, 0, true)));

    TopologyAnalysis first = TopologyAnalyzer.analyzeOnce(topology, AnalysisOptions.DEFAULTS);
    TopologyAnalysis second = TopologyAnalyzer.analyzeOnce(topology, AnalysisOptions.DEFAULTS);
    TopologyAnalysis otherSeed = TopologyAnalyzer.analyzeOnce(topology,
        AnalysisOptions.DEFAULTS.withSeed(99));

    assertThat(second).isEqualTo(first);
    Latency a = first.dataset("data").orElseThrow().region(AP).orElseThrow().write().latency();
    Latency b = otherSeed.dataset("data").orElseThrow().region(AP).orElseThrow().write()
        .latency();
    assertThat(b.p99Ms()).isNotEqualTo(a.p99Ms());
    assertThat(b.p50Ms()).isBetween(a.p50CiMs().low() - 1, a.p50CiMs().high() + 1);
  }

  @Test
  void aDatasetsFiguresDoNotDependOnTheOtherDatasets() {
    Topology alone = exponentialLink();
    Topology crowded = alone.plusPolicy(Fixtures.quorum(3, 2, 2).withName("q"))
        .plusDataset(new io.meridian.model.Dataset("other", List.of(AP, EU), List.of(), "q"));

    DatasetAnalysis a = Fixtures.analyse(alone, exponential());
    DatasetAnalysis b = Fixtures.analyse(crowded, exponential());

    assertThat(b.region(EU).orElseThrow().write()).isEqualTo(a.region(EU).orElseThrow().write());
  }

  @Test
  void lossAddsARetransmissionTimeoutToTheTail() {
    Topology lossy = Fixtures.with(Fixtures.async())
        .mapLink(US, AP, link -> link.withLossPercent(5));

    Latency write = Fixtures.analyse(lossy).region(AP).orElseThrow().write().latency();

    // About 10% of round trips lose one of two packets and wait 200 ms more.
    assertThat(write.p50Ms()).isEqualTo(190);
    assertThat(write.p99Ms()).isEqualTo(190 + Sampler.RETRANSMIT_TIMEOUT_MIN_MS);
  }
}

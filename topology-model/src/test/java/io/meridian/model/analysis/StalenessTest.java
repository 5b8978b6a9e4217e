package io.meridian.model.analysis;

import static io.meridian.model.analysis.Fixtures.AP;
import static io.meridian.model.analysis.Fixtures.EU;
import static io.meridian.model.analysis.Fixtures.US;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meridian.model.Topology;
import org.junit.jupiter.api.Test;

/**
 * Probabilistically bounded staleness matches closed forms: with exponential one-way delays of
 * mean 10 ms and no shift, an eventual read at an async replica sees a write t ms after commit
 * with probability 1 - exp(-t/10); in-flight writes are Poisson with mean rate times mean lag.
 * Modes that cannot be stale say so.
 */
class StalenessTest {
  private static final double MEAN_MS = 10;

  private static Topology exponentialAsync() {
    return Fixtures.with(Fixtures.async()).mapLink(US, EU,
        link -> link.withRttMs(2 * MEAN_MS).withJitterMs(MEAN_MS));
  }

  private static AnalysisOptions exponential() {
    return AnalysisOptions.DEFAULTS.withDelayModel(DelayModel.SHIFTED_EXPONENTIAL)
        .withSamples(20_000).withWriteRatePerSecond(200);
  }

  @Test
  void asyncVisibilityFollowsTheExponentialDistributionFunction() {
    Staleness s = Fixtures.analyse(exponentialAsync(), exponential())
        .region(EU).orElseThrow().staleness();

    assertThat(s.applicable()).isTrue();
    assertThat(s.visibility()).hasSize(DatasetAnalyzer.CURVE_POINTS);
    // The table's discretisation adds at most 1/(2 * table size) to the curve error.
    double tolerance = s.curveErrorBound() + 1.0 / DelayModel.TABLE_SIZE;
    for (CurvePoint point : s.visibility()) {
      assertThat(point.probability()).as("P(visible at %s ms)", point.tMs())
          .isCloseTo(1 - Math.exp(-point.tMs() / MEAN_MS), within(tolerance));
    }
  }

  @Test
  void theTimesFor99And999PercentLieWithinTheirIntervals() {
    Staleness s = Fixtures.analyse(exponentialAsync(), exponential())
        .region(EU).orElseThrow().staleness();

    double t99 = MEAN_MS * Math.log(100);
    double t999 = MEAN_MS * Math.log(1000);
    assertThat(t99).isBetween(s.consistent99CiMs().low(), s.consistent99CiMs().high());
    assertThat(t999).isBetween(s.consistent999CiMs().low(), s.consistent999CiMs().high());
  }

  @Test
  void versionsBehindArePoissonWithMeanRateTimesMeanLag() {
    Staleness s = Fixtures.analyse(exponentialAsync(), exponential())
        .region(EU).orElseThrow().staleness();

    double mean = 200 * MEAN_MS / 1000;
    assertThat(s.meanVersionsBehind()).isCloseTo(mean, within(0.05 * mean));
    VersionsBehind moreThanOne = s.versionsBehind().stream().filter(v -> v.k() == 1)
        .findFirst().orElseThrow();
    double expected = 1 - Math.exp(-mean) * (1 + mean);
    assertThat(moreThanOne.probabilityMoreThanK()).isCloseTo(expected, within(0.01));
  }

  @Test
  void theBoundedStalenessVersionLimitIsAmongTheThresholds() {
    Staleness s = Fixtures.analyse(exponentialAsync(), exponential())
        .region(EU).orElseThrow().staleness();

    assertThat(s.versionsBehind()).extracting(VersionsBehind::k).contains(100L);
  }

  @Test
  void readsAtThePrimaryAreNeverStale() {
    Staleness s = Fixtures.analyse(exponentialAsync(), exponential())
        .region(US).orElseThrow().staleness();

    assertThat(s.consistent999Ms()).isEqualTo(0);
    assertThat(s.visibilityAt(0)).isEqualTo(1);
  }

  @Test
  void withoutJitterAReadIsStaleForExactlyTheOneWayDelay() {
    Staleness s = Fixtures.analyse(Fixtures.with(Fixtures.async()))
        .region(AP).orElseThrow().staleness();

    assertThat(s.consistent99Ms()).isEqualTo(95);
    assertThat(s.curveErrorBound()).isEqualTo(0);
    assertThat(s.visibilityAt(94)).isEqualTo(0);
    assertThat(s.visibilityAt(95.1)).isEqualTo(1);
  }

  @Test
  void aQuorumWithOverlappingReadAndWriteSetsIsNeverStale() {
    Staleness s = Fixtures.analyse(Fixtures.with(Fixtures.quorum(3, 2, 2)))
        .region(AP).orElseThrow().staleness();

    assertThat(s.applicable()).isFalse();
    assertThat(s.explanation()).contains("R+W>N");
  }

  @Test
  void aPartialQuorumCanReturnStaleValuesUntilTheWriteSpreads() {
    // W=1 at a coordinator chosen uniformly; R=1 at ap-south's own replica. A write coordinated
    // at ap-south is visible at once; from eu-west it takes 60 ms, from us-east 95 ms.
    Staleness s = Fixtures.analyse(Fixtures.with(Fixtures.quorum(3, 1, 1)))
        .region(AP).orElseThrow().staleness();

    assertThat(s.applicable()).isTrue();
    assertThat(s.visibilityAt(0)).isCloseTo(1 / 3.0, within(0.03));
    assertThat(s.visibilityAt(70)).isCloseTo(2 / 3.0, within(0.03));
    assertThat(s.consistent99Ms()).isEqualTo(95);
  }

  @Test
  void syncWithAllAcksAndConsensusLeaderReadsAreNotStale() {
    Staleness sync = Fixtures.analyse(Fixtures.with(Fixtures.sync()))
        .region(AP).orElseThrow().staleness();

    assertThat(sync.applicable()).isFalse();
  }

  @Test
  void aReplicaCutOffFromThePrimaryStaysStale() {
    Staleness s = Fixtures.analyse(Fixtures.with(Fixtures.async()), "us-east~ap-south",
        "eu-west~ap-south").region(AP).orElseThrow().staleness();

    assertThat(s.consistent99Ms()).isNull();
    assertThat(s.explanation()).contains("until the partition heals");
  }

  @Test
  void poissonDistributionFunctionMatchesHandValues() {
    assertThat(DatasetAnalyzer.poissonCdf(0, 2)).isCloseTo(Math.exp(-2), within(1e-12));
    assertThat(DatasetAnalyzer.poissonCdf(2, 2)).isCloseTo(5 * Math.exp(-2), within(1e-12));
    assertThat(DatasetAnalyzer.poissonCdf(10, 0)).isEqualTo(1);
    // Far in the tail the probability is tiny but not lost to rounding: P(X > 20) for mean 1.
    double tail = Math.exp(-1) / 5.109094217170944e19 // 21!
        * (1 + 1 / 22.0 + 1 / (22.0 * 23) + 1 / (22.0 * 23 * 24) + 1 / (22.0 * 23 * 24 * 25));
    assertThat(DatasetAnalyzer.poissonTail(20, 1)).isCloseTo(tail, within(1e-6 * tail));
    assertThat(DatasetAnalyzer.poissonTail(0, 2)).isCloseTo(1 - Math.exp(-2), within(1e-12));
  }
}

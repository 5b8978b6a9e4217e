package io.meridian.model.analysis;

import static io.meridian.model.analysis.Fixtures.US;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meridian.model.FailoverSettings;
import org.junit.jupiter.api.Test;

/**
 * RPO is zero for synchronous modes and, for asynchronous ones, the one-way delay to the most
 * up-to-date survivor plus the time on the wire; RTO is detection + promotion + redirect with
 * each term shown.
 */
class RecoveryTest {
  /** 1024-byte values plus 64 bytes of framing over 1000 Mbit/s. */
  private static final double WIRE_MS = (1024 + 64) * 8 / 1e9 * 1000;

  @Test
  void syncAndConsensusLoseNothingAcknowledged() {
    Recovery sync = Fixtures.analyse(Fixtures.with(Fixtures.sync())).recovery();
    Recovery consensus = Fixtures.analyse(Fixtures.with(Fixtures.consensus())).recovery();

    assertThat(sync.rpo().expectedMs()).isZero();
    assertThat(consensus.rpo().expectedMs()).isZero();
    assertThat(consensus.rpo().explanation()).contains("majority of 3 voters");
  }

  @Test
  void asyncLosesTheWritesInFlightToTheNearestSurvivor() {
    AnalysisOptions options = AnalysisOptions.DEFAULTS.withWriteRatePerSecond(100);
    Rpo rpo = Fixtures.analyse(Fixtures.with(Fixtures.async().withRpoTargetMs(30L)), options)
        .recovery().rpo();

    // us-east reaches eu-west 40 ms one way; the link is nearly idle, so queueing is tiny.
    assertThat(rpo.expectedMs()).isCloseTo(40 + WIRE_MS, within(0.001));
    assertThat(rpo.writesAtRisk()).isCloseTo(100 * rpo.expectedMs() / 1000, within(1e-9));
    assertThat(rpo.meetsTarget()).isFalse();
    assertThat(rpo.explanation()).contains("most up-to-date survivor eu-west");
  }

  @Test
  void rtoAddsDetectionPromotionAndRedirect() {
    Recovery recovery = Fixtures.analyse(Fixtures.with(Fixtures.async()
        .withRtoTargetMs(3_000L))).recovery();

    assertThat(recovery.scenario()).isEqualTo("primary us-east fails");
    Rto rto = recovery.rto();
    assertThat(rto.terms()).extracting(RtoTerm::name)
        .containsExactly("detection", "promotion", "redirect");
    // eu-west fences with ap-south (120 ms) for a majority of 3; clients of us-east move 80 ms.
    assertThat(rto.terms()).extracting(RtoTerm::ms).containsExactly(3000.0, 120.0, 80.0);
    assertThat(rto.totalMs()).isEqualTo(3200);
    assertThat(rto.meetsTarget()).isFalse();
  }

  @Test
  void manualFailoverSaysTheOperatorIsNotIncluded() {
    Rto rto = Fixtures.analyse(Fixtures.with(Fixtures.async()
        .withFailover(new FailoverSettings(false, 3000)))).recovery().rto();

    assertThat(rto.automatic()).isFalse();
    assertThat(rto.explanation()).startsWith("manual failover");
  }

  @Test
  void twoReplicasWithoutAWitnessCannotFailOverSafely() {
    Rto rto = Fixtures.analyse(Fixtures.with(Fixtures.async()).mapDataset("data",
        d -> d.withReplicas(java.util.List.of(US, Fixtures.EU)))).recovery().rto();

    assertThat(rto.totalMs()).isNull();
    assertThat(rto.explanation()).contains("add a witness");
  }

  @Test
  void leaderlessModesKeepWritingThroughTheLossOfAReplica() {
    Rto rto = Fixtures.analyse(Fixtures.with(Fixtures.quorum(3, 2, 2))).recovery().rto();

    assertThat(rto.terms()).extracting(RtoTerm::name)
        .containsExactly("detection", "promotion", "redirect");
    assertThat(rto.totalMs()).isZero();
    assertThat(rto.explanation()).contains("while W=2 survive");
  }

  @Test
  void aQuorumThatLosesTooManyReplicasHasNoRecovery() {
    Rto rto = Fixtures.analyse(Fixtures.with(Fixtures.quorum(3, 3, 1))).recovery().rto();

    assertThat(rto.totalMs()).isNull();
    assertThat(rto.explanation()).contains("writes need W=3");
  }
}

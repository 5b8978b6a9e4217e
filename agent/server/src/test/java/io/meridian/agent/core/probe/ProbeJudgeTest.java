package io.meridian.agent.core.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.agent.core.InvariantViolation;
import io.meridian.agent.core.replication.RequestOptions.ReadLevel;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The probe's judge (ADR 0022): visibility is the first eventual read that returns a write, split at
 * the read's midpoint; strong, overlapping-quorum, session and bounded-staleness reads that return
 * less than their level promises are violations, and reads that keep their promise (or levels that
 * promise nothing) never are.
 */
class ProbeJudgeTest {
  private static final long MS = 1_000_000;
  private static final ProbeId ONE = new ProbeId(7, 1);
  private static final ProbeId TWO = new ProbeId(7, 2);

  private static ProbeJudge.Read read(ReadLevel level, long startMillis, long endMillis, ProbeId observed) {
    return new ProbeJudge.Read("us", level, startMillis * MS, endMillis * MS, Optional.ofNullable(observed),
        Optional.empty());
  }

  @Test
  void aWriteIsVisibleFromTheMidpointOfTheFirstEventualReadThatReturnsIt() {
    ProbeJudge judge = new ProbeJudge(ProbeJudge.Promises.STRONG_ONLY);
    judge.written(ONE, 100 * MS, 102 * MS);

    assertThat(judge.judge(read(ReadLevel.EVENTUAL, 110, 112, null)).visibility()).isEmpty();
    assertThat(judge.visibleAt("us")).isFalse();
    ProbeJudge.Verdict seen = judge.judge(read(ReadLevel.EVENTUAL, 150, 160, ONE));

    assertThat(seen.visibility()).contains(new ProbeJudge.Visibility("us", ONE, 55 * MS));
    assertThat(seen.violation()).isEmpty();
    assertThat(judge.visibleAt("us")).isTrue();
    // Measured once per write and region.
    assertThat(judge.judge(read(ReadLevel.EVENTUAL, 170, 171, ONE)).visibility()).isEmpty();
  }

  @Test
  void aReadThatSkipsAheadMeasuresOnlyTheNewestWriteItCovers() {
    ProbeJudge judge = new ProbeJudge(ProbeJudge.Promises.STRONG_ONLY);
    judge.written(ONE, 100 * MS, 101 * MS);
    judge.written(TWO, 200 * MS, 201 * MS);

    assertThat(judge.judge(read(ReadLevel.EVENTUAL, 300, 300, TWO)).visibility())
        .contains(new ProbeJudge.Visibility("us", TWO, 100 * MS));
  }

  @Test
  void eventualReadsPromiseNothing() {
    ProbeJudge judge = new ProbeJudge(new ProbeJudge.Promises(true, Optional.of(new ProbeJudge.StalenessBound(0, 0))));
    judge.written(ONE, 100 * MS, 101 * MS);
    judge.written(TWO, 200 * MS, 201 * MS);

    assertThat(judge.judge(read(ReadLevel.EVENTUAL, 10_000, 10_001, null)).violation()).isEmpty();
  }

  @Test
  void aStrongReadOlderThanAWriteAcknowledgedBeforeItStartedIsAViolation() {
    ProbeJudge judge = new ProbeJudge(ProbeJudge.Promises.STRONG_ONLY);
    judge.written(ONE, 100 * MS, 101 * MS);
    judge.written(TWO, 200 * MS, 210 * MS);

    assertThat(judge.judge(read(ReadLevel.STRONG, 211, 215, ONE)).violation()).hasValueSatisfying(v -> {
      assertThat(v.level()).isEqualTo(ReadLevel.STRONG);
      assertThat(v.expectedAtLeast()).isEqualTo(TWO);
      assertThat(v.observed()).contains(ONE);
      assertThat(v.detail()).contains("acknowledged before it started");
    });
    assertThat(judge.judge(read(ReadLevel.STRONG, 211, 215, null)).violation()).isPresent();
    assertThat(judge.judge(read(ReadLevel.STRONG, 211, 215, TWO)).violation()).isEmpty();
  }

  @Test
  void aStrongReadConcurrentWithAWriteMayReturnTheOlderValue() {
    ProbeJudge judge = new ProbeJudge(ProbeJudge.Promises.STRONG_ONLY);
    judge.written(ONE, 100 * MS, 101 * MS);
    judge.written(TWO, 200 * MS, 210 * MS);

    // Sent before TWO's acknowledgement: either value is linearizable.
    assertThat(judge.judge(read(ReadLevel.STRONG, 205, 215, ONE)).violation()).isEmpty();
  }

  @Test
  void quorumReadsPromiseOnlyWhenTheQuorumsOverlap() {
    ProbeJudge overlapping = new ProbeJudge(new ProbeJudge.Promises(true, Optional.empty()));
    ProbeJudge sloppy = new ProbeJudge(new ProbeJudge.Promises(false, Optional.empty()));
    for (ProbeJudge judge : new ProbeJudge[] {overlapping, sloppy}) {
      judge.written(ONE, 100 * MS, 101 * MS);
      judge.written(TWO, 200 * MS, 201 * MS);
    }

    assertThat(overlapping.judge(read(ReadLevel.QUORUM, 300, 301, ONE)).violation()).isPresent();
    assertThat(sloppy.judge(read(ReadLevel.QUORUM, 300, 301, ONE)).violation()).isEmpty();
  }

  @Test
  void aSessionReadOlderThanItsTokenIsAViolation() {
    ProbeJudge judge = new ProbeJudge(ProbeJudge.Promises.STRONG_ONLY);
    judge.written(ONE, 100 * MS, 101 * MS);
    judge.written(TWO, 200 * MS, 201 * MS);

    ProbeJudge.Read stale = new ProbeJudge.Read("us", ReadLevel.SESSION, 300 * MS, 301 * MS, Optional.of(ONE),
        Optional.of(TWO));
    ProbeJudge.Read fresh = new ProbeJudge.Read("us", ReadLevel.SESSION, 300 * MS, 301 * MS, Optional.of(TWO),
        Optional.of(TWO));
    ProbeJudge.Read olderToken = new ProbeJudge.Read("us", ReadLevel.SESSION, 300 * MS, 301 * MS, Optional.of(ONE),
        Optional.of(ONE));

    assertThat(judge.judge(stale).violation()).hasValueSatisfying(v -> assertThat(v.expectedAtLeast()).isEqualTo(TWO));
    assertThat(judge.judge(fresh).violation()).isEmpty();
    assertThat(judge.judge(olderToken).violation()).isEmpty();
  }

  @Test
  void aBoundedStalenessReadMayLagByTheBoundButNoMore() {
    ProbeJudge judge = new ProbeJudge(new ProbeJudge.Promises(false,
        Optional.of(new ProbeJudge.StalenessBound(500, 100))));
    judge.written(ONE, 100 * MS, 101 * MS);
    judge.written(TWO, 200 * MS, 201 * MS);

    // TWO was acknowledged 400 ms before the read: missing it is within a 500 ms bound.
    assertThat(judge.judge(read(ReadLevel.BOUNDED_STALENESS, 601, 602, ONE)).violation()).isEmpty();
    // 600 ms: beyond it.
    assertThat(judge.judge(read(ReadLevel.BOUNDED_STALENESS, 801, 802, ONE)).violation())
        .hasValueSatisfying(v -> assertThat(v.expectedAtLeast()).isEqualTo(TWO));
  }

  @Test
  void aBoundedStalenessReadMissingMoreVersionsThanTheBoundIsAViolation() {
    ProbeJudge judge = new ProbeJudge(new ProbeJudge.Promises(false,
        Optional.of(new ProbeJudge.StalenessBound(60_000, 1))));
    judge.written(ONE, 100 * MS, 101 * MS);
    judge.written(TWO, 200 * MS, 201 * MS);

    assertThat(judge.judge(read(ReadLevel.BOUNDED_STALENESS, 300, 301, ONE)).violation()).isEmpty();
    assertThat(judge.judge(read(ReadLevel.BOUNDED_STALENESS, 300, 301, null)).violation())
        .hasValueSatisfying(v -> assertThat(v.detail()).contains("missed 2 probe writes"));
  }

  @Test
  void aRestartedProbersWritesAreNewerThanItsOldOnes() {
    ProbeJudge judge = new ProbeJudge(ProbeJudge.Promises.STRONG_ONLY);
    ProbeId beforeRestart = new ProbeId(7, 900);
    ProbeId afterRestart = new ProbeId(8, 1);
    judge.written(afterRestart, 100 * MS, 101 * MS);

    assertThat(judge.judge(read(ReadLevel.STRONG, 200, 201, beforeRestart)).violation()).isPresent();
    assertThatThrownBy(() -> judge.written(beforeRestart, 300 * MS, 301 * MS)).isInstanceOf(InvariantViolation.class);
  }

  @Test
  void probeValuesRoundTripAndForeignValuesAreNotTrusted() {
    assertThat(ProbeKeys.parse(ProbeKeys.valueOf(TWO))).contains(TWO);
    assertThat(ProbeKeys.parse("hello".getBytes())).isEmpty();
    assertThat(ProbeKeys.parse("7/0".getBytes())).isEmpty();
    assertThat(ProbeKeys.isReserved(ProbeKeys.keyOf("eu"))).isTrue();
    assertThat(ProbeKeys.isReserved("meridian-probe/eu".getBytes())).isFalse();
  }
}

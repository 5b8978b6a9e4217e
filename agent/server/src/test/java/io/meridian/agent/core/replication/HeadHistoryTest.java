package io.meridian.agent.core.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.agent.core.InvariantViolation;
import org.junit.jupiter.api.Test;

/**
 * The primary's record of when its log reached which sequence (ADR 0041) never makes a change
 * look younger than it is: a change is as old as the first sample that covers it, a change older
 * than the kept history is at least as old as the oldest sample, and a change not yet committed
 * is 0 ms old.
 */
class HeadHistoryTest {
  @Test
  void aChangeIsAsOldAsTheFirstSampleThatCoversIt() {
    HeadHistory history = new HeadHistory();
    history.record(1_000, 10);
    history.record(1_005, 30);
    history.record(1_005, 40); // The same millisecond: one sample.
    history.record(1_020, 41);

    assertThat(history.ageMillisAtLeast(1, 1_100)).isEqualTo(100);
    assertThat(history.ageMillisAtLeast(10, 1_100)).isEqualTo(100);
    assertThat(history.ageMillisAtLeast(11, 1_100)).isEqualTo(95);
    assertThat(history.ageMillisAtLeast(40, 1_100)).isEqualTo(95);
    assertThat(history.ageMillisAtLeast(41, 1_100)).isEqualTo(80);
    assertThat(history.ageMillisAtLeast(42, 1_100)).isZero();
    assertThat(new HeadHistory().ageMillisAtLeast(1, 1_100)).isZero();
  }

  @Test
  void aChangeOlderThanTheKeptHistoryIsAtLeastAsOldAsItsOldestSample() {
    HeadHistory history = new HeadHistory();
    for (int i = 0; i < HeadHistory.SAMPLES_MAX + 100; i++) {
      history.record(10_000 + i, 1 + i);
    }
    long now = 10_000 + HeadHistory.SAMPLES_MAX + 100;
    // Sequence 1 was committed at 10,000; the oldest kept sample is from 10,100.
    assertThat(history.ageMillisAtLeast(1, now)).isEqualTo(now - 10_100);
    assertThat(history.ageMillisAtLeast(500, now)).isEqualTo(now - 10_499);
    assertThat(history.ageMillisAtLeast(HeadHistory.SAMPLES_MAX + 100, now)).isEqualTo(1);
  }

  @Test
  void theHistoryNeverGoesBackAndStartsAfreshWhenCleared() {
    HeadHistory history = new HeadHistory();
    history.record(1_000, 10);
    assertThatThrownBy(() -> history.record(999, 11)).isInstanceOf(InvariantViolation.class);
    assertThatThrownBy(() -> history.record(1_001, 9)).isInstanceOf(InvariantViolation.class);
    history.clear();
    history.record(500, 3);
    assertThat(history.ageMillisAtLeast(3, 600)).isEqualTo(100);
  }
}

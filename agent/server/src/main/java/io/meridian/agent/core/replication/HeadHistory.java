package io.meridian.agent.core.replication;

import io.meridian.agent.core.Invariants;

/**
 * When a primary's log reached which sequence, so the primary can tell how long ago a replica's
 * oldest unacknowledged change was committed: the replica's lag in time, measured on the
 * primary's own clock (ADR 0041). A bounded ring of (time, head sequence) samples, at most one per
 * millisecond of the core's time: {@link #SAMPLES_MAX} samples span at least that many
 * milliseconds, more than any backlog bound in time, so a change older than the oldest sample is
 * known to be at least that old, which is all a bound needs.
 */
final class HeadHistory {
  /** Samples kept; a power of two. At one per millisecond, at least 4 s of history. */
  static final int SAMPLES_MAX = 4096;

  private final long[] timesMillis = new long[SAMPLES_MAX];
  private final long[] heads = new long[SAMPLES_MAX];
  /** Index of the oldest sample, and how many there are. */
  private int first;
  private int size;

  /** Records that the log reached {@code head} at {@code nowMillis} (both never decrease). */
  void record(long nowMillis, long head) {
    if (size > 0) {
      int last = (first + size - 1) & (SAMPLES_MAX - 1);
      Invariants.check(nowMillis >= timesMillis[last] && head >= heads[last],
          "head history must not go back: %d at %d after %d at %d", head, nowMillis, heads[last], timesMillis[last]);
      if (timesMillis[last] == nowMillis) {
        heads[last] = head; // Same millisecond: the newer head replaces the older.
        return;
      }
    }
    if (size == SAMPLES_MAX) {
      first = (first + 1) & (SAMPLES_MAX - 1);
      size--;
    }
    int slot = (first + size) & (SAMPLES_MAX - 1);
    timesMillis[slot] = nowMillis;
    heads[slot] = head;
    size++;
  }

  /**
   * How long before {@code nowMillis} change {@code sequence} was committed, at least: the time
   * of the first sample whose head covers it (the change was committed then or earlier), or of the
   * oldest sample when even that covers it; 0 for a change no sample covers yet or with no samples.
   */
  long ageMillisAtLeast(long sequence, long nowMillis) {
    if (size == 0 || heads[(first + size - 1) & (SAMPLES_MAX - 1)] < sequence) {
      return 0;
    }
    int low = 0;
    int high = size - 1; // The first sample whose head is at least the sequence lies in [low, high].
    while (low < high) {
      int middle = (low + high) >>> 1;
      if (heads[(first + middle) & (SAMPLES_MAX - 1)] >= sequence) {
        high = middle;
      } else {
        low = middle + 1;
      }
    }
    return Math.max(0, nowMillis - timesMillis[(first + low) & (SAMPLES_MAX - 1)]);
  }

  /** Forgets every sample (a new term as primary starts a new history). */
  void clear() {
    first = 0;
    size = 0;
  }
}

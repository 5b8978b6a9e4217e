package io.meridian.agent.core.clock;

import io.meridian.agent.core.Invariants;

/**
 * One hybrid logical clock reading.
 *
 * @param physicalMillis wall-clock milliseconds since the epoch, as far as this clock knows
 * @param logical orders events within the same millisecond
 */
public record HlcTimestamp(long physicalMillis, int logical) implements Comparable<HlcTimestamp> {
  /** Largest logical counter; a clock that reaches it moves its physical part on by a millisecond. */
  public static final int LOGICAL_MAX = 0xFFFF;

  /** The reading before every other. */
  public static final HlcTimestamp ZERO = new HlcTimestamp(0, 0);

  /** Validates the ranges that {@link #pack()} relies on. */
  public HlcTimestamp {
    // Tested before the formatting checks, which box their arguments into a new array on every call:
    // every decoded change and every clock reading builds a timestamp (ADR 0053).
    if (physicalMillis < 0 || physicalMillis >= (1L << 47) || logical < 0 || logical > LOGICAL_MAX) {
      Invariants.check(physicalMillis >= 0 && physicalMillis < (1L << 47),
          "hybrid clock physical part out of range: %d", physicalMillis);
      Invariants.check(logical >= 0 && logical <= LOGICAL_MAX,
          "hybrid clock logical part out of range: %d", logical);
    }
  }

  /** This reading as one ordered, positive {@code long}: physical millis above 16 logical bits. */
  public long pack() {
    return (physicalMillis << 16) | logical;
  }

  /** The reading {@link #pack()} produced. */
  public static HlcTimestamp unpack(long packed) {
    return new HlcTimestamp(packed >>> 16, (int) (packed & LOGICAL_MAX));
  }

  @Override
  public int compareTo(HlcTimestamp other) {
    return Long.compare(pack(), other.pack());
  }

  @Override
  public String toString() {
    return physicalMillis + "." + logical;
  }
}

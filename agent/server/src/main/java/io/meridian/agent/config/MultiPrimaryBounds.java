package io.meridian.agent.config;

/**
 * Limits of multi-primary datasets, named. Units end the names.
 *
 * @param siblingsMax most siblings a write leaves on a version-vector key (besides itself); a
 *     write that would leave more also replaces the oldest, reported as {@code SiblingsTruncated}
 * @param clockSkewToleranceMillis how far ahead of this region's clock a peer's write may be
 *     before a {@code ClockSkew} event reports it
 * @param clockSkewReportIntervalMillis least time between two skew reports about one peer
 * @param collectKeysPerTick most keys one collection round examines for tombstones and causal
 *     context to drop
 * @param collectIntervalMillis least time between two collection rounds (ticks come every
 *     millisecond in an agent; collecting on each would spend a core on it)
 * @param replayChangesPerRead log entries read at a time when rebuilding state after a restart
 */
public record MultiPrimaryBounds(
    int siblingsMax,
    long clockSkewToleranceMillis,
    long clockSkewReportIntervalMillis,
    int collectKeysPerTick,
    long collectIntervalMillis,
    int replayChangesPerRead) {

  /** Defaults. */
  public static final MultiPrimaryBounds DEFAULTS = new MultiPrimaryBounds(8, 500, 10_000, 256, 50, 4096);

  /** Validates that every bound is positive. */
  public MultiPrimaryBounds {
    if (siblingsMax < 1 || clockSkewToleranceMillis < 0 || clockSkewReportIntervalMillis < 0
        || collectKeysPerTick < 1 || collectIntervalMillis < 0 || replayChangesPerRead < 1) {
      throw new IllegalArgumentException("multi-primary bounds must be positive: " + this);
    }
  }
}

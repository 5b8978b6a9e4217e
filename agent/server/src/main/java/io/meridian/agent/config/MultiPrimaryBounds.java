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
 * @param cachedKeysMax most keys whose merged state is kept decoded in memory (ADR 0033); the rest
 *     is read from the store when touched. May be exceeded within one step by the keys it changed
 * @param dirtyKeysMax most keys changed in memory and not yet written to the store: reaching it
 *     writes them at the end of the step
 * @param flushIntervalMillis longest time changed merged state waits in memory before it is written
 * @param backlogChangesMax most changes committed here that a connected peer may have left
 *     unacknowledged; beyond it local writes are refused {@code RESOURCE_EXHAUSTED} (pushback)
 * @param backlogLagMillisMax oldest age a change committed here may reach unacknowledged by a
 *     connected peer that has kept up since it connected; beyond it local writes are refused
 *     {@code RESOURCE_EXHAUSTED} (pushback in time, ADR 0040): what bounds how long replicas take
 *     to converge once writes stop; {@link #BACKLOG_LAG_UNBOUNDED} (the default) turns it off
 */
public record MultiPrimaryBounds(
    int siblingsMax,
    long clockSkewToleranceMillis,
    long clockSkewReportIntervalMillis,
    int collectKeysPerTick,
    long collectIntervalMillis,
    int replayChangesPerRead,
    int cachedKeysMax,
    int dirtyKeysMax,
    long flushIntervalMillis,
    long backlogChangesMax,
    long backlogLagMillisMax) {

  /**
   * {@code backlogLagMillisMax} that never refuses: the default, because on the shared 2-core
   * machine a 500 ms and a 2,000 ms bound cut acknowledged multi-primary writes by 85–90 % (ADR 0040).
   */
  public static final long BACKLOG_LAG_UNBOUNDED = Long.MAX_VALUE;

  /** Defaults. */
  public static final MultiPrimaryBounds DEFAULTS =
      new MultiPrimaryBounds(8, 500, 10_000, 256, 50, 4096, 20_000, 8_192, 200, 60_000, BACKLOG_LAG_UNBOUNDED);

  /** The bounds before pushback in time (ADR 0040), with its default. */
  public MultiPrimaryBounds(int siblingsMax, long clockSkewToleranceMillis, long clockSkewReportIntervalMillis,
      int collectKeysPerTick, long collectIntervalMillis, int replayChangesPerRead, int cachedKeysMax,
      int dirtyKeysMax, long flushIntervalMillis, long backlogChangesMax) {
    this(siblingsMax, clockSkewToleranceMillis, clockSkewReportIntervalMillis, collectKeysPerTick,
        collectIntervalMillis, replayChangesPerRead, cachedKeysMax, dirtyKeysMax, flushIntervalMillis,
        backlogChangesMax, DEFAULTS.backlogLagMillisMax());
  }

  /** The bounds before the merged state moved to the store, with the defaults for the others. */
  public MultiPrimaryBounds(int siblingsMax, long clockSkewToleranceMillis, long clockSkewReportIntervalMillis,
      int collectKeysPerTick, long collectIntervalMillis, int replayChangesPerRead) {
    this(siblingsMax, clockSkewToleranceMillis, clockSkewReportIntervalMillis, collectKeysPerTick,
        collectIntervalMillis, replayChangesPerRead, DEFAULTS.cachedKeysMax(), DEFAULTS.dirtyKeysMax(),
        DEFAULTS.flushIntervalMillis(), DEFAULTS.backlogChangesMax());
  }

  /**
   * {@link #DEFAULTS}, with {@code -Dmeridian.multiPrimary.cachedKeysMax=N} (and {@code
   * meridian.multiPrimary.dirtyKeysMax}, {@code meridian.multiPrimary.backlogChangesMax}, {@code
   * meridian.multiPrimary.backlogLagMillisMax})
   * overriding a bound: how an operator sizes an agent process's merged-state cache and pushback.
   */
  public static MultiPrimaryBounds fromSystemProperties() {
    MultiPrimaryBounds d = DEFAULTS;
    return new MultiPrimaryBounds(d.siblingsMax(), d.clockSkewToleranceMillis(), d.clockSkewReportIntervalMillis(),
        d.collectKeysPerTick(), d.collectIntervalMillis(), d.replayChangesPerRead(),
        Integer.getInteger("meridian.multiPrimary.cachedKeysMax", d.cachedKeysMax()),
        Integer.getInteger("meridian.multiPrimary.dirtyKeysMax", d.dirtyKeysMax()), d.flushIntervalMillis(),
        Long.getLong("meridian.multiPrimary.backlogChangesMax", d.backlogChangesMax()),
        Long.getLong("meridian.multiPrimary.backlogLagMillisMax", d.backlogLagMillisMax()));
  }

  /** Validates that every bound is positive. */
  public MultiPrimaryBounds {
    if (siblingsMax < 1 || clockSkewToleranceMillis < 0 || clockSkewReportIntervalMillis < 0
        || collectKeysPerTick < 1 || collectIntervalMillis < 0 || replayChangesPerRead < 1 || cachedKeysMax < 1
        || dirtyKeysMax < 1 || flushIntervalMillis < 0 || backlogChangesMax < 1 || backlogLagMillisMax < 1) {
      throw new IllegalArgumentException("multi-primary bounds must be positive: " + this);
    }
  }
}

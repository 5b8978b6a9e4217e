package io.meridian.agent.config;

/**
 * How much of a dataset's replication log an agent keeps, and how a replica that is further
 * behind than the kept log catches up (docs/adr/0017-log-truncation-and-snapshot-catch-up.md).
 *
 * <p>A primary truncates its log below the sequence every replica has acknowledged, but never
 * keeps more than {@code retainedChangesMax} changes for a replica that is down or far behind;
 * a replica keeps at most {@code retainedChangesMax} changes of its own log. A replica that asks
 * for a sequence the primary no longer holds (or a new or wiped one) gets a snapshot of the
 * key-value state, streamed in chunks, and then the log from the snapshot's sequence on.
 *
 * @param retainedChangesMax most changes kept behind the newest one; {@link Long#MAX_VALUE} keeps all
 * @param truncateStepChanges least number of changes removed at once, so truncation is batched
 * @param snapshotChunkChangesMax most state entries in one snapshot chunk
 */
public record LogRetention(long retainedChangesMax, long truncateStepChanges, int snapshotChunkChangesMax) {

  /** Keeps the whole log: no truncation, so no replica ever needs a snapshot. */
  public static final LogRetention KEEP_ALL = new LogRetention(Long.MAX_VALUE, 4096, 1024);

  /** What an agent process uses unless told otherwise: about a million changes (~150 MB of 100-byte values). */
  public static final LogRetention DEFAULTS = new LogRetention(1 << 20, 4096, 1024);

  /** Validates that every bound is positive. */
  public LogRetention {
    if (retainedChangesMax < 1 || truncateStepChanges < 1 || snapshotChunkChangesMax < 1) {
      throw new IllegalArgumentException("log retention bounds must be positive: retainedChangesMax="
          + retainedChangesMax + ", truncateStepChanges=" + truncateStepChanges
          + ", snapshotChunkChangesMax=" + snapshotChunkChangesMax);
    }
  }

  /** Whether the log is ever truncated. */
  public boolean truncates() {
    return retainedChangesMax != Long.MAX_VALUE;
  }

  /**
   * {@link #DEFAULTS}, with {@code -Dmeridian.log.retainedChangesMax=N} (and {@code
   * meridian.log.truncateStepChanges}, {@code meridian.log.snapshotChunkChangesMax}) overriding a
   * bound: how an operator, or a test that wants snapshots soon, sets them for an agent process.
   */
  public static LogRetention fromSystemProperties() {
    return new LogRetention(
        Long.getLong("meridian.log.retainedChangesMax", DEFAULTS.retainedChangesMax()),
        Long.getLong("meridian.log.truncateStepChanges", DEFAULTS.truncateStepChanges()),
        Integer.getInteger("meridian.log.snapshotChunkChangesMax", DEFAULTS.snapshotChunkChangesMax()));
  }
}

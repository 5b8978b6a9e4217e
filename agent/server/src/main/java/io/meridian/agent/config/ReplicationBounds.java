package io.meridian.agent.config;

/**
 * Every limit of the replication protocol, named. Units end the names.
 *
 * @param batchChangesMax most changes in one batch
 * @param batchBytesMax most payload bytes in one batch (a single larger change still travels alone)
 * @param batchDelayMillis how long a primary waits to fill a batch before sending a partial one
 * @param inFlightChangesMax most changes sent to one replica and not yet acknowledged
 * @param heartbeatIntervalMillis idle time after which a primary sends a heartbeat
 * @param retransmitTimeoutMillis time without acknowledgement progress after which a primary
 *     resends from the last acknowledged sequence
 * @param resubscribeAfterMillis time a lagging replica waits for progress before saying hello again
 * @param syncAckTimeoutMillis how long a sync write waits for acknowledgements
 * @param forwardTimeoutMillis how long a forwarded write waits for the primary's answer
 * @param pendingSyncWritesMax most sync writes waiting for acknowledgements
 * @param pendingForwardsMax most forwarded writes waiting for the primary
 * @param forwardDedupEntriesMax most forwarded writes remembered to drop duplicates
 * @param keyBytesMax largest key accepted
 * @param valueBytesMax largest value accepted
 */
public record ReplicationBounds(
    int batchChangesMax,
    long batchBytesMax,
    long batchDelayMillis,
    int inFlightChangesMax,
    long heartbeatIntervalMillis,
    long retransmitTimeoutMillis,
    long resubscribeAfterMillis,
    long syncAckTimeoutMillis,
    long forwardTimeoutMillis,
    int pendingSyncWritesMax,
    int pendingForwardsMax,
    int forwardDedupEntriesMax,
    int keyBytesMax,
    int valueBytesMax) {

  /** Defaults suited to a WAN deployment. */
  public static final ReplicationBounds DEFAULTS = new ReplicationBounds(
      512, 1 << 20, 2, 8192, 200, 2_000, 1_000, 5_000, 5_000, 10_000, 10_000, 65_536, 1024, 1 << 20);

  /**
   * Most payload bytes sent to one replica and not yet acknowledged, besides {@link
   * #inFlightChangesMax}: four full batches (4 MiB by default). A replica slower than the offered
   * load then leaves the backlog in the primary's log (pending changes), not in buffers (ADR 0019).
   */
  public long inFlightBytesMax() {
    return 4 * batchBytesMax;
  }

  /**
   * Most changes a connected replica that was keeping up may lag behind the primary before the
   * primary refuses writes with {@code RESOURCE_EXHAUSTED} (ADR 0037): sixteen in-flight windows
   * (131,072 changes by default, about 2.6 s of writes at 50,000/s). A replica that cannot keep up
   * then slows the primary down instead of falling behind without bound.
   */
  public long backlogChangesMax() {
    return 16L * inFlightChangesMax;
  }

  /**
   * {@link #backlogMillisMax()}: 1,000 ms unless the agent's JVM is given {@code
   * -Dmeridian.async.backlogMillisMax=N} (N at least 1). ADR 0041 chose 100 ms, the lag
   * target; the lead raised the default to 1,000 ms so that a replica starved of CPU for a tenth of
   * a second (a GC pause, a busy 2-core box) does not make the primary refuse writes. Lower it to
   * hold lag tighter at the cost of refusals.
   */
  public static final long BACKLOG_MILLIS_MAX = backlogMillisMaxFromSystemProperty();

  private static long backlogMillisMaxFromSystemProperty() {
    String given = System.getProperty("meridian.async.backlogMillisMax", "1000");
    try {
      long millis = Long.parseLong(given.trim());
      if (millis >= 1) {
        return millis;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new IllegalArgumentException("-Dmeridian.async.backlogMillisMax=" + given
        + ": expected a whole number of milliseconds, at least 1 (default 1000)");
  }

  /**
   * Most milliseconds a connected replica that was keeping up may lag behind an async primary,
   * beyond its heartbeat round trip, before the primary refuses writes with {@code
   * RESOURCE_EXHAUSTED} (ADR 0041): the bound of {@link #backlogChangesMax()} in time, so that
   * pushback starts where the promised lag would be broken, at any write rate.
   */
  public long backlogMillisMax() {
    return BACKLOG_MILLIS_MAX;
  }

  /** Validates that every bound is positive and that batches fit the in-flight window. */
  public ReplicationBounds {
    if (batchChangesMax < 1 || batchBytesMax < 1 || batchDelayMillis < 0 || inFlightChangesMax < 1
        || heartbeatIntervalMillis < 1 || retransmitTimeoutMillis < 1 || resubscribeAfterMillis < 1
        || syncAckTimeoutMillis < 1 || forwardTimeoutMillis < 1 || pendingSyncWritesMax < 1
        || pendingForwardsMax < 1 || forwardDedupEntriesMax < 1 || keyBytesMax < 1 || valueBytesMax < 0) {
      throw new IllegalArgumentException("replication bounds must be positive: " + this);
    }
    if (batchChangesMax > inFlightChangesMax) {
      throw new IllegalArgumentException("a batch (" + batchChangesMax
          + " changes) must fit the in-flight window (" + inFlightChangesMax + ")");
    }
  }
}

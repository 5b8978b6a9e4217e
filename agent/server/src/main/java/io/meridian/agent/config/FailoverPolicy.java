package io.meridian.agent.config;

/**
 * How a dataset's primary is watched and replaced.
 *
 * <p>With {@code automatic} on, the primary holds a lease: it accepts writes only while a
 * majority of the dataset's voting regions (itself included) answered one of its heartbeats
 * within {@code detectionTimeoutMillis}, measured from when the heartbeat left the primary. A
 * replica releases the primary (may support promoting another) only after hearing nothing from
 * it for {@code detectionTimeoutMillis + clockDriftMarginMillis} on its own clock. Both sides
 * measure durations on their own clocks, so a clock offset between regions does not matter; the
 * margin covers clocks that run at slightly different rates and scheduling delays.
 *
 * @param automatic whether the agents fail over on their own when the primary is lost, and so
 *     whether the primary's write lease is enforced
 * @param detectionTimeoutMillis the lease: how long a primary may go without hearing from a
 *     majority before it stops accepting writes
 * @param clockDriftMarginMillis extra time a replica waits beyond the lease before it releases
 *     the primary, and a new primary waits when the old one was not confirmed stopped
 */
public record FailoverPolicy(boolean automatic, long detectionTimeoutMillis, long clockDriftMarginMillis) {

  /** Manual failover only; no lease. */
  public static final FailoverPolicy MANUAL = new FailoverPolicy(false, 1_000, 100);

  /** Automatic failover with a one-second lease and a 100 ms drift margin. */
  public static final FailoverPolicy AUTOMATIC = new FailoverPolicy(true, 1_000, 100);

  /** Validates that the durations are positive. */
  public FailoverPolicy {
    if (detectionTimeoutMillis < 1 || clockDriftMarginMillis < 0) {
      throw new IllegalArgumentException("failover detection timeout must be positive and the drift "
          + "margin not negative: " + detectionTimeoutMillis + " ms, " + clockDriftMarginMillis + " ms");
    }
  }

  /** How long a replica must hear nothing from the primary before it releases it. */
  public long releaseAfterMillis() {
    return detectionTimeoutMillis + clockDriftMarginMillis;
  }
}

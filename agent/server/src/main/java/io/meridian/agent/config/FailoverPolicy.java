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
 *     majority before it stops accepting writes (a deployment sets it to a third of the topology's
 *     detection timeout, see {@link #forDetectionTimeout})
 * @param clockDriftMarginMillis extra time a replica waits beyond the lease before it releases
 *     the primary, and a new primary waits when the old one was not confirmed stopped
 */
public record FailoverPolicy(boolean automatic, long detectionTimeoutMillis, long clockDriftMarginMillis) {

  /** Manual failover only; no lease. */
  public static final FailoverPolicy MANUAL = new FailoverPolicy(false, 1_000, 100);

  /** Automatic failover with a one-second lease and a 100 ms drift margin. */
  public static final FailoverPolicy AUTOMATIC = new FailoverPolicy(true, 1_000, 100);

  /** The lease {@link #forDetectionTimeout} derives is the topology's detection timeout divided by this (ADR 0019). */
  public static final int DETECTION_TIMEOUT_PER_LEASE = 3;
  /** Drift margin {@link #forDetectionTimeout} adds, at most (a quarter of the timeout when that is less). */
  public static final long CLOCK_DRIFT_MARGIN_MILLIS_MAX = 100;

  /**
   * The agent policy for a topology's failover settings (ADR 0019): a primary cut off from its
   * majority must stop writing within {@code detectionTimeoutMillis}, and a dead one must be
   * replaced soon after. The lease is a third of the detection timeout, so the old primary stops at
   * a third of it, and replicas release it (the failure is detected) after the lease plus a drift
   * margin; the rest pays for electing a new leader of the decision group when the dead primary led
   * it, committing the decision, the new primary's first lease round and clients finding it. For
   * the samples' 3,000 ms: a 1,000 ms lease, released after 1,100 ms.
   */
  public static FailoverPolicy forDetectionTimeout(boolean automatic, long detectionTimeoutMillis) {
    long lease = Math.max(1, detectionTimeoutMillis / DETECTION_TIMEOUT_PER_LEASE);
    long margin = Math.min(CLOCK_DRIFT_MARGIN_MILLIS_MAX, detectionTimeoutMillis / 4);
    return new FailoverPolicy(automatic, lease, margin);
  }

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

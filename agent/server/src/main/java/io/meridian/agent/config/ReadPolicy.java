package io.meridian.agent.config;

/**
 * How a dataset serves reads above {@code eventual} (ADR 0021).
 *
 * @param stalenessMillisMax bounded-staleness: a replica serves locally only while its lag is at
 *     most this many milliseconds; 0 means the dataset has no bound and refuses bounded-staleness
 * @param stalenessVersionsMax and while it lags by at most this many versions (0: no version bound)
 * @param refuseWhenStale when over the bound, refuse with {@code UNAVAILABLE} instead of forwarding
 *     the read to the primary
 * @param sessionWaitMillis how long a session read waits for the local replica to reach its token
 *     before it is forwarded to the primary
 */
public record ReadPolicy(long stalenessMillisMax, long stalenessVersionsMax, boolean refuseWhenStale,
    long sessionWaitMillis) {
  /** Default wait of a session read for the local replica. */
  public static final long SESSION_WAIT_MILLIS_DEFAULT = 300;
  /** No staleness bound, forwarding, the default session wait. */
  public static final ReadPolicy DEFAULTS = new ReadPolicy(0, 0, false, SESSION_WAIT_MILLIS_DEFAULT);

  /** Validates ranges. */
  public ReadPolicy {
    if (stalenessMillisMax < 0 || stalenessVersionsMax < 0) {
      throw new IllegalArgumentException("staleness bounds are not negative, were " + stalenessMillisMax + " ms and "
          + stalenessVersionsMax + " versions");
    }
    if (sessionWaitMillis < 0 || sessionWaitMillis > 60_000) {
      throw new IllegalArgumentException("sessionWaitMillis must be between 0 and 60000, was " + sessionWaitMillis);
    }
  }

  /** A bound of {@code millis} and {@code versions}, forwarding when over it. */
  public static ReadPolicy bounded(long millis, long versions) {
    return new ReadPolicy(millis, versions, false, SESSION_WAIT_MILLIS_DEFAULT);
  }

  /** Whether the dataset has a staleness bound, so bounded-staleness reads can be served. */
  public boolean hasStalenessBound() {
    return stalenessMillisMax > 0;
  }
}

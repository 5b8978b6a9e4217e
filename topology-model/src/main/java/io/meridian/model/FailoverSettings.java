package io.meridian.model;

/**
 * Failover behaviour of a dataset.
 *
 * @param automatic whether a failed primary is replaced without an operator
 * @param detectionTimeoutMs how long a primary may be silent before it counts as failed
 */
public record FailoverSettings(boolean automatic, long detectionTimeoutMs) {
  /** Default detection timeout when a file does not say. */
  public static final long DEFAULT_DETECTION_TIMEOUT_MS = 3000;

  /** Manual failover only, with the default detection timeout. */
  public static final FailoverSettings MANUAL =
      new FailoverSettings(false, DEFAULT_DETECTION_TIMEOUT_MS);

  /** Checks the timeout is positive. */
  public FailoverSettings {
    Invariants.require(detectionTimeoutMs > 0,
        "failover detectionTimeoutMs must be more than zero, was %d", detectionTimeoutMs);
  }
}

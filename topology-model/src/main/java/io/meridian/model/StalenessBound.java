package io.meridian.model;

/**
 * How far behind a bounded-staleness read may be.
 *
 * @param maxLagMs at most this many milliseconds behind the source
 * @param maxLagVersions at most this many versions behind the source
 */
public record StalenessBound(long maxLagMs, long maxLagVersions) {
  /** Checks both bounds are positive. */
  public StalenessBound {
    Invariants.require(maxLagMs > 0, "staleness maxLagMs must be more than zero, was %d", maxLagMs);
    Invariants.require(maxLagVersions > 0,
        "staleness maxLagVersions must be more than zero, was %d", maxLagVersions);
  }
}

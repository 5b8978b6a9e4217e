package io.meridian.agent.core.replication;

/** Why a client request did not succeed; the gRPC adapter maps each to a status code. */
public enum Failure {
  /** The request itself is wrong (empty or oversized key, oversized value). */
  INVALID_ARGUMENT,
  /** The dataset is not replicated here. */
  NOT_FOUND,
  /** The operation does not fit the dataset's mode or this region's role. */
  FAILED_PRECONDITION,
  /** Nothing was written: the primary could not be reached. */
  UNAVAILABLE,
  /** A bound was hit (too many pending writes); nothing was written, retry later. */
  RESOURCE_EXHAUSTED,
  /** The write may or may not have committed: an answer did not arrive in time. */
  OUTCOME_UNKNOWN
}

package io.meridian.agent.config;

/**
 * How a {@link ReplicationMode#QUORUM} dataset coordinates, for N replicas.
 *
 * @param writeAcks W: replicas (the coordinator's own copy included) that must hold a write
 *     before its client is answered, unless the request asks for another level
 * @param readReplies R: replicas whose answers a read waits for before returning the newest
 * @param timeoutMillis how long a coordinator waits for W or R answers before failing the request
 *     with how many answered
 * @param hintsPerReplicaMax most hints kept for one unreachable replica; beyond it new hints are
 *     dropped (and counted), and anti-entropy repairs what they would have carried
 */
public record QuorumPolicy(int writeAcks, int readReplies, long timeoutMillis, int hintsPerReplicaMax) {
  /** Default coordinator timeout. */
  public static final long TIMEOUT_MILLIS_DEFAULT = 2_000;
  /** Default bound on hints per unreachable replica. */
  public static final int HINTS_PER_REPLICA_MAX_DEFAULT = 100_000;

  /** Validates ranges that do not depend on N. */
  public QuorumPolicy {
    if (writeAcks < 1 || readReplies < 1 || timeoutMillis < 1 || hintsPerReplicaMax < 0) {
      throw new IllegalArgumentException("quorum policy: W " + writeAcks + " and R " + readReplies
          + " must be at least 1, the timeout " + timeoutMillis + " ms positive and the hint bound "
          + hintsPerReplicaMax + " not negative");
    }
  }

  /**
   * Admission control (ADR 0028, 0036): how long the oldest write waiting at a coordinator, in the
   * replication core or queued in front of it, may have waited before new writes are refused at
   * once: a quarter of the timeout, at least 1 ms.
   */
  public long admissionWaitMillisMax() {
    return Math.max(1, timeoutMillis / 4);
  }

  /** W and R majorities of {@code replicas}, default timeout and hint bound. */
  public static QuorumPolicy majorities(int replicas) {
    int majority = replicas / 2 + 1;
    return new QuorumPolicy(majority, majority, TIMEOUT_MILLIS_DEFAULT, HINTS_PER_REPLICA_MAX_DEFAULT);
  }

  /** Checks W and R against the dataset's replica count N. */
  void check(String dataset, int replicas) {
    if (writeAcks > replicas || readReplies > replicas) {
      throw new IllegalArgumentException("dataset " + dataset + ": W " + writeAcks + " and R " + readReplies
          + " cannot exceed its " + replicas + " replicas");
    }
  }

  /** Whether a read at R overlaps every write at W (R + W > N): reads see acknowledged writes. */
  public boolean overlapping(int replicas) {
    return writeAcks + readReplies > replicas;
  }
}

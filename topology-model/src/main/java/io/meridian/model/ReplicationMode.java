package io.meridian.model;

/** How a dataset's replicas agree on writes. See DESIGN.md for each mode's promise. */
public enum ReplicationMode {
  /** One primary accepts writes and ships them in the background. */
  ASYNC("async", false),
  /** One primary; a write commits after every replica (or a configured number) acknowledges. */
  SYNC("sync", false),
  /** Leaderless N/W/R, Dynamo/Cassandra style. */
  QUORUM("quorum", false),
  /** Every replica accepts writes; asynchronous; conflicts resolved by the policy's rule. */
  MULTI_PRIMARY("multi-primary", false),
  /** A Raft group per dataset; linearizable; automatic leader failover with a majority. */
  CONSENSUS("consensus", true);

  private final String fileName;
  private final boolean leaderElected;

  ReplicationMode(String fileName, boolean leaderElected) {
    this.fileName = fileName;
    this.leaderElected = leaderElected;
  }

  /** The spelling used in topology files. */
  public String fileName() {
    return fileName;
  }

  /** Whether the mode has a single write primary configured by the policy. */
  public boolean hasConfiguredPrimary() {
    return this == ASYNC || this == SYNC;
  }

  /** Whether the mode elects its leader itself (no configured primary needed). */
  public boolean leaderElected() {
    return leaderElected;
  }

  /** Parses the file spelling; null when unknown. */
  public static ReplicationMode fromFileName(String text) {
    for (ReplicationMode mode : values()) {
      if (mode.fileName.equals(text)) {
        return mode;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return fileName;
  }
}

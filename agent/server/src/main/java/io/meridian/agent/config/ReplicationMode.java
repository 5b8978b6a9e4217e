package io.meridian.agent.config;

/** How a dataset replicates. */
public enum ReplicationMode {
  /** One primary accepts writes, answers the client once durable locally and ships them in the background. */
  ASYNC,
  /** One primary; a write is answered after the configured number of replicas acknowledge it. */
  SYNC,
  /**
   * Every replica accepts writes and ships them to the others in the background; concurrent
   * writes are resolved by the dataset's {@link ConflictResolution}.
   */
  MULTI_PRIMARY,
  /**
   * Leaderless (Dynamo/Cassandra style): the replica a client reaches coordinates, writing to the
   * dataset's N replicas and answering after W acknowledgements, reading from R and returning the
   * newest version; see {@link QuorumPolicy}.
   */
  QUORUM,
  /**
   * A Raft group per dataset across its replica regions (Apache Ratis, ADR 0015): writes and
   * compare-and-set are linearizable, the leader moves automatically while a majority is up.
   */
  CONSENSUS
}

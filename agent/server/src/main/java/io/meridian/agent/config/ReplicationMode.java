package io.meridian.agent.config;

/** How a dataset replicates. This agent implements {@link #ASYNC} and {@link #SYNC}. */
public enum ReplicationMode {
  /** One primary accepts writes, answers the client once durable locally and ships them in the background. */
  ASYNC,
  /** One primary; a write is answered after the configured number of replicas acknowledge it. */
  SYNC
}

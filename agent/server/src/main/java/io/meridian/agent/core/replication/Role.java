package io.meridian.agent.core.replication;

/** This region's part in a dataset. */
public enum Role {
  /** Commits writes and ships them. */
  PRIMARY,
  /** Applies what the primary ships and forwards writes to it. */
  REPLICA
}

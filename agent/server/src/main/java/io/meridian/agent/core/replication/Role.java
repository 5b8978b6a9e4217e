package io.meridian.agent.core.replication;

/** This region's part in a dataset. */
public enum Role {
  /** Commits writes and ships them. */
  PRIMARY,
  /** Applies what the primary ships and forwards writes to it. */
  REPLICA,
  /**
   * Holds no data and never becomes primary, but votes on failover: answers the primary's
   * heartbeats (renewing its lease) and releases it like a replica (ADR 0020).
   */
  WITNESS
}

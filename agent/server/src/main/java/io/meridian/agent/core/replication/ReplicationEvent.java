package io.meridian.agent.core.replication;

/** Discrete things an operator should see on the event stream. */
public sealed interface ReplicationEvent {

  /** A replication stream opened. */
  record PeerUp(String peer, String dataset) implements ReplicationEvent {}

  /** A replication stream closed. */
  record PeerDown(String peer, String dataset, String reason) implements ReplicationEvent {}

  /** A peer sent something impossible and is being disconnected. */
  record ProtocolViolation(String peer, String dataset, String detail) implements ReplicationEvent {}

  /** A sync write was committed locally but not acknowledged by enough replicas in time. */
  record SyncAckTimeout(String dataset, long sequence, int acknowledged, int required)
      implements ReplicationEvent {}

  /** A message from an older epoch was refused. */
  record StaleEpochRejected(String peer, String dataset, long receivedEpoch, long currentEpoch)
      implements ReplicationEvent {}
}

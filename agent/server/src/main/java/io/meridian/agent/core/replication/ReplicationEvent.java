package io.meridian.agent.core.replication;

import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.conflict.ConflictDetail;
import java.util.List;

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

  /**
   * Concurrent writes to one key of a multi-primary dataset met here and {@code rule} resolved
   * them: the versions, the winner (none when siblings are kept) and what was discarded.
   */
  record Conflict(String dataset, Bytes key, ConflictResolution rule, ConflictDetail detail)
      implements ReplicationEvent {}

  /**
   * A peer's write carried a timestamp further ahead of this region's clock than the tolerance:
   * one of the clocks is off, and last-writer-wins favours the fast one.
   */
  record ClockSkew(String peer, String dataset, long aheadMillis, long toleranceMillis)
      implements ReplicationEvent {}

  /**
   * Data of {@code dataset} was about to be sent to {@code peer}, whose jurisdiction is outside
   * the dataset's allowed ones; it was not sent. Repeated refusals (retransmissions) are reported
   * together.
   *
   * @param what the kind of message refused
   * @param refusals how many messages were refused since the previous report
   */
  record ResidencyRefused(String peer, String dataset, String peerJurisdiction, List<String> allowed,
      String what, long refusals) implements ReplicationEvent {}

  /**
   * A write to a version-vector key would have left more than the sibling bound; it also replaced
   * the {@code dropped} oldest siblings.
   */
  record SiblingsTruncated(String dataset, Bytes key, int dropped, int siblingsMax)
      implements ReplicationEvent {}
}

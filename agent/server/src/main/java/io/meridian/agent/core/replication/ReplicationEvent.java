package io.meridian.agent.core.replication;

import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.conflict.ConflictDetail;
import java.util.List;

/** Discrete things an operator should see on the event stream. */
public sealed interface ReplicationEvent {

  /**
   * A primary began sending {@code peer} a snapshot at {@code snapshotSequence}: the replica
   * asked for {@code replicaSequence + 1}, which the log (truncated through {@code truncatedThrough})
   * no longer holds (ADR 0017).
   */
  record SnapshotStarted(String peer, String dataset, long snapshotSequence, long truncatedThrough,
      long replicaSequence) implements ReplicationEvent {}

  /** A primary's snapshot at {@code snapshotSequence} is installed at {@code peer}. */
  record SnapshotSent(String peer, String dataset, long snapshotSequence) implements ReplicationEvent {}

  /** A replica began installing a snapshot from {@code peer} (its state and log were emptied). */
  record SnapshotInstalling(String peer, String dataset, long snapshotSequence) implements ReplicationEvent {}

  /** A replica installed a snapshot from {@code peer}; its log continues after {@code snapshotSequence}. */
  record SnapshotInstalled(String peer, String dataset, long snapshotSequence) implements ReplicationEvent {}

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

  /**
   * This region applied a failover decision.
   *
   * @param lackingWritesKnown on a new primary, how many writes the previous primary had announced
   *     (by heartbeat or batch) that this region never received: a lower bound on what the
   *     failover lost, exact once the previous primary rejoins and quarantines them
   */
  record PrimaryChanged(String dataset, long epoch, String primary, long startSequence, Role role,
      long lackingWritesKnown) implements ReplicationEvent {}

  /**
   * Changes this region had committed or applied that the new primary of {@code epoch} lacks were
   * moved out of the log into the quarantine: kept, counted, exportable, never silently dropped.
   *
   * @param firstCommitMillis commit time of the oldest (hybrid clock, physical part)
   * @param lastCommitMillis commit time of the newest
   */
  record WritesQuarantined(String dataset, long epoch, long firstSequence, long lastSequence, int count,
      long firstCommitMillis, long lastCommitMillis) implements ReplicationEvent {}

  /** This primary's write lease was gained or lost (automatic failover only). */
  record LeaseChanged(String dataset, long epoch, boolean held, String detail) implements ReplicationEvent {}

  /** A switchover's target holds every write; the driver should commit the decision. */
  record SwitchoverReady(String dataset, String target, long epoch, long startSequence)
      implements ReplicationEvent {}

  /** A switchover did not happen; writes continue at this primary. */
  record SwitchoverFailed(String dataset, String target, String reason) implements ReplicationEvent {}

  /** How this region sees {@code peer} changed (phi-accrual failure detector). */
  record HealthChanged(String peer, io.meridian.agent.core.health.RegionHealth from,
      io.meridian.agent.core.health.RegionHealth to, double phi) implements ReplicationEvent {}

  /** Anti-entropy (ADR 0014): this region began comparing {@code dataset} with {@code peer}. */
  record RepairStarted(String dataset, String peer, String session) implements ReplicationEvent {}

  /**
   * Anti-entropy finished with {@code peer}: tree nodes and key hashes compared, keys whose state
   * was replaced, estimated bytes of the session's messages both ways, and the time it took;
   * {@code error} is empty unless it failed (the figures then say how far it got).
   */
  record RepairFinished(String dataset, String peer, String session, long rangesCompared, long keysRepaired,
      long bytesSent, long durationMillis, String error) implements ReplicationEvent {}

  /**
   * Consistency probes (ADR 0022): the probe {@code probe} written at {@code source} was visible at
   * {@code target} {@code visibilityNanos} after it was sent.
   */
  record ProbeMeasured(String dataset, String source, String target, String probe, long visibilityNanos)
      implements ReplicationEvent {}

  /** A probe read at {@code target} at {@code level} returned less than the level promises. */
  record ProbeViolated(String dataset, String source, String target, String level, String expectedAtLeast,
      String observed, String detail) implements ReplicationEvent {}

  /** A probe was not visible at {@code target} within the probe's wait; {@code reason} when reads failed. */
  record ProbeUnseen(String dataset, String source, String target, String probe, long waitedMillis, String reason)
      implements ReplicationEvent {}
}

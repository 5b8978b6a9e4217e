package io.meridian.agent.core.replication;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.Invariants;
import io.meridian.agent.core.storage.Change;
import java.util.List;
import java.util.Objects;

/**
 * What agents say to each other about one dataset; the gRPC adapter maps these one to one onto
 * the {@code PeerFrame} messages of {@code peer.proto}.
 */
public sealed interface PeerMessage {

  /** The dataset the message concerns. */
  String dataset();

  /**
   * Replica to primary on every (re)connection: send from {@code resumeFromSequence} on. {@code
   * lastApplied} is the version of the replica's change at {@code resumeFromSequence - 1} when its
   * log still holds it; the primary checks it against its own log (ADR 0029).
   */
  record Hello(String dataset, long epoch, long resumeFromSequence, java.util.Optional<io.meridian.agent.core.storage.Version> lastApplied)
      implements PeerMessage {
    /** Validates presence. */
    public Hello {
      Objects.requireNonNull(lastApplied, "lastApplied");
    }

    /** A hello that does not say what the replica's last change is. */
    public Hello(String dataset, long epoch, long resumeFromSequence) {
      this(dataset, epoch, resumeFromSequence, java.util.Optional.empty());
    }
  }

  /** Primary to replica: consecutive changes {@code [firstSequence, lastSequence]}. */
  record ChangeBatch(
      String dataset,
      long epoch,
      long firstSequence,
      long lastSequence,
      List<Change> changes,
      long headSequence,
      long sentAtMillis) implements PeerMessage {
    /** Copies the change list; the shape is checked by the receiver, which may be sent garbage. */
    public ChangeBatch {
      changes = List.copyOf(changes);
    }

    /** Total estimated size of the changes. */
    public long sizeBytes() {
      return changes.stream().mapToLong(Change::sizeBytes).sum();
    }
  }

  /** Replica to primary: all up to {@code appliedSequence} is applied; maybe resend after it. */
  record Ack(String dataset, long epoch, long appliedSequence, boolean resendRequested)
      implements PeerMessage {}

  /**
   * Primary to replica while idle: the primary's newest sequence at {@code sentAtMillis}; with
   * {@code helloRequested} when the primary has no hello on this connection (it was lost, or the
   * primary restarted).
   */
  record Heartbeat(String dataset, long epoch, long headSequence, long sentAtMillis,
      boolean helloRequested) implements PeerMessage {}

  /** Replica to primary: commit this write for a client of the replica. */
  record ForwardRequest(String dataset, long forwardId, ClientOperation operation)
      implements PeerMessage {
    /** Validates that only writes and (leveled) reads are forwarded (ADR 0021). */
    public ForwardRequest {
      Objects.requireNonNull(operation, "operation");
      ClientOperation plain = operation instanceof ClientOperation.Tuned tuned ? tuned.operation() : operation;
      Invariants.check(operation.isWrite() || plain instanceof ClientOperation.Get,
          "only writes and reads are forwarded, not %s", operation);
    }
  }

  /** Primary to replica: the outcome of a forwarded write. */
  record ForwardResponse(String dataset, long forwardId, ClientResult result) implements PeerMessage {}

  /** Either way: the message carried an epoch older than {@code currentEpoch}. */
  record EpochRejected(String dataset, long currentEpoch, String reason) implements PeerMessage {}

  /**
   * Replica to primary, answering a {@link Heartbeat}: the heartbeat the primary sent at {@code
   * heartbeatSentAtMillis} (its own clock, echoed) arrived. It renews the primary's write lease.
   */
  record HeartbeatReply(String dataset, long epoch, long heartbeatSentAtMillis, long appliedSequence)
      implements PeerMessage {}

  /**
   * Primary to replica: the state entries with keys after {@code afterKey} (in key order) of a
   * snapshot of the key-value state, sent when the replica needs sequences the primary's log no
   * longer holds. An empty {@code afterKey} starts a new install; after the {@code last} chunk the
   * replica's log continues at {@code snapshotSequence + 1}.
   */
  record SnapshotChunk(String dataset, long epoch, long snapshotSequence, Bytes afterKey, List<Change> entries,
      boolean last, long headSequence, long sentAtMillis,
      java.util.Optional<io.meridian.agent.core.storage.Version> replaces) implements PeerMessage {
    /**
     * Copies the entries. {@code replaces}: the replica's last change as its hello gave it, when the
     * snapshot replaces a log that differs from the primary's (ADR 0029).
     */
    public SnapshotChunk {
      entries = List.copyOf(entries);
      Objects.requireNonNull(replaces, "replaces");
    }

    /** A chunk of a snapshot for a replica behind the primary's log. */
    public SnapshotChunk(String dataset, long epoch, long snapshotSequence, Bytes afterKey, List<Change> entries,
        boolean last, long headSequence, long sentAtMillis) {
      this(dataset, epoch, snapshotSequence, afterKey, entries, last, headSequence, sentAtMillis,
          java.util.Optional.empty());
    }

    /** Total estimated size of the entries. */
    public long sizeBytes() {
      return entries.stream().mapToLong(Change::sizeBytes).sum();
    }
  }

  /**
   * Quorum mode, coordinator to replica (writes, read repairs, hints late), batched per step: hold
   * each change unless the key is already at a newer version, then answer with a {@link
   * QuorumWriteAck} carrying the non-zero operation ids (zero asks for no answer: a read repair).
   * Applying is idempotent: a second delivery of the same version changes nothing.
   */
  record QuorumWrite(String dataset, List<Long> operationIds, List<Change> changes) implements PeerMessage {
    /** Copies the lists, which are parallel. */
    public QuorumWrite {
      operationIds = List.copyOf(operationIds);
      changes = List.copyOf(changes);
      Invariants.check(operationIds.size() == changes.size(), "a quorum write needs one operation id per change");
    }
  }

  /** Quorum mode, replica to coordinator: the writes of {@code operationIds} are held (durably). */
  record QuorumWriteAck(String dataset, List<Long> operationIds) implements PeerMessage {
    /** Copies the list. */
    public QuorumWriteAck {
      operationIds = List.copyOf(operationIds);
    }
  }

  /** Quorum mode, coordinator to replica: answer with your state of {@code key}. */
  record QuorumRead(String dataset, long operationId, io.meridian.agent.core.Bytes key) implements PeerMessage {
    /** Validates presence. */
    public QuorumRead {
      Objects.requireNonNull(key, "key");
    }
  }

  /**
   * Replica to primary: the snapshot's entries up to {@code throughKey} are applied; empty when
   * the replica holds none of this snapshot (the primary starts it again).
   */
  record SnapshotAck(String dataset, long epoch, long snapshotSequence, Bytes throughKey) implements PeerMessage {}

  /**
   * Quorum mode, replica to coordinator: its state of the key read by {@code operationId}, as the
   * change that produced it (a delete for a tombstone); empty if it never held the key.
   */
  record QuorumReadReply(String dataset, long operationId, java.util.Optional<Change> state) implements PeerMessage {
    /** Validates presence. */
    public QuorumReadReply {
      Objects.requireNonNull(state, "state");
    }
  }

  /**
   * Either way: my hashes of the tree nodes at {@code level} that are children of the {@code
   * parents} (at level - 1) that differed; at level 0, {@code parents} is empty and {@code hashes}
   * holds the root. The receiver compares and answers one level deeper, or with {@link KeyDigests}
   * at the leaves, or with {@link RepairDone} when nothing differs.
   */
  record TreeCompare(String dataset, String session, int depth, int level, List<Integer> parents,
      List<Long> hashes, java.util.SortedMap<String, Long> floor) implements PeerMessage {
    /** Copies the lists. */
    public TreeCompare {
      parents = List.copyOf(parents);
      hashes = List.copyOf(hashes);
      floor = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(floor));
    }

    /** A comparison without a tombstone-collection floor (ADR 0044). */
    public TreeCompare(String dataset, String session, int depth, int level, List<Integer> parents,
        List<Long> hashes) {
      this(dataset, session, depth, level, parents, hashes, new java.util.TreeMap<>());
    }
  }

  /**
   * Either way: part {@code part} of {@code parts} of the keys (with the hashes of their states) the
   * sender holds in the leaves that differed; for a leaderless dataset whose rule keeps the newest
   * version, also each state's version timestamp ({@code versions}, packed hybrid clock readings;
   * empty otherwise), so the receiver fetches only newer states and pushes only its own newer ones
   * (ADR 0044).
   */
  record KeyDigests(String dataset, String session, int part, int parts, List<Integer> leaves,
      List<io.meridian.agent.core.Bytes> keys, List<Long> entryHashes, List<Long> versions) implements PeerMessage {
    /** Copies the lists. */
    public KeyDigests {
      leaves = List.copyOf(leaves);
      keys = List.copyOf(keys);
      entryHashes = List.copyOf(entryHashes);
      versions = List.copyOf(versions);
    }

    /** Digests without versions. */
    public KeyDigests(String dataset, String session, int part, int parts, List<Integer> leaves,
        List<io.meridian.agent.core.Bytes> keys, List<Long> entryHashes) {
      this(dataset, session, part, parts, leaves, keys, entryHashes, List.of());
    }
  }

  /** Replica to its source of truth: send your state of these keys (part {@code part} of {@code parts}). */
  record EntriesWanted(String dataset, String session, int part, int parts,
      List<io.meridian.agent.core.Bytes> keys) implements PeerMessage {
    /** Copies the list. */
    public EntriesWanted {
      keys = List.copyOf(keys);
    }
  }

  /**
   * Source of truth to replica: its state of each key of part {@code part} of {@code parts}
   * (empty: it has no such key).
   */
  record RepairEntries(String dataset, String session, int part, int parts,
      List<io.meridian.agent.core.Bytes> keys,
      List<java.util.Optional<io.meridian.agent.core.storage.StoredValue>> states) implements PeerMessage {
    /** Copies the lists. */
    public RepairEntries {
      keys = List.copyOf(keys);
      states = List.copyOf(states);
    }
  }

  /** Either way: the session ended; {@code error} is empty unless it failed. */
  record RepairDone(String dataset, String session, long keysRepaired, String error, long logSequence)
      implements PeerMessage {
    /** An end without the responder's log head. */
    public RepairDone(String dataset, String session, long keysRepaired, String error) {
      this(dataset, session, keysRepaired, error, 0);
    }
  }
}

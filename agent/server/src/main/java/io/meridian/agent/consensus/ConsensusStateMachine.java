package io.meridian.agent.consensus;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.clock.HlcTimestamp;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.storage.Version;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * One consensus dataset's replicated state: the live keys with their versions, applied from the
 * Raft log in log order on every member, and saved as a snapshot file so the log can be purged
 * (ADR 0015). A compare-and-set is decided here, at apply time, so every member decides it the
 * same way. The version of a write: the origin agent's wall-clock millisecond (for display only),
 * the region that received it, a per-dataset sequence counting applied writes, the region that
 * led the term, and the Raft term as the epoch.
 */
final class ConsensusStateMachine extends BaseStateMachine {
  private static final int SNAPSHOT_FORMAT = 1;

  private final String dataset;
  private final String region;
  private final BiConsumer<String, Long> leaderListener;
  private final java.util.concurrent.Executor leaderEvents;
  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  // Guarded by this: applied on Ratis' state machine thread, read by queries and status.
  private final TreeMap<Bytes, StoredValue> values = new TreeMap<>();
  private long sequence;

  /**
   * @param leaderListener told (leader region, term) on every leader change this member sees
   * @param leaderEvents runs {@code leaderListener}, one change at a time in order: never the
   *     notifying Ratis thread, which holds its server's lock (see {@link #notifyLeaderChanged})
   */
  ConsensusStateMachine(String dataset, String region, BiConsumer<String, Long> leaderListener,
      java.util.concurrent.Executor leaderEvents) {
    this.dataset = dataset;
    this.region = region;
    this.leaderListener = leaderListener;
    this.leaderEvents = leaderEvents;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    storage.init(raftStorage);
    loadSnapshot(storage.loadLatestSnapshot());
  }

  @Override
  public void reinitialize() throws IOException {
    loadSnapshot(storage.loadLatestSnapshot());
  }

  @Override
  public SimpleStateMachineStorage getStateMachineStorage() {
    return storage;
  }

  /** On the leader only: stamps the entry with the region that committed it. */
  @Override
  public TransactionContext startTransaction(RaftClientRequest request) {
    byte[] entry = ConsensusCodec.withCommitter(region, request.getMessage().getContent().toByteArray());
    return TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request)
        .setLogData(ByteString.copyFrom(entry)).build();
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext transaction) {
    RaftProtos.LogEntryProto entry = transaction.getLogEntry();
    ConsensusCodec.Batch batch = ConsensusCodec.decodeEntry(
        entry.getStateMachineLogEntry().getLogData().toByteArray());
    List<ClientResult> results = new ArrayList<>(batch.operations().size());
    synchronized (this) {
      for (ClientOperation operation : batch.operations()) {
        results.add(apply(entry.getTerm(), batch, operation));
      }
      updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    }
    releaseSessionWaiters();
    return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(
        ConsensusCodec.encodeResults(results))));
  }

  private ClientResult apply(long term, ConsensusCodec.Batch batch, ClientOperation operation) {
    StoredValue current = values.get(operation.key());
    if (operation instanceof ClientOperation.CompareAndSet cas) {
      boolean matches = cas.expected().isEmpty() ? current == null
          : current != null && current.value().equals(cas.expected().get());
      if (!matches) {
        return new ClientResult.CompareFailed(Optional.ofNullable(current));
      }
    }
    Version version = new Version(new HlcTimestamp(Math.max(0, batch.originMillis()), 0), batch.origin(),
        ++sequence, batch.committedBy(), Math.max(1, term));
    if (operation instanceof ClientOperation.Delete) {
      values.remove(operation.key());
    } else {
      Bytes value = operation instanceof ClientOperation.Put put ? put.value()
          : ((ClientOperation.CompareAndSet) operation).newValue();
      values.put(operation.key(), new StoredValue(value, version, false));
    }
    return new ClientResult.Committed(version, current != null);
  }

  /** Ratis calls this after a read index (strong reads) or never (local reads call {@link #read}). */
  @Override
  public CompletableFuture<Message> query(Message request) {
    Optional<StoredValue> value = read(Bytes.copyOf(request.getContent().toByteArray()));
    return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(ConsensusCodec.encodeValue(value))));
  }

  /** This member's current value of {@code key}: what an {@code eventual} read returns. */
  synchronized Optional<StoredValue> read(Bytes key) {
    return Optional.ofNullable(values.get(key));
  }

  /** Most session reads waiting for this member to apply their token's write (ADR 0030). */
  static final int SESSION_WAITERS_MAX = 10_000;

  // Session reads waiting for an applied-write sequence, by sequence; guarded by this.
  private final java.util.TreeMap<Long, List<CompletableFuture<Void>>> sessionWaiters = new java.util.TreeMap<>();
  private int sessionWaiterCount;

  /**
   * Completes once this member has applied write {@code sequence} (at once if it has); empty when
   * {@link #SESSION_WAITERS_MAX} reads already wait, so the caller forwards instead of queueing.
   * The caller bounds the wait (a timeout cancels the future, and it is dropped here).
   */
  synchronized Optional<CompletableFuture<Void>> whenApplied(long sequence) {
    if (this.sequence >= sequence) {
      return Optional.of(CompletableFuture.completedFuture(null));
    }
    if (sessionWaiterCount >= SESSION_WAITERS_MAX) {
      return Optional.empty();
    }
    CompletableFuture<Void> waiter = new CompletableFuture<>();
    sessionWaiters.computeIfAbsent(sequence, s -> new ArrayList<>()).add(waiter);
    sessionWaiterCount++;
    waiter.whenComplete((done, error) -> {
      if (error != null) {
        dropSessionWaiter(sequence, waiter);
      }
    });
    return Optional.of(waiter);
  }

  private synchronized void dropSessionWaiter(long sequence, CompletableFuture<Void> waiter) {
    List<CompletableFuture<Void>> waiting = sessionWaiters.get(sequence);
    if (waiting != null && waiting.remove(waiter)) {
      sessionWaiterCount--;
      if (waiting.isEmpty()) {
        sessionWaiters.remove(sequence);
      }
    }
  }

  // Completes the session reads this member has now reached, outside the lock (their callbacks read).
  private void releaseSessionWaiters() {
    List<CompletableFuture<Void>> ready = new ArrayList<>();
    synchronized (this) {
      if (sessionWaiters.isEmpty()) {
        return;
      }
      java.util.NavigableMap<Long, List<CompletableFuture<Void>>> reached = sessionWaiters.headMap(sequence, true);
      reached.values().forEach(ready::addAll);
      sessionWaiterCount -= ready.size();
      reached.clear();
    }
    ready.forEach(waiter -> waiter.complete(null));
  }

  /** How many writes this member has applied. */
  synchronized long appliedSequence() {
    return sequence;
  }

  /** A copy of the state, for tests that compare members. */
  synchronized Map<Bytes, StoredValue> copy() {
    return new TreeMap<>(values);
  }

  /**
   * Ratis calls this inside its server's lock ({@code RaftServerImpl.changeToFollower} and the
   * append path are {@code synchronized}). The listener publishes an event to the agent's runtime,
   * whose {@code SynchronizationContext} runs queued work on the calling thread when nobody else
   * is draining it: client steps, listeners, waits for a store sync, all with the Raft server
   * locked, its heartbeats and votes stalled. So the change is handed to {@code leaderEvents} and
   * this returns at once; the term is read there too, outside the lock.
   */
  @Override
  public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
    String leader = newLeaderId == null ? "" : newLeaderId.toString();
    try {
      leaderEvents.execute(() -> leaderListener.accept(leader, currentTerm()));
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // The host is closing: nobody listens any more.
    }
  }

  private long currentTerm() {
    RaftServer server = getServer().getNow(null);
    if (server == null) {
      return 0;
    }
    try {
      return server.getDivision(getGroupId()).getInfo().getCurrentTerm();
    } catch (IOException | RuntimeException e) {
      return 0; // The division is closing; the term is not needed to report the change.
    }
  }

  @Override
  public long takeSnapshot() throws IOException {
    TreeMap<Bytes, StoredValue> state;
    long applied;
    TermIndex last;
    synchronized (this) {
      state = new TreeMap<>(values);
      applied = sequence;
      last = getLastAppliedTermIndex();
    }
    if (last == null || last.getIndex() < 0) {
      return RaftLog_INVALID;
    }
    Path file = storage.getSnapshotFile(last.getTerm(), last.getIndex()).toPath();
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(partial)))) {
      out.writeInt(SNAPSHOT_FORMAT);
      out.writeUTF(dataset);
      out.writeLong(applied);
      out.writeInt(state.size());
      for (Map.Entry<Bytes, StoredValue> entry : state.entrySet()) {
        ConsensusCodec.bytes(out, entry.getKey());
        ConsensusCodec.value(out, Optional.of(entry.getValue()));
      }
    }
    Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file, null), last));
    return last.getIndex();
  }

  private static final long RaftLog_INVALID = -1;

  private void loadSnapshot(SingleFileSnapshotInfo snapshot) throws IOException {
    if (snapshot == null) {
      return;
    }
    Path file = snapshot.getFile().getPath();
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      int format = in.readInt();
      if (format != SNAPSHOT_FORMAT) {
        throw new IOException(file + ": snapshot format " + format + " is not " + SNAPSHOT_FORMAT
            + "; this agent is older than the one that wrote it");
      }
      String owner = in.readUTF();
      if (!owner.equals(dataset)) {
        throw new IOException(file + ": snapshot of dataset " + owner + ", expected " + dataset);
      }
      long applied = in.readLong();
      int count = in.readInt();
      TreeMap<Bytes, StoredValue> state = new TreeMap<>();
      for (int i = 0; i < count; i++) {
        Bytes key = ConsensusCodec.bytes(in);
        state.put(key, ConsensusCodec.value(in).orElseThrow());
      }
      synchronized (this) {
        values.clear();
        values.putAll(state);
        sequence = applied;
        updateLastAppliedTermIndex(snapshot.getTerm(), snapshot.getIndex());
      }
      releaseSessionWaiters();
    }
  }
}

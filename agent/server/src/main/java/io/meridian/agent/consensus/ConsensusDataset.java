package io.meridian.agent.consensus;

import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.DatasetStatus;
import io.meridian.agent.core.replication.Failure;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.replication.Role;
import io.meridian.agent.runtime.AgentRuntime;
import io.meridian.agent.runtime.ExternalDataset;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consensus dataset as this agent serves it. Writes and compare-and-sets go through a Ratis
 * client to the group's leader (the client finds and follows it), the writes of concurrent client
 * batches together in one log entry (group commit, see {@link #sendWaiting});
 * the answer carries the version the state machine assigned, naming the committing region.
 * {@code strong} reads are Ratis read-index reads at the leader; {@code eventual} reads are this
 * member's state. Every request ends within {@link #REQUEST_TIMEOUT_MILLIS}: after that its
 * outcome is unknown and the client is told so.
 */
public final class ConsensusDataset implements ExternalDataset {
  private static final Logger log = LoggerFactory.getLogger(ConsensusDataset.class);
  /** Longest wait for a write or a strong read, retries included. */
  public static final long REQUEST_TIMEOUT_MILLIS = 5_000;
  /** How long a session read waits for this member to apply its token's write before forwarding. */
  public static final long SESSION_WAIT_MILLIS = io.meridian.agent.config.ReadPolicy.SESSION_WAIT_MILLIS_DEFAULT;
  /** Most requests the Ratis client keeps outstanding; beyond it callers wait for a slot. */
  public static final int OUTSTANDING_REQUESTS_MAX = 2_000;
  /** Most Raft entries of client writes this member has in flight; later writes wait (group commit). */
  public static final int ENTRIES_IN_FLIGHT_MAX = 8;
  /** Most client writes in one Raft entry. */
  public static final int ENTRY_WRITES_MAX = 2_048;
  /** Most client writes waiting for an entry; beyond it writes are refused at once. */
  public static final int WAITING_WRITES_MAX = 50_000;

  private final String dataset;
  private final String region;
  private final RaftGroupId groupId;
  private final RaftServer server;
  private final ConsensusStateMachine machine;
  private final RaftClient client;
  // Writes waiting for the next entry, in arrival order; guards entriesInFlight too.
  private final java.util.ArrayDeque<WaitingWrite> waitingWrites = new java.util.ArrayDeque<>();
  private int entriesInFlight;
  private final java.util.concurrent.atomic.AtomicLong entriesSent = new java.util.concurrent.atomic.AtomicLong();
  private final AgentRuntime runtime;
  private final ConsensusMetrics metrics;
  private volatile String leader = "";

  ConsensusDataset(String dataset, String region, RaftGroup group, RaftServer server, ConsensusStateMachine machine,
      RaftProperties serverProperties, AgentRuntime runtime, ConsensusMetrics metrics) {
    this.dataset = dataset;
    this.region = region;
    this.groupId = group.getGroupId();
    this.server = server;
    this.machine = machine;
    this.runtime = runtime;
    this.metrics = metrics;
    RaftProperties properties = new RaftProperties();
    // As long as the whole request may take: a shorter one resends queued requests under load.
    RaftClientConfigKeys.Rpc.setRequestTimeout(properties,
        TimeDuration.valueOf(REQUEST_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS));
    RaftClientConfigKeys.Async.setOutstandingRequestsMax(properties, OUTSTANDING_REQUESTS_MAX);
    this.client = RaftClient.newBuilder()
        .setProperties(properties)
        .setClientId(RaftLinks.clientId(region))
        .setRaftGroup(group)
        .setLeaderId(RaftPeerId.valueOf(region))
        .setRetryPolicy(RetryPolicies.retryForeverWithSleep(TimeDuration.valueOf(50, TimeUnit.MILLISECONDS)))
        .build();
  }

  @Override
  public void submitAll(List<ClientOperation> operations, List<Consumer<ClientResult>> callbacks) {
    List<ClientOperation> writes = new ArrayList<>(operations.size());
    List<Consumer<ClientResult>> writeCallbacks = new ArrayList<>(operations.size());
    for (int i = 0; i < operations.size(); i++) {
      ClientOperation operation = operations.get(i);
      if (operation instanceof ClientOperation.Get get) {
        read(get.key(), false, callbacks.get(i));
      } else if (operation instanceof ClientOperation.Put || operation instanceof ClientOperation.Delete
          || operation instanceof ClientOperation.CompareAndSet) {
        writes.add(operation);
        writeCallbacks.add(callbacks.get(i));
      } else {
        callbacks.get(i).accept(new ClientResult.Failed(Failure.FAILED_PRECONDITION, "dataset " + dataset
            + " is in consensus mode, which offers put, delete, compare-and-set and get; "
            + operation.getClass().getSimpleName() + " needs a multi-primary dataset with a crdt or version-vector rule."));
      }
    }
    if (writes.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    List<Consumer<ClientResult>> refused = new ArrayList<>();
    synchronized (waitingWrites) {
      for (int i = 0; i < writes.size(); i++) {
        if (waitingWrites.size() >= WAITING_WRITES_MAX) {
          refused.add(writeCallbacks.get(i));
        } else {
          waitingWrites.addLast(new WaitingWrite(writes.get(i), writeCallbacks.get(i), now));
        }
      }
    }
    for (Consumer<ClientResult> callback : refused) {
      callback.accept(new ClientResult.Failed(Failure.RESOURCE_EXHAUSTED, "consensus dataset "
          + dataset + ": " + WAITING_WRITES_MAX + " writes are waiting for the Raft group at " + region
          + " (limit WAITING_WRITES_MAX); nothing was written, retry later."));
    }
    sendWaiting();
  }

  /** A write waiting for the next Raft entry, with when it arrived. */
  private record WaitingWrite(ClientOperation operation, Consumer<ClientResult> callback, long arrivedNanos) {}

  // Held while writes are taken from the queue and their entry is handed to the Raft client.
  private final Object sendOrder = new Object();

  /**
   * Group commit: while {@link #ENTRIES_IN_FLIGHT_MAX} entries are in flight, writes wait, and
   * when one completes everything waiting leaves as one entry (at most {@link #ENTRY_WRITES_MAX}
   * writes). A lone write still leaves at once; under load entries grow instead of multiplying,
   * so the Raft log, its fsyncs and its replication cost per entry, not per client request.
   * Writes in one entry are applied in order, each at its own position, as before.
   */
  private void sendWaiting() {
    while (true) {
      // Taking writes from the queue and handing their entry to the Raft client happen under one
      // lock: two threads (a submitter and an entry's completion) could otherwise each take a
      // chunk and send them in the other order, committing later writes before earlier ones.
      // The client's send does not block here (entries in flight stay far below its outstanding
      // bound), and a completion that runs inside it re-enters on the same thread.
      synchronized (sendOrder) {
        List<ClientOperation> writes;
        List<Consumer<ClientResult>> callbacks;
        List<Consumer<ClientResult>> expired = new ArrayList<>();
        synchronized (waitingWrites) {
          if (waitingWrites.isEmpty() || entriesInFlight >= ENTRIES_IN_FLIGHT_MAX) {
            return;
          }
          int count = Math.min(waitingWrites.size(), ENTRY_WRITES_MAX);
          writes = new ArrayList<>(count);
          callbacks = new ArrayList<>(count);
          long expiredBefore = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(REQUEST_TIMEOUT_MILLIS);
          while (writes.size() < count && !waitingWrites.isEmpty()) {
            WaitingWrite waiting = waitingWrites.pollFirst();
            if (waiting.arrivedNanos() < expiredBefore) {
              expired.add(waiting.callback());
              continue;
            }
            writes.add(waiting.operation());
            callbacks.add(waiting.callback());
          }
          if (!writes.isEmpty()) {
            entriesInFlight++;
          }
        }
        for (Consumer<ClientResult> callback : expired) {
          // Never sent, so nothing was written: the client may retry without reading first.
          callback.accept(new ClientResult.Failed(Failure.UNAVAILABLE, "consensus dataset " + dataset
              + ": the write waited " + REQUEST_TIMEOUT_MILLIS + " ms for the Raft group at " + region
              + " without being sent; nothing was written, retry later."));
        }
        if (!writes.isEmpty()) {
          sendEntry(writes, callbacks);
        }
      }
    }
  }

  /** Raft entries of client writes this member has sent so far (each holds one or more writes). */
  public long entriesSent() {
    return entriesSent.get();
  }

  private void sendEntry(List<ClientOperation> writes, List<Consumer<ClientResult>> writeCallbacks) {
    entriesSent.incrementAndGet();
    byte[] batch = ConsensusCodec.encodeBatch(region, System.currentTimeMillis(), writes);
    bounded(client.async().send(Message.valueOf(ByteString.copyFrom(batch)))).whenComplete((reply, error) -> {
      synchronized (waitingWrites) {
        entriesInFlight--;
      }
      Optional<ClientResult.Failed> failure = failure(reply, error, "the write");
      if (failure.isPresent()) {
        writeCallbacks.forEach(callback -> callback.accept(failure.get()));
      } else {
        List<ClientResult> results = ConsensusCodec.decodeResults(reply.getMessage().getContent().toByteArray());
        for (int i = 0; i < writeCallbacks.size(); i++) {
          writeCallbacks.get(i).accept(results.get(i));
        }
      }
      sendWaiting();
    });
  }

  @Override
  public void read(Bytes key, boolean linearizable, Consumer<ClientResult> callback) {
    if (!linearizable) {
      callback.accept(new ClientResult.Read(machine.read(key), region));
      return;
    }
    Message query = Message.valueOf(ByteString.copyFrom(ConsensusCodec.encodeQuery(key)));
    bounded(client.async().sendReadOnly(query)).whenComplete((reply, error) -> {
      Optional<ClientResult.Failed> failure = failure(reply, error, "the strong read");
      if (failure.isPresent()) {
        callback.accept(failure.get());
        return;
      }
      callback.accept(new ClientResult.Read(ConsensusCodec.decodeValue(reply.getMessage().getContent().toByteArray()),
          reply.getServerId().toString()));
    });
  }

  /**
   * A session read (ADR 0030): served from this member's copy once it has applied the token's write
   * ({@code sequence}), waiting at most {@link #SESSION_WAIT_MILLIS}; otherwise (or with too many
   * waiting) forwarded as a linearizable read, which the leader answers. Never older than the token.
   */
  @Override
  public void sessionRead(Bytes key, long sequence, Consumer<ClientResult> callback) {
    Optional<CompletableFuture<Void>> applied = machine.whenApplied(sequence);
    if (applied.isEmpty()) {
      read(key, true, callback);
      return;
    }
    applied.get().orTimeout(SESSION_WAIT_MILLIS, TimeUnit.MILLISECONDS).whenComplete((done, error) -> {
      if (error == null) {
        callback.accept(new ClientResult.Read(machine.read(key), region));
      } else {
        read(key, true, callback);
      }
    });
  }

  private static CompletableFuture<RaftClientReply> bounded(CompletableFuture<RaftClientReply> request) {
    return request.orTimeout(REQUEST_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
  }

  private Optional<ClientResult.Failed> failure(RaftClientReply reply, Throwable error, String what) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof TimeoutException) {
      return Optional.of(new ClientResult.Failed(Failure.OUTCOME_UNKNOWN, "consensus dataset " + dataset + ": "
          + what + " was not confirmed within " + REQUEST_TIMEOUT_MILLIS + " ms (is a majority of "
          + "its regions reachable? leader: " + (leader.isEmpty() ? "unknown" : leader)
          + "); its outcome is unknown: read the key before retrying."));
    }
    if (cause != null) {
      return Optional.of(new ClientResult.Failed(Failure.OUTCOME_UNKNOWN, "consensus dataset " + dataset + ": "
          + what + " failed (" + cause.getMessage() + "); its outcome is unknown."));
    }
    if (!reply.isSuccess()) {
      return Optional.of(new ClientResult.Failed(Failure.UNAVAILABLE, "consensus dataset " + dataset + ": "
          + what + " was refused by the Raft group (" + reply.getException() + ")."));
    }
    return Optional.empty();
  }

  /** Called by Ratis (any thread) when this member learns of a new leader. */
  void onLeaderChanged(String newLeader, long term) {
    String previous = leader;
    leader = newLeader;
    if (newLeader.equals(previous)) {
      return;
    }
    metrics.leaderChanged(dataset, newLeader);
    if (!newLeader.isEmpty()) {
      log.info("{}: {} is the Raft leader of {} in term {}", region, newLeader, dataset, term);
      runtime.publish(new ReplicationEvent.PrimaryChanged(dataset, Math.max(1, term), newLeader,
          machine.appliedSequence() + 1, newLeader.equals(region) ? Role.PRIMARY : Role.REPLICA, 0));
    }
  }

  /** Reads the leader from Ratis, for a member that joined after the election. */
  void refreshLeader() {
    DivisionInfo info = info();
    if (info != null && info.getLeaderId() != null) {
      onLeaderChanged(info.getLeaderId().toString(), info.getCurrentTerm());
    }
  }

  private DivisionInfo info() {
    try {
      return server.getDivision(groupId).getInfo();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The region this member believes leads, or empty while none is known. */
  public String leader() {
    DivisionInfo info = info();
    if (info != null && info.getLeaderId() != null) {
      return info.getLeaderId().toString();
    }
    return leader;
  }

  @Override
  public DatasetStatus status() {
    DivisionInfo info = info();
    String currentLeader = leader();
    boolean leading = info != null && info.isLeader();
    return new DatasetStatus(dataset, ReplicationMode.CONSENSUS, leading ? Role.PRIMARY : Role.REPLICA,
        info == null ? 1 : Math.max(1, info.getCurrentTerm()), currentLeader.isEmpty() ? "" : currentLeader,
        machine.appliedSequence(), List.of());
  }

  void close() {
    try {
      client.close();
    } catch (IOException e) {
      log.warn("{}: closing the Raft client of {}: {}", region, dataset, e.getMessage());
    }
  }
}

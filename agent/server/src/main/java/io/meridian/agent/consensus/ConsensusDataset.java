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
 * batches together in one log entry (group commit, see {@link EntryQueue});
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
  /**
   * Most requests the Ratis client keeps outstanding; beyond it requests are refused at once with
   * nothing sent (Ratis itself would block the sending thread; see {@link RequestSlots}).
   */
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
  /** Keeps the client's outstanding requests under its limit, so a send never blocks. */
  private final RequestSlots slots = new RequestSlots(OUTSTANDING_REQUESTS_MAX, REQUEST_TIMEOUT_MILLIS);
  /** Client writes waiting for, and grouped into, Raft entries. */
  private final EntryQueue entries;
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
    this.entries = new EntryQueue(dataset, region, ENTRIES_IN_FLIGHT_MAX, ENTRY_WRITES_MAX, WAITING_WRITES_MAX,
        REQUEST_TIMEOUT_MILLIS, System::nanoTime, this::sendEntry);
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
    entries.submit(writes, writeCallbacks);
  }

  /** Raft entries of client writes this member has sent so far (each holds one or more writes). */
  public long entriesSent() {
    return entries.entriesSent();
  }

  /** Sends one entry of writes and answers them from the reply; see {@link EntryQueue}. */
  private CompletableFuture<?> sendEntry(List<ClientOperation> writes, List<Consumer<ClientResult>> writeCallbacks) {
    byte[] batch = ConsensusCodec.encodeBatch(region, System.currentTimeMillis(), writes);
    Optional<CompletableFuture<RaftClientReply>> sent =
        slots.send(() -> client.async().send(Message.valueOf(ByteString.copyFrom(batch))));
    if (sent.isEmpty()) {
      ClientResult.Failed refused = refusedForSlots("the write");
      writeCallbacks.forEach(callback -> callback.accept(refused));
      return CompletableFuture.completedFuture(null);
    }
    return sent.get().whenComplete((reply, error) -> {
      Optional<ClientResult.Failed> failure = failure(reply, error, "the write");
      if (failure.isPresent()) {
        writeCallbacks.forEach(callback -> callback.accept(failure.get()));
      } else {
        List<ClientResult> results = ConsensusCodec.decodeResults(reply.getMessage().getContent().toByteArray());
        for (int i = 0; i < writeCallbacks.size(); i++) {
          writeCallbacks.get(i).accept(results.get(i));
        }
      }
    });
  }

  @Override
  public void read(Bytes key, boolean linearizable, Consumer<ClientResult> callback) {
    if (!linearizable) {
      callback.accept(new ClientResult.Read(machine.read(key), region));
      return;
    }
    Message query = Message.valueOf(ByteString.copyFrom(ConsensusCodec.encodeQuery(key)));
    Optional<CompletableFuture<RaftClientReply>> sent = slots.send(() -> client.async().sendReadOnly(query));
    if (sent.isEmpty()) {
      callback.accept(refusedForSlots("the strong read"));
      return;
    }
    sent.get().whenComplete((reply, error) -> {
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

  // Nothing was sent: the client may retry without reading first.
  private ClientResult.Failed refusedForSlots(String what) {
    return new ClientResult.Failed(Failure.UNAVAILABLE, "consensus dataset " + dataset + ": " + slots.slotsMax()
        + " requests to the Raft group are still unfinished at region " + region + " (limit OUTSTANDING_REQUESTS_MAX;"
        + " is a majority of its regions reachable? leader: " + (leader.isEmpty() ? "unknown" : leader) + "), so "
        + what + " was not sent; nothing was written, retry later.");
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

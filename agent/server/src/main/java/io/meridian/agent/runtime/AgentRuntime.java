package io.meridian.agent.runtime;

import io.grpc.SynchronizationContext;
import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.LogRetention;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResponse;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.DatasetStatus;
import io.meridian.agent.core.replication.Failure;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.Output;
import io.meridian.agent.core.replication.PeerMessage;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.replication.ReplicationNode;
import io.meridian.agent.core.storage.ReplicaStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one {@link ReplicationNode}. Callable from any thread: work is serialised through a
 * {@link SynchronizationContext}, which runs it on the calling thread unless another thread is
 * already draining, so tests with direct executors stay single-threaded and deterministic.
 */
public final class AgentRuntime {
  private static final Logger log = LoggerFactory.getLogger(AgentRuntime.class);

  private final AgentConfig config;
  private final ReplicaStore store;
  private final LongSupplier wallClockMillis;
  private final ReplicationNode node;
  private final SynchronizationContext context;
  /** Transport inputs and bookkeeping, run ahead of queued client requests (ADR 0041). */
  private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> transportLane =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  // Heartbeats, their answers, timed ticks and the transport's heartbeat sends (issue 7): run
  // on the logical thread ahead of whatever serial work (client writes, data) is queued.
  private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> urgent =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final Map<Long, Consumer<ClientResult>> pending = new HashMap<>();
  private final List<Consumer<ReplicationEvent>> listeners = new CopyOnWriteArrayList<>();
  // Datasets served outside the core (consensus, ADR 0015), by name.
  private final Map<String, ExternalDataset> externalDatasets = new java.util.concurrent.ConcurrentHashMap<>();
  private PeerSender sender = new PeerSender() {
    @Override
    public void send(String peer, io.meridian.agent.core.replication.PeerMessage message) {}

    @Override
    public void disconnect(String peer, String dataset, String reason) {}
  };
  private long nextRequestId = 1;
  // Admission in front of the logical thread (ADR 0036): per quorum dataset, how long its oldest
  // queued client writes may have waited before new ones are refused at once; and when each queued
  // batch of client operations was submitted (wall-clock ms), oldest first.
  private final Map<String, Long> frontAdmissionWaitMillisMax = new HashMap<>();
  private final java.util.concurrent.ConcurrentLinkedQueue<long[]> queuedClientWork =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  // Folded steps (ADR 0042): quorum client requests and quorum peer messages queued for the
  // logical thread, stepped together by whichever drain task runs first.
  private final java.util.Set<String> foldedDatasets = new java.util.HashSet<>();
  // Single-primary (async and sync) datasets whose change batches, queued one after another on the
  // transport lane, are stepped as one batch at a replica (ADR 0055).
  private final java.util.Set<String> batchFoldedDatasets = new java.util.HashSet<>();
  private final java.util.concurrent.ConcurrentLinkedQueue<Folded> folded =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  // Deadline-driven ticking (see startTicking); touched only on the logical thread.
  private ScheduledExecutorService tickScheduler;
  private long tickIntervalMillisMax;
  private ScheduledFuture<?> nextTick;
  private long nextTickAtMillis = Long.MAX_VALUE;
  private volatile Throwable fatal;
  // Set on the logical thread by stop(); afterwards no task touches the node or the store.
  private boolean stopped;
  // Group commit (ADR 0043), all touched on the logical thread only: the thread syncs run on
  // (null: inline), outputs held until a sync finishes (oldest first), the sync running, the
  // number of sync requests made and covered by finished syncs, and syncs started.
  /** Most step outputs held behind syncs before the logical thread waits for the disk. */
  static final int AWAITING_SYNC_OUTPUTS_MAX = 4096;
  /** Longest wait at {@link #stop} for a sync in flight, before the store closes. */
  static final long SYNC_AT_STOP_WAIT_MILLIS_MAX = 10_000;
  /** Longest a caller of {@link #ask} waits for the logical thread's answer before it fails. */
  public static final long ANSWER_WAIT_MILLIS_MAX = 60_000;
  private java.util.concurrent.ExecutorService syncThread;
  private final java.util.ArrayDeque<AwaitingOutput> awaitingSync = new java.util.ArrayDeque<>();
  private CompletableFuture<Long> syncInFlight;
  private long syncsRequested;
  private long syncedUpTo;
  private long syncsStarted;

  /**
   * A runtime recovering its node from {@code store}.
   *
   * @param wallClockMillis the wall clock; tests pass a manual one
   */
  public AgentRuntime(AgentConfig config, ReplicaStore store, LongSupplier wallClockMillis) {
    this(config, store, wallClockMillis, io.meridian.agent.core.antientropy.AntiEntropySettings.ON_DEMAND);
  }

  /** A runtime whose node runs anti-entropy (ADR 0014) with {@code antiEntropy}. */
  public AgentRuntime(AgentConfig config, ReplicaStore store, LongSupplier wallClockMillis,
      io.meridian.agent.core.antientropy.AntiEntropySettings antiEntropy) {
    this.config = config;
    this.store = store;
    this.wallClockMillis = wallClockMillis;
    this.node = new ReplicationNode(config, LogRetention.fromSystemProperties(), store, wallClockMillis.getAsLong(),
        antiEntropy);
    for (io.meridian.agent.config.DatasetConfig dataset : config.datasets()) {
      if (dataset.mode() == io.meridian.agent.config.ReplicationMode.QUORUM && dataset.quorum() != null) {
        frontAdmissionWaitMillisMax.put(dataset.name(), dataset.quorum().admissionWaitMillisMax());
      }
      if (dataset.mode() == io.meridian.agent.config.ReplicationMode.QUORUM
          || dataset.mode() == io.meridian.agent.config.ReplicationMode.MULTI_PRIMARY) {
        // Multi-primary client batches too (ADR 0052): one step, one log append and one batch per
        // peer for every client batch queued meanwhile.
        foldedDatasets.add(dataset.name());
      }
      if (dataset.mode() == io.meridian.agent.config.ReplicationMode.ASYNC
          || dataset.mode() == io.meridian.agent.config.ReplicationMode.SYNC) {
        batchFoldedDatasets.add(dataset.name());
      }
    }
    this.context = new SynchronizationContext((thread, error) -> {
      // An invariant broke: the core's state can no longer be trusted. Stop replicating and
      // answer every client with the reason rather than serve possibly wrong data.
      log.error("{}: replication core failed; the agent stops serving", config.region(), error);
      if (fatal == null) {
        fatal = error;
        failPendingNow("region " + config.region() + " stopped after an internal error (" + error.getMessage()
            + "); the outcome is unknown. Restart the agent.");
        // No sync starts any more, so outputs held for one never leave: run the tasks waiting
        // behind them now (an operator's failover decision waits for one; see afterCarriedOut).
        runTasksHeldForSync();
      }
    });
  }

  /** This agent's configuration. */
  public AgentConfig config() {
    return config;
  }

  /** Connects the transport that carries peer messages. */
  public void attach(PeerSender peerSender) {
    serial(() -> this.sender = peerSender);
  }

  /** Registers a listener for replication events; called on the runtime's logical thread. */
  public void addListener(Consumer<ReplicationEvent> listener) {
    listeners.add(listener);
  }

  /** Removes a listener. */
  public void removeListener(Consumer<ReplicationEvent> listener) {
    listeners.remove(listener);
  }

  /** Submits one client operation; {@code callback} receives the result exactly once. */
  public void submit(String dataset, ClientOperation operation, Consumer<ClientResult> callback) {
    submitAll(dataset, List.of(operation), List.of(callback));
  }

  /**
   * Submits several operations as one step, so they share one store sync; each callback receives
   * its operation's result exactly once.
   */
  public void submitAll(String dataset, List<ClientOperation> operations, List<Consumer<ClientResult>> callbacks) {
    ExternalDataset external = externalDatasets.get(dataset);
    if (external != null) {
      external.submitAll(operations, callbacks);
      return;
    }
    Long waitMillisMax = frontAdmissionWaitMillisMax.get(dataset);
    long[] queued = null;
    if (waitMillisMax != null && allWrites(operations)) {
      long now = wallClockMillis.getAsLong();
      long[] oldest = queuedClientWork.peek();
      if (oldest != null && now - oldest[0] >= waitMillisMax) {
        refuseOverloaded(dataset, now - oldest[0], waitMillisMax, callbacks);
        return;
      }
      queued = new long[] {now};
      queuedClientWork.add(queued);
    }
    long[] queuedAt = queued;
    if (foldedDatasets.contains(dataset)) {
      fold(new Folded(dataset, operations, callbacks, queuedAt, null));
      return;
    }
    serial(() -> {
      if (queuedAt != null) {
        queuedClientWork.remove(queuedAt);
      }
      if (stopped) {
        for (Consumer<ClientResult> callback : callbacks) {
          callback.accept(new ClientResult.Failed(Failure.UNAVAILABLE, "region " + config.region()
              + " is shutting down; nothing was written."));
        }
        return;
      }
      if (fatal != null) {
        for (Consumer<ClientResult> callback : callbacks) {
          callback.accept(new ClientResult.Failed(Failure.UNAVAILABLE, "region " + config.region()
              + " stopped after an internal error (" + fatal.getMessage() + "); restart the agent."));
        }
        return;
      }
      List<Input> inputs = new ArrayList<>(operations.size());
      for (int i = 0; i < operations.size(); i++) {
        long id = nextRequestId++;
        pending.put(id, callbacks.get(i));
        inputs.add(new Input.ClientRequest(id, dataset, operations.get(i)));
      }
      carryOut(node.stepAll(wallClockMillis.getAsLong(), inputs));
    });
  }

  private static boolean allWrites(List<ClientOperation> operations) {
    for (ClientOperation operation : operations) {
      ClientOperation plain = operation instanceof ClientOperation.Tuned tuned ? tuned.operation() : operation;
      if (!(plain instanceof ClientOperation.Put || plain instanceof ClientOperation.Delete)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Most work one folded step takes: client operations, plus the writes and acknowledgements the
   * peer frames carry (other frames count one). What is left waits for the next drain task, already
   * queued behind this one. A single item larger than this is stepped alone.
   */
  static final int FOLDED_INPUTS_MAX = 4_096;

  /** A client batch or a peer message waiting in the fold lane. */
  private record Folded(String dataset, List<ClientOperation> operations, List<Consumer<ClientResult>> callbacks,
      long[] queuedAt, Input input) {}

  /**
   * Whether {@code input} takes the fold lane (ADR 0042): the messages of the quorum write and
   * read path. A coordinator's writes, a replica's holds and their acknowledgements arrive as one
   * frame per step of the sender; stepping every frame queued meanwhile as one step shares the
   * store write, the outgoing frames and the acknowledgements among all of them.
   */
  static boolean isFolded(Input input) {
    return input instanceof Input.PeerMessageReceived received
        && (received.message() instanceof io.meridian.agent.core.replication.PeerMessage.QuorumWrite
            || received.message() instanceof io.meridian.agent.core.replication.PeerMessage.QuorumWriteAck
            || received.message() instanceof io.meridian.agent.core.replication.PeerMessage.QuorumRead
            || received.message() instanceof io.meridian.agent.core.replication.PeerMessage.QuorumReadReply);
  }

  // What a folded input counts against FOLDED_INPUTS_MAX: a frame counts the writes or
  // acknowledgements it carries (a coordinator's frame can carry a whole folded step of writes).
  private static int foldedWeight(Input input) {
    io.meridian.agent.core.replication.PeerMessage message = ((Input.PeerMessageReceived) input).message();
    if (message instanceof io.meridian.agent.core.replication.PeerMessage.QuorumWrite write) {
      return Math.max(1, write.changes().size());
    }
    if (message instanceof io.meridian.agent.core.replication.PeerMessage.QuorumWriteAck ack) {
      return Math.max(1, ack.operationIds().size());
    }
    return 1;
  }

  /**
   * Queues {@code item} in the fold lane and a drain task on the logical thread. Each item brings
   * its own drain task, so none waits for a later arrival; the first drain task to run steps
   * everything queued by then (up to {@link #FOLDED_INPUTS_MAX}), the others find less or nothing.
   * An item is therefore never stepped later than it would have been on its own, only earlier:
   * possibly ahead of serial work queued before it (a stream opening or closing, a status read),
   * which for the quorum messages is only another interleaving of independent streams. Items keep
   * their order among themselves, so a stream's frames stay in order.
   *
   * <p>Transport-lane work (ADR 0041: stream opened or closed, other peer frames) runs first in
   * every task, so it can be stepped before a folded frame that arrived ahead of it: a quorum frame
   * may be stepped just after its stream's close (and even after the next stream's open). The core
   * takes that as it takes a frame that arrived late or was lost, which it must survive anyway: at
   * the close, the writes and reads still awaiting that peer stop awaiting it (the writes become
   * hints, a request that can no longer reach its count is answered OUTCOME_UNKNOWN or UNAVAILABLE),
   * so the late acknowledgement or read reply finds nothing awaiting it and is ignored; a late
   * write is applied (a merge, idempotent) and acknowledged to nobody waiting. Nothing is lost or
   * misapplied; at worst a write already acknowledged there is sent again as a hint.
   */
  private void fold(Folded item) {
    folded.add(item);
    serial(this::drainFolded);
  }

  // Runs on the logical thread.
  private void drainFolded() {
    List<Input> inputs = null;
    int weight = 0;
    for (Folded item = folded.peek(); item != null; item = folded.peek()) {
      int size = item.input() != null ? foldedWeight(item.input()) : item.operations().size();
      if (inputs != null && weight + size > FOLDED_INPUTS_MAX) {
        break;
      }
      weight += size;
      folded.poll();
      if (inputs == null) {
        inputs = new ArrayList<>(Math.min(FOLDED_INPUTS_MAX, 64));
      }
      if (item.queuedAt() != null) {
        queuedClientWork.remove(item.queuedAt());
      }
      if (item.input() != null) {
        inputs.add(item.input());
      } else if (stopped || fatal != null) {
        ClientResult refusal = new ClientResult.Failed(Failure.UNAVAILABLE, stopped
            ? "region " + config.region() + " is shutting down; nothing was written."
            : "region " + config.region() + " stopped after an internal error (" + fatal.getMessage()
                + "); restart the agent.");
        item.callbacks().forEach(callback -> callback.accept(refusal));
      } else {
        for (int i = 0; i < item.operations().size(); i++) {
          long id = nextRequestId++;
          pending.put(id, item.callbacks().get(i));
          inputs.add(new Input.ClientRequest(id, item.dataset(), item.operations().get(i)));
        }
      }
    }
    if (inputs != null && !inputs.isEmpty() && fatal == null && !stopped) {
      carryOut(node.stepAll(wallClockMillis.getAsLong(), inputs));
    }
  }

  /**
   * Refuses client writes of a quorum dataset on the caller's thread, without queueing them for
   * the logical thread: the oldest client writes already queued there have waited past the
   * admission bound of ADR 0028, so new ones would only wait longer and then be refused by the
   * core anyway (ADR 0036). One message for the whole batch.
   */
  private void refuseOverloaded(String dataset, long waitedMillis, long waitMillisMax,
      List<Consumer<ClientResult>> callbacks) {
    ClientResult refusal = new ClientResult.Failed(Failure.RESOURCE_EXHAUSTED, "dataset " + dataset + " is overloaded"
        + " at coordinator " + config.region() + ": client writes queued in front of its replication core have"
        + " waited " + waitedMillis + " ms, past the admission bound of " + waitMillisMax + " ms (a quarter of the"
        + " quorum timeout). Nothing was written; retry after a back-off of about " + waitMillisMax + " ms, lower"
        + " the write rate, or spread writes over more coordinators.");
    for (Consumer<ClientResult> callback : callbacks) {
      callback.accept(refusal);
    }
  }

  /** A future form of {@link #submit}. */
  public CompletableFuture<ClientResult> submit(String dataset, ClientOperation operation) {
    CompletableFuture<ClientResult> result = new CompletableFuture<>();
    submit(dataset, operation, result::complete);
    return result;
  }

  /**
   * Feeds a transport input (peer message, connection change). Heartbeats and heartbeat replies
   * carry no data and go ahead of queued client requests and data (see {@link #isUrgent}).
   */
  public void deliver(Input input) {
    Runnable step = () -> {
      if (fatal == null && !stopped) {
        carryOut(node.step(wallClockMillis.getAsLong(), input));
      }
    };
    if (isUrgent(input)) {
      executeUrgent(step);
    } else if (isFolded(input)) {
      fold(new Folded(null, null, null, null, input));
    } else if (input instanceof Input.PeerMessageReceived received
        && received.message() instanceof PeerMessage.ChangeBatch batch
        && batchFoldedDatasets.contains(batch.dataset())) {
      transport(new BatchDelivery(received.fromRegion(), batch));
    } else {
      transport(step);
    }
  }

  /**
   * Lets time pass (tests tick by hand; {@link #startTicking} ticks when the core needs it). Ticks
   * take the urgent lane: they send the heartbeats and recompute the write lease, which must not
   * wait behind a backlog of client writes (issue 7).
   */
  public void tick() {
    executeUrgent(() -> {
      if (fatal == null && !stopped) {
        carryOut(node.tick(wallClockMillis.getAsLong()));
      }
    });
  }

  /**
   * Ticks the core when it asks to ({@link ReplicationNode#nextTickAtMillis}), and at least every
   * {@code intervalMillisMax} so that timers a core forgets to announce still run. An idle agent
   * then wakes a few times a second instead of every millisecond.
   */
  public void startTicking(ScheduledExecutorService scheduler, long intervalMillisMax) {
    serial(() -> {
      tickScheduler = scheduler;
      tickIntervalMillisMax = intervalMillisMax;
      scheduleTick();
    });
  }

  /** Stops the ticks {@link #startTicking} started. */
  public void stopTicking() {
    serial(() -> {
      tickScheduler = null;
      if (nextTick != null) {
        nextTick.cancel(false);
        nextTick = null;
      }
    });
  }

  private void timedTick() {
    executeUrgent(() -> { // Urgent, as tick() is.
      nextTick = null;
      nextTickAtMillis = Long.MAX_VALUE;
      if (fatal == null && !stopped) {
        carryOut(node.tick(wallClockMillis.getAsLong()));
      }
    });
  }

  // Runs on the logical thread after every step: makes sure a tick is due no later than the
  // core's next deadline. Rescheduling only when the deadline moved earlier keeps this cheap.
  private void scheduleTick() {
    if (tickScheduler == null || fatal != null || stopped) {
      return;
    }
    long now = wallClockMillis.getAsLong();
    long due = Math.min(node.nextTickAtMillis(), now + tickIntervalMillisMax);
    if (nextTick != null && nextTickAtMillis <= due) {
      return;
    }
    if (nextTick != null) {
      nextTick.cancel(false);
    }
    nextTickAtMillis = due;
    nextTick = tickScheduler.schedule(this::timedTick, Math.max(0, due - now), TimeUnit.MILLISECONDS);
  }

  /** The error that stopped the core, if one did. */
  public Optional<Throwable> fatalError() {
    return Optional.ofNullable(fatal);
  }

  /** Replication status, read on the runtime's logical thread. */
  public List<DatasetStatus> status() {
    List<DatasetStatus> status = ask("the replication status", false,
        () -> stopped ? List.of() : node.status(wallClockMillis.getAsLong()));
    if (externalDatasets.isEmpty()) {
      return status;
    }
    List<DatasetStatus> all = new ArrayList<>(status);
    externalDatasets.values().forEach(external -> all.add(external.status()));
    return all;
  }

  /** Serves {@code dataset} by {@code external} instead of the core (which must not replicate it). */
  public void attachExternal(String dataset, ExternalDataset external) {
    externalDatasets.put(dataset, external);
  }

  /** The dataset served outside the core under this name, if any. */
  public Optional<ExternalDataset> external(String dataset) {
    return Optional.ofNullable(externalDatasets.get(dataset));
  }

  /** Each dataset's failover view, read on the runtime's logical thread. */
  public List<io.meridian.agent.core.replication.FailoverView> failoverViews() {
    return ask("the failover views", false,
        () -> stopped ? List.of() : node.failoverViews(wallClockMillis.getAsLong()));
  }

  /** How this region sees each peer (phi-accrual failure detector), read on the logical thread. */
  public java.util.Map<String, io.meridian.agent.core.health.RegionHealth> peerHealth() {
    return ask("the peers' health", false, () -> stopped ? Map.of() : node.peerHealth());
  }

  /** Hinted handoff counts of every quorum dataset, read on the logical thread. */
  public List<io.meridian.agent.core.replication.HintCounts> hintCounts() {
    return ask("the hint counts", false, () -> stopped ? List.of() : node.hintCounts());
  }

  /** The changes quarantined in {@code dataset}, by failover epoch, read on the logical thread. */
  public java.util.SortedMap<Long, List<io.meridian.agent.core.storage.Change>> quarantined(String dataset) {
    return ask("the quarantined changes", false, () -> stopped ? new java.util.TreeMap<>() : node.quarantined(dataset));
  }

  /**
   * Stops the runtime: every later input, tick and status request is refused or ignored, waiting
   * requests are failed, and then {@code afterStop} runs (closing the store), all on the logical
   * thread, so nothing can reach the store once it is closed. Waits at most {@code timeoutMillis}.
   * A later call finds the runtime stopped and only runs its {@code afterStop} (the agent stops
   * the runtime when it closes; the store's owner may close the store this way after it).
   */
  public void stop(Runnable afterStop, long timeoutMillis) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    serial(() -> {
      try {
        if (!stopped) {
          stopped = true;
          awaitSyncInFlightBeforeStop();
          failPendingNow("region " + config.region() + " is shutting down; the outcome is unknown.");
        }
        afterStop.run();
      } finally {
        done.complete(null);
      }
    });
    try {
      done.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      log.warn("{}: the runtime did not stop within {} ms", config.region(), timeoutMillis);
    }
  }

  /** Fails every request still waiting, when the agent shuts down. */
  public void failPending(String reason) {
    serial(() -> failPendingNow(reason));
  }

  private void failPendingNow(String reason) {
    List<Consumer<ClientResult>> callbacks = new ArrayList<>(pending.values());
    pending.clear();
    for (Consumer<ClientResult> callback : callbacks) {
      callback.accept(new ClientResult.Failed(Failure.OUTCOME_UNKNOWN, reason));
    }
  }

  /**
   * Syncs the store on {@code syncThread} from now on instead of on the logical thread, and
   * commits in groups (ADR 0043): while one sync runs, the logical thread goes on stepping (a
   * replica applies the next batches, a primary takes the next writes); whatever those steps need
   * synced is covered by the next sync, one for all of them. What a step may do only after its
   * sync (acknowledgements, answers, events, the messages after a sync primary's batches) waits in
   * {@link #awaitingSync}, and so does the output of every later step, synced or not, so nothing
   * leaves ahead of what an earlier step still holds back: an {@code Ack} never reports a change
   * whose sync has not finished, and messages to a peer keep their order. May be called while
   * the runtime runs (syncs made inline until then are finished); without it every sync runs
   * inline, which tests with direct executors rely on.
   *
   * @param syncThread runs the syncs, one at a time; the runtime shuts it down in {@link #stop}
   */
  public void syncInBackground(java.util.concurrent.ExecutorService syncThread) {
    serial(() -> this.syncThread = syncThread);
  }

  /** Store syncs started, and how many steps asked for one (equal while syncs run inline; ADR 0043). */
  public long[] groupCommitCounts() {
    return ask("the group commit counts", false, () -> new long[] {syncsStarted, syncsRequested});
  }

  private void carryOut(Output output) {
    scheduleTick();
    if (output.isEmpty()) {
      return;
    }
    if (syncThread != null && (output.syncStoreFirst() || !awaitingSync.isEmpty())) {
      awaitSync(output);
      return;
    }
    List<Output.Outbound> messages = output.messages();
    // A sync primary's batches leave before its own sync, so the replicas' copies and the local
    // one are made durable at the same time (ADR 0029); everything else waits for the sync.
    for (int i = 0; i < output.messagesBeforeSync(); i++) {
      sender.send(messages.get(i).to(), messages.get(i).message());
    }
    if (output.syncStoreFirst()) {
      syncsStarted++;
      syncedUpTo = ++syncsRequested;
      long syncStartNanos = HopTrace.ENABLED ? System.nanoTime() : 0;
      store.sync();
      HopTrace.record("store-synced", "", "", syncedUpTo, syncStartNanos);
    }
    carryOutAfterSync(output);
  }

  // Everything of a step that follows its sync, in the order Output prescribes.
  private void carryOutAfterSync(Output output) {
    List<Output.Outbound> messages = output.messages();
    for (int i = output.messagesBeforeSync(); i < messages.size(); i++) {
      sender.send(messages.get(i).to(), messages.get(i).message());
    }
    for (ClientResponse response : output.responses()) {
      Consumer<ClientResult> callback = pending.remove(response.requestId());
      if (callback != null) {
        callback.accept(response.result());
      }
    }
    for (ReplicationEvent event : output.events()) {
      log.info("{}: {}", config.region(), event);
      for (Consumer<ReplicationEvent> listener : listeners) {
        listener.accept(event);
      }
    }
    for (Output.Disconnect disconnect : output.disconnects()) {
      log.warn("{}: disconnecting {} for dataset {}: {}", config.region(), disconnect.peer(),
          disconnect.dataset(), disconnect.reason());
      sender.disconnect(disconnect.peer(), disconnect.dataset(), disconnect.reason());
    }
  }

  // ---------------------------------------------------------------- group commit (ADR 0043)

  /**
   * A step's output waiting for a sync: its own ({@code ticket} > 0) or an earlier step's; or, with
   * no output, a task to run once every output before it has been carried out ({@link #afterCarriedOut}).
   */
  private static final class AwaitingOutput {
    final Output output;
    /** The sync request this output needs finished; 0 when it only waits for earlier outputs. */
    final long ticket;
    final Runnable then;
    boolean sentBeforeSync;

    AwaitingOutput(Output output, long ticket) {
      this.output = output;
      this.ticket = ticket;
      this.then = null;
    }

    AwaitingOutput(Runnable then) {
      this.output = null;
      this.ticket = 0;
      this.then = then;
    }
  }

  /**
   * Runs {@code task} on the logical thread once the steps of everything delivered before this
   * call have been carried out, including answers and events still waiting for a store sync on
   * the sync thread (ADR 0043): a caller that counts a step's events (an operator's failover
   * decision counting the writes it quarantined) sees all of them. While stopping, or once the
   * core has failed (no sync starts any more), outputs that never leave are dropped and the task
   * runs anyway, so nobody waits for ever.
   */
  public void afterCarriedOut(Runnable task) {
    transport(() -> {
      if (awaitingSync.isEmpty() || fatal != null) {
        task.run();
      } else {
        awaitingSync.add(new AwaitingOutput(task));
      }
    });
  }

  private void awaitSync(Output output) {
    long ticket = 0;
    if (output.syncStoreFirst()) {
      ticket = ++syncsRequested;
    }
    awaitingSync.add(new AwaitingOutput(output, ticket));
    releaseSynced();
    if (!awaitingSync.isEmpty() && awaitingSync.size() >= AWAITING_SYNC_OUTPUTS_MAX && syncInFlight != null) {
      // The disk is far behind: stop taking new work on this thread until it catches up, as an
      // inline sync would (the bound keeps held outputs, and the peers' flow, in check).
      finishSync(syncInFlight.join());
    }
    startSyncIfNeeded();
  }

  // Starts a sync covering every store write made so far, unless one runs (its completion
  // starts the next one) or nothing waits for one.
  private void startSyncIfNeeded() {
    if (syncInFlight != null || syncsRequested <= syncedUpTo || stopped || fatal != null) {
      return;
    }
    long upTo = syncsRequested;
    syncsStarted++;
    CompletableFuture<Long> sync = new CompletableFuture<>();
    syncInFlight = sync;
    syncThread.execute(() -> {
      try {
        long syncStartNanos = HopTrace.ENABLED ? System.nanoTime() : 0;
        store.sync();
        HopTrace.record("store-synced", "", "", upTo, syncStartNanos);
        sync.complete(upTo);
      } catch (Throwable error) {
        sync.completeExceptionally(error);
      }
      // Urgent: the answers and acknowledgements it releases waited for the disk, not for the
      // client writes and batches queued behind them.
      executeUrgent(() -> {
        if (syncInFlight == sync && !stopped) {
          finishSync(sync.join());
        }
      });
    });
  }

  // On the logical thread: the sync in flight covered requests up to upTo; releases what waited
  // for it and starts the next sync if later steps asked for one. A failed sync surfaces as the
  // join's exception, which stops the core as an inline sync failure would.
  private void finishSync(long upTo) {
    syncInFlight = null;
    syncedUpTo = Math.max(syncedUpTo, upTo);
    releaseSynced();
    startSyncIfNeeded();
  }

  // Releases waiting outputs from the oldest on: the one at the head may send its batches
  // (messages before sync) at once, since nothing before it is held back any more; its remainder
  // leaves once its sync is done.
  private void releaseSynced() {
    for (AwaitingOutput head = awaitingSync.peekFirst(); head != null; head = awaitingSync.peekFirst()) {
      if (head.output == null) {
        awaitingSync.pollFirst();
        head.then.run();
        continue;
      }
      if (!head.sentBeforeSync) {
        head.sentBeforeSync = true;
        List<Output.Outbound> messages = head.output.messages();
        for (int i = 0; i < head.output.messagesBeforeSync(); i++) {
          sender.send(messages.get(i).to(), messages.get(i).message());
        }
      }
      if (head.ticket > syncedUpTo) {
        return;
      }
      awaitingSync.pollFirst();
      carryOutAfterSync(head.output);
    }
  }

  // On the logical thread while stopping: the store must not close under a running sync.
  private void awaitSyncInFlightBeforeStop() {
    CompletableFuture<Long> sync = syncInFlight;
    if (sync != null) {
      try {
        sync.get(SYNC_AT_STOP_WAIT_MILLIS_MAX, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        log.warn("{}: the store sync in flight did not finish cleanly before stopping: {}", config.region(),
            e.toString());
      }
    }
    runTasksHeldForSync();
    if (syncThread != null) {
      syncThread.shutdown();
    }
  }

  // On the logical thread once no held output will ever leave (stopping, or the core failed): the
  // tasks waiting behind them run, the outputs are dropped (never acknowledged or answered; the
  // pending clients are failed).
  private void runTasksHeldForSync() {
    List<AwaitingOutput> held = new ArrayList<>(awaitingSync);
    awaitingSync.clear();
    for (AwaitingOutput output : held) {
      if (output.then != null) {
        output.then.run();
      }
    }
  }

  /** Publishes an event the transport detected (a malformed frame) to the listeners. */
  public void publish(ReplicationEvent event) {
    serial(() -> {
      log.warn("{}: {}", config.region(), event);
      for (Consumer<ReplicationEvent> listener : listeners) {
        listener.accept(event);
      }
    });
  }

  /**
   * Publishes an event an adapter measured (consistency probes, ADR 0022) to the listeners without
   * logging it: such events come every second.
   */
  public void report(ReplicationEvent event) {
    serial(() -> {
      for (Consumer<ReplicationEvent> listener : listeners) {
        listener.accept(event);
      }
    });
  }

  /**
   * Anti-entropy on demand (ADR 0014): compares {@code dataset} with each of {@code peers} (empty:
   * every region it exchanges the dataset with) and completes with one outcome per session, or
   * per refused peer, once all of them ended (sessions end by themselves: done, refused or timed out).
   */
  public CompletableFuture<List<ReplicationEvent.RepairFinished>> repair(String dataset, List<String> peers) {
    CompletableFuture<List<ReplicationEvent.RepairFinished>> result = new CompletableFuture<>();
    serial(() -> {
      if (stopped || fatal != null) {
        result.completeExceptionally(new IllegalStateException("region " + config.region()
            + (stopped ? " is shutting down" : " stopped after an internal error; restart the agent")));
        return;
      }
      Output output = node.step(wallClockMillis.getAsLong(), new Input.RepairRequested(dataset, peers));
      java.util.Set<String> waiting = new java.util.HashSet<>();
      List<ReplicationEvent.RepairFinished> outcomes = new ArrayList<>();
      for (ReplicationEvent event : output.events()) {
        if (event instanceof ReplicationEvent.RepairStarted started && started.dataset().equals(dataset)) {
          waiting.add(started.session());
        }
      }
      for (ReplicationEvent event : output.events()) {
        if (event instanceof ReplicationEvent.RepairFinished finished && finished.dataset().equals(dataset)
            && (finished.session().isEmpty() || waiting.remove(finished.session()))) {
          outcomes.add(finished);
        }
      }
      if (!waiting.isEmpty()) {
        Consumer<ReplicationEvent> listener = new Consumer<>() {
          @Override
          public void accept(ReplicationEvent event) {
            if (event instanceof ReplicationEvent.RepairFinished finished && waiting.remove(finished.session())) {
              outcomes.add(finished);
              if (waiting.isEmpty()) {
                listeners.remove(this);
                result.complete(List.copyOf(outcomes));
              }
            }
          }
        };
        listeners.add(listener);
      }
      carryOut(output);
      if (waiting.isEmpty()) {
        result.complete(List.copyOf(outcomes));
      }
    });
    return result;
  }

  /**
   * Runs {@code task} on the runtime's logical thread ahead of the serial work already queued
   * there (client requests, data, stream bookkeeping), in the order urgent tasks were given. For
   * work that must not wait behind a backlog: heartbeats, their answers and the timed tick.
   */
  public void executeUrgent(Runnable task) {
    urgent.add(task);
    context.execute(this::drainUrgent);
  }

  /**
   * Whether {@code input} takes the urgent lane: a {@code Heartbeat} or {@code HeartbeatReply}.
   * They carry no data, and the core takes them in any order relative to data: a reply renews
   * the lease by the heartbeat's send time with max, a heartbeat only raises the known head
   * (max) and vouches for freshness only once the data it names is applied (ADR 0016).
   */
  public static boolean isUrgent(Input input) {
    return input instanceof Input.PeerMessageReceived received
        && (received.message() instanceof io.meridian.agent.core.replication.PeerMessage.Heartbeat
            || received.message() instanceof io.meridian.agent.core.replication.PeerMessage.HeartbeatReply);
  }

  // Runs on the logical thread, first thing in every task: urgent work never waits behind more
  // than the one serial task running when it arrived.
  private void drainUrgent() {
    for (Runnable task = urgent.poll(); task != null; task = urgent.poll()) {
      task.run();
    }
  }

  /**
   * Runs {@code read} on the logical thread (on the urgent lane if {@code urgent}) and returns its
   * answer, for callers on other threads (gRPC calls, metric scrapes, tests). Never waits for ever:
   * asked on the logical thread itself, which would wait for itself, it throws at once; and a
   * logical thread that does not answer within {@link #ANSWER_WAIT_MILLIS_MAX}, or a read that
   * throws, fails the caller instead of holding it (and its gRPC thread) for good.
   *
   * @param what what is read, for the message of a failure
   */
  public <T> T ask(String what, boolean urgent, java.util.function.Supplier<T> read) {
    if (onLogicalThread()) {
      throw new IllegalStateException(what + " of region " + config.region() + " was asked for on its runtime's"
          + " logical thread, which would wait for itself; read it from another thread or inside the task");
    }
    CompletableFuture<T> answer = new CompletableFuture<>();
    Runnable task = () -> {
      try {
        answer.complete(read.get());
      } catch (RuntimeException | Error error) {
        answer.completeExceptionally(error);
        throw error;
      }
    };
    if (urgent) {
      executeUrgent(task);
    } else {
      serial(task);
    }
    try {
      return answer.get(ANSWER_WAIT_MILLIS_MAX, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + what + " of region " + config.region(), e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the runtime of region " + config.region() + " did not answer for " + what
          + " within " + ANSWER_WAIT_MILLIS_MAX + " ms; its logical thread is stuck (take a thread dump)", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("reading " + what + " of region " + config.region() + " failed: "
          + e.getCause(), e.getCause());
    }
  }

  // Whether the calling thread is the one draining the logical thread's work right now.
  private boolean onLogicalThread() {
    try {
      context.throwIfNotInThisSynchronizationContext();
      return true;
    } catch (IllegalStateException elsewhere) {
      return false;
    }
  }

  private void serial(Runnable task) {
    context.execute(() -> {
      drainLanes();
      task.run();
    });
  }

  /**
   * Queues a transport input or bookkeeping task on the transport lane: in their own order, ahead
   * of the client requests queued on the logical thread (ADR 0041). A replica's acknowledgements
   * then reach the core when they arrive, not after every client batch queued before them: an
   * overloaded primary would otherwise see its replicas as far behind as its own queue is long,
   * and its backlog bound in time would refuse writes for the primary's own delay.
   */
  private void transport(Runnable task) {
    transportLane.add(task);
    context.execute(this::drainLanes);
  }

  // Runs on the logical thread, first thing in every task: urgent work, then transport work
  // (urgent work still goes first between transport tasks).
  private void drainLanes() {
    drainUrgent();
    for (Runnable task = transportLane.poll(); task != null; task = transportLane.poll()) {
      if (task instanceof BatchDelivery delivery) {
        stepBatch(delivery.from, foldFollowingBatches(delivery));
      } else {
        task.run();
      }
      drainUrgent();
    }
  }

  /**
   * Most changes one folded change batch carries (ADR 0055): one step's store append, tree updates
   * and acknowledgement at a replica stay bounded, as the quorum fold lane's steps are
   * ({@link #FOLDED_INPUTS_MAX}). A received batch larger than this is stepped alone.
   */
  static final int FOLDED_BATCH_CHANGES_MAX = FOLDED_INPUTS_MAX;

  /** A change batch of an async or sync dataset waiting on the transport lane (ADR 0055). */
  private final class BatchDelivery implements Runnable {
    final String from;
    final PeerMessage.ChangeBatch batch;

    BatchDelivery(String from, PeerMessage.ChangeBatch batch) {
      this.from = from;
      this.batch = batch;
    }

    @Override
    public void run() {
      stepBatch(from, batch);
    }
  }

  /**
   * Folds into {@code first} the change batches queued right behind it on the transport lane that
   * continue it: same sender, dataset and epoch, each starting where the previous one ended, up to
   * {@link #FOLDED_BATCH_CHANGES_MAX} changes (ADR 0055). The result is the batch the primary would
   * have sent had it shipped those changes together, so the core appends them once, updates its
   * tree once per change as before, and answers with one acknowledgement of the last. Only adjacent
   * lane entries fold: nothing overtakes a stream event, a hello or any other transport input, and
   * a gap, a resend or a batch from another stream ends the fold and is stepped on its own.
   */
  private PeerMessage.ChangeBatch foldFollowingBatches(BatchDelivery first) {
    PeerMessage.ChangeBatch last = first.batch;
    List<io.meridian.agent.core.storage.Change> changes = null;
    long headSequence = last.headSequence();
    long sentAtMillis = last.sentAtMillis();
    int size = last.changes().size();
    while (transportLane.peek() instanceof BatchDelivery next && continues(first.from, last, next)
        && size + next.batch.changes().size() <= FOLDED_BATCH_CHANGES_MAX) {
      transportLane.poll(); // The logical thread is the lane's only consumer: this is next.
      if (changes == null) {
        changes = new ArrayList<>(first.batch.changes());
      }
      changes.addAll(next.batch.changes());
      size += next.batch.changes().size();
      headSequence = Math.max(headSequence, next.batch.headSequence());
      sentAtMillis = Math.max(sentAtMillis, next.batch.sentAtMillis());
      last = next.batch;
    }
    if (changes == null) {
      return first.batch;
    }
    PeerMessage.ChangeBatch head = first.batch;
    return new PeerMessage.ChangeBatch(head.dataset(), head.epoch(), head.firstSequence(), last.lastSequence(),
        changes, headSequence, sentAtMillis);
  }

  // Whether next carries the changes right after previous from the same stream; a batch whose
  // sequences do not match its own changes is never folded, so the core judges it alone.
  private static boolean continues(String from, PeerMessage.ChangeBatch previous, BatchDelivery next) {
    PeerMessage.ChangeBatch batch = next.batch;
    return next.from.equals(from) && batch.dataset().equals(previous.dataset())
        && batch.epoch() == previous.epoch() && batch.firstSequence() == previous.lastSequence() + 1
        && !batch.changes().isEmpty() && batch.lastSequence() - batch.firstSequence() + 1 == batch.changes().size()
        && previous.lastSequence() - previous.firstSequence() + 1 == previous.changes().size();
  }

  private void stepBatch(String from, PeerMessage.ChangeBatch batch) {
    if (fatal == null && !stopped) {
      carryOut(node.step(wallClockMillis.getAsLong(), new Input.PeerMessageReceived(from, batch)));
    }
  }

  /**
   * Runs {@code task} on the runtime's logical thread (for the transport's bookkeeping), in order
   * with the inputs {@link #deliver} queued and ahead of queued client requests.
   */
  public void execute(Runnable task) {
    transport(task);
  }
}

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
  // Deadline-driven ticking (see startTicking); touched only on the logical thread.
  private ScheduledExecutorService tickScheduler;
  private long tickIntervalMillisMax;
  private ScheduledFuture<?> nextTick;
  private long nextTickAtMillis = Long.MAX_VALUE;
  private volatile Throwable fatal;
  // Set on the logical thread by stop(); afterwards no task touches the node or the store.
  private boolean stopped;

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
    this.context = new SynchronizationContext((thread, error) -> {
      // An invariant broke: the core's state can no longer be trusted. Stop replicating and
      // answer every client with the reason rather than serve possibly wrong data.
      log.error("{}: replication core failed; the agent stops serving", config.region(), error);
      if (fatal == null) {
        fatal = error;
        failPendingNow("region " + config.region() + " stopped after an internal error (" + error.getMessage()
            + "); the outcome is unknown. Restart the agent.");
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
    serial(() -> {
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
    } else {
      serial(step);
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
    if (tickScheduler == null || fatal != null) {
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
    CompletableFuture<List<DatasetStatus>> status = new CompletableFuture<>();
    serial(() -> status.complete(stopped ? List.of() : node.status(wallClockMillis.getAsLong())));
    if (externalDatasets.isEmpty()) {
      return status.join();
    }
    List<DatasetStatus> all = new ArrayList<>(status.join());
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
    CompletableFuture<List<io.meridian.agent.core.replication.FailoverView>> views = new CompletableFuture<>();
    serial(() -> views.complete(node.failoverViews(wallClockMillis.getAsLong())));
    return views.join();
  }

  /** How this region sees each peer (phi-accrual failure detector), read on the logical thread. */
  public java.util.Map<String, io.meridian.agent.core.health.RegionHealth> peerHealth() {
    CompletableFuture<java.util.Map<String, io.meridian.agent.core.health.RegionHealth>> health =
        new CompletableFuture<>();
    serial(() -> health.complete(node.peerHealth()));
    return health.join();
  }

  /** Hinted handoff counts of every quorum dataset, read on the logical thread. */
  public List<io.meridian.agent.core.replication.HintCounts> hintCounts() {
    CompletableFuture<List<io.meridian.agent.core.replication.HintCounts>> result = new CompletableFuture<>();
    serial(() -> result.complete(stopped ? List.of() : node.hintCounts()));
    return result.join();
  }

  /** The changes quarantined in {@code dataset}, by failover epoch, read on the logical thread. */
  public java.util.SortedMap<Long, List<io.meridian.agent.core.storage.Change>> quarantined(String dataset) {
    CompletableFuture<java.util.SortedMap<Long, List<io.meridian.agent.core.storage.Change>>> result =
        new CompletableFuture<>();
    serial(() -> result.complete(node.quarantined(dataset)));
    return result.join();
  }

  /**
   * Stops the runtime: every later input, tick and status request is refused or ignored, waiting
   * requests are failed, and then {@code afterStop} runs (closing the store), all on the logical
   * thread, so nothing can reach the store once it is closed. Waits at most {@code timeoutMillis}.
   */
  public void stop(Runnable afterStop, long timeoutMillis) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    serial(() -> {
      try {
        if (!stopped) {
          stopped = true;
          failPendingNow("region " + config.region() + " is shutting down; the outcome is unknown.");
          afterStop.run();
        }
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

  private void carryOut(Output output) {
    scheduleTick();
    if (output.isEmpty()) {
      return;
    }
    List<Output.Outbound> messages = output.messages();
    // A sync primary's batches leave before its own sync, so the replicas' copies and the local
    // one are made durable at the same time (ADR 0029); everything else waits for the sync.
    for (int i = 0; i < output.messagesBeforeSync(); i++) {
      sender.send(messages.get(i).to(), messages.get(i).message());
    }
    if (output.syncStoreFirst()) {
      store.sync();
    }
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

  private void serial(Runnable task) {
    context.execute(() -> {
      drainUrgent();
      task.run();
    });
  }

  /** Runs {@code task} on the runtime's logical thread (for the transport's bookkeeping). */
  public void execute(Runnable task) {
    serial(task);
  }
}

package io.meridian.agent.core.replication;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.LogRetention;
import io.meridian.agent.config.MultiPrimaryBounds;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.Invariants;
import io.meridian.agent.core.clock.HlcTimestamp;
import io.meridian.agent.core.clock.HybridLogicalClock;
import io.meridian.agent.core.health.HealthMonitor;
import io.meridian.agent.core.health.RegionHealth;
import io.meridian.agent.core.replication.ClientOperation.CompareAndSet;
import io.meridian.agent.core.replication.ClientOperation.Put;
import io.meridian.agent.core.replication.Input.ClientRequest;
import io.meridian.agent.core.replication.Input.PeerConnected;
import io.meridian.agent.core.replication.Input.PeerDisconnected;
import io.meridian.agent.core.replication.Input.PeerMessageReceived;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.ReplicaStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The replication state machine of one agent: every dataset the region replicates, sharing one
 * hybrid logical clock. Deterministic and single-threaded: the driver feeds it inputs and ticks
 * with the current time and carries out each returned {@link Output} in the order it documents.
 *
 * <p>The node reads and appends through its {@link ReplicaStore} directly (so a compare-and-set
 * sees the write before it), but nothing that depends on a write leaves the node before the
 * driver has synced the store when {@link Output#syncStoreFirst()} says so.
 *
 * <p>A new node recovers everything it needs from the store, which is how a restart works.
 */
public final class ReplicationNode {
  /** Least time between two residency reports about one peer and stream. */
  static final long RESIDENCY_REPORT_INTERVAL_MILLIS = 10_000;

  private final AgentConfig config;
  private final HybridLogicalClock clock;
  private final Map<String, DatasetEngine> datasets = new LinkedHashMap<>();
  // Stream (and store log) name to the engine: a dataset's own name, or for a multi-primary
  // dataset one name per region's log.
  private final Map<String, DatasetEngine> streams = new LinkedHashMap<>();
  private final Map<String, DatasetConfig> datasetOfStream = new LinkedHashMap<>();
  // Per peer and stream: refusals since the last report, and when that was.
  private final Map<String, long[]> residencyRefusals = new LinkedHashMap<>();
  private final HealthMonitor health;
  private final AntiEntropy antiEntropy;
  private long lastNowMillis;

  /**
   * Most keys per last-writer-wins quorum dataset whose newest version a node keeps in memory (ADR
   * 0057), so that holding a write needs no store read: about 140 bytes each, ≈ 18 MiB when full;
   * covers {@code meridian load}'s default 100,000 keys. {@code -Dmeridian.quorum.cachedKeysMax=N}
   * overrides it.
   */
  public static final int QUORUM_CACHED_KEYS_MAX = 131_072;

  /**
   * A node for {@code config.region()}, recovering from {@code store}.
   *
   * @param config this agent's configuration
   * @param store its durable state, possibly written by an earlier run
   * @param nowMillis the current wall-clock time
   */
  public ReplicationNode(AgentConfig config, ReplicaStore store, long nowMillis) {
    this(config, LogRetention.KEEP_ALL, store, nowMillis);
  }

  /**
   * A node for {@code config.region()} that truncates its single-primary datasets' logs as {@code
   * retention} says (multi-primary logs are kept whole: their merged state is rebuilt from them).
   */
  public ReplicationNode(AgentConfig config, LogRetention retention, ReplicaStore store, long nowMillis) {
    this(config, retention, store, nowMillis, io.meridian.agent.core.antientropy.AntiEntropySettings.ON_DEMAND);
  }

  /**
   * A node for {@code config.region()}, recovering from {@code store}, running anti-entropy (ADR
   * 0014) with {@code antiEntropySettings}.
   */
  public ReplicationNode(AgentConfig config, ReplicaStore durableStore, long nowMillis,
      io.meridian.agent.core.antientropy.AntiEntropySettings antiEntropySettings) {
    this(config, LogRetention.KEEP_ALL, durableStore, nowMillis, antiEntropySettings);
  }

  /**
   * A node for {@code config.region()}, recovering from {@code durableStore}, truncating logs as
   * {@code retention} says and running anti-entropy with {@code antiEntropySettings}.
   */
  public ReplicationNode(AgentConfig config, LogRetention retention, ReplicaStore durableStore, long nowMillis,
      io.meridian.agent.core.antientropy.AntiEntropySettings antiEntropySettings) {
    this(config, retention, durableStore, nowMillis, antiEntropySettings, MultiPrimaryBounds.fromSystemProperties());
  }

  /** As above, with the limits of multi-primary datasets (merged-state cache, pushback) given. */
  public ReplicationNode(AgentConfig config, LogRetention retention, ReplicaStore durableStore, long nowMillis,
      io.meridian.agent.core.antientropy.AntiEntropySettings antiEntropySettings, MultiPrimaryBounds multiPrimaryBounds) {
    this(config, retention, durableStore, nowMillis, antiEntropySettings, multiPrimaryBounds,
        Integer.getInteger("meridian.quorum.cachedKeysMax", QUORUM_CACHED_KEYS_MAX));
  }

  /**
   * As above, keeping the newest version of at most {@code quorumCachedKeysMax} keys per
   * last-writer-wins quorum dataset in memory (ADR 0057).
   */
  public ReplicationNode(AgentConfig config, LogRetention retention, ReplicaStore durableStore, long nowMillis,
      io.meridian.agent.core.antientropy.AntiEntropySettings antiEntropySettings, MultiPrimaryBounds multiPrimaryBounds,
      int quorumCachedKeysMax) {
    this.config = config;
    // Single-primary (async, sync) datasets keep a Merkle tree, maintained by every write through
    // this store; so do quorum datasets (ADR 0035), hashed without each replica's own log positions.
    // Consensus and multi-primary datasets converge through their logs.
    io.meridian.agent.core.antientropy.MerkleTrackingStore store =
        new io.meridian.agent.core.antientropy.MerkleTrackingStore(durableStore, config.datasets().stream()
            .filter(d -> d.mode() == ReplicationMode.ASYNC || d.mode() == ReplicationMode.SYNC).map(DatasetConfig::name)
            .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new)), config.datasets().stream()
            .filter(d -> d.mode() == ReplicationMode.QUORUM).map(DatasetConfig::name)
            .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new)), antiEntropySettings.depth());
    HlcTimestamp floor = HlcTimestamp.ZERO;
    for (String log : storeNames(config)) {
      long last = store.lastSequence(log);
      // A log emptied by a snapshot install has no newest entry; the next batch moves the clock.
      if (last > store.truncatedThrough(log)) {
        List<Change> newest = store.readLog(log, last, 1, Long.MAX_VALUE);
        Invariants.check(newest.size() == 1, "dataset %s: the log must hold its last sequence %d",
            log, last);
        HlcTimestamp stamp = newest.get(0).version().timestamp();
        floor = stamp.compareTo(floor) > 0 ? stamp : floor;
      }
    }
    this.clock = new HybridLogicalClock(floor);
    this.health = new HealthMonitor(HealthMonitor.DEFAULTS,
        config.peers().stream().map(io.meridian.agent.config.PeerConfig::region).toList());
    this.lastNowMillis = nowMillis;
    for (DatasetConfig dataset : config.datasets()) {
      if (dataset.mode() == ReplicationMode.MULTI_PRIMARY) {
        MultiPrimaryReplication engine = new MultiPrimaryReplication(config.region(), dataset, config.bounds(),
            multiPrimaryBounds, store, clock, nowMillis);
        datasets.put(dataset.name(), engine);
        for (String log : engine.logNames()) {
          streams.put(log, engine);
          datasetOfStream.put(log, dataset);
        }
      } else if (dataset.mode() == ReplicationMode.QUORUM) {
        QuorumReplication engine = new QuorumReplication(config.region(), dataset, config.bounds(), store, clock,
            quorumCachedKeysMax);
        datasets.put(dataset.name(), engine);
        for (String stream : engine.streamNames()) {
          streams.put(stream, engine);
          datasetOfStream.put(stream, dataset);
        }
      } else {
        DatasetReplication replication =
            new DatasetReplication(config.region(), dataset, config.bounds(), retention, store, clock, nowMillis);
        replication.detectStalledStreams(); // A stalled stream to the primary is closed and reopened (issue 4).
        DatasetEngine engine = adapt(replication);
        datasets.put(dataset.name(), engine);
        streams.put(dataset.name(), engine);
        datasetOfStream.put(dataset.name(), dataset);
      }
    }
    this.antiEntropy = new AntiEntropy(config.region(), antiEntropySettings, store, new AntiEntropy.Datasets() {
      @Override
      public Optional<String> authority(String dataset) {
        DatasetReplication replication = singlePrimary(dataset);
        return replication == null ? Optional.empty()
            : Optional.of(replication.failoverView(lastNowMillis).primary());
      }

      @Override
      public List<String> partners(String dataset) {
        DatasetConfig datasetConfig = config.dataset(dataset).orElse(null);
        if (datasetConfig != null && leaderless(dataset)) {
          return new java.util.TreeSet<>(datasetConfig.replicas()).stream().filter(r -> !r.equals(config.region()))
              .toList();
        }
        Optional<String> primary = authority(dataset);
        if (datasetConfig == null || primary.isEmpty()) {
          return List.of();
        }
        if (!primary.get().equals(config.region())) {
          return List.of(primary.get());
        }
        return datasetConfig.replicas().stream().filter(r -> !r.equals(config.region())).toList();
      }

      @Override
      public long backlog(String dataset, String peer) {
        if (datasets.get(dataset) instanceof QuorumReplication quorum) {
          return quorum.repairBacklog(peer);
        }
        DatasetReplication replication = singlePrimary(dataset);
        return replication == null ? -1 : replication.replicaBacklog(peer);
      }

      @Override
      public String self() {
        return config.region();
      }

      @Override
      public boolean leaderless(String dataset) {
        return datasets.get(dataset) instanceof QuorumReplication;
      }

      // Leaderless last-writer-wins datasets order states by version timestamp (ADR 0044).
      @Override
      public boolean newestWins(String dataset) {
        return leaderless(dataset) && config.dataset(dataset).map(d -> d.conflictResolution()
            != io.meridian.agent.config.ConflictResolution.VERSION_VECTOR).orElse(false);
      }

      // Version-vector quorum datasets collect tombstones against a floor (ADR 0044).
      @Override
      public boolean collectsTombstones(String dataset) {
        return leaderless(dataset) && !newestWins(dataset);
      }

      @Override
      public java.util.SortedMap<String, Long> collectionFloor(String dataset) {
        return ((QuorumReplication) datasets.get(dataset)).collectionFloor();
      }

      @Override
      public void raiseCollectionFloor(String dataset, Map<String, Long> floor, Output.Builder out) {
        ((QuorumReplication) datasets.get(dataset)).raiseCollectionFloor(floor, out);
      }

      // Leaderless: the lower region of each pair starts the periodic comparison (ADR 0035).
      @Override
      public List<String> initiates(String dataset) {
        if (!leaderless(dataset)) {
          return AntiEntropy.Datasets.super.initiates(dataset);
        }
        return partners(dataset).stream().filter(peer -> peer.compareTo(config.region()) > 0).toList();
      }

      @Override
      public String stream(String dataset, String initiator, String responder) {
        return leaderless(dataset) ? QuorumReplication.streamName(dataset, responder) : dataset;
      }

      @Override
      public String datasetOf(String stream) {
        DatasetConfig dataset = datasetOfStream.get(stream);
        return dataset == null ? stream : dataset.name();
      }

      @Override
      public io.meridian.agent.core.antientropy.RepairRule.Decision merge(long mergeNowMillis, String dataset,
          Bytes key, Optional<io.meridian.agent.core.storage.StoredValue> remote) {
        return ((QuorumReplication) datasets.get(dataset)).repair(mergeNowMillis, key, remote);
      }
    }, nowMillis, nowMillis);
  }

  /** A replication stream this region opens: to {@code peer}, named {@code stream}. */
  public record Upstream(String peer, String stream) {}

  /**
   * The streams a region opens: for a single-primary dataset one to its primary (unless it is
   * the primary); for a multi-primary dataset one to every other replica, for that replica's log.
   */
  public static List<Upstream> upstreams(AgentConfig config) {
    List<Upstream> result = new ArrayList<>();
    for (DatasetConfig dataset : config.datasets()) {
      if (dataset.mode() == ReplicationMode.MULTI_PRIMARY) {
        for (String origin : dataset.replicas()) {
          if (!origin.equals(config.region())) {
            result.add(new Upstream(origin, MultiPrimaryReplication.logName(dataset.name(), origin)));
          }
        }
      } else if (dataset.mode() == ReplicationMode.QUORUM) {
        // A quorum coordinator sends its requests to each other replica on a stream it opens.
        for (String replica : dataset.replicas()) {
          if (!replica.equals(config.region())) {
            result.add(new Upstream(replica, QuorumReplication.streamName(dataset.name(), replica)));
          }
        }
      } else if (!dataset.primary().equals(config.region())) {
        result.add(new Upstream(dataset.primary(), dataset.name()));
      }
    }
    return result;
  }

  /** The dataset logs a store must hold for {@code config}: one per dataset, one per region of a multi-primary one. */
  public static List<String> storeNames(AgentConfig config) {
    List<String> result = new ArrayList<>();
    for (DatasetConfig dataset : config.datasets()) {
      if (dataset.mode() == ReplicationMode.MULTI_PRIMARY) {
        for (String origin : dataset.replicas()) {
          result.add(MultiPrimaryReplication.logName(dataset.name(), origin));
        }
      } else {
        result.add(dataset.name());
      }
    }
    return result;
  }

  /**
   * The merged state of multi-primary {@code dataset}, tombstones collected, each key's state in
   * canonical bytes: replicas that applied the same writes return equal maps.
   */
  public NavigableMap<Bytes, byte[]> canonicalState(String dataset) {
    DatasetEngine engine = datasets.get(dataset);
    Invariants.check(engine instanceof MultiPrimaryReplication, "%s is not a multi-primary dataset", dataset);
    return ((MultiPrimaryReplication) engine).canonicalState();
  }

  private static DatasetEngine adapt(DatasetReplication replication) {
    return new SinglePrimary(replication);
  }

  /** A single-primary dataset ({@code async}, {@code sync}) as an engine. */
  private record SinglePrimary(DatasetReplication replication) implements DatasetEngine {
    @Override
    public Role role() {
      return replication.role();
    }

    @Override
    public void onClientRequest(long nowMillis, long requestId, ClientOperation operation, Output.Builder out) {
      replication.onClientRequest(nowMillis, requestId, operation, out);
    }

    @Override
    public void onPeerMessage(long nowMillis, String from, PeerMessage message, Output.Builder out) {
      replication.onPeerMessage(nowMillis, from, message, out);
    }

    @Override
    public void onTick(long nowMillis, Output.Builder out) {
      replication.onTick(nowMillis, out);
    }

    @Override
    public DatasetStatus status(long nowMillis) {
      return replication.status(nowMillis);
    }

    @Override
    public void flushStaged(Output.Builder out) {
      replication.flushStaged(out);
    }

    @Override
    public long nextDeadlineMillis(long nowMillis) {
      return replication.nextDeadlineMillis(nowMillis);
    }
  }

  /** This node's region. */
  public String region() {
    return config.region();
  }

  /** Handles one input at wall-clock time {@code nowMillis}. */
  public Output step(long nowMillis, Input input) {
    Output.Builder out = new Output.Builder();
    stepInto(monotonic(nowMillis), input, out);
    return finish(lastNowMillis, out);
  }

  /**
   * Handles several inputs as one step, so the driver syncs the store once for all of them
   * (group commit).
   */
  public Output stepAll(long nowMillis, List<Input> inputs) {
    Output.Builder out = new Output.Builder();
    long now = monotonic(nowMillis);
    for (Input input : inputs) {
      stepInto(now, input, out);
    }
    return finish(now, out);
  }

  // Writes of a step are appended together (one store append, one sync, one batch per follower);
  // then nothing leaves for a region outside a dataset's jurisdictions.
  private Output finish(long now, Output.Builder out) {
    for (DatasetEngine dataset : datasets.values()) {
      dataset.flushStaged(out);
    }
    enforceResidency(now, out);
    return out.build();
  }

  /** Lets time pass: flushes batches that waited long enough, resends, heartbeats, timeouts. */
  public Output tick(long nowMillis) {
    Output.Builder out = new Output.Builder();
    long now = monotonic(nowMillis);
    for (DatasetEngine dataset : datasets.values()) {
      dataset.onTick(now, out);
    }
    antiEntropy.onTick(now, out);
    for (HealthMonitor.Change change : health.evaluate(now)) {
      out.report(new ReplicationEvent.HealthChanged(change.peer(), change.from(), change.to(), change.phi()));
    }
    enforceResidency(now, out);
    return out.build();
  }

  /**
   * When the node next needs a {@link #tick}: the earliest deadline of any dataset (a batch
   * delay, a timeout, a heartbeat), or {@link Long#MAX_VALUE} when nothing waits for time. A
   * driver may tick later than this only at the cost of that deadline; ticking earlier is harmless.
   */
  public long nextTickAtMillis() {
    long due = Long.MAX_VALUE;
    for (DatasetEngine dataset : datasets.values()) {
      due = Math.min(due, dataset.nextDeadlineMillis(lastNowMillis));
    }
    due = Math.min(due, antiEntropy.nextDeadlineMillis());
    return due;
  }

  /** Replication state per dataset and peer, for status, the event stream and metrics. */
  public List<DatasetStatus> status(long nowMillis) {
    long now = Math.max(nowMillis, lastNowMillis);
    List<DatasetStatus> result = new ArrayList<>();
    for (DatasetEngine dataset : datasets.values()) {
      result.add(dataset.status(now));
    }
    return result;
  }

  /** Each dataset's failover view from this region (ADR 0009). */
  public List<FailoverView> failoverViews(long nowMillis) {
    long now = Math.max(nowMillis, lastNowMillis);
    List<FailoverView> result = new ArrayList<>();
    for (DatasetEngine dataset : datasets.values()) {
      if (dataset instanceof SinglePrimary) {
        result.add(single(dataset).failoverView(now));
      }
    }
    return result;
  }

  /** The changes quarantined here by failovers of {@code dataset}, by epoch; empty if none. */
  public SortedMap<Long, List<Change>> quarantined(String dataset) {
    DatasetReplication replication = singlePrimary(dataset);
    return replication == null ? new TreeMap<>() : replication.quarantined();
  }

  /** How this region sees each peer it has heard from (phi-accrual failure detector). */
  public Map<String, RegionHealth> peerHealth() {
    return health.health();
  }

  /** This region's role in {@code dataset}, if it replicates it. */
  public Optional<Role> role(String dataset) {
    return Optional.ofNullable(datasets.get(dataset)).map(DatasetEngine::role);
  }

  // The wall clock may step back; the core's notion of now never does.
  private long monotonic(long nowMillis) {
    lastNowMillis = Math.max(lastNowMillis, nowMillis);
    return lastNowMillis;
  }

  private void stepInto(long now, Input input, Output.Builder out) {
    if (input instanceof ClientRequest) {
      ClientRequest request = (ClientRequest) input;
      DatasetEngine dataset = datasets.get(request.dataset());
      if (dataset == null) {
        out.respond(request.requestId(), new ClientResult.Failed(Failure.NOT_FOUND, "dataset "
            + request.dataset() + " is not replicated in region " + config.region() + "; it has "
            + datasets.keySet() + "."));
        return;
      }
      ClientOperation operation = request.operation();
      if (operation instanceof ClientOperation.Tuned tuned) {
        Optional<ClientResult.Failed> badToken = checkSessionToken(request.dataset(), dataset, tuned.options());
        if (badToken.isPresent()) {
          out.respond(request.requestId(), badToken.get());
          return;
        }
      }
      if (operation instanceof ClientOperation.Tuned && !(dataset instanceof QuorumReplication)) {
        ClientOperation.Tuned tuned = (ClientOperation.Tuned) operation;
        Optional<ClientResult.Failed> refused = refuseOptions(request.dataset(), dataset, tuned);
        if (refused.isPresent()) {
          out.respond(request.requestId(), refused.get());
          return;
        }
        RequestOptions.ReadLevel level = tuned.options().consistency();
        boolean levelled = !tuned.isWrite() && level != RequestOptions.ReadLevel.DEFAULT
            && level != RequestOptions.ReadLevel.EVENTUAL;
        if (levelled && dataset instanceof MultiPrimaryReplication multiPrimary
            && tuned.options().session().isPresent()) {
          // Session reads: served once this region applied every origin's log as far as the token says.
          Optional<ClientResult.Failed> invalid = validate(config.bounds(), tuned.operation());
          if (invalid.isPresent()) {
            out.respond(request.requestId(), invalid.get());
            return;
          }
          multiPrimary.sessionRead(now, request.requestId(), tuned.key(),
              (SessionToken.OriginSequences) tuned.options().session().get().position(), out);
          return;
        }
        if (levelled && dataset instanceof MultiPrimaryReplication) {
          levelled = false; // A session read without a token: the session wrote nothing yet.
        }
        // Single-primary datasets serve read levels themselves (ADR 0021); everything else goes plain.
        operation = levelled ? tuned : tuned.operation();
      }
      ClientOperation plain = operation instanceof ClientOperation.Tuned
          ? ((ClientOperation.Tuned) operation).operation() : operation;
      Optional<ClientResult.Failed> invalid = validate(config.bounds(), plain);
      if (invalid.isPresent()) {
        out.respond(request.requestId(), invalid.get());
        return;
      }
      // Quorum datasets answer these themselves: version-vector ones take writes with a causal context.
      if (request.operation().isMultiPrimaryOnly() && !(dataset instanceof MultiPrimaryReplication)
          && !(dataset instanceof QuorumReplication)) {
        out.respond(request.requestId(), new ClientResult.Failed(Failure.FAILED_PRECONDITION, "dataset "
            + request.dataset() + " has a single primary; conflict-free data type operations and writes with a "
            + "causal context need a multi-primary dataset. Use put, get, delete or compare-and-set."));
        return;
      }
      dataset.onClientRequest(now, request.requestId(), operation, out);
    } else if (input instanceof PeerMessageReceived
        && AntiEntropy.handles(((PeerMessageReceived) input).message())) {
      PeerMessageReceived received = (PeerMessageReceived) input;
      health.heard(received.fromRegion(), now);
      antiEntropy.onMessage(now, received.fromRegion(), received.message(), out);
    } else if (input instanceof Input.RepairRequested) {
      Input.RepairRequested request = (Input.RepairRequested) input;
      antiEntropy.start(now, request.dataset(), request.peers(), out);
    } else if (input instanceof PeerMessageReceived) {
      PeerMessageReceived received = (PeerMessageReceived) input;
      health.heard(received.fromRegion(), now);
      DatasetEngine dataset = streams.get(received.message().dataset());
      if (dataset == null) {
        out.disconnect(received.fromRegion(), received.message().dataset(), "dataset "
            + received.message().dataset() + " is not replicated in region " + config.region());
        return;
      }
      dataset.onPeerMessage(now, received.fromRegion(), received.message(), out);
    } else if (input instanceof PeerConnected) {
      PeerConnected connected = (PeerConnected) input;
      DatasetEngine dataset = streams.get(connected.dataset());
      if (dataset instanceof MultiPrimaryReplication) {
        ((MultiPrimaryReplication) dataset).onConnected(now, connected.peer(), connected.dataset(), out);
      } else if (dataset instanceof QuorumReplication) {
        ((QuorumReplication) dataset).onConnected(connected.peer(), connected.dataset(), out);
      } else if (dataset != null) {
        single(dataset).onConnected(now, connected.peer(), out);
      }
    } else if (input instanceof PeerDisconnected) {
      PeerDisconnected disconnected = (PeerDisconnected) input;
      antiEntropy.onStreamClosed(now, disconnected.peer(), disconnected.dataset(), disconnected.reason(), out);
      DatasetEngine dataset = streams.get(disconnected.dataset());
      if (dataset instanceof MultiPrimaryReplication) {
        ((MultiPrimaryReplication) dataset).onDisconnected(disconnected.peer(), disconnected.dataset(),
            disconnected.reason(), out);
      } else if (dataset instanceof QuorumReplication) {
        ((QuorumReplication) dataset).onDisconnected(disconnected.peer(), disconnected.dataset(), out);
      } else if (dataset != null) {
        single(dataset).onDisconnected(disconnected.peer(), disconnected.reason(), out);
      }
    } else if (input instanceof Input.EpochDecided) {
      Input.EpochDecided decision = (Input.EpochDecided) input;
      DatasetReplication dataset = singlePrimary(decision.dataset());
      Invariants.check(dataset != null, "a decision for dataset %s, not a single-primary dataset of %s",
          decision.dataset(), config.region());
      dataset.onEpochDecided(now, decision, out);
    } else if (input instanceof Input.SwitchoverRequested) {
      Input.SwitchoverRequested request = (Input.SwitchoverRequested) input;
      DatasetReplication dataset = singlePrimary(request.dataset());
      if (dataset == null) {
        out.report(new ReplicationEvent.SwitchoverFailed(request.dataset(), request.target(), "dataset "
            + request.dataset() + " is not a single-primary dataset of region " + config.region()
            + " (a multi-primary dataset has no primary to switch); nothing changed."));
        return;
      }
      dataset.onSwitchoverRequested(now, request, out);
    } else if (input instanceof Input.SwitchoverAborted) {
      Input.SwitchoverAborted abort = (Input.SwitchoverAborted) input;
      DatasetReplication dataset = singlePrimary(abort.dataset());
      if (dataset != null) {
        dataset.onSwitchoverAborted(abort, out);
      }
    } else if (input instanceof Input.ReleaseRetracted) {
      Input.ReleaseRetracted retracted = (Input.ReleaseRetracted) input;
      DatasetReplication dataset = singlePrimary(retracted.dataset());
      if (dataset != null) {
        dataset.onReleaseRetracted(now, retracted);
      }
    } else {
      throw new IllegalArgumentException("unknown input " + input);
    }
  }

  private static DatasetReplication single(DatasetEngine engine) {
    return ((SinglePrimary) engine).replication();
  }

  // The single-primary dataset of that name, or null (unknown, or multi-primary).
  private DatasetReplication singlePrimary(String dataset) {
    DatasetEngine engine = datasets.get(dataset);
    return engine instanceof SinglePrimary ? single(engine) : null;
  }

  /**
   * Residency, enforced on the way out whatever the configuration's placement says: data of a
   * dataset (change batches, forwarded writes and their answers) is never sent to a peer outside
   * the dataset's allowed jurisdictions. Each refusal is reported.
   */
  private void enforceResidency(long nowMillis, Output.Builder out) {
    List<ReplicationEvent> refusals = new ArrayList<>();
    out.refuseMessages(outbound -> {
      PeerMessage message = outbound.message();
      boolean carriesData = message instanceof PeerMessage.ChangeBatch
          || message instanceof PeerMessage.ForwardRequest || message instanceof PeerMessage.ForwardResponse
          || message instanceof PeerMessage.SnapshotChunk
          || message instanceof PeerMessage.QuorumWrite || message instanceof PeerMessage.QuorumReadReply
          || message instanceof PeerMessage.KeyDigests || message instanceof PeerMessage.RepairEntries;
      if (!carriesData) {
        return false;
      }
      DatasetConfig dataset = datasetOfStream.get(message.dataset());
      if (dataset == null || dataset.allowedJurisdictions().isEmpty()) {
        return false;
      }
      String jurisdiction = config.peer(outbound.to()).map(PeerConfig::jurisdiction).orElse(null);
      if (dataset.allowsJurisdiction(jurisdiction)) {
        return false;
      }
      // A refused batch is retransmitted until the configuration changes: report the first refusal
      // at once and the rest in one event per interval, with their count.
      long[] counts = residencyRefusals.computeIfAbsent(outbound.to() + "/" + message.dataset(),
          k -> new long[] {0, Long.MIN_VALUE});
      counts[0]++;
      if (counts[1] == Long.MIN_VALUE || nowMillis - counts[1] >= RESIDENCY_REPORT_INTERVAL_MILLIS) {
        refusals.add(new ReplicationEvent.ResidencyRefused(outbound.to(), dataset.name(),
            jurisdiction == null ? "unknown" : jurisdiction, dataset.allowedJurisdictions(),
            message.getClass().getSimpleName(), counts[0]));
        counts[0] = 0;
        counts[1] = nowMillis;
      }
      return true;
    });
    refusals.forEach(out::report);
  }

  /**
   * Why per-request options cannot be honoured by a dataset that is not leaderless, if they cannot:
   * replica counts belong to quorum datasets, and read levels beyond eventual are refused with the
   * level that would work, never downgraded.
   */
  private Optional<ClientResult.Failed> refuseOptions(String name, DatasetEngine dataset, ClientOperation.Tuned tuned) {
    RequestOptions options = tuned.options();
    String mode = modeOf(name, dataset).name().toLowerCase().replace('_', '-');
    if (options.replicas() != RequestOptions.ReplicaCount.DEFAULT) {
      return Optional.of(new ClientResult.Failed(Failure.FAILED_PRECONDITION, "dataset " + name + " is " + mode
          + ": a replica count (" + options.replicas().name().toLowerCase().replace('_', '-') + ") applies to quorum"
          + " datasets only; send the request without one."));
    }
    RequestOptions.ReadLevel level = options.consistency();
    if (tuned.isWrite() || ReadLevelRules.serves(modeOf(name, dataset), level)) {
      return Optional.empty();
    }
    return Optional.of(new ClientResult.Failed(Failure.FAILED_PRECONDITION, "dataset " + name + " cannot serve "
        + ReadLevelRules.levelName(level) + " reads: " + ReadLevelRules.whyNot(modeOf(name, dataset), level)));
  }

  // From the configuration, not the engine's status (which reads the store for lag): this runs per request.
  private ReplicationMode modeOf(String name, DatasetEngine dataset) {
    if (dataset instanceof MultiPrimaryReplication) {
      return ReplicationMode.MULTI_PRIMARY;
    }
    if (dataset instanceof QuorumReplication) {
      return ReplicationMode.QUORUM;
    }
    return datasetOfStream.get(name).mode();
  }

  /**
   * Why a session token cannot be used with this dataset, if it cannot: it names another dataset,
   * or it was issued by a dataset of another mode (its position is of another kind).
   */
  private Optional<ClientResult.Failed> checkSessionToken(String name, DatasetEngine dataset, RequestOptions options) {
    if (options.session().isEmpty()) {
      return Optional.empty();
    }
    SessionToken token = options.session().get();
    if (!token.dataset().equals(name)) {
      return Optional.of(new ClientResult.Failed(Failure.INVALID_ARGUMENT, "the session token belongs to dataset "
          + token.dataset() + ", not " + name + "; pass the token a write to " + name + " returned."));
    }
    ReplicationMode mode = modeOf(name, dataset);
    Class<?> expected = switch (mode) {
      case ASYNC, SYNC -> SessionToken.LogPosition.class;
      case MULTI_PRIMARY -> SessionToken.OriginSequences.class;
      case QUORUM -> SessionToken.ClockPosition.class;
      case CONSENSUS -> SessionToken.RaftIndex.class;
    };
    if (!expected.isInstance(token.position())) {
      return Optional.of(new ClientResult.Failed(Failure.INVALID_ARGUMENT, "the session token of dataset " + name
          + " was issued when it had another replication mode (it holds a " + token.position().getClass()
          .getSimpleName() + "); it is " + mode.name().toLowerCase().replace('_', '-') + " now. Read without the"
          + " token once, then use the tokens new writes return."));
    }
    return Optional.empty();
  }

  /** Hint counts of every quorum dataset, per target replica, for metrics. */
  public List<HintCounts> hintCounts() {
    List<HintCounts> result = new ArrayList<>();
    for (DatasetEngine dataset : datasets.values()) {
      if (dataset instanceof QuorumReplication) {
        result.addAll(((QuorumReplication) dataset).hintCounts());
      }
    }
    return result;
  }

  /** Why a client operation is malformed, if it is. */
  static Optional<ClientResult.Failed> validate(ReplicationBounds bounds, ClientOperation operation) {
    int keyBytes = operation.key().size();
    if (keyBytes == 0) {
      return Optional.of(new ClientResult.Failed(Failure.INVALID_ARGUMENT, "the key is empty; give a key of 1 to "
          + bounds.keyBytesMax() + " bytes."));
    }
    if (keyBytes > bounds.keyBytesMax()) {
      return Optional.of(new ClientResult.Failed(Failure.INVALID_ARGUMENT, "the key is " + keyBytes
          + " bytes; the limit is " + bounds.keyBytesMax() + " bytes."));
    }
    int valueBytes = 0;
    if (operation instanceof Put) {
      valueBytes = ((Put) operation).value().size();
    } else if (operation instanceof CompareAndSet) {
      valueBytes = ((CompareAndSet) operation).newValue().size();
    } else if (operation instanceof ClientOperation.ContextualWrite) {
      valueBytes = ((ClientOperation.ContextualWrite) operation).value().map(Bytes::size).orElse(0);
    } else if (operation instanceof ClientOperation.AddElement) {
      valueBytes = ((ClientOperation.AddElement) operation).element().size();
    } else if (operation instanceof ClientOperation.RemoveElement) {
      valueBytes = ((ClientOperation.RemoveElement) operation).element().size();
    } else if (operation instanceof ClientOperation.PutEntry) {
      ClientOperation.PutEntry entry = (ClientOperation.PutEntry) operation;
      valueBytes = entry.field().size() + entry.value().size();
    } else if (operation instanceof ClientOperation.RemoveEntry) {
      valueBytes = ((ClientOperation.RemoveEntry) operation).field().size();
    }
    if (valueBytes > bounds.valueBytesMax()) {
      return Optional.of(new ClientResult.Failed(Failure.INVALID_ARGUMENT, "the value is " + valueBytes
          + " bytes; the limit is " + bounds.valueBytesMax() + " bytes."));
    }
    return Optional.empty();
  }
}

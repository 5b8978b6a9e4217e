package io.meridian.agent.core.replication;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.ReplicationBounds;
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
  private final AgentConfig config;
  private final HybridLogicalClock clock;
  private final Map<String, DatasetReplication> datasets = new LinkedHashMap<>();
  private final HealthMonitor health;
  private long lastNowMillis;

  /**
   * A node for {@code config.region()}, recovering from {@code store}.
   *
   * @param config this agent's configuration
   * @param store its durable state, possibly written by an earlier run
   * @param nowMillis the current wall-clock time
   */
  public ReplicationNode(AgentConfig config, ReplicaStore store, long nowMillis) {
    this.config = config;
    HlcTimestamp floor = HlcTimestamp.ZERO;
    for (DatasetConfig dataset : config.datasets()) {
      long last = store.lastSequence(dataset.name());
      if (last > 0) {
        List<Change> newest = store.readLog(dataset.name(), last, 1, Long.MAX_VALUE);
        Invariants.check(newest.size() == 1, "dataset %s: the log must hold its last sequence %d",
            dataset.name(), last);
        HlcTimestamp stamp = newest.get(0).version().timestamp();
        floor = stamp.compareTo(floor) > 0 ? stamp : floor;
      }
    }
    this.clock = new HybridLogicalClock(floor);
    this.health = new HealthMonitor(HealthMonitor.DEFAULTS,
        config.peers().stream().map(io.meridian.agent.config.PeerConfig::region).toList());
    this.lastNowMillis = nowMillis;
    for (DatasetConfig dataset : config.datasets()) {
      datasets.put(dataset.name(),
          new DatasetReplication(config.region(), dataset, config.bounds(), store, clock, nowMillis));
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
    return out.build();
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
    return out.build();
  }

  /** Lets time pass: flushes batches that waited long enough, resends, heartbeats, timeouts. */
  public Output tick(long nowMillis) {
    Output.Builder out = new Output.Builder();
    long now = monotonic(nowMillis);
    for (DatasetReplication dataset : datasets.values()) {
      dataset.onTick(now, out);
    }
    for (HealthMonitor.Change change : health.evaluate(now)) {
      out.report(new ReplicationEvent.HealthChanged(change.peer(), change.from(), change.to(), change.phi()));
    }
    return out.build();
  }

  /** Replication state per dataset and peer, for status, the event stream and metrics. */
  public List<DatasetStatus> status(long nowMillis) {
    long now = Math.max(nowMillis, lastNowMillis);
    List<DatasetStatus> result = new ArrayList<>();
    for (DatasetReplication dataset : datasets.values()) {
      result.add(dataset.status(now));
    }
    return result;
  }

  /** Each dataset's failover view from this region (ADR 0009). */
  public List<FailoverView> failoverViews(long nowMillis) {
    long now = Math.max(nowMillis, lastNowMillis);
    List<FailoverView> result = new ArrayList<>();
    for (DatasetReplication dataset : datasets.values()) {
      result.add(dataset.failoverView(now));
    }
    return result;
  }

  /** The changes quarantined here by failovers of {@code dataset}, by epoch; empty if none. */
  public SortedMap<Long, List<Change>> quarantined(String dataset) {
    DatasetReplication replication = datasets.get(dataset);
    return replication == null ? new TreeMap<>() : replication.quarantined();
  }

  /** How this region sees each peer it has heard from (phi-accrual failure detector). */
  public Map<String, RegionHealth> peerHealth() {
    return health.health();
  }

  /** This region's role in {@code dataset}, if it replicates it. */
  public Optional<Role> role(String dataset) {
    return Optional.ofNullable(datasets.get(dataset)).map(DatasetReplication::role);
  }

  // The wall clock may step back; the core's notion of now never does.
  private long monotonic(long nowMillis) {
    lastNowMillis = Math.max(lastNowMillis, nowMillis);
    return lastNowMillis;
  }

  private void stepInto(long now, Input input, Output.Builder out) {
    if (input instanceof ClientRequest) {
      ClientRequest request = (ClientRequest) input;
      DatasetReplication dataset = datasets.get(request.dataset());
      if (dataset == null) {
        out.respond(request.requestId(), new ClientResult.Failed(Failure.NOT_FOUND, "dataset "
            + request.dataset() + " is not replicated in region " + config.region() + "; it has "
            + datasets.keySet() + "."));
        return;
      }
      Optional<ClientResult.Failed> invalid = validate(config.bounds(), request.operation());
      if (invalid.isPresent()) {
        out.respond(request.requestId(), invalid.get());
        return;
      }
      dataset.onClientRequest(now, request.requestId(), request.operation(), out);
    } else if (input instanceof PeerMessageReceived) {
      PeerMessageReceived received = (PeerMessageReceived) input;
      health.heard(received.fromRegion(), now);
      DatasetReplication dataset = datasets.get(received.message().dataset());
      if (dataset == null) {
        out.disconnect(received.fromRegion(), received.message().dataset(), "dataset "
            + received.message().dataset() + " is not replicated in region " + config.region());
        return;
      }
      dataset.onPeerMessage(now, received.fromRegion(), received.message(), out);
    } else if (input instanceof PeerConnected) {
      PeerConnected connected = (PeerConnected) input;
      DatasetReplication dataset = datasets.get(connected.dataset());
      if (dataset != null) {
        dataset.onConnected(now, connected.peer(), out);
      }
    } else if (input instanceof PeerDisconnected) {
      PeerDisconnected disconnected = (PeerDisconnected) input;
      DatasetReplication dataset = datasets.get(disconnected.dataset());
      if (dataset != null) {
        dataset.onDisconnected(disconnected.peer(), disconnected.reason(), out);
      }
    } else if (input instanceof Input.EpochDecided) {
      Input.EpochDecided decision = (Input.EpochDecided) input;
      DatasetReplication dataset = datasets.get(decision.dataset());
      Invariants.check(dataset != null, "a decision for dataset %s, not replicated in %s",
          decision.dataset(), config.region());
      dataset.onEpochDecided(now, decision, out);
    } else if (input instanceof Input.SwitchoverRequested) {
      Input.SwitchoverRequested request = (Input.SwitchoverRequested) input;
      DatasetReplication dataset = datasets.get(request.dataset());
      if (dataset == null) {
        out.report(new ReplicationEvent.SwitchoverFailed(request.dataset(), request.target(), "dataset "
            + request.dataset() + " is not replicated in region " + config.region() + "; nothing changed."));
        return;
      }
      dataset.onSwitchoverRequested(now, request, out);
    } else if (input instanceof Input.SwitchoverAborted) {
      Input.SwitchoverAborted abort = (Input.SwitchoverAborted) input;
      DatasetReplication dataset = datasets.get(abort.dataset());
      if (dataset != null) {
        dataset.onSwitchoverAborted(abort, out);
      }
    } else {
      throw new IllegalArgumentException("unknown input " + input);
    }
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
    }
    if (valueBytes > bounds.valueBytesMax()) {
      return Optional.of(new ClientResult.Failed(Failure.INVALID_ARGUMENT, "the value is " + valueBytes
          + " bytes; the limit is " + bounds.valueBytesMax() + " bytes."));
    }
    return Optional.empty();
  }
}

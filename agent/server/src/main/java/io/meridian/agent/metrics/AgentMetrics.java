package io.meridian.agent.metrics;

import io.meridian.agent.core.health.RegionHealth;
import io.meridian.agent.core.replication.DatasetStatus;
import io.meridian.agent.core.replication.PeerLinkStatus;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.replication.Role;
import io.meridian.agent.runtime.AgentRuntime;
import io.meridian.agent.transport.RequestMetrics;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Registers an agent's metrics. Replication figures are read from the runtime's status at scrape
 * time, so nothing is counted twice and the core stays free of metrics code.
 *
 * <p>Each link is labelled by the direction changes flow: {@code source} is the dataset's primary,
 * {@code target} the replica, whichever of the two agents reports it.
 */
public final class AgentMetrics implements RequestMetrics {
  /** Upper bounds of the request latency histogram, in seconds. */
  static final double[] REQUEST_SECONDS_BOUNDS = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private final Histogram requests;
  private final Map<String, Map<String, Map<String, DistributionDataPoint>>> dataPoints = new ConcurrentHashMap<>();

  private AgentMetrics(Histogram requests) {
    this.requests = requests;
  }

  /**
   * Registers the metrics of {@code runtime} in {@code registry}.
   *
   * @param storageBytes the store's approximate size on disk
   * @return the request recorder to hand to the KV service
   */
  public static AgentMetrics register(PrometheusRegistry registry, AgentRuntime runtime, LongSupplier storageBytes) {
    String self = runtime.config().region();
    String[] linkLabels = {"source", "target", "dataset"};
    GaugeWithCallback.builder()
        .name("meridian_replication_lag_seconds")
        .help("Now minus the commit time of the newest change known applied at the target")
        .unit(Unit.SECONDS)
        .labelNames(linkLabels)
        .callback(callback -> forEachLink(runtime, self, (link, labels) -> {
          if (link.lagMillis() >= 0) {
            callback.call(link.lagMillis() / 1000.0, labels);
          }
        }))
        .register(registry);
    GaugeWithCallback.builder()
        .name("meridian_replication_lag_versions")
        .help("Changes committed at the source and not yet applied at the target")
        .labelNames(linkLabels)
        .callback(callback -> forEachLink(runtime, self, (link, labels) -> callback.call(link.lagVersions(), labels)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("meridian_replication_pending_changes")
        .help("Changes not yet sent (at the source) or known and not yet applied (at the target)")
        .labelNames(linkLabels)
        .callback(callback -> forEachLink(runtime, self, (link, labels) -> callback.call(link.pendingChanges(), labels)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("meridian_peer_connected")
        .help("1 while the replication stream between source and target is open")
        .labelNames(linkLabels)
        .callback(callback -> forEachLink(runtime, self,
            (link, labels) -> callback.call(link.connected() ? 1 : 0, labels)))
        .register(registry);
    CounterWithCallback.builder()
        .name("meridian_replicated_changes_total")
        .help("Changes shipped from source to target as seen by this agent (resends included at the source)")
        .labelNames(linkLabels)
        .callback(callback -> forEachLink(runtime, self,
            (link, labels) -> callback.call(link.changesIn() + link.changesOut(), labels)))
        .register(registry);
    CounterWithCallback.builder()
        .name("meridian_replicated_bytes_total")
        .help("Estimated bytes of changes shipped from source to target as seen by this agent")
        .unit(Unit.BYTES)
        .labelNames(linkLabels)
        .callback(callback -> forEachLink(runtime, self,
            (link, labels) -> callback.call(link.bytesIn() + link.bytesOut(), labels)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("meridian_storage_size_bytes")
        .help("Approximate size of the agent's store")
        .unit(Unit.BYTES)
        .callback(callback -> callback.call(Math.max(0, storageBytes.getAsLong())))
        .register(registry);
    Histogram requests = Histogram.builder()
        .name("meridian_requests_seconds")
        .help("Client requests from arrival to answer, by operation, dataset and outcome")
        .unit(Unit.SECONDS)
        .labelNames("operation", "dataset", "outcome")
        .classicOnly()
        .classicUpperBounds(REQUEST_SECONDS_BOUNDS)
        .register(registry);
    registerMultiPrimary(registry, runtime);
    registerFailover(registry, runtime);
    registerHints(registry, runtime);
    registerRepair(registry, runtime);
    registerSnapshots(registry, runtime);
    return new AgentMetrics(requests);
  }

  /** Counters of multi-primary events, fed by the runtime's event listener. */
  private static void registerMultiPrimary(PrometheusRegistry registry, AgentRuntime runtime) {
    String self = runtime.config().region();
    Counter conflicts = Counter.builder()
        .name("meridian_conflicts_total")
        .help("Conflicts between concurrent writes detected at this agent, by dataset and resolution rule")
        .labelNames("dataset", "rule")
        .register(registry);
    Counter skews = Counter.builder()
        .name("meridian_clock_skew_reports_total")
        .help("Writes from source whose timestamp was further ahead of this agent's clock than the tolerance")
        .labelNames("source", "dataset")
        .register(registry);
    Counter refusals = Counter.builder()
        .name("meridian_residency_refusals_total")
        .help("Messages carrying a dataset's data not sent to a target outside its allowed jurisdictions")
        .labelNames("source", "target", "dataset")
        .register(registry);
    Counter truncations = Counter.builder()
        .name("meridian_siblings_truncated_total")
        .help("Writes that also replaced the oldest siblings of a version-vector key to stay within the bound")
        .labelNames("dataset")
        .register(registry);
    runtime.addListener(event -> {
      if (event instanceof ReplicationEvent.Conflict) {
        ReplicationEvent.Conflict conflict = (ReplicationEvent.Conflict) event;
        conflicts.labelValues(conflict.dataset(), conflict.rule().policyName()).inc();
      } else if (event instanceof ReplicationEvent.ClockSkew) {
        ReplicationEvent.ClockSkew skew = (ReplicationEvent.ClockSkew) event;
        skews.labelValues(skew.peer(), skew.dataset()).inc();
      } else if (event instanceof ReplicationEvent.ResidencyRefused) {
        ReplicationEvent.ResidencyRefused refused = (ReplicationEvent.ResidencyRefused) event;
        refusals.labelValues(self, refused.peer(), refused.dataset()).inc(refused.refusals());
      } else if (event instanceof ReplicationEvent.SiblingsTruncated) {
        truncations.labelValues(((ReplicationEvent.SiblingsTruncated) event).dataset()).inc();
      }
    });
  }

  /** Hinted handoff of quorum datasets, read from the runtime at scrape time. */
  private static void registerHints(PrometheusRegistry registry, AgentRuntime runtime) {
    String self = runtime.config().region();
    String[] labels = {"source", "target", "dataset"};
    CounterWithCallback.builder()
        .name("meridian_hints_stored_total")
        .help("Writes kept as hints at source (the coordinator) because target was unreachable or did not answer")
        .labelNames(labels)
        .callback(callback -> runtime.hintCounts().forEach(
            hint -> callback.call(hint.stored(), self, hint.target(), hint.dataset())))
        .register(registry);
    CounterWithCallback.builder()
        .name("meridian_hints_delivered_total")
        .help("Hints target acknowledged after coming back")
        .labelNames(labels)
        .callback(callback -> runtime.hintCounts().forEach(
            hint -> callback.call(hint.delivered(), self, hint.target(), hint.dataset())))
        .register(registry);
    CounterWithCallback.builder()
        .name("meridian_hints_dropped_total")
        .help("Hints not kept because the per-replica bound was reached (anti-entropy repairs what they carried)")
        .labelNames(labels)
        .callback(callback -> runtime.hintCounts().forEach(
            hint -> callback.call(hint.dropped(), self, hint.target(), hint.dataset())))
        .register(registry);
    GaugeWithCallback.builder()
        .name("meridian_hints")
        .help("Hints kept now at source for target")
        .labelNames(labels)
        .callback(callback -> runtime.hintCounts().forEach(
            hint -> callback.call(hint.kept(), self, hint.target(), hint.dataset())))
        .register(registry);
  }

  /** Snapshot catch-up after log truncation (ADR 0017), counted from the runtime's events. */
  private static void registerSnapshots(PrometheusRegistry registry, AgentRuntime runtime) {
    String self = runtime.config().region();
    Counter started = Counter.builder()
        .name("meridian_snapshots_started_total")
        .help("Snapshots of a dataset's state the source began sending to a target whose position its log no"
            + " longer held")
        .labelNames("source", "target", "dataset")
        .register(registry);
    Counter installed = Counter.builder()
        .name("meridian_snapshots_installed_total")
        .help("Snapshots from the source installed at the target (this agent)")
        .labelNames("source", "target", "dataset")
        .register(registry);
    runtime.addListener(event -> {
      if (event instanceof ReplicationEvent.SnapshotStarted) {
        ReplicationEvent.SnapshotStarted snapshot = (ReplicationEvent.SnapshotStarted) event;
        started.labelValues(self, snapshot.peer(), snapshot.dataset()).inc();
      } else if (event instanceof ReplicationEvent.SnapshotInstalled) {
        ReplicationEvent.SnapshotInstalled snapshot = (ReplicationEvent.SnapshotInstalled) event;
        installed.labelValues(snapshot.peer(), self, snapshot.dataset()).inc();
      }
    });
  }

  /**
   * Failure detection and failover: peer health read at scrape time, failovers and quarantined
   * writes counted from the runtime's events, and the write lease as last reported.
   */
  private static void registerFailover(PrometheusRegistry registry, AgentRuntime runtime) {
    String self = runtime.config().region();
    GaugeWithCallback.builder()
        .name("meridian_peer_health")
        .help("How source sees target (phi-accrual failure detector): 0 healthy, 1 suspect, 2 down")
        .labelNames("source", "target")
        .callback(callback -> runtime.peerHealth().forEach(
            (peer, health) -> callback.call(healthValue(health), self, peer)))
        .register(registry);
    Counter failovers = Counter.builder()
        .name("meridian_failovers_total")
        .help("Failover decisions (new epochs) this agent applied, by dataset and new primary")
        .labelNames("dataset", "primary")
        .register(registry);
    Counter quarantined = Counter.builder()
        .name("meridian_quarantined_writes_total")
        .help("Writes this agent held that the new primary lacked, moved to the quarantine on rejoin")
        .labelNames("dataset")
        .register(registry);
    Map<String, Boolean> leases = new ConcurrentHashMap<>();
    GaugeWithCallback.builder()
        .name("meridian_primary_lease_held")
        .help("1 while this agent, as primary of a dataset with automatic failover, holds the write lease")
        .labelNames("dataset")
        .callback(callback -> leases.forEach((dataset, held) -> callback.call(held ? 1 : 0, dataset)))
        .register(registry);
    runtime.addListener(event -> {
      if (event instanceof ReplicationEvent.PrimaryChanged changed) {
        failovers.labelValues(changed.dataset(), changed.primary()).inc();
        // Applying a decision drops the lease (ADR 0009); no LeaseChanged event says so.
        leases.computeIfPresent(changed.dataset(), (dataset, held) -> false);
      } else if (event instanceof ReplicationEvent.WritesQuarantined writes) {
        quarantined.labelValues(writes.dataset()).inc(writes.count());
      } else if (event instanceof ReplicationEvent.LeaseChanged lease) {
        leases.put(lease.dataset(), lease.held());
      }
    });
  }

  /**
   * Anti-entropy (ADR 0014), counted at the region that started each session: {@code source} is
   * that region, {@code target} the peer it compared with.
   */
  private static void registerRepair(PrometheusRegistry registry, AgentRuntime runtime) {
    String self = runtime.config().region();
    String[] labels = {"source", "target", "dataset"};
    Counter ranges = Counter.builder()
        .name("meridian_repair_ranges_compared_total")
        .help("Merkle tree nodes (key-hash ranges) compared by anti-entropy sessions")
        .labelNames(labels)
        .register(registry);
    Counter keys = Counter.builder()
        .name("meridian_repair_keys_repaired_total")
        .help("Keys whose state anti-entropy replaced because it differed from the source of truth")
        .labelNames(labels)
        .register(registry);
    Counter bytes = Counter.builder()
        .name("meridian_repair_bytes_sent_total")
        .help("Estimated bytes of anti-entropy messages exchanged, both ways")
        .unit(Unit.BYTES)
        .labelNames(labels)
        .register(registry);
    Counter sessions = Counter.builder()
        .name("meridian_repair_sessions_total")
        .help("Anti-entropy sessions that ended, by outcome (ok or failed)")
        .labelNames("source", "target", "dataset", "outcome")
        .register(registry);
    runtime.addListener(event -> {
      if (event instanceof ReplicationEvent.RepairFinished done) {
        ranges.labelValues(self, done.peer(), done.dataset()).inc(done.rangesCompared());
        keys.labelValues(self, done.peer(), done.dataset()).inc(done.keysRepaired());
        bytes.labelValues(self, done.peer(), done.dataset()).inc(done.bytesSent());
        sessions.labelValues(self, done.peer(), done.dataset(), done.error().isEmpty() ? "ok" : "failed").inc();
      }
    });
  }

  /** The documented gauge value of a health, independent of the enum's order. */
  static int healthValue(RegionHealth health) {
    return switch (health) {
      case HEALTHY -> 0;
      case SUSPECT -> 1;
      case DOWN -> 2;
    };
  }

  private interface LinkVisitor {
    void visit(PeerLinkStatus link, String... labels);
  }

  private static void forEachLink(AgentRuntime runtime, String self, LinkVisitor visitor) {
    List<DatasetStatus> statuses = runtime.status();
    for (DatasetStatus status : statuses) {
      for (PeerLinkStatus link : status.peers()) {
        boolean primary = status.role() == Role.PRIMARY;
        String source = primary ? self : link.peer();
        String target = primary ? link.peer() : self;
        visitor.visit(link, source, target, status.dataset());
      }
    }
  }

  @Override
  public void observe(String operation, String dataset, String outcome, double seconds) {
    // Looked up once per label set: batched puts report here once per put, and the client
    // library's own lookup builds a label array each time.
    dataPoints.computeIfAbsent(operation, unused -> new ConcurrentHashMap<>())
        .computeIfAbsent(dataset, unused -> new ConcurrentHashMap<>())
        .computeIfAbsent(outcome, unused -> requests.labelValues(operation, dataset, outcome))
        .observe(seconds);
  }
}

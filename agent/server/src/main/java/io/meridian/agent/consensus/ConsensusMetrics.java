package io.meridian.agent.consensus;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Consensus metrics: {@code meridian_consensus_leader_changes_total{dataset}} (leader changes this
 * member saw) and {@code meridian_consensus_leader{dataset,leader}} (1 for the region this member
 * believes leads; 0 rows are not kept).
 */
public final class ConsensusMetrics {
  private final Counter leaderChanges;
  private final Map<String, String> leaders = new ConcurrentHashMap<>();

  private ConsensusMetrics(Counter leaderChanges) {
    this.leaderChanges = leaderChanges;
  }

  /** Registers the consensus metrics in {@code registry}. */
  public static ConsensusMetrics register(PrometheusRegistry registry) {
    Counter changes = Counter.builder()
        .name("meridian_consensus_leader_changes_total")
        .help("Raft leader changes of a consensus dataset seen by this member")
        .labelNames("dataset")
        .register(registry);
    ConsensusMetrics metrics = new ConsensusMetrics(changes);
    GaugeWithCallback.builder()
        .name("meridian_consensus_leader")
        .help("1 for the region this member believes leads the consensus dataset's Raft group")
        .labelNames("dataset", "leader")
        .callback(callback -> metrics.leaders.forEach((dataset, leader) -> callback.call(1, dataset, leader)))
        .register(registry);
    return metrics;
  }

  void leaderChanged(String dataset, String leader) {
    leaderChanges.labelValues(dataset).inc();
    if (leader.isEmpty()) {
      leaders.remove(dataset);
    } else {
      leaders.put(dataset, leader);
    }
  }
}

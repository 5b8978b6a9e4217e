package io.meridian.agent.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything one agent needs to run.
 *
 * @param region this agent's region id
 * @param peers the other agents, by region
 * @param datasets datasets this region replicates (it must be one of each one's replicas)
 * @param bounds protocol limits
 * @param failoverGroup the failover decision group (automatic failover through Ratis, ADR 0016);
 *     null when the deployment has none
 */
public record AgentConfig(
    String region, List<PeerConfig> peers, List<DatasetConfig> datasets, ReplicationBounds bounds,
    FailoverGroupConfig failoverGroup) {

  /** An agent without a failover decision group. */
  public AgentConfig(String region, List<PeerConfig> peers, List<DatasetConfig> datasets, ReplicationBounds bounds) {
    this(region, peers, datasets, bounds, null);
  }

  /** Validates that every dataset places this region and that every replica is a known peer. */
  public AgentConfig {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(bounds, "bounds");
    peers = List.copyOf(peers);
    datasets = List.copyOf(datasets);
    for (DatasetConfig dataset : datasets) {
      if (!dataset.voters().contains(region)) {
        throw new IllegalArgumentException(
            "dataset " + dataset.name() + " has no replica or witness in this agent's region " + region);
      }
      for (String replica : dataset.voters()) {
        if (!replica.equals(region) && peers.stream().noneMatch(p -> p.region().equals(replica))) {
          throw new IllegalArgumentException(
              "dataset " + dataset.name() + " is replicated to " + replica + ", which is not a configured peer");
        }
      }
    }
    if (datasets.stream().map(DatasetConfig::name).distinct().count() != datasets.size()) {
      throw new IllegalArgumentException("a dataset is configured twice in region " + region);
    }
    if (failoverGroup != null
        && failoverGroup.members().stream().noneMatch(member -> member.region().equals(region))) {
      throw new IllegalArgumentException("region " + region + " is not a member of its own failover group "
          + failoverGroup.members());
    }
  }

  /** The dataset with this name, if configured here. */
  public Optional<DatasetConfig> dataset(String name) {
    return datasets.stream().filter(d -> d.name().equals(name)).findFirst();
  }

  /** The peer in this region, if configured. */
  public Optional<PeerConfig> peer(String peerRegion) {
    return peers.stream().filter(p -> p.region().equals(peerRegion)).findFirst();
  }
}

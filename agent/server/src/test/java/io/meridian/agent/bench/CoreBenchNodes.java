package io.meridian.agent.bench;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.core.replication.ReplicationNode;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import io.meridian.agent.core.storage.ReplicaStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The replication cores of the core benchmarks: one per region, every region a peer of the others. */
final class CoreBenchNodes {
  private CoreBenchNodes() {}

  /** A core per region holding {@code dataset} in memory, peers at placeholder addresses. */
  static Map<String, ReplicationNode> of(List<String> regions, DatasetConfig dataset) {
    return of(regions, dataset, region -> new InMemoryReplicaStore());
  }

  /** A core per region holding {@code dataset} in the store {@code stores} gives for the region. */
  static Map<String, ReplicationNode> of(List<String> regions, DatasetConfig dataset,
      java.util.function.Function<String, ReplicaStore> stores) {
    Map<String, ReplicationNode> nodes = new TreeMap<>();
    for (String region : regions) {
      List<PeerConfig> peers = new ArrayList<>();
      regions.stream().filter(peer -> !peer.equals(region))
          .forEach(peer -> peers.add(new PeerConfig(peer, "localhost:0", LinkEmulation.NONE)));
      nodes.put(region, new ReplicationNode(new AgentConfig(region, peers, List.of(dataset), ReplicationBounds.DEFAULTS),
          stores.apply(region), 1));
    }
    return nodes;
  }
}

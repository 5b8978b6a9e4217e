package io.meridian.agent.core.replication;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A hand-driven cluster for focused tests: messages wait in a queue until the test delivers,
 * drops or duplicates them, and time moves only when the test says.
 */
final class TestCluster {
  static final String DATASET = "d";

  final Map<String, InMemoryReplicaStore> stores = new TreeMap<>();
  final Map<String, ReplicationNode> nodes = new TreeMap<>();
  final Map<String, AgentConfig> configs = new TreeMap<>();
  final List<Envelope> queue = new ArrayList<>();
  final List<ClientResponse> responses = new ArrayList<>();
  final List<ReplicationEvent> events = new ArrayList<>();
  final List<Output.Disconnect> disconnects = new ArrayList<>();
  long nowMillis = 1_000;
  /** What nodes started from now on truncate (ADR 0017); the whole log by default. */
  io.meridian.agent.config.LogRetention retention = io.meridian.agent.config.LogRetention.KEEP_ALL;
  long syncCallsBeforeSend;
  /** How nodes started from now on run anti-entropy (ADR 0014); on demand only by default. */
  io.meridian.agent.core.antientropy.AntiEntropySettings antiEntropy =
      io.meridian.agent.core.antientropy.AntiEntropySettings.ON_DEMAND;
  private long requestSequence;

  record Envelope(String from, String to, PeerMessage message) {}

  static ReplicationBounds bounds(int batchChangesMax, long batchDelayMillis, int inFlightChangesMax) {
    return new ReplicationBounds(batchChangesMax, 1 << 20, batchDelayMillis, inFlightChangesMax,
        100, 500, 300, 1_000, 1_000, 100, 100, 1_000, 64, 1_024);
  }

  static TestCluster of(ReplicationMode mode, int syncAckCount, ReplicationBounds bounds, String... regions) {
    return of(mode, syncAckCount, bounds, FailoverPolicy.MANUAL, regions);
  }

  static TestCluster of(ReplicationMode mode, int syncAckCount, ReplicationBounds bounds,
      FailoverPolicy failover, String... regions) {
    return of(mode, syncAckCount, bounds, failover, io.meridian.agent.config.ReadPolicy.DEFAULTS, regions);
  }

  static TestCluster of(ReplicationMode mode, int syncAckCount, ReplicationBounds bounds,
      FailoverPolicy failover, io.meridian.agent.config.ReadPolicy reads, String... regions) {
    DatasetConfig dataset = new DatasetConfig(DATASET, mode, List.of(regions), regions[0],
        mode == ReplicationMode.SYNC ? syncAckCount : 0, FsyncPolicy.PER_COMMIT, 1, failover).withReads(reads);
    return of(dataset, bounds, regions);
  }

  /** A cluster of {@code replicas} (the first is primary) and {@code witnesses} voting on its failover (ADR 0020). */
  static TestCluster withWitnesses(ReplicationMode mode, ReplicationBounds bounds, FailoverPolicy failover,
      List<String> replicas, List<String> witnesses) {
    DatasetConfig dataset = new DatasetConfig(DATASET, mode, replicas, replicas.get(0), 0, FsyncPolicy.PER_COMMIT,
        1, failover).withWitnesses(witnesses);
    return of(dataset, bounds, dataset.voters().toArray(String[]::new));
  }

  private static TestCluster of(DatasetConfig dataset, ReplicationBounds bounds, String... regions) {
    TestCluster cluster = new TestCluster();
    for (String region : regions) {
      List<PeerConfig> peers = new ArrayList<>();
      for (String peer : regions) {
        if (!peer.equals(region)) {
          peers.add(new PeerConfig(peer, "localhost:0", LinkEmulation.NONE));
        }
      }
      cluster.configs.put(region, new AgentConfig(region, peers, List.of(dataset), bounds));
      cluster.stores.put(region, new InMemoryReplicaStore());
      cluster.start(region);
    }
    return cluster;
  }

  void start(String region) {
    nodes.put(region, new ReplicationNode(configs.get(region), retention, stores.get(region), nowMillis, antiEntropy));
  }

  /** Opens the stream between the primary and every replica. */
  void connectAll() {
    String primary = nodes.keySet().iterator().next();
    for (String region : nodes.keySet()) {
      if (!region.equals(primary)) {
        connect(primary, region);
      }
    }
  }

  void connect(String a, String b) {
    apply(a, nodes.get(a).step(nowMillis, new Input.PeerConnected(b, DATASET)));
    apply(b, nodes.get(b).step(nowMillis, new Input.PeerConnected(a, DATASET)));
  }

  /** Opens the streams between every pair of regions, as the simulation does. */
  void connectEveryPair() {
    List<String> regions = List.copyOf(nodes.keySet());
    for (int i = 0; i < regions.size(); i++) {
      for (int j = i + 1; j < regions.size(); j++) {
        connect(regions.get(i), regions.get(j));
      }
    }
  }

  /** Feeds a committed failover decision to the given regions. */
  void decide(long epoch, String primary, long startSequence, boolean previousPrimaryStopped,
      String... regions) {
    for (String region : regions) {
      apply(region, nodes.get(region).step(nowMillis,
          new Input.EpochDecided(DATASET, epoch, primary, startSequence, previousPrimaryStopped)));
    }
  }

  <T extends ReplicationEvent> List<T> events(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  void disconnect(String a, String b) {
    apply(a, nodes.get(a).step(nowMillis, new Input.PeerDisconnected(b, DATASET, "test")));
    apply(b, nodes.get(b).step(nowMillis, new Input.PeerDisconnected(a, DATASET, "test")));
  }

  long request(String region, ClientOperation operation) {
    long id = requestSequence++;
    apply(region, nodes.get(region).step(nowMillis, new Input.ClientRequest(id, DATASET, operation)));
    return id;
  }

  long put(String region, String key, String value) {
    return request(region, new ClientOperation.Put(Bytes.ofUtf8(key), Bytes.ofUtf8(value)));
  }

  void tick(long advanceMillis) {
    nowMillis += advanceMillis;
    for (Map.Entry<String, ReplicationNode> node : nodes.entrySet()) {
      apply(node.getKey(), node.getValue().tick(nowMillis));
    }
  }

  Output apply(String region, Output output) {
    if (output.syncStoreFirst()) {
      stores.get(region).sync();
      syncCallsBeforeSend++;
    }
    for (Output.Outbound outbound : output.messages()) {
      queue.add(new Envelope(region, outbound.to(), outbound.message()));
    }
    responses.addAll(output.responses());
    events.addAll(output.events());
    disconnects.addAll(output.disconnects());
    return output;
  }

  /** Delivers one queued message and returns it. */
  Envelope deliver(Envelope envelope) {
    queue.remove(envelope);
    apply(envelope.to(), nodes.get(envelope.to()).step(nowMillis,
        new Input.PeerMessageReceived(envelope.from(), envelope.message())));
    return envelope;
  }

  /** Delivers queued messages, including the ones they cause, until none match. */
  void deliverAll(Predicate<Envelope> which) {
    for (int round = 0; round < 10_000; round++) {
      Envelope next = queue.stream().filter(which).findFirst().orElse(null);
      if (next == null) {
        return;
      }
      deliver(next);
    }
    throw new AssertionError("messages kept flowing: " + queue);
  }

  void deliverAll() {
    deliverAll(envelope -> true);
  }

  void drop(Predicate<Envelope> which) {
    queue.removeIf(which);
  }

  List<Envelope> queued(Class<? extends PeerMessage> type) {
    return queue.stream().filter(envelope -> type.isInstance(envelope.message())).toList();
  }

  static Predicate<Envelope> ofType(Class<? extends PeerMessage> type) {
    return envelope -> type.isInstance(envelope.message());
  }

  ClientResult result(long requestId) {
    return responses.stream().filter(response -> response.requestId() == requestId)
        .map(ClientResponse::result).findFirst().orElse(null);
  }

  PeerLinkStatus link(String region, String peer) {
    return nodes.get(region).status(nowMillis).get(0).peers().stream()
        .filter(link -> link.peer().equals(peer)).findFirst().orElseThrow();
  }
}

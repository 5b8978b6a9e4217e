package io.meridian.agent.transport;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.meridian.agent.AcceptedPuts;
import io.meridian.agent.Agent;
import io.meridian.agent.FreePorts;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.storage.rocksdb.RocksDbReplicaStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.IntConsumer;

/**
 * Agents wired as in production, for tests: Netty servers on loopback ports, gzip between peers,
 * gRPC's own threads, the wall clock and the agents' own ticking; one async dataset whose primary
 * is the first region, each agent with a RocksDB store. The ports are picked free and, should
 * another process take one before its agent binds it, every agent starts again on new ports.
 */
final class LoopbackAgents implements AutoCloseable {
  static final String ORDERS = "orders";

  /** What an agent's channels to its peers go through: the region making it, the address, the channel. */
  interface PeerChannels {
    ManagedChannel wrap(String region, String address, ManagedChannel channel);
  }

  private final Path dataDirectory;
  private final List<String> regions;
  private final Map<String, Agent> agents = new TreeMap<>();
  private final Map<String, RocksDbReplicaStore> stores = new TreeMap<>();
  private final Map<String, Integer> ports = new TreeMap<>();
  private final List<ManagedChannel> clientChannels = new ArrayList<>();
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);

  LoopbackAgents(Path dataDirectory, List<String> regions) {
    this.dataDirectory = dataDirectory;
    this.regions = List.copyOf(regions);
  }

  /** Starts every region with {@code emulation} on each link; {@code peerChannels} may wrap their channels. */
  void start(LinkEmulation emulation, PeerChannels peerChannels) {
    FreePorts.startRetryingTakenPorts(attempt -> {
      int[] picked = FreePorts.pick(regions.size());
      for (int i = 0; i < regions.size(); i++) {
        ports.put(regions.get(i), picked[i]);
      }
      for (String region : regions) {
        start(region, emulation, peerChannels);
      }
    }, this::stopAgents);
  }

  private void start(String region, LinkEmulation emulation, PeerChannels peerChannels) {
    List<PeerConfig> peers = new ArrayList<>();
    for (String peer : regions) {
      if (!peer.equals(region)) {
        peers.add(new PeerConfig(peer, "127.0.0.1:" + ports.get(peer), emulation));
      }
    }
    AgentConfig config = new AgentConfig(region, peers, List.of(DatasetConfig.allReplicas(
        ORDERS, ReplicationMode.ASYNC, regions, regions.get(0), FsyncPolicy.OPERATING_SYSTEM)),
        ReplicationBounds.DEFAULTS);
    RocksDbReplicaStore store = new RocksDbReplicaStore(dataDirectory.resolve(region), List.of(ORDERS));
    stores.put(region, store);
    agents.put(region, Agent.start(config, store,
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", ports.get(region))),
        address -> peerChannels.wrap(region, address, Grpc.newChannelBuilder(address,
            InsecureChannelCredentials.create()).compressorRegistry(PeerCompression.registry()).build()),
        System::currentTimeMillis, scheduler, 50, new PrometheusRegistry(), store::approximateSizeBytes));
  }

  /**
   * Puts value {@code "v" + i} under key {@code "k" + (i % 97)} for each i from {@code from} on,
   * {@code count} of them, each retried while the primary pushes back: a connected replica that
   * was keeping up and falls behind (in changes, or in time: 100 ms in these tests, which a loaded
   * machine or an emulated WAN link easily exceeds) makes it refuse writes RESOURCE_EXHAUSTED (ADR
   * 0037, 0041) until the replica catches up, and clients are told to retry.
   *
   * @param afterEach runs after each accepted put, with its i (to cut or heal links mid-load)
   */
  static void putRetryingPushback(KvGrpc.KvBlockingStub kv, int from, int count, IntConsumer afterEach) {
    for (int i = from; i < from + count; i++) {
      PutRequest put = PutRequest.newBuilder().setDataset(ORDERS).setKey(ByteString.copyFromUtf8("k" + (i % 97)))
          .setValue(ByteString.copyFromUtf8("v" + i)).build();
      AcceptedPuts.put(kv, put);
      afterEach.accept(i);
    }
  }

  /** A client channel to {@code region}'s APIs, shut down with the agents. */
  ManagedChannel channel(String region) {
    ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + ports.get(region),
        InsecureChannelCredentials.create()).intercept(new io.meridian.agent.UnaryDeadlines()).build();
    clientChannels.add(channel);
    return channel;
  }

  Agent agent(String region) {
    return agents.get(region);
  }

  RocksDbReplicaStore store(String region) {
    return stores.get(region);
  }

  private void stopAgents() {
    agents.values().forEach(Agent::close);
    agents.values().forEach(agent -> agent.runtime().stop(() -> { }, 5_000));
    agents.clear();
    stores.values().forEach(RocksDbReplicaStore::close);
    stores.clear();
  }

  @Override
  public void close() {
    clientChannels.forEach(ManagedChannel::shutdownNow);
    stopAgents();
    scheduler.shutdownNow();
  }
}

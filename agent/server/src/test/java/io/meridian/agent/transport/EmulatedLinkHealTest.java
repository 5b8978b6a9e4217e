package io.meridian.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.meridian.agent.Agent;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.CutLinkRequest;
import io.meridian.agent.api.v1.HealLinkRequest;
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
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves a replica catches up after its emulated WAN link to the primary is cut on both ends
// under load and healed (replica end first, so its first reconnect is refused), with agents wired
// as in production: Netty on loopback, gzip, threaded executors, the wall clock and the agent's
// own ticking. Guards against the live-view freeze (connected, not cut, nothing arriving); it did
// not reproduce that freeze on today's build.
class EmulatedLinkHealTest {
  private static final List<String> REGIONS = List.of("a", "b", "c");
  private static final String ORDERS = "orders";

  @TempDir
  Path dataDirectory;

  private final Map<String, Agent> agents = new TreeMap<>();
  private final Map<String, RocksDbReplicaStore> stores = new TreeMap<>();
  private final List<ManagedChannel> clientChannels = new ArrayList<>();
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
  private final Map<String, Integer> ports = new TreeMap<>();

  private static int freePort() throws java.io.IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @AfterEach
  void stopAgents() {
    clientChannels.forEach(ManagedChannel::shutdownNow);
    agents.values().forEach(Agent::close);
    agents.values().forEach(agent -> agent.runtime().stop(() -> { }, 5_000));
    stores.values().forEach(RocksDbReplicaStore::close);
    scheduler.shutdownNow();
  }

  private void start(String region, LinkEmulation emulation) {
    List<PeerConfig> peers = new ArrayList<>();
    for (String peer : REGIONS) {
      if (!peer.equals(region)) {
        peers.add(new PeerConfig(peer, "127.0.0.1:" + ports.get(peer), emulation));
      }
    }
    AgentConfig config = new AgentConfig(region, peers, List.of(DatasetConfig.allReplicas(
        ORDERS, ReplicationMode.ASYNC, REGIONS, "a", FsyncPolicy.OPERATING_SYSTEM)), ReplicationBounds.DEFAULTS);
    RocksDbReplicaStore store = new RocksDbReplicaStore(dataDirectory.resolve(region), List.of(ORDERS));
    stores.put(region, store);
    agents.put(region, Agent.start(config, store,
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", ports.get(region))),
        address -> Grpc.newChannelBuilder(address, InsecureChannelCredentials.create())
            .compressorRegistry(PeerCompression.registry()).build(),
        System::currentTimeMillis, scheduler, 50, new PrometheusRegistry(), store::approximateSizeBytes));
  }

  private ManagedChannel channel(String region) {
    ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + ports.get(region),
        InsecureChannelCredentials.create()).build();
    clientChannels.add(channel);
    return channel;
  }

  @Test
  void replicaCatchesUpAfterALinkCutOnBothEndsUnderLoadHeals() throws Exception {
    for (String region : REGIONS) {
      ports.put(region, freePort());
    }
    for (String region : REGIONS) {
      start(region, new LinkEmulation(100, 5, 0, 0));
    }
    KvGrpc.KvBlockingStub kv = KvGrpc.newBlockingStub(channel("a"));
    ControlGrpc.ControlBlockingStub controlA = ControlGrpc.newBlockingStub(channel("a"));
    ControlGrpc.ControlBlockingStub controlB = ControlGrpc.newBlockingStub(channel("b"));
    for (int i = 0; i < 3_000; i++) {
      kv.put(PutRequest.newBuilder().setDataset(ORDERS).setKey(ByteString.copyFromUtf8("k" + (i % 97)))
          .setValue(ByteString.copyFromUtf8("v" + i)).build());
      if (i == 500) {
        controlA.cutLink(CutLinkRequest.newBuilder().setPeerRegion("b").build());
        controlB.cutLink(CutLinkRequest.newBuilder().setPeerRegion("a").build());
      } else if (i == 2_000) {
        controlB.healLink(HealLinkRequest.newBuilder().setPeerRegion("a").build());
        controlA.healLink(HealLinkRequest.newBuilder().setPeerRegion("b").build());
      }
    }
    long head = stores.get("a").lastSequence(ORDERS);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(stores.get("b").lastSequence(ORDERS)).as("b's log after the heal (a's ends at %d)", head)
            .isEqualTo(head));
  }
}

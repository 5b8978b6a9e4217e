package io.meridian.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.meridian.agent.Agent;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.CutLinkRequest;
import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.storage.rocksdb.RocksDbReplicaStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves that a witness agent wired through in-process gRPC grants the primary's lease (ADR 0020):
// primary a and replica b with witness w; with b cut off, a keeps its lease through w's answers
// over the real transport, and loses it once w is cut off too.
class WitnessServicesTest {
  /**
   * How long a wait that advances the hand clock by 5 ms a poll may take in real time: the polls
   * it needs are set by the simulated timeouts, but on a loaded machine each one is slow.
   */
  private static final Duration SIMULATED_WAIT = Duration.ofSeconds(60);

  private static final List<String> REGIONS = List.of("a", "b", "w");
  private static final String ORDERS = "orders";

  @TempDir
  Path dataDirectory;

  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final Map<String, Agent> agents = new TreeMap<>();
  private final Map<String, RocksDbReplicaStore> stores = new TreeMap<>();
  private final Map<String, PrometheusRegistry> registries = new TreeMap<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
  private final String prefix = "witness-services-";

  private void startAgents() {
    DatasetConfig orders = new DatasetConfig(ORDERS, ReplicationMode.ASYNC, List.of("a", "b"), "a", 0,
        FsyncPolicy.OPERATING_SYSTEM, 1, FailoverPolicy.AUTOMATIC).withWitnesses(List.of("w"));
    for (String region : REGIONS) {
      List<PeerConfig> peers = new ArrayList<>();
      for (String peer : REGIONS) {
        if (!peer.equals(region)) {
          peers.add(new PeerConfig(peer, prefix + peer, LinkEmulation.NONE));
        }
      }
      ReplicationBounds bounds = new ReplicationBounds(64, 1 << 20, 0, 1024, 100, 500, 300, 2_000, 2_000,
          1_000, 1_000, 1_000, 1024, 1 << 20);
      AgentConfig config = new AgentConfig(region, peers, List.of(orders), bounds);
      RocksDbReplicaStore store = new RocksDbReplicaStore(dataDirectory.resolve(prefix + region), List.of(ORDERS));
      stores.put(region, store);
      agents.put(region, Agent.start(config, store, InProcessServerBuilder.forName(prefix + region).directExecutor(),
          address -> InProcessChannelBuilder.forName(address).directExecutor().build(),
          clock::get, scheduler, 0, registries.computeIfAbsent(region, unused -> new PrometheusRegistry()),
          store::approximateSizeBytes));
    }
  }

  @AfterEach
  void stopAgents() {
    channels.forEach(ManagedChannel::shutdownNow);
    agents.values().forEach(Agent::close);
    stores.values().forEach(RocksDbReplicaStore::close);
    scheduler.shutdownNow();
  }

  private ControlGrpc.ControlBlockingStub control(String region) {
    ManagedChannel channel = InProcessChannelBuilder.forName(prefix + region).directExecutor().build();
    channels.add(channel);
    return ControlGrpc.newBlockingStub(channel);
  }

  private String scrape(String region) throws java.io.IOException {
    java.io.ByteArrayOutputStream exposition = new java.io.ByteArrayOutputStream();
    io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create()
        .write(exposition, registries.get(region).scrape());
    return exposition.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * Lets every message a tick caused travel before the simulated clock moves on: a status call runs
   * after everything already queued on an agent's runtime, and two rounds cover a heartbeat and its
   * reply (the in-process transport hands frames over on the sender's thread).
   */
  private void settle() {
    for (int round = 0; round < 2; round++) {
      agents.values().forEach(agent -> agent.runtime().status());
    }
  }

  private void tickAll() {
    clock.addAndGet(5);
    agents.values().forEach(agent -> agent.runtime().tick());
  }

  private static final String HELD = "meridian_primary_lease_held{dataset=\"orders\"} 1.0";
  private static final String LOST = "meridian_primary_lease_held{dataset=\"orders\"} 0.0";

  @Test
  void theWitnessKeepsThePrimarysLeaseWhileTheReplicaIsCutOffAndItsSilenceEndsIt() throws Exception {
    startAgents();
    await().atMost(SIMULATED_WAIT).pollInterval(Duration.ofMillis(5)).untilAsserted(() -> {
      tickAll();
      assertThat(scrape("a")).contains(HELD);
    });
    // Operators see the witness as what it is, in status and failover views alike.
    io.meridian.agent.api.v1.DatasetFailoverView witnessView = control("w")
        .failoverStatus(io.meridian.agent.api.v1.FailoverStatusRequest.getDefaultInstance()).getDatasets(0);
    assertThat(witnessView.getRole()).isEqualTo(io.meridian.agent.api.v1.Role.ROLE_WITNESS);
    assertThat(witnessView.getPrimaryRegion()).isEqualTo("a");

    control("a").cutLink(CutLinkRequest.newBuilder().setPeerRegion("b").build());
    // Three leases (1,000 ms each) of simulated time with only the witness answering.
    for (int i = 0; i < 600; i++) {
      tickAll();
      settle();
    }
    assertThat(scrape("a")).contains(HELD);

    control("a").cutLink(CutLinkRequest.newBuilder().setPeerRegion("w").build());
    await().atMost(SIMULATED_WAIT).pollInterval(Duration.ofMillis(5)).untilAsserted(() -> {
      tickAll();
      assertThat(scrape("a")).contains(LOST);
    });
  }
}

package io.meridian.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.meridian.agent.Agent;
import io.meridian.agent.api.v1.ApplyDecisionRequest;
import io.meridian.agent.api.v1.ApplyDecisionResponse;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.CutLinkRequest;
import io.meridian.agent.api.v1.DatasetFailoverView;
import io.meridian.agent.api.v1.FailoverStatusRequest;
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.HealLinkRequest;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.api.v1.ListQuarantineRequest;
import io.meridian.agent.api.v1.ListQuarantineResponse;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.PutResponse;
import io.meridian.agent.api.v1.SwitchoverRequest;
import io.meridian.agent.api.v1.SwitchoverResponse;
import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves the failover control RPCs on three agents wired through in-process gRPC: a forced
// failover moves writes to the new primary, replicas follow it over new streams, and the old
// primary's unreplicated write is quarantined when it rejoins; a planned switchover loses nothing.
class FailoverServicesTest {
  /**
   * How long a wait that advances the hand clock by 5 ms a poll may take in real time: the polls
   * it needs are set by the simulated timeouts, but on a loaded machine each one is slow.
   */
  private static final Duration SIMULATED_WAIT = Duration.ofSeconds(60);

  private static final AtomicInteger UNIQUE = new AtomicInteger();
  private static final List<String> REGIONS = List.of("a", "b", "c");
  private static final String ORDERS = "orders";

  @TempDir
  Path dataDirectory;

  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final Map<String, Agent> agents = new TreeMap<>();
  private final Map<String, RocksDbReplicaStore> stores = new TreeMap<>();
  private final Map<String, PrometheusRegistry> registries = new TreeMap<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private ScheduledExecutorService scheduler;
  private String prefix;

  @BeforeEach
  void startAgents() {
    startAgents(io.meridian.agent.config.FailoverPolicy.MANUAL);
  }

  private void startAgents(io.meridian.agent.config.FailoverPolicy policy) {
    scheduler = Executors.newScheduledThreadPool(1);
    prefix = "failover-services-" + UNIQUE.incrementAndGet() + "-";
    for (String region : REGIONS) {
      List<PeerConfig> peers = new ArrayList<>();
      for (String peer : REGIONS) {
        if (!peer.equals(region)) {
          peers.add(new PeerConfig(peer, prefix + peer, LinkEmulation.NONE));
        }
      }
      ReplicationBounds bounds = new ReplicationBounds(64, 1 << 20, 0, 1024, 100, 500, 300, 2_000, 2_000,
          1_000, 1_000, 1_000, 1024, 1 << 20);
      AgentConfig config = new AgentConfig(region, peers, List.of(new DatasetConfig(ORDERS, ReplicationMode.ASYNC,
          REGIONS, "a", REGIONS.size() - 1, FsyncPolicy.OPERATING_SYSTEM, 1, null, null, policy)), bounds);
      RocksDbReplicaStore store = new RocksDbReplicaStore(dataDirectory.resolve(prefix + region), List.of(ORDERS));
      stores.put(region, store);
      agents.put(region, Agent.start(config, store, InProcessServerBuilder.forName(prefix + region).directExecutor(),
          address -> InProcessChannelBuilder.forName(address).directExecutor().build(),
          clock::get, scheduler, 0, registries.computeIfAbsent(prefix + region, unused -> new PrometheusRegistry()),
          store::approximateSizeBytes));
    }
  }

  @AfterEach
  void stopAgents() {
    channels.forEach(ManagedChannel::shutdownNow);
    channels.clear();
    agents.values().forEach(Agent::close);
    agents.clear();
    stores.values().forEach(RocksDbReplicaStore::close);
    stores.clear();
    scheduler.shutdownNow();
  }

  private ManagedChannel channel(String region) {
    ManagedChannel channel = InProcessChannelBuilder.forName(prefix + region).directExecutor().build();
    channels.add(channel);
    return channel;
  }

  private ControlGrpc.ControlBlockingStub control(String region) {
    return ControlGrpc.newBlockingStub(channel(region));
  }

  private PutResponse put(String region, String key, String value) {
    return KvGrpc.newBlockingStub(channel(region)).put(PutRequest.newBuilder().setDataset(ORDERS)
        .setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value)).build());
  }

  private boolean found(String region, String key) {
    return KvGrpc.newBlockingStub(channel(region)).get(GetRequest.newBuilder().setDataset(ORDERS)
        .setKey(ByteString.copyFromUtf8(key)).build()).getFound();
  }

  private DatasetFailoverView view(String region) {
    return control(region).failoverStatus(FailoverStatusRequest.getDefaultInstance()).getDatasets(0);
  }

  private String scrape(String region) throws java.io.IOException {
    java.io.ByteArrayOutputStream exposition = new java.io.ByteArrayOutputStream();
    io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create()
        .write(exposition, registries.get(prefix + region).scrape());
    return exposition.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  private void tickAll() {
    clock.addAndGet(5);
    agents.values().forEach(agent -> agent.runtime().tick());
  }

  private ApplyDecisionResponse decide(String region, long epoch, String primary, long start, boolean stopped) {
    return control(region).applyDecision(ApplyDecisionRequest.newBuilder().setDataset(ORDERS).setEpoch(epoch)
        .setPrimaryRegion(primary).setStartSequence(start).setPreviousPrimaryStopped(stopped).build());
  }

  private void awaitReplicated(String key, String... regions) {
    await().atMost(SIMULATED_WAIT).untilAsserted(() -> {
      tickAll();
      for (String region : regions) {
        assertThat(found(region, key)).as("%s at %s", key, region).isTrue();
      }
    });
  }

  @Test
  void forcedFailoverMovesWritesToTheNewPrimaryAndQuarantinesTheOldPrimarysWriteOnRejoin() throws Exception {
    put("a", "k1", "v1");
    awaitReplicated("k1", "b", "c");
    for (String peer : List.of("b", "c")) {
      control("a").cutLink(CutLinkRequest.newBuilder().setPeerRegion(peer).build());
    }
    PutResponse unreplicated = put("a", "k2", "only-at-a");
    assertThat(unreplicated.getVersion().getEpoch()).isEqualTo(1);

    long start = view("b").getLastSequence();
    assertThat(decide("b", 2, "b", start, false).getPrimaryRegion()).isEqualTo("b");
    decide("c", 2, "b", start, false);
    assertThat(put("b", "k3", "v3").getVersion().getEpoch()).isEqualTo(2);
    // c reconnects to b on its own; until then its writes are refused, never lost.
    // It reconnects after the transport's reconnect delay in real time, however slow the machine.
    await().atMost(SIMULATED_WAIT).ignoreExceptionsInstanceOf(StatusRuntimeException.class).untilAsserted(() -> {
      tickAll();
      PutResponse forwarded = put("c", "k4", "v4");
      assertThat(forwarded.getVersion().getCommittedByRegion()).isEqualTo("b");
    });

    for (String peer : List.of("b", "c")) {
      control("a").healLink(HealLinkRequest.newBuilder().setPeerRegion(peer).build());
    }
    ApplyDecisionResponse rejoined = decide("a", 2, "b", start, false);

    assertThat(rejoined.getQuarantinedChanges()).isEqualTo(1);
    ListQuarantineResponse quarantine = control("a").listQuarantine(
        ListQuarantineRequest.newBuilder().setDataset(ORDERS).build());
    assertThat(quarantine.getChangesList()).singleElement().satisfies(kept -> {
      assertThat(kept.getFailoverEpoch()).isEqualTo(2);
      assertThat(kept.getChange().getValue().toStringUtf8()).isEqualTo("only-at-a");
      assertThat(kept.getChange().getVersion()).isEqualTo(unreplicated.getVersion());
    });
    assertThat(found("a", "k2")).isFalse();
    awaitReplicated("k4", "a");
    assertThat(view("a").getPrimaryRegion()).isEqualTo("b");
    assertThat(scrape("a")).contains("meridian_quarantined_writes_total{dataset=\"orders\"} 1.0")
        .contains("meridian_failovers_total{dataset=\"orders\",primary=\"b\"} 1.0");
    assertThat(scrape("c")).contains("meridian_failovers_total{dataset=\"orders\",primary=\"b\"} 1.0")
        .doesNotContain("meridian_quarantined_writes_total{");
  }

  @Test
  void leaseMetricShowsWhetherTheAutomaticFailoverPrimaryMayWrite() throws Exception {
    stopAgents();
    startAgents(io.meridian.agent.config.FailoverPolicy.AUTOMATIC);
    await().atMost(SIMULATED_WAIT).pollInterval(Duration.ofMillis(5)).untilAsserted(() -> {
      tickAll();
      assertThat(scrape("a")).contains("meridian_primary_lease_held{dataset=\"orders\"} 1.0");
    });
    assertThat(scrape("b")).doesNotContain("meridian_primary_lease_held{");

    for (String peer : List.of("b", "c")) {
      control("a").cutLink(CutLinkRequest.newBuilder().setPeerRegion(peer).build());
    }
    // Cut off from the majority, the primary loses its lease within the detection timeout.
    await().atMost(SIMULATED_WAIT).pollInterval(Duration.ofMillis(5)).untilAsserted(() -> {
      tickAll();
      assertThat(scrape("a")).contains("meridian_primary_lease_held{dataset=\"orders\"} 0.0");
    });
  }

  @Test
  void metricsShowHowEachAgentSeesItsPeers() throws Exception {
    assertThat(scrape("a")).contains("meridian_peer_health{source=\"a\",target=\"b\"} 0.0");
    control("a").cutLink(CutLinkRequest.newBuilder().setPeerRegion("b").build());
    control("b").cutLink(CutLinkRequest.newBuilder().setPeerRegion("a").build());

    // The gauge follows a's failure detector: b, silent since the cut, goes from 0 (healthy) to 2
    // (down), while c, which keeps acknowledging writes, stays healthy.
    int[] written = {0};
    await().atMost(SIMULATED_WAIT).pollInterval(Duration.ofMillis(5)).untilAsserted(() -> {
      put("a", "health-" + written[0]++, "v");
      tickAll();
      String metrics = scrape("a");
      assertThat(metrics).contains("meridian_peer_health{source=\"a\",target=\"b\"} 2.0");
      assertThat(metrics).contains("meridian_peer_health{source=\"a\",target=\"c\"} 0.0");
    });
  }

  @Test
  void plannedSwitchoverHandsOverWithoutLosingAWrite() {
    put("a", "k1", "v1");
    awaitReplicated("k1", "b", "c");

    java.util.Queue<io.meridian.agent.api.v1.WatchEvent> watched = new java.util.concurrent.ConcurrentLinkedQueue<>();
    io.meridian.agent.api.v1.WatchGrpc.newStub(channel("b")).watch(
        io.meridian.agent.api.v1.WatchRequest.getDefaultInstance(), new io.grpc.stub.StreamObserver<>() {
          @Override
          public void onNext(io.meridian.agent.api.v1.WatchEvent event) {
            watched.add(event);
          }

          @Override
          public void onError(Throwable error) {}

          @Override
          public void onCompleted() {}
        });
    SwitchoverResponse ready = control("a").switchover(SwitchoverRequest.newBuilder().setDataset(ORDERS)
        .setTargetRegion("b").setTimeoutMillis(2_000).build());
    assertThatThrownBy(() -> put("a", "refused", "x")).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    for (String region : REGIONS) {
      decide(region, ready.getEpoch(), "b", ready.getStartSequence(), true);
    }

    assertThat(put("b", "k2", "v2").getVersion().getEpoch()).isEqualTo(2);
    await().atMost(SIMULATED_WAIT).untilAsserted(() -> assertThat(watched)
        .filteredOn(io.meridian.agent.api.v1.WatchEvent::hasPrimaryChanged)
        .extracting(event -> event.getPrimaryChanged().getEpoch() + " " + event.getPrimaryChanged().getPrimaryRegion()
            + " " + event.getPrimaryChanged().getRole())
        .containsExactly("2 b ROLE_PRIMARY"));
    awaitReplicated("k2", "a", "c");
    assertThat(control("a").listQuarantine(ListQuarantineRequest.newBuilder().setDataset(ORDERS).build())
        .getChangesCount()).isZero();
  }

  @Test
  void forcedStopAnswersAtOnceWithTheLastSequenceAndTheOldPrimaryWritesNothingMore() {
    put("a", "k1", "v1");
    awaitReplicated("k1", "b", "c");
    control("a").cutLink(CutLinkRequest.newBuilder().setPeerRegion("b").build());
    put("a", "k2", "not-at-b");
    long targetSequence = view("b").getLastSequence();

    SwitchoverResponse stopped = control("a").switchover(SwitchoverRequest.newBuilder().setDataset(ORDERS)
        .setTargetRegion("b").setTimeoutMillis(300).setStopNow(true).build());

    assertThat(stopped.getStartSequence()).isEqualTo(view("a").getLastSequence()).isEqualTo(targetSequence + 1);
    assertThatThrownBy(() -> put("a", "refused", "x")).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    decide("b", stopped.getEpoch(), "b", targetSequence, true);
    assertThat(decide("a", stopped.getEpoch(), "b", targetSequence, true).getQuarantinedChanges()).isEqualTo(1);
    assertThat(put("b", "k3", "v3").getVersion().getEpoch()).isEqualTo(2);
    assertThat(found("a", "k2")).isFalse();
  }

  @Test
  void switchoverToAnUnknownRegionSaysWhyAndChangesNothing() {
    assertThatThrownBy(() -> control("a").switchover(SwitchoverRequest.newBuilder().setDataset(ORDERS)
        .setTargetRegion("z").setTimeoutMillis(500).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).contains("z is not a replica of orders");
        });
    assertThat(put("a", "k", "v").getVersion().getEpoch()).isEqualTo(1);
  }
}

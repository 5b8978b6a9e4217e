package io.meridian.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ForwardingServerCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.meridian.agent.Agent;
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.api.v1.ProbeLevelFigures;
import io.meridian.agent.api.v1.ProbeLinkFigures;
import io.meridian.agent.api.v1.ProbesRequest;
import io.meridian.agent.api.v1.ProbesResponse;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.ReadConsistency;
import io.meridian.agent.api.v1.WatchEvent;
import io.meridian.agent.api.v1.WatchGrpc;
import io.meridian.agent.api.v1.WatchRequest;
import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.QuorumPolicy;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.probe.ProbeKeys;
import io.meridian.agent.core.replication.ReplicationNode;
import io.meridian.agent.storage.rocksdb.RocksDbReplicaStore;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consistency probes on three agents over in-process gRPC with real time (ADR 0022): under an
 * emulated 40 ms one-way delay they measure each link's visibility delay and count no violation in a
 * healthy deployment, at every level the datasets serve; a replica cut off from its peers that
 * (through an injected bug) answers strong reads from its stale local copy is caught and counted;
 * clients cannot read or write probe keys, and probe traffic stays out of the request metrics.
 */
class ConsistencyProbesTest {
  private static final AtomicInteger UNIQUE = new AtomicInteger();
  private static final List<String> REGIONS = List.of("a", "b", "c");
  private static final String ORDERS = "orders";
  private static final String CARTS = "carts";
  private static final long ONE_WAY_DELAY_MILLIS = 40;
  /** The orders dataset's staleness bound: above the emulated delay, below the cut-off test's wait. */
  private static final long STALENESS_MILLIS_MAX = 200;
  /** How long to wait for what agents do on their own threads: generous, for a loaded 2-core CI box. */
  private static final Duration SERVER_WAIT = Duration.ofSeconds(30);
  /**
   * How long a healthy deployment's probe waits for its write to be visible everywhere: a loaded
   * machine may take seconds, and a write seen within it counts as visible, with its delay measured.
   */
  private static final long HEALTHY_VISIBILITY_WAIT_MILLIS = 30_000;

  @TempDir
  Path dataDirectory;

  private final Map<String, Agent> agents = new TreeMap<>();
  private final Map<String, RocksDbReplicaStore> stores = new TreeMap<>();
  private final Map<String, PrometheusRegistry> registries = new TreeMap<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
  private final String prefix = "probes-" + UNIQUE.incrementAndGet() + "-";

  @AfterEach
  void stopAgents() {
    channels.forEach(ManagedChannel::shutdownNow);
    agents.values().forEach(Agent::close);
    stores.values().forEach(RocksDbReplicaStore::close);
    scheduler.shutdownNow();
  }

  /** The datasets every agent runs; a test may replace them before starting the agents. */
  private List<DatasetConfig> datasets = defaultDatasets();

  private static List<DatasetConfig> defaultDatasets() {
    return List.of(
        DatasetConfig.allReplicas(ORDERS, ReplicationMode.ASYNC, REGIONS, "a", FsyncPolicy.OPERATING_SYSTEM)
            .withReads(io.meridian.agent.config.ReadPolicy.bounded(STALENESS_MILLIS_MAX, 0)),
        DatasetConfig.quorum(CARTS, REGIONS, new QuorumPolicy(2, 2, 1_000, 1_000), FsyncPolicy.OPERATING_SYSTEM));
  }

  private void start(String region, ServerInterceptor... serverInterceptors) {
    List<PeerConfig> peers = new ArrayList<>();
    for (String peer : REGIONS) {
      if (!peer.equals(region)) {
        peers.add(new PeerConfig(peer, prefix + peer, new LinkEmulation(ONE_WAY_DELAY_MILLIS, 0, 0, 0)));
      }
    }
    AgentConfig config = new AgentConfig(region, peers, datasets, ReplicationBounds.DEFAULTS);
    RocksDbReplicaStore store = new RocksDbReplicaStore(dataDirectory.resolve(region),
        ReplicationNode.storeNames(config));
    stores.put(region, store);
    PrometheusRegistry registry = new PrometheusRegistry();
    registries.put(region, registry);
    InProcessServerBuilder server = InProcessServerBuilder.forName(prefix + region).directExecutor();
    for (ServerInterceptor interceptor : serverInterceptors) {
      server.intercept(interceptor);
    }
    agents.put(region, Agent.start(config, store, server,
        address -> InProcessChannelBuilder.forName(address).directExecutor().build(), System::currentTimeMillis,
        scheduler, 50, registry, store::approximateSizeBytes));
  }

  // Probes run by hand (interval 0), round by round, so the test decides how many. Each probe call
  // may take as long as a loaded CI box needs: the agents' own timeouts decide the outcomes.
  private ConsistencyProber prober(String region, long visibilityWaitMillis) {
    return agents.get(region).startProbes(new ProbeSettings(0, 5, visibilityWaitMillis,
        SERVER_WAIT.toMillis()), datasets,
        prefix + region, address -> InProcessChannelBuilder.forName(address).directExecutor().build(),
        registries.get(region), System::currentTimeMillis);
  }

  private void awaitConnected() {
    Awaitility.await().atMost(SERVER_WAIT).until(() -> agents.values().stream()
        .allMatch(agent -> agent.runtime().status().stream().allMatch(status -> status.peers().stream()
            .allMatch(io.meridian.agent.core.replication.PeerLinkStatus::connected))));
  }

  private ManagedChannel channel(String region) {
    ManagedChannel channel = InProcessChannelBuilder.forName(prefix + region).directExecutor().build();
    channels.add(channel);
    return channel;
  }

  private ProbesResponse figures(String region) {
    return io.meridian.agent.api.v1.ControlGrpc.newBlockingStub(channel(region))
        .probes(ProbesRequest.getDefaultInstance());
  }

  private static ProbeLevelFigures level(ProbesResponse figures, String dataset, String level) {
    return figures.getLevelsList().stream().filter(l -> l.getDataset().equals(dataset) && l.getLevel().equals(level))
        .findFirst().orElseThrow(() -> new AssertionError("no figures for " + dataset + " at " + level + ": " + figures));
  }

  private String scrape(String region) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, registries.get(region).scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void probesMeasureVisibilityUnderEmulatedDelayAndCountNoViolationsWhenHealthy() throws Exception {
    REGIONS.forEach(this::start);
    awaitConnected();
    ConsistencyProber prober = prober("a", HEALTHY_VISIBILITY_WAIT_MILLIS);

    for (int round = 0; round < 6; round++) {
      prober.runRound();
    }

    ProbesResponse figures = figures("a");
    assertThat(figures.getLinksList()).hasSize(4);
    for (ProbeLinkFigures link : figures.getLinksList()) {
      assertThat(link.getSourceRegion()).isEqualTo("a");
      assertThat(link.getUnseen()).as("%s", link).isZero();
      assertThat(link.getVisible()).as("%s", link).isEqualTo(6);
      // The async log needs at least the one-way delay; the slowest quorum replica as well.
      if (link.getDataset().equals(ORDERS)) {
        assertThat(link.getP50Millis()).as("%s", link).isGreaterThanOrEqualTo(ONE_WAY_DELAY_MILLIS - 5)
            .isLessThan(HEALTHY_VISIBILITY_WAIT_MILLIS);
      }
    }
    // The quorum dataset serves strong and quorum reads (W + R > N): each round read them at b and c.
    for (String level : List.of("strong", "quorum")) {
      assertThat(level(figures, CARTS, level).getReads()).isEqualTo(12);
      assertThat(level(figures, CARTS, level).getViolations()).isZero();
    }
    // Orders has a staleness bound (ADR 0030): its bounded-staleness reads are judged against it.
    assertThat(level(figures, ORDERS, "bounded-staleness").getReads()).isEqualTo(12);
    assertThat(figures.getLevelsList()).allSatisfy(l -> assertThat(l.getViolations()).as("%s", l).isZero());
    assertThat(level(figures, ORDERS, "eventual").getReads()).isGreaterThanOrEqualTo(12);

    String metrics = scrape("a");
    assertThat(metrics).contains("meridian_probe_visibility_seconds_count{dataset=\"orders\",source=\"a\",target=\"b\"} 6")
        .contains("meridian_probe_violations_total{dataset=\"carts\",level=\"strong\"} 0")
        // Probe traffic is not client traffic.
        .doesNotContain("meridian_requests_seconds_count{dataset=\"orders\"");
  }

  @Test
  void probesOfAVersionVectorDatasetReplaceTheirOwnWriteInsteadOfPilingUpSiblings() throws Exception {
    datasets = List.of(DatasetConfig.multiPrimary("likes", REGIONS, ConflictResolution.VERSION_VECTOR,
        FsyncPolicy.OPERATING_SYSTEM, List.of()));
    REGIONS.forEach(this::start);
    awaitConnected();
    ConsistencyProber prober = prober("a", HEALTHY_VISIBILITY_WAIT_MILLIS);

    for (int round = 0; round < 5; round++) {
      prober.runRound();
    }

    // Each probe write carries the causal context of the one before: no sibling, no conflict, and
    // session reads with the probe's token see exactly its latest write at every region.
    ProbesResponse figures = figures("a");
    assertThat(level(figures, "likes", "session").getReads()).isEqualTo(10);
    assertThat(figures.getLevelsList()).allSatisfy(l -> assertThat(l.getViolations()).as("%s", l).isZero());
    assertThat(figures.getLinksList()).allSatisfy(link -> assertThat(link.getVisible()).as("%s", link).isEqualTo(5));
    for (String region : REGIONS) {
      assertThat(scrape(region)).as("conflicts at %s", region).doesNotContainPattern("meridian_conflicts_total\\{[^}]*\\} [1-9]");
    }
  }

  @Test
  void clientsCannotReadOrWriteProbeKeys() {
    REGIONS.forEach(this::start);
    KvGrpc.KvBlockingStub kv = KvGrpc.newBlockingStub(channel("b"));
    ByteString key = ByteString.copyFrom(ProbeKeys.keyOf("a"));

    assertThatThrownBy(() -> kv.get(GetRequest.newBuilder().setDataset(ORDERS).setKey(key).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("reserved for the agents' consistency probes");
        });
    assertThatThrownBy(() -> KvGrpc.newBlockingStub(channel("a"))
        .put(PutRequest.newBuilder().setDataset(ORDERS).setKey(key).setValue(ByteString.copyFromUtf8("x")).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }

  @Test
  void aStaleStrongReadAtACutOffReplicaIsCountedAsAViolation() throws Exception {
    start("a");
    start("b");
    // Region c carries a bug the probes exist to catch: it answers every read from its local copy,
    // whatever level was asked.
    start("c", new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<Q>(next.startCall(call, headers)) {
          @Override
          @SuppressWarnings("unchecked")
          public void onMessage(Q message) {
            super.onMessage(message instanceof GetRequest get
                ? (Q) get.toBuilder().setConsistency(ReadConsistency.READ_CONSISTENCY_EVENTUAL).build() : message);
          }
        };
      }
    });
    awaitConnected();
    ConsistencyProber prober = prober("a", 300);
    ConcurrentLinkedQueue<WatchEvent> events = new ConcurrentLinkedQueue<>();
    WatchGrpc.newStub(channel("a")).watch(WatchRequest.getDefaultInstance(), new StreamObserver<>() {
      @Override
      public void onNext(WatchEvent event) {
        events.add(event);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    });
    for (String region : List.of("a", "b")) {
      agents.get("c").transport().cut(region);
      agents.get(region).transport().cut("c");
    }

    prober.runRound();

    ProbeLevelFigures strong = level(figures("a"), CARTS, "strong");
    assertThat(strong.getViolations()).isEqualTo(1);
    // Only c answered: a strong read at b needs all three replicas and c is cut off, which is
    // unavailability, not a broken promise.
    assertThat(strong.getReads()).isEqualTo(1);
    assertThat(scrape("a")).contains("meridian_probe_violations_total{dataset=\"carts\",level=\"strong\"} 1");
    Awaitility.await().atMost(SERVER_WAIT).untilAsserted(() -> {
      assertThat(events).filteredOn(WatchEvent::hasProbeViolation).extracting(WatchEvent::getProbeViolation)
          .anySatisfy(violation -> {
            assertThat(violation.getDataset()).isEqualTo(CARTS);
            assertThat(violation.getTargetRegion()).isEqualTo("c");
            assertThat(violation.getLevel()).isEqualTo("strong");
            assertThat(violation.getObserved()).isEmpty();
          });
      // The write never reached c: it was not visible there within the wait either.
      assertThat(events).filteredOn(WatchEvent::hasProbeUnseen).extracting(WatchEvent::getProbeUnseen)
          .anySatisfy(unseen -> assertThat(unseen.getTargetRegion()).isEqualTo("c"));
    });
    // b kept its promises.
    assertThat(events).filteredOn(WatchEvent::hasProbeViolation)
        .noneMatch(event -> event.getProbeViolation().getTargetRegion().equals("b"));

    // ADR 0030: c also serves bounded-staleness reads of orders from its copy while it lags past the
    // bound. By the second round the first write was acknowledged more than the bound (200 ms) before
    // (round one waited 300 ms for visibility at c), so c breaks that promise too; b keeps it.
    prober.runRound();
    assertThat(level(figures("a"), ORDERS, "bounded-staleness").getViolations()).isPositive();
    assertThat(scrape("a")).containsPattern(
        "meridian_probe_violations_total\\{dataset=\"orders\",level=\"bounded-staleness\"} [1-9]");
    Awaitility.await().atMost(SERVER_WAIT).untilAsserted(() -> assertThat(events)
        .filteredOn(WatchEvent::hasProbeViolation).extracting(WatchEvent::getProbeViolation)
        .anySatisfy(violation -> {
          assertThat(violation.getDataset()).isEqualTo(ORDERS);
          assertThat(violation.getTargetRegion()).isEqualTo("c");
          assertThat(violation.getLevel()).isEqualTo("bounded-staleness");
        }));
    assertThat(events).filteredOn(WatchEvent::hasProbeViolation)
        .noneMatch(event -> event.getProbeViolation().getTargetRegion().equals("b"));
  }
}

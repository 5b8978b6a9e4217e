package io.meridian.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.meridian.agent.Agent;
import io.meridian.agent.api.v1.BatchPutRequest;
import io.meridian.agent.api.v1.BatchPutResponse;
import io.meridian.agent.api.v1.ChangeBatch;
import io.meridian.agent.api.v1.CompareAndSetRequest;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.CutLinkRequest;
import io.meridian.agent.api.v1.DatasetStatus;
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.UpdateRequest;
import io.meridian.agent.api.v1.GetResponse;
import io.meridian.agent.api.v1.HealLinkRequest;
import io.meridian.agent.api.v1.Hello;
import io.meridian.agent.api.v1.KeyValue;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.api.v1.PeerFrame;
import io.meridian.agent.api.v1.PeerLinkStatus;
import io.meridian.agent.api.v1.PeerReplicationGrpc;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.PutResponse;
import io.meridian.agent.api.v1.ReadConsistency;
import io.meridian.agent.api.v1.StatusRequest;
import io.meridian.agent.api.v1.WatchEvent;
import io.meridian.agent.api.v1.WatchGrpc;
import io.meridian.agent.api.v1.WatchRequest;
import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.storage.rocksdb.RocksDbReplicaStore;
import io.meridian.agent.wire.WireMapping;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves three agents wired through in-process gRPC serve the KV, control, watch and health APIs
// and replicate over the peer streams, with a hand-advanced clock and direct executors.
class AgentServicesTest {
  private static final AtomicInteger UNIQUE = new AtomicInteger();
  private static final List<String> REGIONS = List.of("a", "b", "c");
  private static final String ORDERS = "orders";
  private static final String LEDGER = "ledger";

  @TempDir
  Path dataDirectory;

  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final Map<String, Agent> agents = new TreeMap<>();
  private final Map<String, RocksDbReplicaStore> stores = new TreeMap<>();
  private final Map<String, PrometheusRegistry> registries = new TreeMap<>();
  private final List<ManagedChannel> clientChannels = new ArrayList<>();
  private ScheduledExecutorService scheduler;
  private LinkEmulation emulation = LinkEmulation.NONE;
  private String prefix;

  @BeforeEach
  void startAgents() {
    scheduler = Executors.newScheduledThreadPool(1);
    prefix = "agent-services-" + UNIQUE.incrementAndGet() + "-";
    for (String region : REGIONS) {
      start(region);
    }
  }

  @AfterEach
  void stopAgents() {
    clientChannels.forEach(ManagedChannel::shutdownNow);
    for (String region : REGIONS) {
      stop(region);
    }
    scheduler.shutdownNow();
  }

  private AgentConfig config(String region) {
    List<PeerConfig> peers = new ArrayList<>();
    for (String peer : REGIONS) {
      if (!peer.equals(region)) {
        peers.add(new PeerConfig(peer, prefix + peer, emulation));
      }
    }
    ReplicationBounds bounds = new ReplicationBounds(64, 1 << 20, 0, 1024, 100, 500, 300, 2_000, 2_000,
        1_000, 1_000, 1_000, 1024, 1 << 20);
    return new AgentConfig(region, peers, List.of(
        DatasetConfig.allReplicas(ORDERS, ReplicationMode.ASYNC, REGIONS, "a", FsyncPolicy.OPERATING_SYSTEM),
        DatasetConfig.allReplicas(LEDGER, ReplicationMode.SYNC, REGIONS, "a", FsyncPolicy.PER_COMMIT)), bounds);
  }

  private void start(String region) {
    RocksDbReplicaStore store = new RocksDbReplicaStore(dataDirectory.resolve(region), List.of(ORDERS, LEDGER));
    stores.put(region, store);
    agents.put(region, Agent.start(config(region), store,
        InProcessServerBuilder.forName(prefix + region).directExecutor(),
        address -> InProcessChannelBuilder.forName(address).directExecutor().build(),
        clock::get, scheduler, 0, registry(region),
        store::approximateSizeBytes));
  }

  // A restarted agent is a new process with a new registry.
  private PrometheusRegistry registry(String region) {
    PrometheusRegistry registry = new PrometheusRegistry();
    registries.put(region, registry);
    return registry;
  }

  private void stop(String region) {
    Agent agent = agents.remove(region);
    if (agent != null) {
      agent.close();
      stores.remove(region).close();
    }
  }

  private ManagedChannel channel(String region) {
    ManagedChannel channel = InProcessChannelBuilder.forName(prefix + region).directExecutor().build();
    clientChannels.add(channel);
    return channel;
  }

  private KvGrpc.KvBlockingStub kv(String region) {
    return KvGrpc.newBlockingStub(channel(region));
  }

  private void tickAll() {
    clock.addAndGet(5);
    agents.values().forEach(agent -> agent.runtime().tick());
  }

  private static ByteString text(String value) {
    return ByteString.copyFromUtf8(value);
  }

  private static PutRequest put(String dataset, String key, String value) {
    return PutRequest.newBuilder().setDataset(dataset).setKey(text(key)).setValue(text(value)).build();
  }

  private GetResponse get(String region, String dataset, String key) {
    return kv(region).get(GetRequest.newBuilder().setDataset(dataset).setKey(text(key)).build());
  }

  private PeerLinkStatus link(String region, String dataset, String peer) {
    StatusRequest request = StatusRequest.getDefaultInstance();
    for (DatasetStatus status : ControlGrpc.newBlockingStub(channel(region)).status(request).getDatasetsList()) {
      for (PeerLinkStatus link : status.getPeersList()) {
        if (status.getDataset().equals(dataset) && link.getPeerRegion().equals(peer)) {
          return link;
        }
      }
    }
    throw new AssertionError("no link " + region + "->" + peer + " for " + dataset);
  }

  @Test
  void putAtThePrimaryBecomesVisibleAtEveryReplica() {
    PutResponse response = kv("a").put(put(ORDERS, "k", "v"));
    assertThat(response.getVersion().getCommittedByRegion()).isEqualTo("a");
    assertThat(response.getVersion().getSequence()).isEqualTo(1);

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      tickAll();
      for (String region : REGIONS) {
        GetResponse read = get(region, ORDERS, "k");
        assertThat(read.getFound()).isTrue();
        assertThat(read.getValue()).isEqualTo(text("v"));
        assertThat(read.getServedByRegion()).isEqualTo(region);
        assertThat(read.getVersion()).isEqualTo(response.getVersion());
      }
    });
  }

  @Test
  void writeAtAReplicaIsForwardedAndCommittedByThePrimary() {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      tickAll();
      assertThat(link("b", ORDERS, "a").getConnected()).isTrue();
    });

    PutResponse response = kv("b").put(put(ORDERS, "k", "v"));

    assertThat(response.getVersion().getCommittedByRegion()).isEqualTo("a");
    assertThat(response.getVersion().getOriginRegion()).isEqualTo("b");
  }

  @Test
  void syncPutIsAnsweredOnceEveryReplicaHoldsIt() {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      tickAll();
      assertThat(link("a", LEDGER, "b").getConnected()).isTrue();
      assertThat(link("a", LEDGER, "c").getConnected()).isTrue();
    });

    PutResponse response = kv("a").put(put(LEDGER, "k", "v"));

    for (String replica : List.of("b", "c")) {
      assertThat(stores.get(replica).lastSequence(LEDGER)).isGreaterThanOrEqualTo(response.getVersion().getSequence());
    }
  }

  @Test
  void aClientThatHangsUpBeforeItsSyncAnswerDoesNotStopTheAgent() {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      tickAll();
      assertThat(link("a", LEDGER, "b").getConnected()).isTrue();
      assertThat(link("a", LEDGER, "c").getConnected()).isTrue();
    });
    for (String replica : List.of("b", "c")) {
      ControlGrpc.newBlockingStub(channel(replica))
          .cutLink(CutLinkRequest.newBuilder().setPeerRegion("a").build());
    }
    // The sync batch now waits for acknowledgements that cannot come; its client gives up.
    AtomicReference<Throwable> clientSaw = new AtomicReference<>();
    io.grpc.Context.CancellableContext impatient = io.grpc.Context.current().withCancellation();
    impatient.run(() -> {
      StreamObserver<BatchPutRequest> requests = KvGrpc.newStub(channel("a"))
          .batchPut(new StreamObserver<>() {
            @Override
            public void onNext(BatchPutResponse response) {}

            @Override
            public void onError(Throwable error) {
              clientSaw.set(error);
            }

            @Override
            public void onCompleted() {}
          });
      requests.onNext(BatchPutRequest.newBuilder().setDataset(LEDGER).setBatchId(1)
          .addEntries(KeyValue.newBuilder().setKey(text("abandoned")).setValue(text("v"))).build());
    });
    impatient.cancel(null);
    // The cancellation reaches the observer through the call's executor: await it, not assume it.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(clientSaw.get()).isNotNull());

    // Healing lets the acknowledgements arrive, so the primary answers a stream that is gone.
    for (String replica : List.of("b", "c")) {
      ControlGrpc.newBlockingStub(channel(replica))
          .healLink(HealLinkRequest.newBuilder().setPeerRegion("a").build());
    }
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      tickAll();
      assertThat(get("b", LEDGER, "abandoned").getFound()).isTrue();
      assertThat(get("c", LEDGER, "abandoned").getFound()).isTrue();
      assertThat(link("a", LEDGER, "b").getLagVersions()).isZero();
      assertThat(link("a", LEDGER, "c").getLagVersions()).isZero();
    });

    assertThat(agents.get("a").runtime().fatalError()).isEmpty();
    // The agents' clock moves only when this test ticks: a put that needs time to pass (a stream
    // the heal reopened late, a resend) would never finish inside a blocking call, which is how
    // a 5 s deadline ran out on a loaded machine. Send it, then tick until it is answered.
    java.util.concurrent.CompletableFuture<Object> after = new java.util.concurrent.CompletableFuture<>();
    KvGrpc.newStub(channel("a")).put(put(LEDGER, "after", "v"), new StreamObserver<>() {
      @Override
      public void onNext(PutResponse response) {
        after.complete(response);
      }

      @Override
      public void onError(Throwable error) {
        after.complete(error);
      }

      @Override
      public void onCompleted() {}
    });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      tickAll();
      assertThat(after).isDone();
    });
    assertThat(after.join()).isInstanceOfSatisfying(PutResponse.class,
        response -> assertThat(response.getVersion().getCommittedByRegion()).isEqualTo("a"));
  }

  @Test
  void compareAndSetReportsTheCurrentValueWhenItDoesNotSwap() {
    kv("a").put(put(ORDERS, "k", "1"));

    var refused = kv("a").compareAndSet(CompareAndSetRequest.newBuilder().setDataset(ORDERS).setKey(text("k"))
        .setExpectedValue(text("0")).setNewValue(text("2")).build());
    var swapped = kv("a").compareAndSet(CompareAndSetRequest.newBuilder().setDataset(ORDERS).setKey(text("k"))
        .setExpectedValue(text("1")).setNewValue(text("2")).build());

    assertThat(refused.getSwapped()).isFalse();
    assertThat(refused.getCurrentValue()).isEqualTo(text("1"));
    assertThat(swapped.getSwapped()).isTrue();
    assertThat(get("a", ORDERS, "k").getValue()).isEqualTo(text("2"));
  }

  @Test
  void conflictFreeOperationsOnASinglePrimaryDatasetAndForgedContextsAreRefusedWithAMessage() {
    assertThatThrownBy(() -> kv("a").update(UpdateRequest.newBuilder().setDataset(ORDERS).setKey(text("k"))
        .setIncrement(1).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).contains("single primary").contains("multi-primary");
        });
    assertThatThrownBy(() -> kv("a").update(UpdateRequest.newBuilder().setDataset(ORDERS).setKey(text("k")).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("names no operation");
        });
    assertThatThrownBy(() -> kv("a").put(put(ORDERS, "k", "v").toBuilder()
        .setCausalContext(text("not a context")).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("causal context");
        });
  }

  @Test
  void badRequestsGetAStatusWithAMessage() {
    assertThatThrownBy(() -> kv("a").put(put(ORDERS, "", "v")))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("key is empty");
        });
    assertThatThrownBy(() -> kv("a").put(put(ORDERS, "k".repeat(1025), "v")))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getDescription()).contains("1025 bytes; the limit is 1024"));
    assertThatThrownBy(() -> kv("a").put(put("nope", "k", "v")))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    assertThatThrownBy(() -> kv("a").get(GetRequest.newBuilder().setDataset(ORDERS).setKey(text("k"))
        .setConsistency(ReadConsistency.READ_CONSISTENCY_STRONG).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
  }

  private GetRequest sessionGet(String dataset, String key, ByteString token) {
    return GetRequest.newBuilder().setDataset(dataset).setKey(text(key))
        .setConsistency(ReadConsistency.READ_CONSISTENCY_SESSION).setSessionToken(token).build();
  }

  // ADR 0021: every write answers with a session token, and a session read carrying it at a region
  // that does not hold the write refuses (after its bounded wait) rather than return older data.
  @Test
  void aSessionReadAtARegionCutFromThePrimaryNeverReturnsOlderThanItsToken() {
    ControlGrpc.ControlBlockingStub control = ControlGrpc.newBlockingStub(channel("b"));
    control.cutLink(CutLinkRequest.newBuilder().setPeerRegion("a").build());
    PutResponse written = kv("a").put(put(ORDERS, "k", "v"));
    assertThat(written.getSessionToken().isEmpty()).isFalse();

    java.util.concurrent.CompletableFuture<Object> session = new java.util.concurrent.CompletableFuture<>();
    KvGrpc.newStub(channel("b")).get(sessionGet(ORDERS, "k", written.getSessionToken()),
        new io.grpc.stub.StreamObserver<>() {
          @Override
          public void onNext(GetResponse response) {
            session.complete(response);
          }

          @Override
          public void onError(Throwable error) {
            session.complete(error);
          }

          @Override
          public void onCompleted() {}
        });
    assertThat(get("b", ORDERS, "k").getFound()).as("an eventual read does not wait").isFalse();
    assertThat(session).as("the session read waits for the write").isNotDone();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      for (int i = 0; i < 20; i++) {
        tickAll(); // 100 ms of the agents' clock per poll: the session wait is 300 ms.
      }
      assertThat(session).isDone();
    });
    assertThat(session.join()).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.getStatus().getDescription()).contains("primary region a is unreachable");
    });

    control.healLink(HealLinkRequest.newBuilder().setPeerRegion("a").build());
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      tickAll();
      GetResponse read = kv("b").get(sessionGet(ORDERS, "k", written.getSessionToken()));
      assertThat(read.getValue()).isEqualTo(text("v"));
      assertThat(read.getVersion()).isEqualTo(written.getVersion());
    });
  }

  @Test
  void garbledOrForeignSessionTokensAndLevelsAModeCannotServeGetAStatusThatSaysWhy() {
    ByteString token = kv("a").put(put(ORDERS, "k", "v")).getSessionToken();
    ByteString garbled = token.substring(0, token.size() - 1).concat(text("x"));
    assertThatThrownBy(() -> kv("b").get(sessionGet(ORDERS, "k", garbled)))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("damaged").contains("unchanged");
        });
    assertThatThrownBy(() -> kv("b").get(sessionGet(LEDGER, "k", token)))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("belongs to dataset orders, not ledger");
        });
    assertThatThrownBy(() -> kv("b").get(GetRequest.newBuilder().setDataset(ORDERS).setKey(text("k"))
        .setConsistency(ReadConsistency.READ_CONSISTENCY_EVENTUAL).setSessionToken(token).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getDescription()).contains("tokens go with READ_CONSISTENCY_SESSION"));
    assertThatThrownBy(() -> kv("b").get(GetRequest.newBuilder().setDataset(ORDERS).setKey(text("k"))
        .setConsistency(ReadConsistency.READ_CONSISTENCY_QUORUM).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).contains("use strong").contains("session");
        });
    assertThatThrownBy(() -> kv("b").get(GetRequest.newBuilder().setDataset(ORDERS).setKey(text("k"))
        .setConsistency(ReadConsistency.READ_CONSISTENCY_BOUNDED_STALENESS).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).contains("no staleness bound");
        });
  }

  @Test
  void batchPutAnswersEveryBatchInOrderWithOneResultPerPut() throws Exception {
    ConcurrentLinkedQueue<BatchPutResponse> responses = new ConcurrentLinkedQueue<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicInteger completed = new AtomicInteger();
    StreamObserver<BatchPutRequest> requests = KvGrpc.newStub(channel("a")).batchPut(new StreamObserver<>() {
      @Override
      public void onNext(BatchPutResponse response) {
        responses.add(response);
      }

      @Override
      public void onError(Throwable error) {
        failure.set(error);
      }

      @Override
      public void onCompleted() {
        completed.incrementAndGet();
      }
    });
    for (int batch = 0; batch < 3; batch++) {
      // The last batch asks for acknowledgements without versions, as the load generator does.
      BatchPutRequest.Builder request = BatchPutRequest.newBuilder().setDataset(ORDERS).setBatchId(batch)
          .setOmitVersions(batch == 2);
      for (int i = 0; i < 4; i++) {
        request.addEntries(KeyValue.newBuilder().setKey(text("k" + batch + "-" + i)).setValue(text("v")));
      }
      request.addEntries(KeyValue.newBuilder().setKey(ByteString.EMPTY).setValue(text("bad")));
      requests.onNext(request.build());
    }
    requests.onCompleted();

    await().atMost(Duration.ofSeconds(30)).until(() -> completed.get() == 1 || failure.get() != null);
    assertThat(failure.get()).isNull();
    assertThat(responses).extracting(BatchPutResponse::getBatchId).containsExactly(0L, 1L, 2L);
    for (BatchPutResponse response : responses) {
      boolean omitted = response.getBatchId() == 2;
      assertThat(response.getResultsList()).hasSize(5);
      assertThat(response.getResultsList().subList(0, 4)).allSatisfy(result -> {
        assertThat(result.hasVersion()).isEqualTo(!omitted);
        assertThat(result.getCommitted()).isEqualTo(omitted);
      });
      assertThat(response.getResults(4).getErrorCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
      assertThat(response.getResults(4).getCommitted()).isFalse();
      // ADR 0030: the batch's session token covers its last committed put, versions asked for or not.
      assertThat(io.meridian.agent.core.replication.SessionToken.forDataset(ORDERS,
          response.getSessionToken().toByteArray()).position()).isInstanceOfSatisfying(
              io.meridian.agent.core.replication.SessionToken.LogPosition.class,
              position -> assertThat(position.sequence()).isEqualTo(4 * (response.getBatchId() + 1)));
    }
    assertThat(stores.get("a").lastSequence(ORDERS)).isEqualTo(12);
    ByteString lastBatch = responses.stream().filter(r -> r.getBatchId() == 2).findFirst().orElseThrow()
        .getSessionToken();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      tickAll();
      assertThat(kv("b").get(sessionGet(ORDERS, "k2-3", lastBatch)).getValue())
          .as("a session read with the batch's token at a replica sees the batch").isEqualTo(text("v"));
    });
  }

  @Test
  void cutLinkStopsReplicationAndHealingCatchesUp() {
    ControlGrpc.ControlBlockingStub control = ControlGrpc.newBlockingStub(channel("b"));
    assertThat(control.cutLink(CutLinkRequest.newBuilder().setPeerRegion("a").build()).getChanged()).isTrue();
    assertThat(control.cutLink(CutLinkRequest.newBuilder().setPeerRegion("a").build()).getChanged()).isFalse();

    kv("a").put(put(ORDERS, "k", "v"));
    for (int i = 0; i < 40; i++) {
      tickAll();
    }
    assertThat(get("b", ORDERS, "k").getFound()).isFalse();
    PeerLinkStatus cutLink = link("b", ORDERS, "a");
    assertThat(cutLink.getLinkCut()).isTrue();
    assertThat(cutLink.getConnected()).isFalse();
    assertThat(link("a", ORDERS, "b").getLagVersions()).isEqualTo(1);

    assertThat(control.healLink(HealLinkRequest.newBuilder().setPeerRegion("a").build()).getChanged()).isTrue();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      tickAll();
      assertThat(get("b", ORDERS, "k").getFound()).isTrue();
      assertThat(link("a", ORDERS, "b").getLagVersions()).isZero();
    });
  }

  @Test
  void watchStreamsSnapshotsAndLinkEvents() {
    ConcurrentLinkedQueue<WatchEvent> events = new ConcurrentLinkedQueue<>();
    WatchGrpc.newStub(channel("b")).watch(WatchRequest.newBuilder().setSnapshotIntervalMillis(100).build(),
        new StreamObserver<>() {
          @Override
          public void onNext(WatchEvent event) {
            events.add(event);
          }

          @Override
          public void onError(Throwable error) {}

          @Override
          public void onCompleted() {}
        });

    ControlGrpc.newBlockingStub(channel("b")).cutLink(CutLinkRequest.newBuilder().setPeerRegion("a").build());

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(events).anySatisfy(event -> assertThat(event.getLinkCut().getPeerRegion()).isEqualTo("a"));
      assertThat(events).anySatisfy(event -> {
        assertThat(event.getPeerDown().getPeerRegion()).isEqualTo("a");
        assertThat(event.getRegion()).isEqualTo("b");
      });
      assertThat(events).anySatisfy(event -> assertThat(event.getSnapshot().getLinksList())
          .anySatisfy(link -> {
            assertThat(link.getPeerRegion()).isEqualTo("a");
            assertThat(link.getLinkCut()).isTrue();
          }));
    });
  }

  @Test
  void peerSendingAnImpossibleFrameIsDisconnectedAndTheAgentKeepsServing() {
    AtomicReference<Throwable> closedWith = new AtomicReference<>();
    StreamObserver<PeerFrame> forged = PeerReplicationGrpc.newStub(channel("a")).replicate(new StreamObserver<>() {
      @Override
      public void onNext(PeerFrame frame) {}

      @Override
      public void onError(Throwable error) {
        closedWith.set(error);
      }

      @Override
      public void onCompleted() {}
    });
    forged.onNext(PeerFrame.newBuilder().setHello(Hello.newBuilder().setFromRegion("c").setDataset(ORDERS)
        .setProtocolVersion(WireMapping.PROTOCOL_VERSION).setEpoch(1).setResumeFromSequence(1)).build());
    forged.onNext(PeerFrame.newBuilder().setBatch(ChangeBatch.newBuilder().setEpoch(1).setFirstSequence(5)
        .setLastSequence(9)).build());

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(closedWith.get())
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT)));
    assertThat(kv("a").put(put(ORDERS, "still", "serving")).getVersion().getCommittedByRegion()).isEqualTo("a");
  }

  @Test
  void peerSpeakingAnotherProtocolVersionIsRefused() {
    AtomicReference<Throwable> closedWith = new AtomicReference<>();
    StreamObserver<PeerFrame> stream = PeerReplicationGrpc.newStub(channel("a")).replicate(new StreamObserver<>() {
      @Override
      public void onNext(PeerFrame frame) {}

      @Override
      public void onError(Throwable error) {
        closedWith.set(error);
      }

      @Override
      public void onCompleted() {}
    });

    stream.onNext(PeerFrame.newBuilder().setHello(Hello.newBuilder().setFromRegion("c").setDataset(ORDERS)
        .setProtocolVersion(WireMapping.PROTOCOL_VERSION + 1).setEpoch(1).setResumeFromSequence(1)).build());

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(closedWith.get())
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).contains("protocol version 2");
        }));
  }

  @Test
  void replicaRestartedFromItsRocksDbStoreCatchesUpWithoutDuplicates() {
    kv("a").put(put(ORDERS, "k1", "v1"));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      tickAll();
      assertThat(stores.get("c").lastSequence(ORDERS)).isEqualTo(1);
    });
    stop("c");
    kv("a").put(put(ORDERS, "k2", "v2"));

    start("c");

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      tickAll();
      assertThat(stores.get("c").lastSequence(ORDERS)).isEqualTo(2);
      assertThat(get("c", ORDERS, "k2").getValue()).isEqualTo(text("v2"));
    });
    assertThat(stores.get("c").readLog(ORDERS, 1, 10, Long.MAX_VALUE))
        .isEqualTo(stores.get("a").readLog(ORDERS, 1, 10, Long.MAX_VALUE));
  }

  @Test
  void healthServiceReportsServing() {
    HealthCheckResponse health = HealthGrpc.newBlockingStub(channel("a")).check(HealthCheckRequest.getDefaultInstance());

    assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  private String scrape(String region) throws Exception {
    ByteArrayOutputStream exposition = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(exposition, registries.get(region).scrape());
    return exposition.toString(StandardCharsets.UTF_8);
  }

  @Test
  void metricsReportLagThroughputAndRequestsByLink() throws Exception {
    ControlGrpc.newBlockingStub(channel("b")).cutLink(CutLinkRequest.newBuilder().setPeerRegion("a").build());
    kv("a").put(put(ORDERS, "k", "v"));
    // a learns that c applied the change from c's acknowledgement, which may still be on its way
    // (on the thread that delivered the batch) when c's store already holds it: await a's figures.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      tickAll();
      assertThat(stores.get("c").lastSequence(ORDERS)).isEqualTo(1);
      assertThat(scrape("a"))
          .contains("meridian_replication_lag_versions{dataset=\"orders\",source=\"a\",target=\"c\"} 0")
          .contains("meridian_replicated_changes_total{dataset=\"orders\",source=\"a\",target=\"c\"} 1");
    });

    String metrics = scrape("a");

    assertThat(metrics)
        .contains("meridian_replication_lag_versions{dataset=\"orders\",source=\"a\",target=\"b\"} 1")
        .contains("meridian_replication_lag_versions{dataset=\"orders\",source=\"a\",target=\"c\"} 0")
        .contains("meridian_peer_connected{dataset=\"orders\",source=\"a\",target=\"b\"} 0")
        .contains("meridian_replicated_changes_total{dataset=\"orders\",source=\"a\",target=\"c\"} 1")
        .contains("meridian_requests_seconds_count{dataset=\"orders\",operation=\"put\",outcome=\"ok\"} 1")
        .contains("meridian_storage_size_bytes");
    assertThat(scrape("c")).contains("meridian_replication_lag_versions{dataset=\"orders\",source=\"a\",target=\"c\"} 0");
  }

  @Test
  void metricsExpositionPassesPromtool() throws Exception {
    Path promtool = Path.of("/usr/bin/promtool");
    if (System.getenv("CI") != null) {
      // CI must check the exposition for real: .ci/run installs it, so a skip would hide a gap.
      assertThat(Files.isExecutable(promtool))
          .as("promtool must be installed in CI (.ci/run installs Debian's prometheus)").isTrue();
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(promtool),
        "promtool is not installed here; .ci/run installs Debian's prometheus package");
    kv("a").put(put(ORDERS, "k", "v"));
    // The consistency probes' metrics (ADR 0022), as the prober feeds them.
    io.meridian.agent.metrics.ProbeMetrics probes = io.meridian.agent.metrics.ProbeMetrics.register(registries.get("a"));
    probes.visible(ORDERS, "a", "b", 0.042);
    probes.read(ORDERS, "eventual", false);
    probes.read(ORDERS, "strong", true);
    probes.unseen(ORDERS, "a", "c");
    Path exposition = dataDirectory.resolve("metrics.txt");
    Files.writeString(exposition, scrape("a"));

    Process check = new ProcessBuilder(promtool.toString(), "check", "metrics")
        .redirectInput(exposition.toFile()).redirectErrorStream(true).start();
    String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(check.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("promtool finished within 60 s: " + report)
        .isTrue();
    assertThat(check.exitValue()).as(report).isZero();
    assertThat(Files.readString(exposition))
        .contains("meridian_probe_visibility_seconds_bucket{dataset=\"orders\",source=\"a\",target=\"b\",le=\"0.05\"} 1")
        .contains("meridian_probe_violations_total{dataset=\"orders\",level=\"strong\"} 1")
        .contains("meridian_probe_violations_total{dataset=\"orders\",level=\"eventual\"} 0")
        .contains("meridian_probe_unseen_total{dataset=\"orders\",source=\"a\",target=\"c\"} 1");
  }

  @Test
  void emulatedLinkDelaysReplicationByItsOneWayDelay() {
    for (String region : REGIONS) {
      stop(region);
    }
    emulation = new LinkEmulation(60, 0, 0, 0);
    prefix = prefix + "emulated-";
    for (String region : REGIONS) {
      start(region);
    }
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      tickAll();
      assertThat(link("a", ORDERS, "b").getConnected()).isTrue();
      assertThat(link("b", ORDERS, "a").getConnected()).isTrue();
    });

    long startNanos = System.nanoTime();
    kv("a").put(put(ORDERS, "k", "v"));
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).untilAsserted(() -> {
      tickAll();
      assertThat(stores.get("b").lastSequence(ORDERS)).isEqualTo(1);
    });

    assertThat((System.nanoTime() - startNanos) / 1_000_000).as("milliseconds until b applied the put")
        .isGreaterThanOrEqualTo(60);
  }
}

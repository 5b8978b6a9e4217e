package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.PutResponse;
import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.storage.rocksdb.RocksDbReplicaStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves that closing an agent is ordered: it stops accepting, stops the runtime's steps and only
// then lets the store close, so no step reaches a closed store (which, for RocksDB, crashes the
// JVM). Once close() has returned, later client work and ticks are refused without touching the
// store; and three agents closed one by one while clients write through all of them never touch
// a closed store, leave no client call hanging, and keep every write the primary acknowledged.
class AgentCloseTest {
  private static final AtomicInteger UNIQUE = new AtomicInteger();
  private static final List<String> REGIONS = List.of("a", "b", "c");
  private static final String ORDERS = "orders";
  private static final String LEDGER = "ledger";

  @TempDir
  Path directory;

  private final List<Agent> agents = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private ScheduledExecutorService scheduler;
  /** Tells the writers to stop; set when the test ends however it ends. */
  private final AtomicBoolean stop = new AtomicBoolean();
  private ExecutorService writers;

  @AfterEach
  void stopEverything() {
    // A failed assertion must not leave writers hammering the next test's JVM.
    stop.set(true);
    if (writers != null) {
      writers.shutdownNow();
    }
    channels.forEach(ManagedChannel::shutdownNow);
    agents.forEach(Agent::close);
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  @Test
  void afterCloseReturnsNoClientWorkOrTickReachesTheStore() {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    StoreGuard guard = new StoreGuard(new InMemoryReplicaStore(), () -> { });
    AgentConfig config = new AgentConfig("a", List.of(), List.of(DatasetConfig.allReplicas(ORDERS,
        ReplicationMode.ASYNC, List.of("a"), "a", FsyncPolicy.PER_COMMIT)), ReplicationBounds.DEFAULTS);
    Agent agent = Agent.start(config, guard.store(),
        InProcessServerBuilder.forName("agent-close-" + UNIQUE.incrementAndGet()).directExecutor(),
        address -> InProcessChannelBuilder.forName(address).directExecutor().build(), () -> 1_000_000L,
        scheduler, 0, new PrometheusRegistry(), () -> 0);
    agents.add(agent);
    ClientOperation put = new ClientOperation.Put(Bytes.ofUtf8("k"), Bytes.ofUtf8("v"));
    assertThat(agent.runtime().submit(ORDERS, put)).as("the write before close").succeedsWithin(Duration.ofSeconds(30))
        .isInstanceOf(ClientResult.Committed.class);

    agent.close();
    guard.close(); // What a store's owner does once close() returned.
    ClientResult afterClose = assertThat(agent.runtime().submit(ORDERS, put)).as("the write after close")
        .succeedsWithin(Duration.ofSeconds(30)).actual();
    agent.runtime().tick();

    assertThat(afterClose).isInstanceOf(ClientResult.Failed.class);
    assertThat(((ClientResult.Failed) afterClose).message()).contains("region a is shutting down; nothing was written");
    assertThat(agent.runtime().status()).isEmpty();
    assertThat(agent.runtime().failoverViews()).isEmpty();
    assertThat(agent.runtime().quarantined(ORDERS)).isEmpty();
    assertThat(guard.usesAfterClose()).as("store calls after close").isEmpty();
  }

  @Test
  void agentsClosedOneByOneUnderLoadNeverTouchAClosedStoreAndKeepWhatTheyAcknowledged() throws Exception {
    scheduler = Executors.newScheduledThreadPool(2);
    String prefix = "agent-close-" + UNIQUE.incrementAndGet() + "-";
    Map<String, StoreGuard> guards = new TreeMap<>();
    Map<String, Agent> byRegion = new TreeMap<>();
    for (String region : REGIONS) {
      List<PeerConfig> peers = new ArrayList<>();
      for (String peer : REGIONS) {
        if (!peer.equals(region)) {
          peers.add(new PeerConfig(peer, prefix + peer, LinkEmulation.NONE));
        }
      }
      AgentConfig config = new AgentConfig(region, peers, List.of(
          DatasetConfig.allReplicas(ORDERS, ReplicationMode.ASYNC, REGIONS, "a", FsyncPolicy.OPERATING_SYSTEM),
          // One replica's acknowledgement: writes go on while the first closed replica is gone.
          new DatasetConfig(LEDGER, ReplicationMode.SYNC, REGIONS, "a", 1, FsyncPolicy.PER_COMMIT, 1,
              FailoverPolicy.MANUAL)),
          ReplicationBounds.DEFAULTS);
      RocksDbReplicaStore rocks = new RocksDbReplicaStore(directory.resolve(region), List.of(ORDERS, LEDGER));
      StoreGuard guard = new StoreGuard(rocks, rocks::close);
      guards.put(region, guard);
      // Default executors, not direct ones: calls and peer frames run on gRPC's threads, as over TCP.
      Agent agent = Agent.start(config, guard.store(), InProcessServerBuilder.forName(prefix + region),
          address -> InProcessChannelBuilder.forName(address).build(), System::currentTimeMillis, scheduler,
          AgentMain.TICK_INTERVAL_MILLIS_MAX, new PrometheusRegistry(), () -> 0);
      byRegion.put(region, agent);
      agents.add(agent);
    }

    AtomicLong acknowledged = new AtomicLong();
    Map<String, String> acknowledgedByPrimary = new ConcurrentHashMap<>();
    Map<io.grpc.Status.Code, AtomicLong> failures = new ConcurrentHashMap<>();
    Map<io.grpc.Status.Code, String> firstReasons = new ConcurrentHashMap<>();
    writers = Executors.newFixedThreadPool(REGIONS.size());
    List<Future<?>> running = new ArrayList<>();
    for (String region : REGIONS) {
      ManagedChannel channel = InProcessChannelBuilder.forName(prefix + region).build();
      channels.add(channel);
      running.add(writers.submit(() -> {
        for (int i = 0; !stop.get(); i++) {
          String dataset = i % 4 == 0 ? LEDGER : ORDERS;
          String key = dataset + "/" + region + "-" + i;
          try {
            PutResponse response = KvGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .put(PutRequest.newBuilder().setDataset(dataset).setKey(ByteString.copyFromUtf8(key))
                    .setValue(ByteString.copyFromUtf8("v" + i)).build());
            if (response.getVersion().getCommittedByRegion().equals("a")) {
              acknowledgedByPrimary.put(key, "v" + i);
            }
            acknowledged.incrementAndGet();
          } catch (StatusRuntimeException refused) {
            failures.computeIfAbsent(refused.getStatus().getCode(), code -> new AtomicLong()).incrementAndGet();
            firstReasons.putIfAbsent(refused.getStatus().getCode(), String.valueOf(refused.getStatus().getDescription()));
          }
        }
      }));
    }

    // A replica, then the primary, then the last replica, each while writes are flowing.
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(acknowledged.get())
        .as("writes acknowledged (refused so far by code: %s; first reasons: %s)", failures, firstReasons).isGreaterThanOrEqualTo(300));
    byRegion.get("c").close(guards.get("c")::close);
    long atFirstClose = acknowledged.get();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(acknowledged.get())
        .as("writes acknowledged (refused so far by code: %s; first reasons: %s)", failures, firstReasons).isGreaterThanOrEqualTo(atFirstClose + 200));
    byRegion.get("a").close(guards.get("a")::close);
    byRegion.get("b").close(guards.get("b")::close);
    stop.set(true);
    for (Future<?> writer : running) {
      writer.get(30, TimeUnit.SECONDS); // No client call hangs once its agent is gone.
    }
    writers.shutdown();
    System.out.printf("closed under load: %d writes acknowledged, refused by code: %s; first reasons: %s%n",
        acknowledged.get(), failures, firstReasons);

    for (Map.Entry<String, StoreGuard> guard : guards.entrySet()) {
      assertThat(guard.getValue().closed()).as("store of %s closed", guard.getKey()).isTrue();
      assertThat(guard.getValue().usesAfterClose()).as("store calls after close at %s", guard.getKey()).isEmpty();
    }
    try (RocksDbReplicaStore primary = new RocksDbReplicaStore(directory.resolve("a"), List.of(ORDERS, LEDGER))) {
      for (Map.Entry<String, String> write : acknowledgedByPrimary.entrySet()) {
        String dataset = write.getKey().substring(0, write.getKey().indexOf('/'));
        Optional<StoredValue> stored = primary.get(dataset, Bytes.ofUtf8(write.getKey()));
        assertThat(stored).as("acknowledged write %s in the primary's store", write.getKey()).isPresent();
        assertThat(stored.orElseThrow().value()).isEqualTo(Bytes.ofUtf8(write.getValue()));
      }
    }
    assertThat(acknowledgedByPrimary).hasSizeGreaterThanOrEqualTo(500);
  }
}

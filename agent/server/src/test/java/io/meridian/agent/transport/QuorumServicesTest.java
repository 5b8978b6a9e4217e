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
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.GetResponse;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.PutResponse;
import io.meridian.agent.api.v1.ReadConsistency;
import io.meridian.agent.api.v1.ReplicaCount;
import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.QuorumPolicy;
import io.meridian.agent.config.ReplicationBounds;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves a quorum dataset works end to end over the real peer streams, wire format and RocksDB:
// writes at any agent answer after W replicas, reads at R see them, a stopped replica gets its
// hints (kept on disk across the coordinator's own restart) when it returns, the hint metrics say
// so, and levels the dataset cannot honour come back as FAILED_PRECONDITION with the reason. The
// agents run on the wall clock and tick themselves, as deployed ones do (writes wait out the batch
// delay before they leave).
class QuorumServicesTest {
  private static final AtomicInteger UNIQUE = new AtomicInteger();
  private static final List<String> REGIONS = List.of("a", "b", "c");
  private static final String CARTS = "carts";

  @TempDir
  Path dataDirectory;

  private final Map<String, Agent> agents = new TreeMap<>();
  private final Map<String, RocksDbReplicaStore> stores = new TreeMap<>();
  private final Map<String, PrometheusRegistry> registries = new TreeMap<>();
  private final List<ManagedChannel> clientChannels = new ArrayList<>();
  private ScheduledExecutorService scheduler;
  private String prefix;

  @BeforeEach
  void startAgents() {
    scheduler = Executors.newScheduledThreadPool(1);
    prefix = "quorum-services-" + UNIQUE.incrementAndGet() + "-";
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
        peers.add(new PeerConfig(peer, prefix + peer, LinkEmulation.NONE));
      }
    }
    return new AgentConfig(region, peers, List.of(DatasetConfig.quorum(CARTS, REGIONS,
        new QuorumPolicy(2, 2, 2_000, 1_000), FsyncPolicy.OPERATING_SYSTEM)), ReplicationBounds.DEFAULTS);
  }

  private void start(String region) {
    AgentConfig config = config(region);
    RocksDbReplicaStore store = new RocksDbReplicaStore(dataDirectory.resolve(region),
        ReplicationNode.storeNames(config));
    stores.put(region, store);
    PrometheusRegistry registry = new PrometheusRegistry();
    registries.put(region, registry);
    agents.put(region, Agent.start(config, store, InProcessServerBuilder.forName(prefix + region).directExecutor(),
        address -> InProcessChannelBuilder.forName(address).directExecutor().build(), System::currentTimeMillis,
        scheduler, 100, registry, store::approximateSizeBytes));
  }

  private void stop(String region) {
    Agent agent = agents.remove(region);
    if (agent != null) {
      agent.close();
      stores.remove(region).close();
    }
  }

  private KvGrpc.KvBlockingStub kv(String region) {
    ManagedChannel channel = InProcessChannelBuilder.forName(prefix + region).directExecutor().build();
    clientChannels.add(channel);
    return KvGrpc.newBlockingStub(channel).withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  private static PutRequest put(String key, String value) {
    return PutRequest.newBuilder().setDataset(CARTS).setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8(value)).build();
  }

  private static GetRequest get(String key, ReadConsistency level) {
    return GetRequest.newBuilder().setDataset(CARTS).setKey(ByteString.copyFromUtf8(key)).setConsistency(level)
        .build();
  }

  private String scrape(String region) throws Exception {
    ByteArrayOutputStream exposition = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(exposition, registries.get(region).scrape());
    return exposition.toString(StandardCharsets.UTF_8);
  }

  private void awaitStreams() {
    // Streams open asynchronously after start; a write at ALL succeeds once every one is open.
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
      for (String region : agents.keySet()) {
        kv(region).put(put("probe", region).toBuilder().setReplicaCount(ReplicaCount.REPLICA_COUNT_ALL).build());
      }
      return true;
    });
  }

  @Test
  void writesAtAnyAgentAreReadAtQuorumEverywhere() {
    awaitStreams();
    PutResponse written = kv("b").put(put("cart1", "apples"));
    assertThat(written.getVersion().getCommittedByRegion()).isEqualTo("b");
    for (String region : REGIONS) {
      GetResponse read = kv(region).get(get("cart1", ReadConsistency.READ_CONSISTENCY_QUORUM));
      assertThat(read.getFound()).as(region).isTrue();
      assertThat(read.getValue().toStringUtf8()).isEqualTo("apples");
    }
  }

  @Test
  void aStoppedReplicaGetsItsHintsFromDiskWhenItReturns() throws Exception {
    awaitStreams();
    stop("c");
    for (int i = 0; i < 20; i++) {
      kv("a").put(put("k" + i, "v" + i));
    }
    assertThatThrownBy(() -> kv("a").put(put("x", "y").toBuilder().setReplicaCount(ReplicaCount.REPLICA_COUNT_ALL)
        .build())).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).contains("only 2 are reachable");
        });
    assertThat(scrape("a")).contains("meridian_hints_stored_total{dataset=\"carts\",source=\"a\",target=\"c\"} 20.0")
        .contains("meridian_hints{dataset=\"carts\",source=\"a\",target=\"c\"} 20.0");
    // The coordinator restarts too: its hints are on disk.
    stop("a");
    start("a");
    start("c");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(scrape("a")).contains("meridian_hints_delivered_total{dataset=\"carts\",source=\"a\",target=\"c\"} 20.0")
          .contains("meridian_hints{dataset=\"carts\",source=\"a\",target=\"c\"} 0.0");
    });
    for (int i = 0; i < 20; i++) {
      GetResponse read = kv("c").get(get("k" + i, ReadConsistency.READ_CONSISTENCY_EVENTUAL));
      assertThat(read.getValue().toStringUtf8()).as("c holds k" + i + " locally").isEqualTo("v" + i);
    }
  }

  @Test
  void levelsTheDatasetCannotHonourAreRefusedWithTheReason() {
    // Session reads are served now (R = N-W+1, ADR 0021); bounded-staleness has no lag to refer to.
    assertThatThrownBy(() -> kv("a").get(get("k", ReadConsistency.READ_CONSISTENCY_BOUNDED_STALENESS)))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).contains("leaderless").contains("use quorum");
        });
  }
}

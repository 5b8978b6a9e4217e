package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.meridian.agent.api.v1.Conflict;
import io.meridian.agent.api.v1.CutLinkRequest;
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.GetResponse;
import io.meridian.agent.api.v1.HealLinkRequest;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.UpdateRequest;
import io.meridian.agent.api.v1.WatchEvent;
import io.meridian.agent.api.v1.WatchGrpc;
import io.meridian.agent.api.v1.WatchRequest;
import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves, with two real agent processes, that multi-primary writes to the same keys at both
// regions during a cut link produce, after healing, the expected winners and conflict events
// (last-writer-wins), siblings (version vectors) and sums (counters), and that a region killed
// with SIGKILL rebuilds the same merged state from its logs.
class MultiPrimaryProcessIT {
  private static final List<String> REGIONS = List.of("eu", "us");
  private static final String PROFILES = "profiles";
  private static final String CARTS = "carts";
  private static final String LIKES = "likes";

  @TempDir
  Path directory;

  private AgentProcesses agents;
  private Map<String, Integer> ports;
  private final List<WatchEvent> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void prepareAgents() {
    agents = new AgentProcesses(directory);
    ports = agents.ports();
  }

  @AfterEach
  void stopEverything() {
    agents.close();
  }

  @Test
  void concurrentWritesDuringACutLinkResolveAsConfiguredAfterHealing() throws Exception {
    writeConfigs();
    for (String region : REGIONS) {
      agents.start(region);
    }
    for (String region : REGIONS) {
      watch(region);
    }
    // Connected: a write at one region is visible at the other.
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
      put("eu", PROFILES, "ready", "yes");
      assertThat(get("us", PROFILES, "ready").getValue().toStringUtf8()).isEqualTo("yes");
    });

    for (String region : REGIONS) {
      String peer = region.equals("eu") ? "us" : "eu";
      agents.control(region).cutLink(CutLinkRequest.newBuilder().setPeerRegion(peer).build());
    }
    put("eu", PROFILES, "alice", "from-eu");
    put("eu", CARTS, "c1", "apples");
    increment("eu", LIKES, "post", 3);
    // Later on the same machine clock, and ties go to the greater region id: us wins.
    put("us", PROFILES, "alice", "from-us");
    put("us", CARTS, "c1", "pears");
    increment("us", LIKES, "post", 4);
    assertThat(get("eu", PROFILES, "alice").getValue().toStringUtf8()).isEqualTo("from-eu");
    for (String region : REGIONS) {
      String peer = region.equals("eu") ? "us" : "eu";
      agents.control(region).healLink(HealLinkRequest.newBuilder().setPeerRegion(peer).build());
    }

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      for (String region : REGIONS) {
        assertThat(get(region, PROFILES, "alice").getValue().toStringUtf8()).isEqualTo("from-us");
        assertThat(get(region, CARTS, "c1").getSiblingsList()).extracting(s -> s.getValue().toStringUtf8())
            .containsExactlyInAnyOrder("apples", "pears");
        assertThat(get(region, LIKES, "post").getCrdt().getCounter()).isEqualTo(7);
      }
    });
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Conflict atEu = conflict("eu", PROFILES);
      assertThat(atEu.getRule()).isEqualTo("lww");
      assertThat(atEu.getWinner().getValue().toStringUtf8()).isEqualTo("from-us");
      assertThat(atEu.getWinner().getVersion().getCommittedByRegion()).isEqualTo("us");
      assertThat(atEu.getDiscardedList()).extracting(v -> v.getValue().toStringUtf8()).containsExactly("from-eu");
      assertThat(conflict("us", PROFILES).getDiscardedList()).extracting(v -> v.getValue().toStringUtf8())
          .containsExactly("from-eu");
      assertThat(conflict("eu", CARTS).getRule()).isEqualTo("version-vector");
    });

    // A write back with the causal context resolves the siblings everywhere.
    ByteString context = get("eu", CARTS, "c1").getCausalContext();
    agents.kv("eu").put(PutRequest.newBuilder().setDataset(CARTS).setKey(utf8("c1")).setValue(utf8("apples+pears"))
        .setCausalContext(context).build());
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(get("us", CARTS, "c1").getSiblingsList()).extracting(s -> s.getValue().toStringUtf8())
            .containsExactly("apples+pears"));

    agents.kill("us");
    agents.start("us");
    assertThat(get("us", LIKES, "post").getCrdt().getCounter()).isEqualTo(7);
    assertThat(get("us", PROFILES, "alice").getValue().toStringUtf8()).isEqualTo("from-us");
  }

  private Conflict conflict(String region, String dataset) {
    return events.stream()
        .filter(event -> event.getRegion().equals(region) && event.hasConflict())
        .map(WatchEvent::getConflict)
        .filter(conflict -> conflict.getDataset().equals(dataset))
        .findFirst().orElseThrow(() -> new AssertionError("no conflict event for " + dataset + " at " + region));
  }

  private void writeConfigs() throws IOException {
    for (String region : REGIONS) {
      ports.put(region, AgentProcesses.freePort());
    }
    for (String region : REGIONS) {
      String peer = region.equals("eu") ? "us" : "eu";
      List<PeerConfig> peers = List.of(new PeerConfig(peer, "localhost:" + ports.get(peer), LinkEmulation.NONE,
          peer.toUpperCase()));
      AgentMain.ConfigFile config = new AgentMain.ConfigFile(region, peers, List.of(
          DatasetConfig.multiPrimary(PROFILES, REGIONS, ConflictResolution.LWW, FsyncPolicy.OPERATING_SYSTEM, List.of()),
          DatasetConfig.multiPrimary(CARTS, REGIONS, ConflictResolution.VERSION_VECTOR, FsyncPolicy.OPERATING_SYSTEM,
              List.of()),
          DatasetConfig.multiPrimary(LIKES, REGIONS, ConflictResolution.CRDT_PN_COUNTER, FsyncPolicy.OPERATING_SYSTEM,
              List.of())), null);
      new ObjectMapper().writeValue(directory.resolve(region + ".json").toFile(), config);
    }
  }

  private void watch(String region) {
    WatchGrpc.newStub(agents.channel(region)).watch(WatchRequest.getDefaultInstance(), new StreamObserver<>() {
      @Override
      public void onNext(WatchEvent event) {
        if (!event.hasSnapshot()) {
          events.add(event);
        }
      }

      @Override
      public void onError(Throwable error) {}

      @Override
      public void onCompleted() {}
    });
  }

  private static ByteString utf8(String text) {
    return ByteString.copyFromUtf8(text);
  }

  private void put(String region, String dataset, String key, String value) {
    agents.kv(region).put(PutRequest.newBuilder().setDataset(dataset).setKey(utf8(key)).setValue(utf8(value)).build());
  }

  private void increment(String region, String dataset, String key, long delta) {
    agents.kv(region).update(UpdateRequest.newBuilder().setDataset(dataset).setKey(utf8(key)).setIncrement(delta).build());
  }

  private GetResponse get(String region, String dataset, String key) {
    return agents.kv(region).get(GetRequest.newBuilder().setDataset(dataset).setKey(utf8(key)).build());
  }
}

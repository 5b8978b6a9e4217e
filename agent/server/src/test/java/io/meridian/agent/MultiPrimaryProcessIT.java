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
  private final java.util.Set<String> watching = java.util.concurrent.ConcurrentHashMap.newKeySet();

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
    agents.startAll(REGIONS);
    for (String region : REGIONS) {
      watch(region);
    }
    // A watch is registered once its first snapshot arrives; conflicts before that would be missed.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(watching).containsAll(REGIONS));
    // Connected: a write at one region is visible at the other.
    await().atMost(AgentProcesses.CONNECTED_TIMEOUT).ignoreExceptions().untilAsserted(() -> {
      put("eu", PROFILES, "ready", "yes");
      assertThat(get("us", PROFILES, "ready").getValue().toStringUtf8()).isEqualTo("yes");
    });

    for (String region : REGIONS) {
      String peer = region.equals("eu") ? "us" : "eu";
      agents.control(region).cutLink(CutLinkRequest.newBuilder().setPeerRegion(peer).build());
    }
    long euAliceMillis = agents.kv("eu").put(PutRequest.newBuilder().setDataset(PROFILES).setKey(utf8("alice"))
        .setValue(utf8("from-eu")).build()).getVersion().getTimestamp().getPhysicalMillis();
    put("eu", CARTS, "c1", "apples");
    increment("eu", LIKES, "post", 3);
    // Later on the same machine clock, so us wins. Within one millisecond the hybrid clocks'
    // logical counters would decide, not the region ids: wait for the clock to move on.
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
        .until(() -> System.currentTimeMillis() > euAliceMillis);
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

  /**
   * A region killed with SIGKILL while both regions take writes, with a merged-state cache of 64
   * keys (so most of its state is in the store, some of it not yet written back), restarts from
   * its stored merged state and converges with the other: every key reads the same at both, and
   * the counter holds every acknowledged increment.
   */
  @Test
  void aRegionKilledMidLoadConvergesWithTheOtherAfterRestart() throws Exception {
    writeConfigs();
    agents.jvmOptions().add("-Dmeridian.multiPrimary.cachedKeysMax=64");
    agents.startAll(REGIONS);
    await().atMost(AgentProcesses.CONNECTED_TIMEOUT).ignoreExceptions().untilAsserted(() -> {
      put("eu", PROFILES, "ready", "yes");
      assertThat(get("us", PROFILES, "ready").getValue().toStringUtf8()).isEqualTo("yes");
    });
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicLong incrementsAcknowledged = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong incrementsUnknown = new java.util.concurrent.atomic.AtomicLong();
    java.util.Set<String> keys = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.concurrent.ExecutorService writers = java.util.concurrent.Executors.newFixedThreadPool(2);
    List<java.util.concurrent.Future<?>> running = new java.util.ArrayList<>();
    for (String region : REGIONS) {
      running.add(writers.submit(() -> {
        for (int i = 0; !stop.get(); i++) {
          String key = i % 4 == 0 ? "shared-" + (i % 40) : "own-" + region + "-" + i;
          try {
            put(region, PROFILES, key, region + "-" + i);
            keys.add(key);
            put(region, CARTS, key, region + "-" + i);
            increment(region, LIKES, "total", 1);
            incrementsAcknowledged.incrementAndGet();
          } catch (RuntimeException e) {
            keys.add(key); // May have been written before the region died.
            incrementsUnknown.incrementAndGet();
            Thread.onSpinWait();
          }
        }
      }));
    }
    // Progress waits: on a loaded 2-core machine three calls a write go slowly, so give them room
    // (they return as soon as the writers got there).
    await().atMost(Duration.ofSeconds(120)).until(() -> incrementsAcknowledged.get() >= 400);
    agents.kill("us");
    long acknowledgedAtKill = incrementsAcknowledged.get();
    await().atMost(Duration.ofSeconds(120)).until(() -> incrementsAcknowledged.get() >= acknowledgedAtKill + 200);
    agents.start("us");
    long acknowledgedAtRestart = incrementsAcknowledged.get();
    await().atMost(Duration.ofSeconds(120)).until(() -> incrementsAcknowledged.get() >= acknowledgedAtRestart + 400);
    stop.set(true);
    for (java.util.concurrent.Future<?> writer : running) {
      writer.get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
    writers.shutdown();

    // Each region's log is applied in order everywhere, so its last private key reading the same at
    // both means all its earlier writes arrived (ADR 0027); the shared keys show the conflicts
    // resolved alike, and a sample of the rest checks the stored state itself.
    List<String> checked = new java.util.ArrayList<>();
    java.util.SplittableRandom sample = new java.util.SplittableRandom(keys.size());
    for (String key : keys) {
      if (key.startsWith("shared-") || sample.nextInt(10) == 0) {
        checked.add(key);
      }
    }
    for (String region : REGIONS) {
      keys.stream().filter(key -> key.startsWith("own-" + region + "-"))
          .max(java.util.Comparator.comparingInt(key -> Integer.parseInt(key.substring(key.lastIndexOf('-') + 1))))
          .ifPresent(checked::add);
    }
    // One await per key and dataset: a poll reads two values, however slow the machine, and a key
    // once equal stays equal (no writes any more). One poll over every key at load 44 took longer
    // than the whole wait.
    for (String key : checked) {
      for (String dataset : List.of(PROFILES, CARTS)) {
        // Checked at once (Awaitility otherwise first waits a poll interval, 200 ms a key).
        await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
            .untilAsserted(() -> {
          GetResponse atEu = get("eu", dataset, key).toBuilder().clearServedByRegion().clearServedAtUnixMicros().build();
          GetResponse atUs = get("us", dataset, key).toBuilder().clearServedByRegion().clearServedAtUnixMicros().build();
          assertThat(atUs).as(dataset + " " + key).isEqualTo(atEu);
        });
      }
    }
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      long total = get("eu", LIKES, "total").getCrdt().getCounter();
      assertThat(get("us", LIKES, "total").getCrdt().getCounter()).isEqualTo(total);
      assertThat(total).isBetween(incrementsAcknowledged.get(), incrementsAcknowledged.get() + incrementsUnknown.get());
    });
    assertThat(keys.size()).as("keys written").isGreaterThan(200);
  }

  private Conflict conflict(String region, String dataset) {
    return events.stream()
        .filter(event -> event.getRegion().equals(region) && event.hasConflict())
        .map(WatchEvent::getConflict)
        .filter(conflict -> conflict.getDataset().equals(dataset))
        .findFirst().orElseThrow(() -> new AssertionError("no conflict event for " + dataset + " at " + region));
  }

  private void writeConfigs() throws IOException {
    agents.writeConfigs(this::writeTwoRegionConfigs);
  }

  private void writeTwoRegionConfigs() throws IOException {
    List<Integer> picked = AgentProcesses.freePorts(REGIONS.size());
    for (int i = 0; i < REGIONS.size(); i++) {
      ports.put(REGIONS.get(i), picked.get(i));
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
        watching.add(region);
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

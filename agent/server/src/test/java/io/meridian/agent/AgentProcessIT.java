package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.DatasetStatus;
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.GetResponse;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.PutResponse;
import io.meridian.agent.api.v1.StatusRequest;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.ReplicationMode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves three real agent processes replicate over TCP, that an agent killed with SIGKILL
// restarts from its RocksDB store and catches up with nothing lost or duplicated, and that a
// replica whose data directory is wiped after the primary truncated its log converges again by
// snapshot (ADR 0017).
class AgentProcessIT {
  private static final List<String> REGIONS = List.of("a", "b", "c");
  private static final String ORDERS = "orders";
  private static final String LEDGER = "ledger";

  @TempDir
  Path directory;

  private AgentProcesses agents;

  @BeforeEach
  void prepareAgents() {
    agents = new AgentProcesses(directory);
  }

  @AfterEach
  void stopEverything() {
    agents.close();
  }

  private void writeConfigs() throws IOException {
    agents.writeConfigs(REGIONS, (region, peer) -> LinkEmulation.NONE, region -> List.of(
        DatasetConfig.allReplicas(ORDERS, ReplicationMode.ASYNC, REGIONS, "a", FsyncPolicy.OPERATING_SYSTEM),
        DatasetConfig.allReplicas(LEDGER, ReplicationMode.SYNC, REGIONS, "a", FsyncPolicy.PER_COMMIT)));
  }

  private PutResponse put(String region, String dataset, String key, String value) {
    // Under load the primary may push back while a replica catches up (ADR 0041): retried.
    return AcceptedPuts.put(agents.kv(region), PutRequest.newBuilder().setDataset(dataset)
        .setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value)).build());
  }

  private GetResponse get(String region, String dataset, String key) {
    return agents.kv(region).get(GetRequest.newBuilder().setDataset(dataset).setKey(ByteString.copyFromUtf8(key)).build());
  }

  private long lastSequence(String region, String dataset) {
    for (DatasetStatus status : ControlGrpc.newBlockingStub(agents.channel(region)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .status(StatusRequest.getDefaultInstance()).getDatasetsList()) {
      if (status.getDataset().equals(dataset)) {
        return status.getLastSequence();
      }
    }
    throw new AssertionError("no dataset " + dataset + " at " + region);
  }

  @Test
  void killedReplicaRestartsAndCatchesUpAndKilledPrimaryKeepsItsSyncWrites() throws Exception {
    writeConfigs();
    agents.startAll(REGIONS);
    await().atMost(AgentProcesses.CONNECTED_TIMEOUT).ignoreExceptions()
        .until(() -> put("a", LEDGER, "first", "sync").getVersion().getSequence() == 1);
    for (int i = 0; i < 50; i++) {
      put("b", ORDERS, "k" + i, "v" + i);
    }
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(lastSequence("c", ORDERS)).isEqualTo(50));

    agents.kill("c");
    for (int i = 50; i < 100; i++) {
      assertThat(put("a", ORDERS, "k" + i, "v" + i).getVersion().getCommittedByRegion()).isEqualTo("a");
    }
    agents.start("c");

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(lastSequence("c", ORDERS)).isEqualTo(100));
    for (int i = 0; i < 100; i++) {
      GetResponse read = get("c", ORDERS, "k" + i);
      assertThat(read.getValue().toStringUtf8()).isEqualTo("v" + i);
      assertThat(read.getVersion().getSequence()).isEqualTo(i + 1);
    }

    List<PutResponse> acknowledged = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      acknowledged.add(put("a", LEDGER, "s" + i, "w" + i));
    }
    agents.kill("a");
    agents.start("a");
    for (int i = 0; i < 20; i++) {
      GetResponse read = get("a", LEDGER, "s" + i);
      assertThat(read.getFound()).as("acknowledged sync write s" + i + " after kill -9").isTrue();
      assertThat(read.getVersion()).isEqualTo(acknowledged.get(i).getVersion());
      assertThat(get("b", LEDGER, "s" + i).getVersion()).isEqualTo(acknowledged.get(i).getVersion());
    }
    assertThat(lastSequence("a", LEDGER)).isEqualTo(21);
  }

  @Test
  void wipedReplicaConvergesBySnapshotAfterThePrimaryTruncatedItsLog() throws Exception {
    // A short retention, so that the writes made while the replica is gone leave the kept log.
    agents.jvmOptions().addAll(List.of("-Dmeridian.log.retainedChangesMax=50", "-Dmeridian.log.truncateStepChanges=10",
        "-Dmeridian.log.snapshotChunkChangesMax=16"));
    writeConfigs();
    agents.startAll(REGIONS);
    await().atMost(AgentProcesses.CONNECTED_TIMEOUT).ignoreExceptions()
        .until(() -> put("a", ORDERS, "k0", "first").getVersion().getSequence() == 1);
    for (int i = 1; i < 300; i++) {
      put("a", ORDERS, "k" + (i % 120), "v" + i);
    }
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(lastSequence("c", ORDERS)).isEqualTo(300));

    agents.kill("c");
    AgentProcesses.deleteRecursively(directory.resolve("data-" + REGIONS.get(2)));
    for (int i = 300; i < 500; i++) {
      put("a", ORDERS, "k" + (i % 150), "w" + i);
    }
    // The rebuilt replica keeps its whole log itself, so a log that starts late can only come from
    // a snapshot (checked in its store below).
    agents.jvmOptions().set(0, "-Dmeridian.log.retainedChangesMax=1000000");
    agents.start("c");

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(lastSequence("c", ORDERS)).isEqualTo(500));
    for (int i = 0; i < 150; i++) {
      GetResponse atPrimary = get("a", ORDERS, "k" + i);
      GetResponse atReplica = get("c", ORDERS, "k" + i);
      assertThat(atReplica.getFound()).as("k" + i).isEqualTo(atPrimary.getFound());
      assertThat(atReplica.getValue()).as("k" + i).isEqualTo(atPrimary.getValue());
      assertThat(atReplica.getVersion()).as("k" + i).isEqualTo(atPrimary.getVersion());
    }
    // The log resumes after the snapshot: a new write reaches the rebuilt replica as usual.
    put("a", ORDERS, "after", "snapshot");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(get("c", ORDERS, "after").getValue().toStringUtf8()).isEqualTo("snapshot"));

    agents.kill("c");
    try (io.meridian.agent.storage.rocksdb.RocksDbReplicaStore store = new io.meridian.agent.storage.rocksdb
        .RocksDbReplicaStore(directory.resolve("data-c"), List.of(ORDERS, LEDGER))) {
      assertThat(store.truncatedThrough(ORDERS)).as("c's log starts after the snapshot it installed")
          .isGreaterThanOrEqualTo(300);
      assertThat(store.lastSequence(ORDERS)).isEqualTo(501);
    }
  }

  /**
   * ADR 0043: replicas sync in groups on their own thread and acknowledge after that sync. Every
   * sync write acknowledged to its client is in the replica's own store: killed with its primary
   * (so it cannot catch up from it), the replica restarted alone serves all of them. Writes come
   * from four clients at once, so several batches share a replica's sync.
   */
  @Test
  void acknowledgedSyncWritesSurviveAKilledReplicaWhoseSyncsAreGrouped() throws Exception {
    writeConfigs();
    agents.startAll(REGIONS);
    await().atMost(AgentProcesses.CONNECTED_TIMEOUT).ignoreExceptions()
        .until(() -> put("a", LEDGER, "first", "sync").getVersion().getSequence() == 1);
    java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(4);
    List<java.util.concurrent.Future<PutResponse>> writes = new ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) {
        String key = "g" + i;
        writes.add(clients.submit(() -> put("a", LEDGER, key, "w-" + key)));
      }
      List<PutResponse> acknowledged = new ArrayList<>();
      for (java.util.concurrent.Future<PutResponse> write : writes) {
        acknowledged.add(write.get(60, TimeUnit.SECONDS));
      }
      agents.kill("b");
      agents.kill("a");
      agents.start("b");
      for (int i = 0; i < 40; i++) {
        String key = "g" + i;
        GetResponse read = get("b", LEDGER, key);
        assertThat(read.getFound()).as("acknowledged sync write " + key + " at replica b after kill -9").isTrue();
        assertThat(read.getValue().toStringUtf8()).isEqualTo("w-" + key);
        assertThat(read.getVersion()).isEqualTo(acknowledged.get(i).getVersion());
      }
    } finally {
      clients.shutdownNow();
    }
  }
}

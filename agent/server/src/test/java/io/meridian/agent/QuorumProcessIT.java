package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.GetResponse;
import io.meridian.agent.api.v1.PeerLinkStatus;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.ReadConsistency;
import io.meridian.agent.api.v1.ReplicaCount;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.QuorumPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves, with three real agent processes and SIGKILL, that a quorum dataset (N=3, W=2, R=2)
// keeps taking writes while one replica is killed, that quorum reads at another region never go
// back behind an acknowledged write, that the coordinator's hints for the dead replica pile up and
// reach it when it restarts, and that it then holds every write locally.
class QuorumProcessIT {
  private static final List<String> REGIONS = List.of("a", "b", "c");
  private static final String CARTS = "carts";
  private static final int WRITES = 150;

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

  @Test
  void writesContinueWithAReplicaKilledAndItsHintsReachItWhenItReturns() throws Exception {
    agents.writeConfigs(REGIONS, (region, peer) -> LinkEmulation.NONE, region -> List.of(DatasetConfig.quorum(CARTS,
        REGIONS, new QuorumPolicy(2, 2, 2_000, 10_000), FsyncPolicy.OPERATING_SYSTEM)));
    agents.startAll(REGIONS);
    // Every stream open: a write at all succeeds.
    await().atMost(AgentProcesses.CONNECTED_TIMEOUT).ignoreExceptions().untilAsserted(() ->
        agents.kv("a").put(put("ready", "yes").toBuilder().setReplicaCount(ReplicaCount.REPLICA_COUNT_ALL).build()));

    for (int i = 0; i < WRITES; i++) {
      if (i == WRITES / 3) {
        agents.kill("c");
      }
      agents.kv("a").put(put("k" + i, "v" + i)); // W=2 of a and b: never refused while c is down
      agents.kv("a").put(put("hot", String.valueOf(i)));
      GetResponse read = agents.kv("b").get(GetRequest.newBuilder().setDataset(CARTS).setKey(utf8("hot"))
          .setConsistency(ReadConsistency.READ_CONSISTENCY_QUORUM).build());
      assertThat(Integer.parseInt(read.getValue().toStringUtf8())).as("quorum read after write " + i)
          .isGreaterThanOrEqualTo(i);
    }
    // Writes sent to c just before its stream was seen closed become hints then (or at the deadline).
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(link("a", "c").getLagVersions())
        .as("hints kept at a for c").isGreaterThanOrEqualTo(2L * (WRITES - WRITES / 3)));

    agents.start("c");
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(link("a", "c").getLagVersions()).as("hints left at a for c").isZero());
    for (int i = 0; i < WRITES; i++) {
      GetResponse local = agents.kv("c").get(GetRequest.newBuilder().setDataset(CARTS).setKey(utf8("k" + i))
          .setConsistency(ReadConsistency.READ_CONSISTENCY_EVENTUAL).build());
      assertThat(local.getValue().toStringUtf8()).as("k" + i + " at c").isEqualTo("v" + i);
    }
  }

  private PeerLinkStatus link(String region, String peer) {
    return agents.link(region, CARTS, peer);
  }

  private static ByteString utf8(String text) {
    return ByteString.copyFromUtf8(text);
  }

  private static PutRequest put(String key, String value) {
    return PutRequest.newBuilder().setDataset(CARTS).setKey(utf8(key)).setValue(utf8(value)).build();
  }
}

package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.GetResponse;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.PutResponse;
import io.meridian.agent.api.v1.ReadConsistency;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.ReadPolicy;
import io.meridian.agent.config.ReplicationMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves read-your-writes across real agent processes under replication lag (ADR 0021): a client
// writes at one region and reads back at a region whose link from the primary is emulated at
// 120 ms one way; eventual reads there miss the write, session reads with the write's token never do
// (they wait for the replica, or are served by the primary), and a read b held until the write
// arrived is stamped with when it was answered, not when it was asked.
class SessionReadProcessIT {
  private static final List<String> REGIONS = List.of("a", "b", "c");
  private static final String ORDERS = "orders";
  private static final LinkEmulation SLOW = new LinkEmulation(120, 0, 0, 0);

  @TempDir
  Path directory;

  private AgentProcesses agents;

  @BeforeEach
  void startAgents() throws Exception {
    agents = new AgentProcesses(directory);
    // A short session wait, so some session reads at b are forwarded to the primary and some wait.
    DatasetConfig orders = DatasetConfig.allReplicas(ORDERS, ReplicationMode.ASYNC, REGIONS, "a",
        FsyncPolicy.OPERATING_SYSTEM).withReads(new ReadPolicy(0, 0, false, 100));
    // The primary's traffic to b is slow: b lags behind every write by at least 120 ms.
    agents.writeConfigs(REGIONS, (region, peer) -> region.equals("a") && peer.equals("b") ? SLOW : LinkEmulation.NONE,
        region -> List.of(orders));
    agents.startAll(REGIONS);
  }

  @AfterEach
  void stopAgents() {
    agents.close();
  }

  private PutResponse put(String region, String key, String value) {
    // Under load the primary may push back while a replica catches up (ADR 0041): retried.
    return AcceptedPuts.put(agents.kv(region), PutRequest.newBuilder().setDataset(ORDERS)
        .setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value)).build());
  }

  private GetResponse get(String region, String key, ReadConsistency level, ByteString token) {
    return agents.kv(region).get(GetRequest.newBuilder().setDataset(ORDERS).setKey(ByteString.copyFromUtf8(key))
        .setConsistency(level).setSessionToken(token).build());
  }

  @Test
  void sessionReadsAtALaggingRegionAlwaysSeeTheSessionsOwnWrites() {
    await().atMost(AgentProcesses.CONNECTED_TIMEOUT).ignoreExceptions()
        .until(() -> get("b", "warm", ReadConsistency.READ_CONSISTENCY_SESSION,
            put("c", "warm", "up").getSessionToken()).getFound());
    int eventualMisses = 0;
    Map<String, Integer> servedBy = new TreeMap<>();
    for (int i = 0; i < 40; i++) {
      String key = "k" + (i % 5);
      // Writes at a (the primary) and at c (forwarded to a); every read is at b, behind the slow link.
      PutResponse written = put(i % 2 == 0 ? "a" : "c", key, "v" + i);
      assertThat(written.getSessionToken().isEmpty()).isFalse();
      GetResponse eventual = get("b", key, ReadConsistency.READ_CONSISTENCY_EVENTUAL, ByteString.EMPTY);
      if (!eventual.getValue().toStringUtf8().equals("v" + i)) {
        eventualMisses++;
      }
      GetResponse session = get("b", key, ReadConsistency.READ_CONSISTENCY_SESSION, written.getSessionToken());
      assertThat(session.getValue().toStringUtf8()).as("session read %d at b", i).isEqualTo("v" + i);
      assertThat(session.getVersion()).isEqualTo(written.getVersion());
      servedBy.merge(session.getServedByRegion(), 1, Integer::sum);
      if (session.getServedByRegion().equals("b")) {
        // b held the read until the write arrived over the 120 ms link and stamped its answer then
        // (what lag probes measure, ADR 0038), not when the read arrived just after the put.
        long visibleAfterMicros = session.getServedAtUnixMicros()
            - written.getVersion().getTimestamp().getPhysicalMillis() * 1000;
        assertThat(visibleAfterMicros).as("session read %d at b, stamped after commit", i)
            .isGreaterThanOrEqualTo(SLOW.oneWayDelayMillis() * 1000 - 1000);
      }
    }
    System.out.printf("session reads at lagging region b: %d eventual reads missed the write just made; session"
        + " reads served by %s%n", eventualMisses, servedBy);
    assertThat(eventualMisses).as("the lag is real: eventual reads at b miss fresh writes").isGreaterThan(0);
  }
}

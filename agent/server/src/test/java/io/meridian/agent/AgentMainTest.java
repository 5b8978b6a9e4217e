package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves the agent's JSON configuration file reads into the configuration it describes and that
// mistakes in it are refused with a reason.
class AgentMainTest {

  @TempDir
  Path directory;

  @Test
  void configurationFileRoundTripsWithDefaultBounds() throws Exception {
    AgentMain.ConfigFile file = new AgentMain.ConfigFile("a",
        List.of(new PeerConfig("b", "localhost:7001", new LinkEmulation(40, 5, 0, 0.01))),
        List.of(DatasetConfig.allReplicas("orders", ReplicationMode.SYNC, List.of("a", "b"), "a", FsyncPolicy.PER_COMMIT)),
        null);
    Path json = directory.resolve("agent.json");
    new ObjectMapper().writeValue(json.toFile(), file);

    AgentConfig config = AgentMain.readConfig(json);

    assertThat(config).isEqualTo(file.toAgentConfig());
    assertThat(config.dataset("orders").orElseThrow().requiredAcks()).isEqualTo(1);
  }

  @Test
  void datasetWhosePrimaryIsNotAReplicaIsRefused() throws Exception {
    Path json = directory.resolve("bad.json");
    Files.writeString(json, "{\"region\":\"a\",\"peers\":[],\"datasets\":[{\"name\":\"d\",\"mode\":\"ASYNC\","
        + "\"replicas\":[\"a\"],\"primary\":\"z\",\"syncAckCount\":0,\"fsync\":\"PER_COMMIT\",\"initialEpoch\":1}]}");

    assertThatThrownBy(() -> AgentMain.readConfig(json)).hasMessageContaining("primary z is not one of its replicas");
  }

  @Test
  void failoverPolicyIsReadAndDefaultsToManual() throws Exception {
    Path json = directory.resolve("failover.json");
    Files.writeString(json, "{\"region\":\"a\",\"peers\":[],\"datasets\":["
        + "{\"name\":\"d\",\"mode\":\"ASYNC\",\"replicas\":[\"a\"],\"primary\":\"a\",\"syncAckCount\":0,"
        + "\"fsync\":\"PER_COMMIT\",\"initialEpoch\":1,\"failover\":{\"automatic\":true,"
        + "\"detectionTimeoutMillis\":800,\"clockDriftMarginMillis\":80}},"
        + "{\"name\":\"e\",\"mode\":\"ASYNC\",\"replicas\":[\"a\"],\"primary\":\"a\",\"syncAckCount\":0,"
        + "\"fsync\":\"PER_COMMIT\",\"initialEpoch\":1}]}");

    AgentConfig config = AgentMain.readConfig(json);

    assertThat(config.dataset("d").orElseThrow().failover())
        .isEqualTo(new io.meridian.agent.config.FailoverPolicy(true, 800, 80));
    assertThat(config.dataset("e").orElseThrow().failover()).isEqualTo(io.meridian.agent.config.FailoverPolicy.MANUAL);
  }
}

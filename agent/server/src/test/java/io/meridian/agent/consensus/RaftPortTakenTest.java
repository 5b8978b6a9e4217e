package io.meridian.agent.consensus;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.ConsensusConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverGroupConfig;
import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.failover.FailoverGroup;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves that a Raft port another process holds stops the agent's Raft servers (consensus datasets
// and the failover group) with a message naming the port and what to do, instead of Ratis ending
// the JVM with System.exit(1): if Ratis were reached, this test's JVM would die and the run would
// report a crashed fork.
class RaftPortTakenTest {
  @TempDir
  Path directory;

  @Test
  void consensusServerOnATakenPortIsRefusedWithThePortAndTheFix() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      int port = taken.getLocalPort();
      ConsensusConfig config = new ConsensusConfig(port, Map.of("a", "127.0.0.1:" + port),
          List.of(new ConsensusConfig.ConsensusGroup("balances", List.of("a"), List.of())), 1_000);

      assertThatThrownBy(() -> RatisHost.start("a", config, directory.resolve("consensus"), null))
          .isInstanceOf(UncheckedIOException.class)
          .hasCauseInstanceOf(BindException.class)
          .hasMessageContaining("region a: cannot start the Raft server of its consensus datasets")
          .hasMessageContaining("port " + port + " cannot be bound")
          .hasMessageContaining("sport = :" + port)
          .hasMessageContaining("\"consensus\": {\"port\": ...}");
    }
  }

  @Test
  void failoverGroupMemberOnATakenPortIsRefusedWithThePortAndTheFix() throws Exception {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try (ServerSocket taken = new ServerSocket(0)) {
      int port = taken.getLocalPort();
      DatasetConfig orders = new DatasetConfig("orders", ReplicationMode.ASYNC, List.of("a", "b"), "a", 0,
          FsyncPolicy.OPERATING_SYSTEM, 1, new FailoverPolicy(true, 1_000, 100));
      FailoverGroupConfig group = new FailoverGroupConfig(port, List.of(
          new FailoverGroupConfig.Member("a", "127.0.0.1:" + port),
          new FailoverGroupConfig.Member("b", "127.0.0.1:1")), Map.of("orders", List.of("b")));
      AgentConfig config = new AgentConfig("a", List.of(new PeerConfig("b", "127.0.0.1:1", LinkEmulation.NONE)),
          List.of(orders), ReplicationBounds.DEFAULTS, group);

      assertThatThrownBy(() -> FailoverGroup.start(config, directory.resolve("failover-group"), List::of,
          decision -> { }, scheduler, System::currentTimeMillis))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("region a: cannot start its failover group member")
          .hasMessageContaining("port " + port + " cannot be bound")
          .hasMessageContaining("\"failoverGroup\": {\"port\": ...}");
    } finally {
      scheduler.shutdownNow();
    }
  }
}

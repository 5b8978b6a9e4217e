package io.meridian.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.agent.api.v1.DatasetStatus;
import io.meridian.agent.api.v1.ReadConsistency;
import io.meridian.app.client.AgentClient;
import io.meridian.app.client.HistoryLoad;
import io.meridian.app.client.HistoryRecorder;
import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.LocalDeploymentFixture;
import io.meridian.app.history.LinearizabilityChecker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

// Proves consensus mode stays linearizable under faults, with real agent processes: while
// closed-loop clients at all three regions put, compare-and-set and read a handful of keys
// (recorded like `meridian load --history`), the Raft leader is killed with kill -9 and later
// restarted, then the new leader is paused (SIGSTOP) and resumed, then the leader is cut off from
// both other regions (`meridian fault cut`) and healed. Leadership moves, writes keep
// committing, and the recorded history passes the linearizability checker. Faults go through
// `meridian fault`. Bounded: about 45 s of load.
class ConsensusHistoryIT {
  private static final String DATASET = "account-balances";
  private static final List<String> REGIONS = List.of("virginia", "iowa", "montreal");

  @RegisterExtension
  final LocalDeploymentFixture deployment = new LocalDeploymentFixture();

  /** The leader the reachable agents agree on, if they do. */
  private static Optional<String> leader(Map<String, AgentClient> clients, List<String> reachable) {
    String agreed = null;
    for (String region : reachable) {
      try {
        Optional<DatasetStatus> status = clients.get(region).status(Duration.ofSeconds(2)).getDatasetsList()
            .stream().filter(d -> d.getDataset().equals(DATASET)).findFirst();
        String leader = status.map(DatasetStatus::getPrimaryRegion).orElse("");
        if (leader.isEmpty() || (agreed != null && !agreed.equals(leader))) {
          return Optional.empty();
        }
        agreed = leader;
      } catch (RuntimeException unreachable) {
        return Optional.empty();
      }
    }
    return Optional.ofNullable(agreed).filter(reachable::contains);
  }

  private static String awaitLeader(Map<String, AgentClient> clients, List<String> reachable) {
    String[] found = new String[1];
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
      found[0] = leader(clients, reachable).orElse(null);
      return found[0] != null;
    });
    return found[0];
  }

  /**
   * Lets the load run until it has recorded {@code events} more history events (invocations and
   * their outcomes), or has ended.
   */
  private static void awaitLoad(HistoryRecorder recorder, CompletableFuture<?> load, long events) {
    long from = recorder.events();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> recorder.events() >= from + events || load.isDone());
  }

  private static List<String> without(String region) {
    return REGIONS.stream().filter(r -> !r.equals(region)).toList();
  }

  @Test
  void historyUnderKillAndPauseOfTheLeaderIsLinearizable() throws Exception {
    Path workspace = deployment.workspace();
    Path stateDirectory = deployment.stateDirectory();
    CliRun deploy = CliRun.deployLocally(deployment, "src/test/resources/topologies/consensus-3.yaml");
    assertThat(deploy.status()).as(deploy.all()).isZero();
    DeploymentState state = DeploymentState.read(stateDirectory);
    Map<String, AgentClient> clients = new LinkedHashMap<>();
    Path historyFile = workspace.resolve("consensus-history.jsonl");
    try (HistoryRecorder recorder = new HistoryRecorder(historyFile)) {
      for (String region : REGIONS) {
        clients.put(region, new AgentClient(region, state.agent(region).orElseThrow().grpcAddress()));
      }
      String firstLeader = awaitLeader(clients, REGIONS);
      HistoryLoad load = new HistoryLoad(clients, new HistoryLoad.Options(DATASET, REGIONS, 150,
          Duration.ofSeconds(45), 8, 0.3, 0.3, ReadConsistency.READ_CONSISTENCY_STRONG), recorder);
      CompletableFuture<HistoryLoad.Summary> running = CompletableFuture.supplyAsync(() -> {
        try {
          return load.run();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });

      // The faults are spaced by load, not by time: on a starved machine a fixed pause may see no
      // operation at all. (Should the load's 45 s end first, the faults still happen, as before.)
      awaitLoad(recorder, running, 1_000); // load before the first fault
      CliRun kill = CliRun.meridian("fault", "kill", firstLeader);
      assertThat(kill.out()).as(kill.all()).contains("killed " + firstLeader);
      String secondLeader = awaitLeader(clients, without(firstLeader));
      assertThat(secondLeader).isNotEqualTo(firstLeader);
      awaitLoad(recorder, running, 600); // load under the new leader while the old one is down
      CliRun restart = CliRun.meridian("fault", "restart", firstLeader,
        "--wait", LocalDeploymentFixture.AGENT_WAIT_SECONDS);
      assertThat(restart.out()).as(restart.all()).contains("restarted " + firstLeader);
      await().atMost(Duration.ofSeconds(30)).until(() -> leader(clients, REGIONS).isPresent());

      String pausedLeader = awaitLeader(clients, REGIONS);
      CliRun pause = CliRun.meridian("fault", "pause", pausedLeader);
      assertThat(pause.status()).as(pause.all()).isZero();
      String thirdLeader = awaitLeader(clients, without(pausedLeader));
      assertThat(thirdLeader).isNotEqualTo(pausedLeader);
      awaitLoad(recorder, running, 400); // load while the old leader is paused
      CliRun resume = CliRun.meridian("fault", "resume", pausedLeader);
      assertThat(resume.status()).as(resume.all()).isZero();

      // A partition: the leader's links to both others cut at both ends, then healed.
      String isolated = awaitLeader(clients, REGIONS);
      for (String other : without(isolated)) {
        CliRun cut = CliRun.meridian("fault", "cut", isolated, other);
        assertThat(cut.status()).as(cut.all()).isZero();
      }
      String majorityLeader = awaitLeader(clients, without(isolated));
      assertThat(majorityLeader).isNotEqualTo(isolated);
      awaitLoad(recorder, running, 600); // load while the old leader is cut off
      for (String other : without(isolated)) {
        assertThat(CliRun.meridian("fault", "heal", isolated, other).status()).isZero();
      }

      HistoryLoad.Summary summary = running.get(120, java.util.concurrent.TimeUnit.SECONDS);
      System.out.println("consensus history: " + summary + "; leaders " + firstLeader + " -> " + secondLeader
          + ", paused " + pausedLeader + " -> " + thirdLeader + ", partitioned " + isolated + " -> "
          + majorityLeader + "; history in " + historyFile);
      assertThat(summary.ok()).as("operations that completed").isGreaterThan(500);
      recorder.flush();
      LinearizabilityChecker.Result result = LinearizabilityChecker.check(historyFile);
      System.out.println("checker: " + result.describe());
      assertThat(result.linearizable()).as(result.describe()).isTrue();
      assertThat(result.keysChecked()).isEqualTo(8);
    } finally {
      clients.values().forEach(AgentClient::close);
    }
  }
}

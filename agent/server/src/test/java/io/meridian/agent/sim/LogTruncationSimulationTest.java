package io.meridian.agent.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves, over many seeded fault schedules, that a truncated log stays within its retention bound
// under continuous writes, and that replicas that fell behind the kept log, restarted or were
// wiped catch up by snapshot and end with exactly the primary's state.
class LogTruncationSimulationTest {
  /** Seeds run by default; {@code -Dsim.truncationSeeds=N} runs more, {@code -Dsim.seed=N} runs one. */
  static final int DEFAULT_SEED_COUNT = 60;

  @Test
  void truncatedLogsStayBoundedAndEveryReplicaConverges() {
    List<LogTruncationSimulation.Report> reports = new ArrayList<>();
    List<Long> seeds = SimSeeds.seeds("sim.truncationSeeds", DEFAULT_SEED_COUNT);
    for (long seed : seeds) {
      reports.add(new LogTruncationSimulation(seed).run());
    }
    long writes = reports.stream().mapToLong(LogTruncationSimulation.Report::writesAcknowledged).sum();
    long snapshots = reports.stream().mapToLong(LogTruncationSimulation.Report::snapshotsInstalled).sum();
    long wipes = reports.stream().mapToLong(LogTruncationSimulation.Report::wipes).sum();
    long crashes = reports.stream().mapToLong(LogTruncationSimulation.Report::crashes).sum();
    long logMax = reports.stream().mapToLong(LogTruncationSimulation.Report::logEntriesMax).max().orElse(0);
    System.out.printf("log truncation simulation: %d seeds, %d acknowledged writes, %d snapshots installed,"
        + " %d crashes, %d wipes, longest log %d entries%n", seeds.size(), writes, snapshots, crashes, wipes, logMax);
    // Guard against a simulation that silently stops exercising anything.
    assertThat(writes).as("acknowledged writes").isGreaterThan(seeds.size() * 1_000L);
    if (seeds.size() >= 20) {
      assertThat(snapshots).as("snapshots installed").isGreaterThan(0);
      assertThat(wipes).as("wiped replicas").isGreaterThan(0);
      assertThat(logMax).as("logs reached the retention bound").isGreaterThanOrEqualTo(
          LogTruncationSimulation.RETENTION.retainedChangesMax());
    }
  }

  @Test
  void sameSeedReplaysTheSameRun() {
    assertThat(new LogTruncationSimulation(11).run()).isEqualTo(new LogTruncationSimulation(11).run());
  }
}

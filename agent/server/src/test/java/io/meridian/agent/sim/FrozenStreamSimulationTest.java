package io.meridian.agent.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves, over seeded schedules of cuts and heals at random moments during async writes, that a
// replica whose stream comes back connected but carrying no data (heartbeats still passing) reports
// itself stalled, closes the stream, and catches up on a fresh one; and that it never closes a
// stream that was delivering. Before the fix such a replica stayed connected and behind for ever.
class FrozenStreamSimulationTest {
  /** Seeds run by default; {@code -Dsim.frozenSeeds=N} runs more, {@code -Dsim.seed=N} runs one. */
  static final int DEFAULT_SEED_COUNT = 40;

  @Test
  void replicaOnAFrozenStreamReportsTheStallReconnectsAndCatchesUp() {
    List<Long> seeds = SimSeeds.seeds("sim.frozenSeeds", DEFAULT_SEED_COUNT);
    List<FrozenStreamSimulation.Report> reports = new ArrayList<>();
    for (long seed : seeds) {
      FrozenStreamSimulation.Report report = new FrozenStreamSimulation(seed).run();
      assertThat(report.healthyStreamsClosed())
          .as("streams closed as stalled while they delivered (reproduce with -Dsim.seed=%d)", seed)
          .isEmpty();
      reports.add(report);
    }
    long writes = reports.stream().mapToLong(FrozenStreamSimulation.Report::writesAcknowledged).sum();
    long frozen = reports.stream().mapToLong(FrozenStreamSimulation.Report::frozenStreams).sum();
    long reconnects = reports.stream().mapToLong(FrozenStreamSimulation.Report::stallDisconnects).sum();
    long stalled = reports.stream().mapToLong(FrozenStreamSimulation.Report::stalledReports).sum();
    System.out.printf("frozen streams: %d seeds, %d acknowledged writes, %d frozen streams, %d closed as"
        + " stalled, %d status reports saying stalled%n", seeds.size(), writes, frozen, reconnects, stalled);
    // Guard against a simulation that silently stops exercising the case.
    assertThat(writes).as("acknowledged writes").isGreaterThan(seeds.size() * 100L);
    assertThat(frozen).as("frozen streams").isGreaterThan(0);
    assertThat(reconnects).as("stalled streams closed").isGreaterThan(0);
    assertThat(stalled).as("status reports saying stalled").isGreaterThan(0);
  }

  @Test
  void sameSeedReplaysTheSameRun() {
    assertThat(new FrozenStreamSimulation(7).run()).isEqualTo(new FrozenStreamSimulation(7).run());
  }
}

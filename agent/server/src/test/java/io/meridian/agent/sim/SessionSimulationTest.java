package io.meridian.agent.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves, over many seeded fault schedules of async and sync datasets, that a session read carrying
// the token of the session's last write never returns anything older, wherever it is asked and
// whatever lags, cuts and restarts the replicas go through (ADR 0021).
class SessionSimulationTest {
  /** Seeds run by default; {@code -Dsim.sessionSeeds=N} runs more, {@code -Dsim.seed=N} runs one. */
  static final int DEFAULT_SEED_COUNT = 60;

  @Test
  void sessionReadsNeverReturnOlderThanTheSessionsOwnWrites() {
    List<SessionSimulation.Report> reports = new ArrayList<>();
    List<Long> seeds = SimSeeds.seeds("sim.sessionSeeds", DEFAULT_SEED_COUNT);
    for (long seed : seeds) {
      reports.add(new SessionSimulation(seed).run());
    }
    long writes = reports.stream().mapToLong(SessionSimulation.Report::writesAcknowledged).sum();
    long reads = reports.stream().mapToLong(SessionSimulation.Report::sessionReads).sum();
    long elsewhere = reports.stream().mapToLong(SessionSimulation.Report::readsServedElsewhere).sum();
    long waited = reports.stream().mapToLong(SessionSimulation.Report::readsThatWaited).sum();
    long refused = reports.stream().mapToLong(SessionSimulation.Report::readsRefused).sum();
    long cuts = reports.stream().mapToLong(SessionSimulation.Report::cuts).sum();
    long crashes = reports.stream().mapToLong(SessionSimulation.Report::crashes).sum();
    System.out.printf("session simulation: %d seeds, %d acknowledged writes, %d session reads (%d waited, %d"
        + " served by the primary for a lagging replica), %d refused, %d link cuts, %d crashes%n", seeds.size(),
        writes, reads, waited, elsewhere, refused, cuts, crashes);
    // Guard against a simulation that silently stops exercising anything.
    assertThat(reads).as("session reads answered").isGreaterThan(seeds.size() * 100L);
    if (seeds.size() >= 20) {
      assertThat(waited).as("session reads that waited for their replica").isGreaterThan(0);
      assertThat(elsewhere).as("session reads forwarded to the primary").isGreaterThan(0);
      assertThat(refused).as("session reads refused while cut off").isGreaterThan(0);
    }
  }

  @Test
  void sameSeedReplaysTheSameRun() {
    assertThat(new SessionSimulation(7).run()).isEqualTo(new SessionSimulation(7).run());
  }
}

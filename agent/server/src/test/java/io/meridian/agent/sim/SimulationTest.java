package io.meridian.agent.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves, over hundreds of seeded fault schedules, that after faults heal and traffic stops every
// replica equals its primary, nothing is applied twice, no acknowledged write is lost (or, after a
// failover, it is quarantined, never silently dropped), and two primaries never write at once.
class SimulationTest {
  /** Seeds run by default; {@code -Dsim.seeds=N} runs more, {@code -Dsim.seed=N} runs one. */
  static final int DEFAULT_SEED_COUNT = 300;

  @Test
  void replicasConvergeToThePrimaryUnderFaults() {
    List<Long> seeds = SimSeeds.seeds("sim.seeds", DEFAULT_SEED_COUNT);
    List<Simulation.Report> reports = new ArrayList<>();
    for (long seed : seeds) {
      reports.add(new Simulation(seed).run());
    }
    long writes = reports.stream().mapToLong(Simulation.Report::writesAcknowledged).sum();
    long crashes = reports.stream().mapToLong(Simulation.Report::crashes).sum();
    long slowest = reports.stream().mapToLong(Simulation.Report::convergedAfterMillis).max().orElse(0);
    long automatic = reports.stream().mapToLong(Simulation.Report::automaticFailovers).sum();
    long planned = reports.stream().mapToLong(Simulation.Report::plannedFailovers).sum();
    long forced = reports.stream().mapToLong(Simulation.Report::forcedFailovers).sum();
    long switchoversFailed = reports.stream().mapToLong(Simulation.Report::switchoversFailed).sum();
    long quarantined = reports.stream().mapToLong(Simulation.Report::writesQuarantined).sum();
    long acknowledgedQuarantined = reports.stream().mapToLong(Simulation.Report::acknowledgedWritesQuarantined).sum();
    System.out.printf("simulation: %d seeds, %d acknowledged writes, %d crashes, slowest convergence %d ms%n",
        seeds.size(), writes, crashes, slowest);
    System.out.printf("failover: %d automatic, %d planned, %d forced, %d switchovers failed; %d changes"
        + " quarantined (%d of them acknowledged writes)%n", automatic, planned, forced, switchoversFailed,
        quarantined, acknowledgedQuarantined);
    // Guard against a simulation that silently stops exercising anything.
    assertThat(writes).as("acknowledged writes across all seeds").isGreaterThan(seeds.size() * 10L);
    if (seeds.size() >= 50) {
      assertThat(crashes).as("crashes across all seeds").isGreaterThan(0);
      assertThat(automatic).as("automatic failovers across all seeds").isGreaterThan(0);
      assertThat(planned).as("planned switchovers across all seeds").isGreaterThan(0);
      assertThat(forced).as("forced failovers across all seeds").isGreaterThan(0);
      assertThat(quarantined).as("quarantined changes across all seeds").isGreaterThan(0);
    }
  }

  @Test
  void sameSeedReplaysTheSameRun() {
    assertThat(new Simulation(42).run()).isEqualTo(new Simulation(42).run());
  }
}

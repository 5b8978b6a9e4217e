package io.meridian.agent.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves the failover scenarios of issue 7 over many seeds, with the failover group's decisions
// made by the production DecisionLog: a primary paused past its lease never writes in its old
// epoch once a new one is decided; clock offsets of several seconds both ways break neither
// fencing nor the lease; a crashed primary that restarts after a failover rejoins as a replica and
// quarantines exactly the writes it never replicated. Each run also checks every invariant of
// SimulationTest (convergence, no acknowledged write lost or silently dropped, epochs never overlap).
class FailoverScenarioSimulationTest {
  /** Seeds per scenario by default; {@code -Dsim.scenarioSeeds=N} runs more, {@code -Dsim.seed=N} one. */
  static final int DEFAULT_SEED_COUNT = 12;

  @Test
  void pausedPrimaryNeverWritesInItsOldEpochAfterANewOneIsDecided() {
    List<Simulation.Report> reports = run(Simulation.Scenario.PAUSED_PRIMARY);
    long queued = reports.stream().mapToLong(Simulation.Report::inputsQueuedWhilePaused).sum();
    long automatic = reports.stream().mapToLong(Simulation.Report::automaticFailovers).sum();
    System.out.printf("paused primary: %d seeds, %d inputs waited through a pause, %d automatic failovers%n",
        reports.size(), queued, automatic);
    assertThat(reports).allSatisfy(report -> assertThat(report.pauses()).as("pauses in seed " + report.seed())
        .isEqualTo(1));
    if (reports.size() >= 12) {
      // A pause longer than the lease plus margin must be failed over in (nearly) every seed.
      assertThat(automatic).as("automatic failovers").isGreaterThanOrEqualTo(reports.size() * 8L / 10);
      assertThat(queued).as("inputs queued while paused").isGreaterThan(reports.size() * 10L);
    }
  }

  @Test
  void clockSkewOfSecondsBothWaysBreaksNeitherFencingNorTheLease() {
    List<Simulation.Report> reports = run(Simulation.Scenario.CLOCK_SKEW);
    long failovers = reports.stream().mapToLong(r -> r.automaticFailovers() + r.plannedFailovers()
        + r.forcedFailovers()).sum();
    System.out.printf("clock skew: %d seeds, %d failovers, %d acknowledged writes%n", reports.size(), failovers,
        reports.stream().mapToLong(Simulation.Report::writesAcknowledged).sum());
    if (reports.size() >= 12) {
      assertThat(failovers).as("failovers under skew").isGreaterThan(reports.size() / 2);
    }
  }

  @Test
  void restartedOldPrimaryRejoinsAsAReplicaAndQuarantinesExactlyItsUnreplicatedWrites() {
    List<Simulation.Report> reports = run(Simulation.Scenario.RESTART_REJOIN);
    long quarantined = reports.stream().mapToLong(Simulation.Report::rejoinedPrimaryQuarantined).sum();
    System.out.printf("restart-rejoin: %d seeds, %d unreplicated writes quarantined by the old primaries%n",
        reports.size(), quarantined);
    assertThat(reports).allSatisfy(report -> assertThat(report.automaticFailovers())
        .as("automatic failovers in seed " + report.seed()).isGreaterThanOrEqualTo(1));
    if (reports.size() >= 12) {
      assertThat(quarantined).as("writes the old primaries acknowledged while cut off").isGreaterThan(reports.size());
    }
  }

  @Test
  void sameSeedReplaysTheSameScenario() {
    for (Simulation.Scenario scenario : Simulation.Scenario.values()) {
      assertThat(new Simulation(7, scenario).run()).isEqualTo(new Simulation(7, scenario).run());
    }
  }

  private static List<Simulation.Report> run(Simulation.Scenario scenario) {
    List<Simulation.Report> reports = new ArrayList<>();
    String single = System.getProperty("sim.seed");
    if (single != null) {
      reports.add(new Simulation(Long.parseLong(single), scenario).run());
      return reports;
    }
    long first = Long.getLong("sim.firstSeed", 1);
    int count = Integer.getInteger("sim.scenarioSeeds", DEFAULT_SEED_COUNT);
    for (long seed = first; seed < first + count; seed++) {
      reports.add(new Simulation(seed, scenario).run());
    }
    return reports;
  }
}

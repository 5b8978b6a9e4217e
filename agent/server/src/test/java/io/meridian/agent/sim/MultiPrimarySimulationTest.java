package io.meridian.agent.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves, over many seeded fault schedules with 3-5 multi-primary regions, that after faults heal
// every replica holds byte-identical merged state, counters equal the sum of acknowledged
// increments, no version-vector sibling is lost, last-writer-wins keeps the greatest timestamp
// and reports every loser, and a dataset's data never reaches a region outside its jurisdictions.
class MultiPrimarySimulationTest {
  /** Seeds run by default; {@code -Dsim.seeds=N} runs more, {@code -Dsim.seed=N} runs one. */
  static final int DEFAULT_SEED_COUNT = 80;

  @Test
  void multiPrimaryReplicasConvergeUnderFaults() {
    List<Long> seeds = SimSeeds.seeds("sim.mpSeeds", DEFAULT_SEED_COUNT);
    List<MultiPrimarySimulation.Report> reports = new ArrayList<>();
    for (long seed : seeds) {
      reports.add(new MultiPrimarySimulation(seed).run());
    }
    long writes = reports.stream().mapToLong(MultiPrimarySimulation.Report::writesAcknowledged).sum();
    long conflicts = reports.stream().mapToLong(MultiPrimarySimulation.Report::conflicts).sum();
    long skews = reports.stream().mapToLong(MultiPrimarySimulation.Report::skewReports).sum();
    long refusals = reports.stream().mapToLong(MultiPrimarySimulation.Report::residencyRefusals).sum();
    long crashes = reports.stream().mapToLong(MultiPrimarySimulation.Report::crashes).sum();
    long slowest = reports.stream().mapToLong(MultiPrimarySimulation.Report::convergedAfterMillis).max().orElse(0);
    long pushedBack = reports.stream().mapToLong(MultiPrimarySimulation.Report::writesRefusedByPushback).sum();
    System.out.printf("multi-primary simulation: %d seeds, %d acknowledged writes, %d conflicts, %d skew reports,"
        + " %d residency refusals, %d crashes, slowest convergence %d ms, %d writes refused by pushback%n",
        seeds.size(), writes, conflicts, skews, refusals, crashes, slowest, pushedBack);
    // Guard against a simulation that silently stops exercising anything.
    assertThat(writes).as("acknowledged writes").isGreaterThan(seeds.size() * 50L);
    assertThat(conflicts).as("conflict events").isGreaterThan(0);
    assertThat(refusals).as("residency refusals").isGreaterThan(0);
    if (seeds.size() >= 50) {
      assertThat(crashes).as("crashes").isGreaterThan(0);
      assertThat(skews).as("clock skew reports").isGreaterThan(0);
      assertThat(pushedBack).as("writes refused by pushback in time, whose absence from the state the checks prove")
          .isGreaterThan(0);
    }
  }

  /**
   * The same guarantees with a merged-state cache of three keys written back after two changes
   * or 5 ms (ADR 0033): nearly every read, write, collection and restart goes through the
   * store's merged state and frontier, not the memory.
   */
  @Test
  void replicasConvergeWithTheMergedStateMostlyInTheStore() {
    io.meridian.agent.config.MultiPrimaryBounds d = io.meridian.agent.config.MultiPrimaryBounds.DEFAULTS;
    io.meridian.agent.config.MultiPrimaryBounds tiny = new io.meridian.agent.config.MultiPrimaryBounds(
        d.siblingsMax(), d.clockSkewToleranceMillis(), d.clockSkewReportIntervalMillis(), 4, 5,
        d.replayChangesPerRead(), 3, 2, 5, d.backlogChangesMax(), 500);
    List<Long> seeds = SimSeeds.seeds("sim.mpSeeds", DEFAULT_SEED_COUNT / 4);
    long crashes = 0;
    for (long seed : seeds) {
      crashes += new MultiPrimarySimulation(seed, tiny).run().crashes();
    }
    assertThat(crashes).as("crashes, so restarts from the stored state were exercised").isGreaterThan(0);
  }

  @Test
  void sameSeedReplaysTheSameRun() {
    assertThat(new MultiPrimarySimulation(7).run()).isEqualTo(new MultiPrimarySimulation(7).run());
  }
}

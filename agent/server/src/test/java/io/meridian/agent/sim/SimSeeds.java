package io.meridian.agent.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The seeds a simulation test runs: {@code -Dsim.seed=N} runs that one (to replay a failure);
 * otherwise {@code -Dsim.firstSeed=F} (default 1) and the test's own count property give a range.
 */
final class SimSeeds {
  private SimSeeds() {}

  /** The seeds to run; {@code countProperty} names the system property that overrides {@code defaultCount}. */
  static List<Long> seeds(String countProperty, int defaultCount) {
    String single = System.getProperty("sim.seed");
    if (single != null) {
      return List.of(Long.parseLong(single));
    }
    long first = Long.getLong("sim.firstSeed", 1);
    int count = Integer.getInteger(countProperty, defaultCount);
    List<Long> seeds = new ArrayList<>();
    for (long seed = first; seed < first + count; seed++) {
      seeds.add(seed);
    }
    return seeds;
  }
}

package io.meridian.agent.core.conflict;

import java.util.Comparator;
import java.util.Objects;

/**
 * One write event: the region that committed it and its position in that region's own log of
 * writes to the dataset. Unique per dataset; the counters of one region only grow.
 *
 * @param region the committing region
 * @param counter its log sequence there, from 1
 */
public record Dot(String region, long counter) implements Comparable<Dot> {
  private static final Comparator<Dot> ORDER =
      Comparator.comparing(Dot::region).thenComparingLong(Dot::counter);

  /** Validates presence and range. */
  public Dot {
    Objects.requireNonNull(region, "region");
    if (counter < 1) {
      throw new IllegalArgumentException("dot counters start at 1, got " + counter);
    }
  }

  @Override
  public int compareTo(Dot other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return region + ":" + counter;
  }
}

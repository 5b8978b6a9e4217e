package io.meridian.agent.core.conflict;

import io.meridian.agent.core.clock.HlcTimestamp;
import java.util.Comparator;
import java.util.Objects;

/**
 * What the committing region attached to an operation: its dot and its hybrid clock timestamp.
 * Operations are stamped when they are committed, so the same operation replays identically.
 *
 * @param dot the write event
 * @param timestamp commit time on the committing region's hybrid logical clock
 */
public record Stamp(Dot dot, HlcTimestamp timestamp) implements Comparable<Stamp> {
  /** Last-writer-wins order: timestamp, then region id (the tie break), then counter. */
  private static final Comparator<Stamp> ORDER = Comparator.comparing(Stamp::timestamp)
      .thenComparing(stamp -> stamp.dot().region())
      .thenComparingLong(stamp -> stamp.dot().counter());

  /** Validates presence. */
  public Stamp {
    Objects.requireNonNull(dot, "dot");
    Objects.requireNonNull(timestamp, "timestamp");
  }

  /** The region that committed the operation. */
  public String region() {
    return dot.region();
  }

  @Override
  public int compareTo(Stamp other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return dot + "@" + timestamp;
  }
}

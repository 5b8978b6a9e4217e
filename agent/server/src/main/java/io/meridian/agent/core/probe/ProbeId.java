package io.meridian.agent.core.probe;

import io.meridian.agent.core.Invariants;

/**
 * One probe write of a source region, ordered: a later incarnation (the prober's start, so a
 * restarted agent's probes are newer than its old ones) or a higher number is newer.
 *
 * @param incarnation when the prober started (wall-clock milliseconds at the source)
 * @param number the probe's number in that incarnation, from 1
 */
public record ProbeId(long incarnation, long number) implements Comparable<ProbeId> {
  /** Validates ranges. */
  public ProbeId {
    Invariants.check(incarnation >= 0, "probe incarnation must not be negative, got %d", incarnation);
    Invariants.check(number >= 1, "probe numbers start at 1, got %d", number);
  }

  @Override
  public int compareTo(ProbeId other) {
    int byIncarnation = Long.compare(incarnation, other.incarnation);
    return byIncarnation != 0 ? byIncarnation : Long.compare(number, other.number);
  }

  /** Whether this probe is older than {@code other}. */
  public boolean olderThan(ProbeId other) {
    return compareTo(other) < 0;
  }

  @Override
  public String toString() {
    return incarnation + "/" + number;
  }
}

package io.meridian.agent.core.clock;

import io.meridian.agent.core.Invariants;

/**
 * A hybrid logical clock. Readings only grow, even when the wall clock steps back, and a reading
 * taken after {@link #observe observing} a remote timestamp is greater than it.
 */
public final class HybridLogicalClock {
  private HlcTimestamp last;

  /** A clock whose readings will all be greater than {@code floor} (for example, recovered from disk). */
  public HybridLogicalClock(HlcTimestamp floor) {
    this.last = floor;
  }

  /** A reading for a local event at wall-clock time {@code wallMillis}. */
  public HlcTimestamp now(long wallMillis) {
    HlcTimestamp next;
    if (wallMillis > last.physicalMillis()) {
      next = new HlcTimestamp(wallMillis, 0);
    } else {
      next = successor(last);
    }
    return advanceTo(next);
  }

  /**
   * Merges a timestamp received from another region, so that later readings follow it.
   *
   * @return a reading greater than both the previous reading and {@code remote}
   */
  public HlcTimestamp observe(HlcTimestamp remote, long wallMillis) {
    long physical = Math.max(wallMillis, Math.max(last.physicalMillis(), remote.physicalMillis()));
    HlcTimestamp next;
    if (physical == last.physicalMillis() && physical == remote.physicalMillis()) {
      next = successor(new HlcTimestamp(physical, Math.max(last.logical(), remote.logical())));
    } else if (physical == last.physicalMillis()) {
      next = successor(last);
    } else if (physical == remote.physicalMillis()) {
      next = successor(remote);
    } else {
      next = new HlcTimestamp(physical, 0);
    }
    return advanceTo(next);
  }

  /** The newest reading handed out. */
  public HlcTimestamp last() {
    return last;
  }

  private HlcTimestamp advanceTo(HlcTimestamp next) {
    if (next.compareTo(last) <= 0) { // Varargs only when it fails: this runs for every held change.
      Invariants.check(false, "hybrid clock must advance: %s after %s", next, last);
    }
    last = next;
    return next;
  }

  private static HlcTimestamp successor(HlcTimestamp timestamp) {
    // Sixty-five thousand events in one millisecond: borrow the next millisecond rather than wrap.
    return timestamp.logical() < HlcTimestamp.LOGICAL_MAX
        ? new HlcTimestamp(timestamp.physicalMillis(), timestamp.logical() + 1)
        : new HlcTimestamp(timestamp.physicalMillis() + 1, 0);
  }
}

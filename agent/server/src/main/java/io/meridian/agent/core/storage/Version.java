package io.meridian.agent.core.storage;

import io.meridian.agent.core.Invariants;
import io.meridian.agent.core.clock.HlcTimestamp;
import java.util.Objects;

/**
 * Where a change came from and where it sits in its dataset's log.
 *
 * @param timestamp commit time on the committing region's hybrid logical clock
 * @param originRegion region whose client issued the write
 * @param sequence position in the dataset's replication log, from 1
 * @param committedBy region that committed the write
 * @param epoch primary epoch under which it was committed
 */
public record Version(
    HlcTimestamp timestamp, String originRegion, long sequence, String committedBy, long epoch) {

  /** Validates that the version names its regions and sits at a real position. */
  public Version {
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(originRegion, "originRegion");
    Objects.requireNonNull(committedBy, "committedBy");
    // Tested before the formatting checks: every decoded, held and stored change builds a Version,
    // and the varargs checks box their arguments into a new array on each call (C1 agents do not
    // elide it); profiles of quorum replicas showed it.
    if (sequence < 1 || epoch < 1) {
      Invariants.check(sequence >= 1, "log sequences start at 1, got %d", sequence);
      Invariants.check(epoch >= 1, "epochs start at 1, got %d", epoch);
    }
  }
}

package io.meridian.agent.core.antientropy;

import io.meridian.agent.core.storage.StoredValue;
import java.util.Optional;

/**
 * How a replica reconciles one key with a peer's state of it: the engine-agnostic "key → version,
 * merge" that anti-entropy plugs into. Single-primary datasets use {@link #PRIMARY_WINS}; a
 * leaderless or multi-primary engine supplies its own merge.
 */
public interface RepairRule {

  /** What to do with the local key. */
  record Decision(boolean change, Optional<StoredValue> state) {
    /** Leave the key as it is. */
    public static final Decision KEEP = new Decision(false, Optional.empty());
  }

  /**
   * Decides the local state of a key.
   *
   * @param local the local state, if any
   * @param remote the source's state, if any
   * @param localHeadSequence the newest sequence the local log has applied
   */
  Decision resolve(Optional<StoredValue> local, Optional<StoredValue> remote, long localHeadSequence);

  /**
   * For async and sync datasets: the primary's state is the truth, but a change the replica's log
   * has not reached yet is left to the log (which brings it in order), so repair never moves a
   * replica ahead of its log or back behind it. A key the primary does not hold at all (not even
   * as a tombstone) cannot have come from its log and is removed.
   */
  RepairRule PRIMARY_WINS = (local, remote, localHeadSequence) -> {
    if (remote.isPresent()) {
      if (remote.get().version().sequence() > localHeadSequence || remote.equals(local)) {
        return Decision.KEEP;
      }
      return new Decision(true, remote);
    }
    return local.isPresent() ? new Decision(true, Optional.empty()) : Decision.KEEP;
  };
}

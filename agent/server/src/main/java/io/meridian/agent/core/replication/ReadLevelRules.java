package io.meridian.agent.core.replication;

import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.replication.RequestOptions.ReadLevel;

/**
 * Which read levels each replication mode serves, and why not when it does not (ADR 0021). The
 * topology model keeps the same table ({@code io.meridian.model.analysis.ReadLevels}) for the
 * analyzer and validation; a test in the app checks that both agree, since the model may not depend
 * on the agent.
 */
public final class ReadLevelRules {
  private ReadLevelRules() {}

  /** Whether a dataset of {@code mode} serves reads at {@code level} (the mode's default always). */
  public static boolean serves(ReplicationMode mode, ReadLevel level) {
    if (level == ReadLevel.DEFAULT || level == ReadLevel.EVENTUAL) {
      return true;
    }
    return switch (mode) {
      case ASYNC, SYNC -> level != ReadLevel.QUORUM;
      case MULTI_PRIMARY -> level == ReadLevel.SESSION;
      case QUORUM -> level != ReadLevel.BOUNDED_STALENESS;
      case CONSENSUS -> true;
    };
  }

  /**
   * Whether {@code level} at a dataset of {@code mode} needs the primary's write lease (automatic
   * failover): strong reads of a single-primary dataset are served by a primary that no other
   * region can have replaced, and only the lease proves that (ADR 0009, 0021).
   */
  public static boolean needsWriteLease(ReplicationMode mode, ReadLevel level) {
    return (mode == ReplicationMode.ASYNC || mode == ReplicationMode.SYNC) && level == ReadLevel.STRONG;
  }

  /** Why {@code mode} does not serve {@code level}, and which level to use instead. */
  public static String whyNot(ReplicationMode mode, ReadLevel level) {
    return switch (mode) {
      case ASYNC, SYNC -> "a single-primary dataset has no read quorum (only the primary is sure to hold every"
          + " write); use strong (served by the primary under its write lease) or session (read-your-writes).";
      case MULTI_PRIMARY -> level == ReadLevel.BOUNDED_STALENESS
          ? "every region of a multi-primary dataset accepts writes and lags each other region separately, and"
              + " there is no primary to forward a stale read to; use session (read-your-writes) or eventual."
          : "every replica of a multi-primary dataset accepts writes asynchronously, so no replica can promise "
              + levelName(level) + " reads; use session (read-your-writes) or eventual, or a quorum or consensus"
              + " dataset for stronger reads.";
      case QUORUM -> "a leaderless quorum dataset keeps no log position for a lag bound to refer to; use quorum"
          + " (R+W>N reads see every acknowledged write) or session.";
      case CONSENSUS -> "consensus serves every level.";
    };
  }

  /** The level as users write it: {@code bounded-staleness}. */
  public static String levelName(ReadLevel level) {
    return level.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /**
   * How many replicas a quorum write at {@code count} waits for in a dataset of {@code replicas}
   * replicas with {@code policy}: its W, which a session token records (ADR 0030); 0 for a count
   * the dataset refuses (local-quorum).
   */
  public static int quorumWriteReplicas(int replicas, io.meridian.agent.config.QuorumPolicy policy,
      RequestOptions.ReplicaCount count) {
    return switch (count) {
      case ONE -> 1;
      case QUORUM -> replicas / 2 + 1;
      case ALL -> replicas;
      case LOCAL_QUORUM -> 0;
      default -> policy.writeAcks();
    };
  }
}

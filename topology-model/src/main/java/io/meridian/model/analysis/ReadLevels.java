package io.meridian.model.analysis;

import io.meridian.model.Policy;
import io.meridian.model.ReadConsistency;
import io.meridian.model.ReplicationMode;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Which read levels each replication mode serves, as the agent serves them (ADR 0021). The agent
 * keeps the same table ({@code io.meridian.agent.core.replication.ReadLevelRules}); the model may
 * not depend on the agent, so a test in the app checks that the two agree for every mode and level.
 *
 * <ul>
 *   <li>async, sync: eventual and bounded-staleness locally (a replica over the bound forwards to
 *       the primary), session locally once the replica holds the session's writes (else the
 *       primary), strong at the primary while it holds its write lease — which needs automatic
 *       failover; no quorum reads.
 *   <li>multi-primary: eventual and session only.
 *   <li>quorum: eventual (R=1), session (R=N−W+1), quorum (the dataset's R), strong (all N);
 *       no bounded-staleness.
 *   <li>consensus: every level; all but eventual are linearizable reads through the leader.
 * </ul>
 */
public final class ReadLevels {
  private ReadLevels() {}

  /** Whether a dataset of {@code mode} serves {@code level} at all (leases aside). */
  public static boolean serves(ReplicationMode mode, ReadConsistency level) {
    if (level == ReadConsistency.EVENTUAL) {
      return true;
    }
    return switch (mode) {
      case ASYNC, SYNC -> level != ReadConsistency.QUORUM;
      case MULTI_PRIMARY -> level == ReadConsistency.SESSION;
      case QUORUM -> level != ReadConsistency.BOUNDED_STALENESS;
      case CONSENSUS -> true;
    };
  }

  /** Why {@code policy} cannot serve {@code level}, with what to do instead; empty when it can. */
  public static Optional<String> refusal(Policy policy, ReadConsistency level) {
    ReplicationMode mode = policy.mode();
    if (!serves(mode, level)) {
      return Optional.of(switch (mode) {
        case ASYNC, SYNC -> mode + " has no read quorums (only the primary is sure to hold every write); use"
            + " strong to read at the primary, or session";
        case MULTI_PRIMARY -> level == ReadConsistency.BOUNDED_STALENESS
            ? "every multi-primary region accepts writes and lags each other region separately, and there is no"
                + " primary to forward a stale read to; use session or eventual"
            : "every multi-primary replica accepts writes asynchronously, so no replica can promise the latest"
                + " value; use session or eventual, or mode quorum or consensus";
        case QUORUM -> "a leaderless quorum keeps no log position for a lag bound; use quorum or session";
        case CONSENSUS -> "consensus serves every level";
      });
    }
    if ((mode == ReplicationMode.ASYNC || mode == ReplicationMode.SYNC) && level == ReadConsistency.STRONG
        && !policy.failover().automatic()) {
      return Optional.of("strong reads are served by the primary only while it holds a write lease, and "
          + "without automatic failover it holds none (an operator's forced failover could make another primary)"
          + "; enable failover.automatic, or use session");
    }
    if (level == ReadConsistency.BOUNDED_STALENESS && policy.staleness() == null
        && mode != ReplicationMode.CONSENSUS) {
      return Optional.of("policy " + policy.name() + " sets no staleness bound");
    }
    return Optional.empty();
  }

  /** The levels {@code policy} serves, weakest first. */
  public static List<ReadConsistency> served(Policy policy) {
    return Arrays.stream(ReadConsistency.values()).filter(level -> refusal(policy, level).isEmpty()).toList();
  }
}

package io.meridian.model.validation;

import io.meridian.model.Policy;
import io.meridian.model.ReadConsistency;
import io.meridian.model.ReplicationMode;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;

/**
 * A policy's default read level must be one its replication mode can honour. Async and
 * multi-primary replicas apply writes after they are acknowledged, so they offer at most
 * bounded-staleness; leaderless quorums offer quorum reads but nothing linearizable; consensus
 * offers every level, and so does sync while it waits for every replica (with fewer
 * {@code syncAcks}, strong reads are refused).
 */
final class UnsupportedReadLevelRule extends Rule {
  UnsupportedReadLevelRule() {
    super("unsupported-read-level", Severity.ERROR,
        "a policy asks for a read consistency level its replication mode cannot give");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Policy> policies = context.topology().policies();
    for (int p = 0; p < policies.size(); p++) {
      Policy policy = policies.get(p);
      ReadConsistency strongest = strongestLevel(policy.mode());
      if (policy.readConsistency().compareTo(strongest) <= 0) {
        partialSyncAcks(context, p, problems);
        continue;
      }
      problems.add(problem("/policies/" + p + "/readConsistency",
          "policy '" + policy.name() + "' asks for " + policy.readConsistency()
              + " reads, but " + policy.mode() + " replication cannot give them: " + why(policy),
          "use " + strongest + " (the strongest level " + policy.mode() + " offers)"
              + (policy.readConsistency() == ReadConsistency.STRONG
                  ? ", or mode sync or consensus for strong reads"
                  : ", or mode quorum, sync or consensus for quorum reads")));
    }
  }

  /**
   * A sync policy that waits for only some replicas leaves the others behind, so a strong read
   * served by one of them can be stale.
   */
  private void partialSyncAcks(ValidationContext context, int p, List<Problem> problems) {
    Policy policy = context.topology().policies().get(p);
    if (policy.mode() != ReplicationMode.SYNC || policy.syncAcks() == null
        || policy.readConsistency() != ReadConsistency.STRONG) {
      return;
    }
    for (int d : context.datasetsUsing(p)) {
      int others = context.replicas(d).size() - 1;
      if (policy.syncAcks() < others) {
        problems.add(problem("/policies/" + p + "/readConsistency",
            "policy '" + policy.name() + "' asks for strong reads, but waits for only "
                + policy.syncAcks() + " of the " + others + " other replicas of dataset '"
                + context.topology().datasets().get(d).name() + "', so a replica that did not "
                + "acknowledge a write can serve a stale read",
            "leave syncAcks out to wait for every replica, or use bounded-staleness"));
        return;
      }
    }
  }

  /** The strongest read level {@code mode} honours; levels are ordered weakest first. */
  static ReadConsistency strongestLevel(ReplicationMode mode) {
    return switch (mode) {
      case ASYNC, MULTI_PRIMARY -> ReadConsistency.BOUNDED_STALENESS;
      case QUORUM -> ReadConsistency.QUORUM;
      case SYNC, CONSENSUS -> ReadConsistency.STRONG;
    };
  }

  private static String why(Policy policy) {
    return switch (policy.mode()) {
      case ASYNC -> "the primary acknowledges a write before the replicas apply it";
      case MULTI_PRIMARY -> "every replica accepts writes and the others apply them later";
      case QUORUM -> "leaderless quorums with read repair are not linearizable";
      case SYNC, CONSENSUS -> "it does not support this level";
    };
  }
}

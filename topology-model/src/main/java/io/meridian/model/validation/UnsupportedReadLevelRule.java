package io.meridian.model.validation;

import io.meridian.model.Policy;
import io.meridian.model.ReadConsistency;
import io.meridian.model.ReplicationMode;
import io.meridian.model.analysis.ReadLevels;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;
import java.util.Optional;

/**
 * A policy's default read level must be one the agents serve for its replication mode — the table
 * of {@link ReadLevels}, which the agent shares (ADR 0021): async and sync serve every level but
 * quorum, strong only at a primary holding a write lease (automatic failover); multi-primary serves
 * eventual and session; quorum every level but bounded-staleness; consensus every level. A missing
 * staleness bound is the {@code missing-staleness-bound} rule's to report.
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
      ReadConsistency level = policy.readConsistency();
      Optional<String> refusal = ReadLevels.refusal(policy, level);
      if (refusal.isEmpty() || (level == ReadConsistency.BOUNDED_STALENESS && policy.staleness() == null
          && ReadLevels.serves(policy.mode(), level))) {
        continue;
      }
      List<ReadConsistency> served = ReadLevels.served(policy);
      problems.add(problem("/policies/" + p + "/readConsistency",
          "policy '" + policy.name() + "' asks for " + level + " reads, but " + policy.mode()
              + " replication cannot give them: " + refusal.get(),
          "use one of " + served.stream().map(ReadConsistency::fileName).toList()
              + (level == ReadConsistency.STRONG && policy.mode() != ReplicationMode.ASYNC
                  && policy.mode() != ReplicationMode.SYNC
                  ? ", or mode consensus for strong reads" : "")));
    }
  }
}

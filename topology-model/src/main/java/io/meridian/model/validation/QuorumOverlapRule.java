package io.meridian.model.validation;

import io.meridian.model.Policy;
import io.meridian.model.QuorumSpec;
import io.meridian.model.ReplicationMode;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;

/** Quorum reads see the latest acknowledged write only when read and write quorums overlap. */
final class QuorumOverlapRule extends Rule {
  QuorumOverlapRule() {
    super("quorum-overlap", Severity.WARNING,
        "r + w is not more than n, so a quorum read can miss the latest write");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Policy> policies = context.topology().policies();
    for (int p = 0; p < policies.size(); p++) {
      Policy policy = policies.get(p);
      QuorumSpec q = policy.quorum();
      if (policy.mode() != ReplicationMode.QUORUM || q == null || q.readsSeeLatestWrite()) {
        continue;
      }
      int majority = q.n() / 2 + 1;
      problems.add(problem("/policies/" + p + "/quorum/r",
          "policy '" + policy.name() + "' has r + w = " + q.r() + " + " + q.w() + " = "
              + (q.r() + q.w()) + ", not more than n = " + q.n()
              + ": a read quorum can miss every replica that took the latest write",
          "raise r to " + (q.n() - q.w() + 1) + ", or set w and r both to a majority ("
              + majority + ")"));
    }
  }
}

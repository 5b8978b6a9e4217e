package io.meridian.model.validation;

import io.meridian.model.Policy;
import io.meridian.model.QuorumSpec;
import io.meridian.model.ReplicationMode;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;

/** An acknowledged write survives the loss of any minority only when a majority took it. */
final class QuorumDurabilityRule extends Rule {
  QuorumDurabilityRule() {
    super("quorum-durability", Severity.WARNING,
        "w is not a majority of n, so losing a minority of replicas can lose acknowledged writes");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Policy> policies = context.topology().policies();
    for (int p = 0; p < policies.size(); p++) {
      Policy policy = policies.get(p);
      QuorumSpec q = policy.quorum();
      if (policy.mode() != ReplicationMode.QUORUM || q == null || q.writesSurviveMinorityLoss()) {
        continue;
      }
      problems.add(problem("/policies/" + p + "/quorum/w",
          "policy '" + policy.name() + "' acknowledges a write after w = " + q.w() + " of n = "
              + q.n() + " replicas, not a majority: losing " + q.w() + " replica"
              + (q.w() == 1 ? "" : "s") + " can lose acknowledged writes",
          "raise w to " + (q.n() / 2 + 1)));
    }
  }
}

package io.meridian.model.validation;

import io.meridian.model.Policy;
import io.meridian.model.ReplicationMode;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;

/** Leaderless quorum replication cannot run without its N/W/R sizes. */
final class MissingQuorumRule extends Rule {
  MissingQuorumRule() {
    super("missing-quorum", Severity.ERROR, "a quorum policy gives no quorum sizes (n, w, r)");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Policy> policies = context.topology().policies();
    for (int p = 0; p < policies.size(); p++) {
      Policy policy = policies.get(p);
      if (policy.mode() == ReplicationMode.QUORUM && policy.quorum() == null) {
        int n = context.datasetsUsing(p).stream().map(d -> context.dataReplicas(d).size())
            .filter(size -> size > 0).findFirst().orElse(3);
        int majority = n / 2 + 1;
        problems.add(problem("/policies/" + p + "/mode",
            "policy '" + policy.name() + "' uses quorum replication but gives no quorum sizes",
            "add quorum: {n: " + n + ", w: " + majority + ", r: " + majority + "}"));
      }
    }
  }
}

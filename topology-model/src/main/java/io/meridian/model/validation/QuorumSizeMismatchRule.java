package io.meridian.model.validation;

import io.meridian.model.Dataset;
import io.meridian.model.Policy;
import io.meridian.model.QuorumSpec;
import io.meridian.model.ReplicationMode;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;

/** N is the replication factor, so it must equal the number of replicas a dataset lists. */
final class QuorumSizeMismatchRule extends Rule {
  QuorumSizeMismatchRule() {
    super("quorum-size-mismatch", Severity.ERROR,
        "a quorum policy's n differs from the replica count of a dataset that uses it");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Policy> policies = context.topology().policies();
    for (int p = 0; p < policies.size(); p++) {
      Policy policy = policies.get(p);
      QuorumSpec quorum = policy.quorum();
      if (policy.mode() != ReplicationMode.QUORUM || quorum == null) {
        continue;
      }
      for (int d : context.datasetsUsing(p)) {
        Dataset dataset = context.topology().datasets().get(d);
        int replicas = context.replicas(d).size();
        if (replicas != quorum.n()) {
          problems.add(problem("/policies/" + p + "/quorum/n",
              "quorum n=" + quorum.n() + " of policy '" + policy.name() + "' but dataset '"
                  + dataset.name() + "' has " + replicas + " replica" + (replicas == 1 ? "" : "s"),
              "set n: " + replicas + " (and w and r to fit), or place dataset '" + dataset.name()
                  + "' on " + quorum.n() + " regions"));
        }
      }
    }
  }
}

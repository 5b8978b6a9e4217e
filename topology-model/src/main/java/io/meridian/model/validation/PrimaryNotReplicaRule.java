package io.meridian.model.validation;

import io.meridian.model.Dataset;
import io.meridian.model.Policy;
import io.meridian.model.RegionId;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;
import java.util.Set;

/** The primary accepts the writes, so it must hold a replica of every dataset it serves. */
final class PrimaryNotReplicaRule extends Rule {
  PrimaryNotReplicaRule() {
    super("primary-not-replica", Severity.ERROR,
        "a policy's primary is not a replica of a dataset that uses the policy");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Policy> policies = context.topology().policies();
    for (int p = 0; p < policies.size(); p++) {
      RegionId primary = policies.get(p).primary();
      // Modes without a configured primary ignore it; ignored-setting says so.
      if (primary == null || !context.hasRegion(primary)
          || !policies.get(p).mode().hasConfiguredPrimary()) {
        continue;
      }
      for (int d : context.datasetsUsing(p)) {
        Dataset dataset = context.topology().datasets().get(d);
        Set<RegionId> replicas = context.replicas(d);
        if (!replicas.contains(primary)) {
          problems.add(problem("/policies/" + p + "/primary",
              "primary '" + primary + "' of policy '" + policies.get(p).name()
                  + "' is not a replica of dataset '" + dataset.name() + "'",
              replicas.isEmpty() ? "add '" + primary + "' to the replicas of dataset '"
                  + dataset.name() + "'"
                  : "add '" + primary + "' to the replicas of dataset '" + dataset.name()
                      + "', or choose a primary among " + Messages.quoted(replicas)));
        }
      }
    }
  }
}

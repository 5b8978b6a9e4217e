package io.meridian.model.validation;

import io.meridian.model.Policy;
import io.meridian.model.RegionId;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;

/** Async and sync replication have one configured write primary; without it nothing is written. */
final class MissingPrimaryRule extends Rule {
  MissingPrimaryRule() {
    super("missing-primary", Severity.ERROR, "an async or sync policy names no primary");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Policy> policies = context.topology().policies();
    for (int p = 0; p < policies.size(); p++) {
      Policy policy = policies.get(p);
      if (policy.mode().hasConfiguredPrimary() && policy.primary() == null) {
        String candidate = context.datasetsUsing(p).stream()
            .flatMap(d -> context.dataReplicas(d).stream())
            .filter(context::hasRegion).map(RegionId::value)
            .findFirst().orElse("<region>");
        problems.add(problem("/policies/" + p + "/mode",
            "policy '" + policy.name() + "' uses " + policy.mode()
                + " replication, which needs one write primary, but names none",
            "add 'primary: " + candidate + "' (one of the replicas), or use mode multi-primary, "
                + "quorum or consensus, which need no configured primary"));
      }
    }
  }
}

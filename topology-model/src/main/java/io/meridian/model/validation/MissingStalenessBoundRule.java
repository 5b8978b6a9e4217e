package io.meridian.model.validation;

import io.meridian.model.Policy;
import io.meridian.model.ReadConsistency;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;

/** Bounded-staleness reads need the bound they promise. */
final class MissingStalenessBoundRule extends Rule {
  MissingStalenessBoundRule() {
    super("missing-staleness-bound", Severity.ERROR,
        "a policy reads with bounded-staleness but sets no staleness bound");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Policy> policies = context.topology().policies();
    for (int p = 0; p < policies.size(); p++) {
      Policy policy = policies.get(p);
      if (policy.readConsistency() == ReadConsistency.BOUNDED_STALENESS
          && policy.staleness() == null) {
        problems.add(problem("/policies/" + p + "/readConsistency",
            "policy '" + policy.name() + "' reads with bounded-staleness but sets no staleness "
                + "bound",
            "add staleness: {maxLagMs: 1000, maxLagVersions: 1000} with your own bound"));
      }
    }
  }
}

package io.meridian.model.validation;

import io.meridian.model.Policy;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;

/** A policy no dataset refers to does nothing; often a dataset meant to use it is misspelt. */
final class UnusedPolicyRule extends Rule {
  UnusedPolicyRule() {
    super("unused-policy", Severity.INFO, "a policy is not used by any dataset");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Policy> policies = context.topology().policies();
    for (int p = 0; p < policies.size(); p++) {
      if (context.isFirstPolicy(p) && context.datasetsUsing(p).isEmpty()) {
        String name = policies.get(p).name();
        problems.add(problem("/policies/" + p + "/name",
            "policy '" + name + "' is not used by any dataset",
            "refer to it from a dataset with 'policy: " + name + "', or remove it"));
      }
    }
  }
}

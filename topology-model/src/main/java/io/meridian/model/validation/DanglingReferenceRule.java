package io.meridian.model.validation;

import io.meridian.model.Dataset;
import io.meridian.model.Link;
import io.meridian.model.Policy;
import io.meridian.model.RegionId;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import io.meridian.model.diagnostics.Suggestions;
import java.util.List;

/** Every name that refers to a region or a policy must name one that exists. */
final class DanglingReferenceRule extends Rule {
  DanglingReferenceRule() {
    super("dangling-reference", Severity.ERROR,
        "a link, policy or dataset names a region or policy that does not exist");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Link> links = context.topology().links();
    for (int i = 0; i < links.size(); i++) {
      Link link = links.get(i);
      RegionId[] ends = {link.a(), link.b()};
      for (int end = 0; end < 2; end++) {
        if (!context.hasRegion(ends[end])) {
          problems.add(problem("/links/" + i + "/between/" + end,
              "link " + link.name() + " joins '" + ends[end] + "', which is not a region",
              Messages.regionFix(context, ends[end].value())));
        }
      }
    }
    List<Policy> policies = context.topology().policies();
    for (int i = 0; i < policies.size(); i++) {
      Policy policy = policies.get(i);
      if (policy.primary() != null && !context.hasRegion(policy.primary())) {
        problems.add(problem("/policies/" + i + "/primary",
            "policy '" + policy.name() + "' names primary '" + policy.primary()
                + "', which is not a region",
            Messages.regionFix(context, policy.primary().value())));
      }
      for (int k = 0; k < policy.failoverPriority().size(); k++) {
        RegionId target = policy.failoverPriority().get(k);
        if (!context.hasRegion(target)) {
          problems.add(problem("/policies/" + i + "/failoverPriority/" + k,
              "policy '" + policy.name() + "' lists failover target '" + target
                  + "', which is not a region",
              Messages.regionFix(context, target.value())));
        }
      }
    }
    List<Dataset> datasets = context.topology().datasets();
    List<String> policyNames = policies.stream().map(Policy::name).distinct().toList();
    for (int i = 0; i < datasets.size(); i++) {
      Dataset dataset = datasets.get(i);
      for (int k = 0; k < dataset.replicas().size(); k++) {
        RegionId replica = dataset.replicas().get(k);
        if (!context.hasRegion(replica)) {
          problems.add(problem("/datasets/" + i + "/replicas/" + k,
              "dataset '" + dataset.name() + "' lists replica '" + replica
                  + "', which is not a region",
              Messages.regionFix(context, replica.value())));
        }
      }
      if (context.policy(dataset.policy()).isEmpty()) {
        problems.add(problem("/datasets/" + i + "/policy",
            "dataset '" + dataset.name() + "' uses policy '" + dataset.policy()
                + "', which is not defined",
            Suggestions.closest(dataset.policy(), policyNames)
                .map(name -> "did you mean '" + name + "'?")
                .orElse("define a policy named '" + dataset.policy() + "' under policies:"
                    + (policyNames.isEmpty() ? "" : ", or use one of "
                        + Messages.quotedFew(policyNames)))));
      }
    }
  }
}

package io.meridian.model.validation;

import io.meridian.model.Dataset;
import io.meridian.model.Policy;
import io.meridian.model.RegionId;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;

/** A witness votes but holds no data, so it cannot be a replica, a primary or a failover target. */
final class WitnessHoldsDataRule extends Rule {
  WitnessHoldsDataRule() {
    super("witness-holds-data", Severity.ERROR,
        "a witness region is listed as a replica, primary or failover target");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Dataset> datasets = context.topology().datasets();
    for (int d = 0; d < datasets.size(); d++) {
      Dataset dataset = datasets.get(d);
      for (int k = 0; k < dataset.replicas().size(); k++) {
        RegionId replica = dataset.replicas().get(k);
        if (isWitness(context, replica)) {
          problems.add(problem("/datasets/" + d + "/replicas/" + k,
              "region '" + replica + "' is a witness (it votes and holds no data), but dataset '"
                  + dataset.name() + "' lists it as a replica",
              "remove '" + replica + "' from the replicas; witnesses vote for every dataset "
                  + "without being listed"));
        }
      }
    }
    List<Policy> policies = context.topology().policies();
    for (int p = 0; p < policies.size(); p++) {
      Policy policy = policies.get(p);
      if (policy.primary() != null && isWitness(context, policy.primary())) {
        problems.add(problem("/policies/" + p + "/primary",
            "region '" + policy.primary() + "' is a witness and holds no data, so it cannot be "
                + "the primary of policy '" + policy.name() + "'",
            "choose a data region as primary"));
      }
      for (int k = 0; k < policy.failoverPriority().size(); k++) {
        RegionId target = policy.failoverPriority().get(k);
        if (isWitness(context, target)) {
          problems.add(problem("/policies/" + p + "/failoverPriority/" + k,
              "region '" + target + "' is a witness and holds no data, so it cannot take over "
                  + "as primary for policy '" + policy.name() + "'",
              "remove '" + target + "' from failoverPriority; it still votes in the election"));
        }
      }
    }
  }

  private static boolean isWitness(ValidationContext context, RegionId id) {
    return context.region(id).filter(region -> region.isWitness()).isPresent();
  }
}

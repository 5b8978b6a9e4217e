package io.meridian.model.validation;

import io.meridian.model.Dataset;
import io.meridian.model.Policy;
import io.meridian.model.RegionId;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;

/** Only a region that holds the data can take over as its primary. */
final class FailoverTargetNotReplicaRule extends Rule {
  FailoverTargetNotReplicaRule() {
    super("failover-target-not-replica", Severity.ERROR,
        "a failover priority region is not a replica of a dataset that uses the policy");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Policy> policies = context.topology().policies();
    for (int p = 0; p < policies.size(); p++) {
      Policy policy = policies.get(p);
      for (int k = 0; k < policy.failoverPriority().size(); k++) {
        RegionId target = policy.failoverPriority().get(k);
        boolean dataRegion = context.region(target).filter(r -> !r.isWitness()).isPresent();
        if (!dataRegion) {
          continue;
        }
        for (int d : context.datasetsUsing(p)) {
          Dataset dataset = context.topology().datasets().get(d);
          if (!context.replicas(d).contains(target)) {
            problems.add(problem("/policies/" + p + "/failoverPriority/" + k,
                "failover target '" + target + "' of policy '" + policy.name()
                    + "' is not a replica of dataset '" + dataset.name()
                    + "', so it holds no data to serve as primary",
                "add '" + target + "' to the replicas of dataset '" + dataset.name()
                    + "', or remove it from failoverPriority"));
          }
        }
      }
    }
  }
}

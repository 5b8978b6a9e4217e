package io.meridian.model.validation;

import io.meridian.model.Dataset;
import io.meridian.model.Policy;
import io.meridian.model.RegionId;
import io.meridian.model.ReplicationMode;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;
import java.util.Optional;

/**
 * A witness votes but holds no data. It may be listed among a dataset's replicas only where
 * there is a vote to cast: under consensus, or under async or sync with automatic failover. Under
 * any other policy every replica holds data, so listing a witness asks it to hold data; and a
 * witness can never be a primary or a failover target.
 */
final class WitnessHoldsDataRule extends Rule {
  WitnessHoldsDataRule() {
    super("witness-holds-data", Severity.ERROR,
        "a witness is listed where it would hold data: a replica of a dataset with no vote to "
            + "cast, a primary or a failover target");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Dataset> datasets = context.topology().datasets();
    for (int d = 0; d < datasets.size(); d++) {
      Dataset dataset = datasets.get(d);
      Optional<Policy> policy = context.policy(dataset.policy());
      if (policy.isEmpty() || votes(policy.get())) {
        continue;
      }
      for (int k = 0; k < dataset.replicas().size(); k++) {
        RegionId replica = dataset.replicas().get(k);
        if (isWitness(context, replica)) {
          problems.add(problem("/datasets/" + d + "/replicas/" + k,
              "region '" + replica + "' is a witness (it votes and holds no data), but dataset '"
                  + dataset.name() + "' lists it as a replica under policy '"
                  + policy.get().name() + "' (" + policy.get().mode() + ", "
                  + (policy.get().failover().automatic() ? "no election" : "manual failover")
                  + "), where every replica holds data",
              "list a data region instead of '" + replica + "'; a witness belongs among the "
                  + "replicas only under consensus or automatic failover"));
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

  /** Whether the policy holds elections, in which a witness has a vote. */
  static boolean votes(Policy policy) {
    return policy.mode() == ReplicationMode.CONSENSUS
        || policy.mode().hasConfiguredPrimary() && policy.failover().automatic();
  }

  private static boolean isWitness(ValidationContext context, RegionId id) {
    return context.region(id).filter(region -> region.isWitness()).isPresent();
  }
}

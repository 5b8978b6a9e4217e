package io.meridian.model.validation;

import io.meridian.model.Dataset;
import io.meridian.model.Jurisdiction;
import io.meridian.model.Policy;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;
import java.util.Optional;

/**
 * Data bound to jurisdictions may only live there: every replica, and every failover target (a
 * failover would move the primary, and the data, there). Witnesses hold no data, so they may sit
 * anywhere.
 */
final class ResidencyViolationRule extends Rule {
  ResidencyViolationRule() {
    super("residency-violation", Severity.ERROR,
        "a replica or failover target lies outside the dataset's allowed jurisdictions");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Dataset> datasets = context.topology().datasets();
    for (int d = 0; d < datasets.size(); d++) {
      Dataset dataset = datasets.get(d);
      if (dataset.allowedJurisdictions().isEmpty()) {
        continue;
      }
      String allowed = String.join(", ",
          dataset.allowedJurisdictions().stream().map(Jurisdiction::code).toList());
      for (int k = 0; k < dataset.replicas().size(); k++) {
        Optional<Region> region = dataRegion(context, dataset.replicas().get(k));
        if (region.isPresent() && !dataset.allows(region.get().jurisdiction())) {
          problems.add(problem("/datasets/" + d + "/replicas/" + k,
              "replica '" + region.get().id() + "' of dataset '" + dataset.name() + "' is in "
                  + region.get().jurisdiction() + ", outside the allowed " + allowed,
              alternative(context, dataset, region.get())));
        }
      }
      Optional<Integer> policyIndex = context.policyIndex(dataset.policy());
      if (policyIndex.isEmpty()) {
        continue;
      }
      int p = policyIndex.get();
      Optional<Policy> policy = context.policy(dataset.policy());
      List<RegionId> targets = policy.get().failoverPriority();
      for (int k = 0; k < targets.size(); k++) {
        Optional<Region> region = dataRegion(context, targets.get(k));
        if (region.isPresent() && !dataset.allows(region.get().jurisdiction())) {
          problems.add(problem("/policies/" + p + "/failoverPriority/" + k,
              "failover target '" + region.get().id() + "' of policy '" + policy.get().name()
                  + "' is in " + region.get().jurisdiction() + ", outside the " + allowed
                  + " that dataset '" + dataset.name() + "' is bound to: a failover would move "
                  + "its primary there",
              "remove '" + region.get().id() + "' from failoverPriority, or give dataset '"
                  + dataset.name() + "' its own policy"));
        }
      }
    }
  }

  private static Optional<Region> dataRegion(ValidationContext context, RegionId id) {
    return context.region(id).filter(region -> !region.isWitness());
  }

  private static String alternative(ValidationContext context, Dataset dataset, Region wrong) {
    return context.topology().regions().stream()
        .filter(r -> !r.isWitness() && dataset.allows(r.jurisdiction())
            && !dataset.replicas().contains(r.id()))
        .findFirst()
        .map(r -> "place the replica in an allowed region such as '" + r.id() + "' ("
            + r.jurisdiction() + "), or allow " + wrong.jurisdiction())
        .orElse("place the replica in a region in " + String.join(", ",
            dataset.allowedJurisdictions().stream().map(Jurisdiction::code).toList())
            + ", or allow " + wrong.jurisdiction());
  }
}

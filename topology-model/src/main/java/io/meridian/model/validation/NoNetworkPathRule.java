package io.meridian.model.validation;

import io.meridian.model.Dataset;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.ArrayList;
import java.util.List;

/**
 * The replicas of a dataset must be able to reach each other over links. Replicas are grouped by
 * network component; every replica outside the largest group is reported, naming a replica it
 * cannot reach.
 */
final class NoNetworkPathRule extends Rule {
  NoNetworkPathRule() {
    super("no-network-path", Severity.ERROR,
        "two replicas of a dataset have no chain of links between them");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Dataset> datasets = context.topology().datasets();
    for (int d = 0; d < datasets.size(); d++) {
      Dataset dataset = datasets.get(d);
      List<List<RegionId>> groups = new ArrayList<>();
      for (RegionId replica : context.replicas(d)) {
        if (!context.hasRegion(replica)) {
          continue;
        }
        List<RegionId> group = groups.stream()
            .filter(g -> context.connected(g.get(0), replica)).findFirst().orElse(null);
        if (group == null) {
          group = new ArrayList<>();
          groups.add(group);
        }
        group.add(replica);
      }
      if (groups.size() < 2) {
        continue;
      }
      List<RegionId> main = groups.get(0);
      for (List<RegionId> group : groups) {
        if (group.size() > main.size()) {
          main = group;
        }
      }
      RegionId anchor = main.get(0);
      for (int k = 0; k < dataset.replicas().size(); k++) {
        RegionId replica = dataset.replicas().get(k);
        if (!context.hasRegion(replica) || main.contains(replica)
            || dataset.replicas().indexOf(replica) != k) {
          continue;
        }
        Region from = context.region(anchor).orElseThrow();
        Region to = context.region(replica).orElseThrow();
        problems.add(problem("/datasets/" + d + "/replicas/" + k,
            "dataset '" + dataset.name() + "' has no network path between replicas '" + anchor
                + "' and '" + replica + "'",
            "add a link between '" + anchor + "' and '" + replica + "'; about "
                + Messages.estimatedRtt(from, to) + " ms round trip is realistic"));
      }
    }
  }
}

package io.meridian.model.validation;

import io.meridian.model.Dataset;
import io.meridian.model.RegionId;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A region holds at most one replica of a dataset, so listing it twice is a mistake. */
final class DuplicateReplicaRule extends Rule {
  DuplicateReplicaRule() {
    super("duplicate-replica", Severity.ERROR, "a dataset lists the same region twice");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Dataset> datasets = context.topology().datasets();
    for (int i = 0; i < datasets.size(); i++) {
      Dataset dataset = datasets.get(i);
      Set<RegionId> seen = new HashSet<>();
      for (int k = 0; k < dataset.replicas().size(); k++) {
        RegionId replica = dataset.replicas().get(k);
        if (!seen.add(replica)) {
          problems.add(problem("/datasets/" + i + "/replicas/" + k,
              "dataset '" + dataset.name() + "' lists replica '" + replica + "' twice",
              "remove the second '" + replica + "'; a region holds one replica of a dataset"));
        }
      }
    }
  }
}

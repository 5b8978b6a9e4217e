package io.meridian.app.check;

import io.meridian.model.Dataset;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Design rules written for tests, standing in for the model's validator. */
public final class TestRules {
  /** Replicas must name defined regions; reports each one that does not at its list entry. */
  public static final Validation DANGLING_REPLICAS = topology -> {
    Set<RegionId> defined = topology.regions().stream().map(Region::id)
        .collect(Collectors.toSet());
    List<Problem> problems = new ArrayList<>();
    for (int d = 0; d < topology.datasets().size(); d++) {
      Dataset dataset = topology.datasets().get(d);
      for (int r = 0; r < dataset.replicas().size(); r++) {
        RegionId replica = dataset.replicas().get(r);
        if (!defined.contains(replica)) {
          problems.add(Problem.at("dangling-reference", Severity.ERROR,
              "/datasets/" + d + "/replicas/" + r, "dataset '" + dataset.name()
                  + "' places a replica in '" + replica + "', which is not a region",
              "define region '" + replica + "' or remove it from the replicas"));
        }
      }
    }
    return problems;
  };

  private TestRules() {}
}

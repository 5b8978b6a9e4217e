package io.meridian.model.validation;

import io.meridian.model.Dataset;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;

/** A dataset with no replica region has nowhere to live. */
final class NoReplicasRule extends Rule {
  NoReplicasRule() {
    super("no-replicas", Severity.ERROR, "a dataset lists no replica regions");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Dataset> datasets = context.topology().datasets();
    for (int i = 0; i < datasets.size(); i++) {
      if (datasets.get(i).replicas().isEmpty()) {
        problems.add(problem("/datasets/" + i + "/replicas",
            "dataset '" + datasets.get(i).name() + "' has no replicas",
            "list the regions that hold it, e.g. replicas: ["
                + String.join(", ", context.regionIds().stream().limit(3).toList()) + "]"));
      }
    }
  }
}

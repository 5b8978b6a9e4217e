package io.meridian.model.validation;

import io.meridian.model.Dataset;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;

/** A dataset with no data replica (none listed, or only witnesses) has nowhere to live. */
final class NoReplicasRule extends Rule {
  NoReplicasRule() {
    super("no-replicas", Severity.ERROR,
        "a dataset lists no data replica, only witnesses or nothing");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Dataset> datasets = context.topology().datasets();
    for (int i = 0; i < datasets.size(); i++) {
      if (context.dataReplicas(i).isEmpty()) {
        problems.add(problem("/datasets/" + i + "/replicas",
            "dataset '" + datasets.get(i).name() + "' has no "
                + (datasets.get(i).replicas().isEmpty() ? "replicas" : "data replica, only "
                    + "witnesses, which hold no data"),
            "list the regions that hold it, e.g. replicas: ["
                + String.join(", ", context.regionIds().stream().limit(3).toList()) + "]"));
      }
    }
  }
}

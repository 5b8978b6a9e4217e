package io.meridian.model.validation;

import io.meridian.model.Dataset;
import io.meridian.model.Policy;
import io.meridian.model.ReplicationMode;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;

/** A sync write waiting for more acknowledgements than there are other replicas never commits. */
final class SyncAcksRule extends Rule {
  SyncAcksRule() {
    super("sync-acks-exceed-replicas", Severity.ERROR,
        "a sync policy waits for more acknowledgements than a dataset has replicas besides the "
            + "primary");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Policy> policies = context.topology().policies();
    for (int p = 0; p < policies.size(); p++) {
      Policy policy = policies.get(p);
      if (policy.mode() != ReplicationMode.SYNC || policy.syncAcks() == null) {
        continue;
      }
      for (int d : context.datasetsUsing(p)) {
        Dataset dataset = context.topology().datasets().get(d);
        // Witnesses hold no data, so they never acknowledge a write.
        int others = Math.max(0, context.dataReplicas(d).size() - 1);
        if (policy.syncAcks() > others) {
          problems.add(problem("/policies/" + p + "/syncAcks",
              "policy '" + policy.name() + "' waits for " + policy.syncAcks()
                  + " acknowledgements besides the primary, but dataset '" + dataset.name()
                  + "' has only " + others + " other data replica" + (others == 1 ? "" : "s")
                  + ": no write could ever commit",
              "set syncAcks to at most " + others + ", or leave it out to wait for every replica"));
        }
      }
    }
  }
}

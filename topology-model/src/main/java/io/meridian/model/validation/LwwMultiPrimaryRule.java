package io.meridian.model.validation;

import io.meridian.model.ConflictResolution;
import io.meridian.model.Policy;
import io.meridian.model.ReplicationMode;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;

/** With writes everywhere, last-writer-wins discards one of two concurrent updates. */
final class LwwMultiPrimaryRule extends Rule {
  LwwMultiPrimaryRule() {
    super("lww-multi-primary", Severity.WARNING,
        "multi-primary replication resolves conflicts by last-writer-wins, discarding one of "
            + "two concurrent updates");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Policy> policies = context.topology().policies();
    for (int p = 0; p < policies.size(); p++) {
      Policy policy = policies.get(p);
      if (policy.mode() == ReplicationMode.MULTI_PRIMARY
          && policy.conflictResolution().rule() == ConflictResolution.Rule.LWW) {
        problems.add(problem("/policies/" + p + "/conflictResolution",
            "policy '" + policy.name() + "' lets every replica accept writes and resolves "
                + "conflicts by last-writer-wins: of two concurrent updates to a key, one is "
                + "discarded (the agents report it as a conflict with the lost value, but "
                + "readers never see it)",
            "use conflictResolution: version-vector to keep both as siblings, or a CRDT such as "
                + "crdt:pn-counter or crdt:or-set"));
      }
    }
  }
}

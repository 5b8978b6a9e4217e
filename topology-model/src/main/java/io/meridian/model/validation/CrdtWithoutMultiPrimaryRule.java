package io.meridian.model.validation;

import io.meridian.model.ConflictResolution;
import io.meridian.model.Policy;
import io.meridian.model.ReplicationMode;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;

/**
 * A CRDT merges concurrent writes; a mode with one writer at a time (async, sync, consensus) has
 * none to merge, so the CRDT only costs space. Leaderless quorum writes can be concurrent, so
 * quorum mode may use CRDTs, as Riak does.
 */
final class CrdtWithoutMultiPrimaryRule extends Rule {
  CrdtWithoutMultiPrimaryRule() {
    super("crdt-without-multi-primary", Severity.WARNING,
        "a CRDT conflict resolution on a single-writer mode, where writes are never concurrent");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Policy> policies = context.topology().policies();
    for (int p = 0; p < policies.size(); p++) {
      Policy policy = policies.get(p);
      ReplicationMode mode = policy.mode();
      if (policy.conflictResolution().rule() == ConflictResolution.Rule.CRDT
          && mode != ReplicationMode.MULTI_PRIMARY && mode != ReplicationMode.QUORUM) {
        problems.add(problem("/policies/" + p + "/conflictResolution",
            "policy '" + policy.name() + "' resolves conflicts with "
                + policy.conflictResolution() + ", but " + mode + " replication has one writer "
                + "at a time, so there are no concurrent writes to merge",
            "use mode: multi-primary to accept writes in every region, or conflictResolution: "
                + "lww"));
      }
    }
  }
}

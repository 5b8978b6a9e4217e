package io.meridian.model.validation;

import io.meridian.model.Policy;
import io.meridian.model.ReplicationMode;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;

/**
 * A setting the policy's mode does not use has no effect, which usually means the mode or the
 * setting is not what the author meant: a primary or automatic failover on a mode without a
 * configured primary, quorum sizes outside quorum mode, or syncAcks outside sync mode.
 */
final class IgnoredSettingRule extends Rule {
  IgnoredSettingRule() {
    super("ignored-setting", Severity.INFO,
        "a policy sets something its replication mode does not use");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Policy> policies = context.topology().policies();
    for (int p = 0; p < policies.size(); p++) {
      Policy policy = policies.get(p);
      ReplicationMode mode = policy.mode();
      String at = "/policies/" + p;
      String subject = "policy '" + policy.name() + "' ";
      if (policy.primary() != null && !mode.hasConfiguredPrimary()) {
        problems.add(problem(at + "/primary", subject + "names primary '" + policy.primary()
                + "', but " + mode + " replication " + (mode.leaderElected()
                    ? "elects its leader" : "has no primary") + ", so it is ignored",
            "remove primary:, or use mode async or sync for a fixed primary"));
      }
      if (policy.failover().automatic() && !mode.hasConfiguredPrimary() && !mode.leaderElected()) {
        problems.add(problem(at + "/failover/automatic", subject + "asks for automatic "
                + "failover, but " + mode + " replication has no primary to fail over",
            "remove failover: automatic: true"));
      }
      if (policy.quorum() != null && mode != ReplicationMode.QUORUM) {
        problems.add(problem(at + "/quorum", subject + "sets quorum sizes, but only quorum "
                + "replication uses them, not " + mode,
            "remove quorum:, or use mode: quorum"));
      }
      if (policy.syncAcks() != null && mode != ReplicationMode.SYNC) {
        problems.add(problem(at + "/syncAcks", subject + "sets syncAcks, but only sync "
                + "replication waits for acknowledgements, not " + mode,
            "remove syncAcks:, or use mode: sync"));
      }
    }
  }
}

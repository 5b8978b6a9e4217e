package io.meridian.model.validation;

import io.meridian.model.Dataset;
import io.meridian.model.Policy;
import io.meridian.model.RegionId;
import io.meridian.model.ReplicationMode;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.ArrayList;
import java.util.List;

/**
 * Consensus and automatic failover need a majority that survives the loss of one region, so at
 * least three voting regions. A dataset's voters are the regions listed as its replicas, data
 * regions and witnesses alike (a witness votes and holds no data).
 */
final class TooFewVotersRule extends Rule {
  /** The fewest voters with a majority that survives the loss of one. */
  static final int VOTERS_MIN = 3;

  TooFewVotersRule() {
    super("too-few-voters", Severity.ERROR,
        "consensus or automatic failover with fewer than three voting regions");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Policy> policies = context.topology().policies();
    for (int p = 0; p < policies.size(); p++) {
      Policy policy = policies.get(p);
      boolean consensus = policy.mode() == ReplicationMode.CONSENSUS;
      boolean automaticFailover = policy.failover().automatic()
          && policy.mode().hasConfiguredPrimary();
      if (!consensus && !automaticFailover) {
        continue;
      }
      for (int d : context.datasetsUsing(p)) {
        Dataset dataset = context.topology().datasets().get(d);
        List<RegionId> voters = new ArrayList<>();
        for (RegionId replica : context.replicas(d)) {
          if (context.hasRegion(replica)) {
            voters.add(replica);
          }
        }
        if (voters.size() >= VOTERS_MIN) {
          continue;
        }
        String counted = voters.size() + " voting region" + (voters.size() == 1 ? "" : "s")
            + (voters.isEmpty() ? "" : " (" + Messages.quoted(voters) + ")");
        problems.add(problem(consensus ? "/policies/" + p + "/mode"
                : "/policies/" + p + "/failover/automatic",
            consensus
                ? "dataset '" + dataset.name() + "' runs consensus (policy '" + policy.name()
                    + "') on " + counted + ": losing any one region stops its writes"
                : "dataset '" + dataset.name() + "' fails over automatically (policy '"
                    + policy.name() + "') with " + counted + ": a partition cannot be told "
                    + "from a failure, and both sides could promote a primary",
            fix(VOTERS_MIN - voters.size(), dataset)));
      }
    }
  }

  private static String fix(int missing, Dataset dataset) {
    return missing == 1
        ? "add a witness region (role: witness) in another location and list it among the "
            + "replicas of dataset '" + dataset.name() + "'; a witness votes without holding data"
        : "add " + missing + " witness regions (role: witness) in other locations and list them "
            + "among the replicas of dataset '" + dataset.name() + "'; a witness votes without "
            + "holding data";
  }
}

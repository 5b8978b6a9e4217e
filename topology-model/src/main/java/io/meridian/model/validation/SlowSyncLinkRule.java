package io.meridian.model.validation;

import io.meridian.model.Dataset;
import io.meridian.model.Policy;
import io.meridian.model.RegionId;
import io.meridian.model.ReplicationMode;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A sync write commits once the primary has the acknowledgements it waits for (every other replica,
 * or {@code syncAcks} of them, the nearest first), so its latency is at least the round trip to
 * the farthest replica it waits for. Above {@link #SLOW_WRITE_RTT_MS} every write is slow.
 */
final class SlowSyncLinkRule extends Rule {
  /** Round trip above which every sync write counts as slow, in milliseconds. */
  static final double SLOW_WRITE_RTT_MS = 100;

  private record Reach(RegionId replica, int index, double rttMs) {}

  SlowSyncLinkRule() {
    super("slow-sync-link", Severity.WARNING,
        "a sync policy waits on a replica more than 100 ms round trip from the primary, so every "
            + "write is slow");
  }

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Policy> policies = context.topology().policies();
    for (int p = 0; p < policies.size(); p++) {
      Policy policy = policies.get(p);
      RegionId primary = policy.primary();
      if (policy.mode() != ReplicationMode.SYNC || primary == null) {
        continue;
      }
      for (int d : context.datasetsUsing(p)) {
        Dataset dataset = context.topology().datasets().get(d);
        if (!context.replicas(d).contains(primary)) {
          continue;
        }
        List<Reach> reaches = new ArrayList<>();
        for (int k = 0; k < dataset.replicas().size(); k++) {
          RegionId replica = dataset.replicas().get(k);
          if (replica.equals(primary) || dataset.replicas().indexOf(replica) != k
              || !context.dataReplicas(d).contains(replica)) {
            continue;
          }
          Optional<ValidationContext.Route> route = context.route(primary, replica);
          if (route.isPresent()) {
            reaches.add(new Reach(replica, k, route.get().rttMs()));
          }
        }
        int waitedFor = policy.syncAcks() == null ? reaches.size()
            : Math.min(policy.syncAcks(), reaches.size());
        if (waitedFor == 0) {
          continue;
        }
        reaches.sort(Comparator.comparingDouble(Reach::rttMs));
        Reach slowest = reaches.get(waitedFor - 1);
        if (slowest.rttMs() > SLOW_WRITE_RTT_MS) {
          problems.add(problem("/datasets/" + d + "/replicas/" + slowest.index(),
              "every write to dataset '" + dataset.name() + "' takes at least "
                  + Messages.ms(slowest.rttMs()) + " ms: sync policy '" + policy.name()
                  + "' waits for " + (waitedFor == reaches.size() ? "every replica"
                      : waitedFor + " acknowledgement" + (waitedFor == 1 ? "" : "s"))
                  + ", and '" + slowest.replica() + "' is " + Messages.ms(slowest.rttMs())
                  + " ms round trip from primary '" + primary + "'",
              waitedFor > 1 ? "set syncAcks: " + (waitedFor - 1) + " to wait only for nearer "
                  + "replicas, or place the replicas closer to '" + primary + "'"
                  : "place a replica within " + Messages.ms(SLOW_WRITE_RTT_MS) + " ms of '"
                      + primary + "', or use async replication for far regions"));
        }
      }
    }
  }
}

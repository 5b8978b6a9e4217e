package io.meridian.app.failover;

import io.meridian.agent.api.v1.DatasetFailoverView;
import io.meridian.agent.api.v1.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a failover of one dataset to one region would do, worked out from the agents' views before
 * anything changes.
 *
 * @param dataset the dataset
 * @param target the region to promote
 * @param force whether to promote now (forced) rather than hand over (planned)
 * @param currentEpoch the newest decided epoch any reachable agent applied
 * @param currentPrimary that epoch's primary
 * @param primaryReachable whether the current primary answered
 * @param targetSequence the target's newest log sequence (the new epoch's start for a forced one)
 * @param lagVersions changes the target lacks: exact when the primary answered, else what the
 *     target knows of from the primary's last heartbeat (a lower bound)
 * @param lagExact whether {@code lagVersions} is exact
 * @param stale reachable agents that have not applied the newest epoch
 */
public record FailoverPlan(
    String dataset,
    String target,
    boolean force,
    long currentEpoch,
    String currentPrimary,
    boolean primaryReachable,
    long targetSequence,
    long lagVersions,
    boolean lagExact,
    List<String> stale) {

  /** The epoch the failover creates. */
  public long newEpoch() {
    return currentEpoch + 1;
  }

  /**
   * Plans a failover from the views of the agents that answered (region to view of the dataset).
   *
   * @param replicas the dataset's replica regions
   * @return the plan, or why there is none (what is wrong and what to do)
   */
  public static Result plan(String dataset, String target, boolean force, List<String> replicas,
      Map<String, DatasetFailoverView> views) {
    if (!replicas.contains(target)) {
      return Result.problem("region '" + target + "' is not a replica of dataset " + dataset + "; its replicas are "
          + replicas + ".");
    }
    if (views.isEmpty()) {
      return Result.problem("no agent of dataset " + dataset + " answered; is the deployment running? see"
          + " 'meridian status'.");
    }
    DatasetFailoverView newest = views.values().stream()
        .max((a, b) -> Long.compare(a.getEpoch(), b.getEpoch())).orElseThrow();
    long epoch = newest.getEpoch();
    String primary = newest.getPrimaryRegion();
    DatasetFailoverView targetView = views.get(target);
    if (targetView == null) {
      return Result.problem("the target region " + target + " did not answer; pick a reachable region (see"
          + " 'meridian status').");
    }
    if (target.equals(primary)) {
      return Result.problem(target + " is already the primary of " + dataset + " (epoch " + epoch + "); nothing"
          + " to do.");
    }
    if (targetView.getEpoch() != epoch) {
      return Result.problem("the target region " + target + " is still at epoch " + targetView.getEpoch()
          + " while epoch " + epoch + " was decided; wait until it has caught up or pick another region.");
    }
    DatasetFailoverView primaryView = views.get(primary);
    boolean primaryReachable = primaryView != null && primaryView.getEpoch() == epoch
        && primaryView.getRole() == Role.ROLE_PRIMARY;
    if (!force && !primaryReachable) {
      return Result.problem("the primary " + primary + " of " + dataset + " did not answer, so a planned"
          + " switchover (which waits for it to hand over) cannot run; use --force to promote " + target
          + " now, accepting the loss of what it lacks.");
    }
    long lag = primaryReachable
        ? Math.max(0, primaryView.getLastSequence() - targetView.getLastSequence())
        : targetView.getLackingWritesKnown();
    List<String> stale = new ArrayList<>();
    new TreeMap<>(views).forEach((region, view) -> {
      if (view.getEpoch() < epoch) {
        stale.add(region);
      }
    });
    return new Result(Optional.of(new FailoverPlan(dataset, target, force, epoch, primary, primaryReachable,
        targetView.getLastSequence(), lag, primaryReachable, List.copyOf(stale))), Optional.empty());
  }

  /** What the operator is asked to confirm. */
  public String confirmation() {
    StringBuilder text = new StringBuilder();
    text.append("dataset ").append(dataset).append(": primary ").append(currentPrimary).append(" (epoch ")
        .append(currentEpoch).append(primaryReachable ? "" : ", not answering").append("); ").append(target)
        .append(" is at sequence ").append(targetSequence).append(", ")
        .append(lagExact ? "" : "at least ").append(lagVersions).append(" change").append(lagVersions == 1 ? "" : "s")
        .append(" behind.\n");
    if (force) {
      text.append("Forced failover: ").append(target).append(" becomes primary of epoch ").append(newEpoch())
          .append(" now. ");
      if (lagVersions == 0 && lagExact) {
        text.append("It has every write so far; ").append(currentPrimary)
            .append(" is asked to stop taking writes first, and any it acknowledges before it stops are")
            .append(" quarantined at ").append(currentPrimary).append(" as it takes the decision.");
      } else if (lagVersions == 0) {
        text.append(currentPrimary).append(" does not answer, so what it acknowledged after its last heartbeat to ")
            .append(target).append(" is unknown; any write ").append(target).append(" lacks is quarantined at ")
            .append(currentPrimary).append(" when it rejoins (meridian quarantine list).");
      } else {
        text.append(lagExact ? "" : "At least ").append(lagVersions).append(" acknowledged write")
            .append(lagVersions == 1 ? "" : "s").append(" of ").append(currentPrimary)
            .append(" would be missing from the new primary; they are quarantined at ").append(currentPrimary);
        if (primaryReachable) {
          text.append(" as it takes the decision, with any it acknowledges before it stops (it is asked to")
              .append(" stop taking writes first; meridian quarantine list).");
        } else {
          text.append(" when it rejoins (meridian quarantine list).");
        }
      }
    } else {
      text.append("Planned switchover: ").append(currentPrimary).append(" stops taking writes until ")
          .append(target).append(" has all of them, then ").append(target).append(" becomes primary of epoch ")
          .append(newEpoch()).append(". Nothing acknowledged is lost; if ").append(target)
          .append(" cannot catch up in time, nothing changes.");
    }
    return text.toString();
  }

  /** A plan or a problem. */
  public record Result(Optional<FailoverPlan> plan, Optional<String> problem) {
    static Result problem(String why) {
      return new Result(Optional.empty(), Optional.of(why));
    }
  }
}

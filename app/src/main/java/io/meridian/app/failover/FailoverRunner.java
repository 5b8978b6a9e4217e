package io.meridian.app.failover;

import io.grpc.StatusRuntimeException;
import io.meridian.agent.api.v1.AbortSwitchoverRequest;
import io.meridian.agent.api.v1.ApplyDecisionRequest;
import io.meridian.agent.api.v1.ApplyDecisionResponse;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.DatasetFailoverView;
import io.meridian.agent.api.v1.FailoverStatusRequest;
import io.meridian.agent.api.v1.SwitchoverRequest;
import io.meridian.agent.api.v1.SwitchoverResponse;
import io.meridian.app.client.AgentClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Carries out a failover decided by a {@link FailoverPlan} (ADR 0009): reads every agent's view,
 * then (planned) asks the primary to hand over, and sends the same decision to every reachable
 * agent, the new primary first. The one implementation behind {@code meridian failover} and the
 * live view's failover actions. Blocking: callers off the JavaFX thread.
 */
public final class FailoverRunner {
  /** How long one agent may take to answer a status or decision call. */
  public static final Duration CALL_DEADLINE = Duration.ofSeconds(5);

  /**
   * How long a forced failover waits for the old primary to confirm it stopped taking writes;
   * after that it decides without the confirmation and the new primary waits out the old lease
   * (1.1 s by default). A confirmation even near this bound still beats that wait, and the primary
   * answered its status call moments before, so the bound is generous for a loaded machine.
   */
  public static final Duration STOP_DEADLINE = Duration.ofSeconds(1);

  private FailoverRunner() {}

  /**
   * An agent to ask.
   *
   * @param region its region
   * @param address its gRPC address, host:port
   */
  public record Agent(String region, String address) {}

  /**
   * The agents' views and the plan made from them, before anything changed.
   *
   * @param result the plan, or why there is none
   * @param reachable the agents that answered, by region
   * @param replicas the dataset's replica regions
   */
  public record Prepared(FailoverPlan.Result result, Map<String, Agent> reachable,
      List<String> replicas) {}

  /**
   * How a failover ended.
   *
   * @param tookOver whether the target is now the primary
   * @param missing replicas that did not get the decision (empty when everyone was told)
   * @param message what happened, in a sentence: the summary, or why nothing changed
   * @param warning what the operator must know about the replicas not told, or empty
   */
  public record Outcome(boolean tookOver, List<String> missing, String message, String warning) {}

  /**
   * Asks each replica's agent for its view of the dataset and plans the failover.
   *
   * @param notes where remarks go (an agent that did not answer)
   */
  public static Prepared prepare(String dataset, String target, boolean force,
      List<String> replicas, List<Agent> agents, Consumer<String> notes) {
    Map<String, DatasetFailoverView> views = new TreeMap<>();
    Map<String, Agent> reachable = new TreeMap<>();
    for (Agent agent : agents) {
      if (!replicas.contains(agent.region())) {
        continue;
      }
      try (AgentClient client = new AgentClient(agent.region(), agent.address())) {
        ControlGrpc.newBlockingStub(client.channel())
            .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
            .failoverStatus(FailoverStatusRequest.getDefaultInstance()).getDatasetsList().stream()
            .filter(view -> view.getDataset().equals(dataset)).findFirst()
            .ifPresent(view -> {
              views.put(agent.region(), view);
              reachable.put(agent.region(), agent);
            });
      } catch (StatusRuntimeException e) {
        notes.accept("note: region " + agent.region() + " did not answer ("
            + e.getStatus().getCode() + ")");
      }
    }
    return new Prepared(FailoverPlan.plan(dataset, target, force, replicas, views), reachable,
        List.copyOf(replicas));
  }

  /**
   * Carries out a plan: a planned one waits (up to {@code timeoutMillis}) for the primary to
   * hand over; then the decision goes to every reachable agent, the new primary first.
   *
   * @param startedNanos when the whole operation started ({@link System#nanoTime()}), for the
   *     summary
   * @param notes where remarks go (quarantined changes, agents that did not take the decision)
   */
  public static Outcome execute(FailoverPlan plan, Prepared prepared, long timeoutMillis,
      long startedNanos, Consumer<String> notes) {
    String dataset = plan.dataset();
    String target = plan.target();
    Map<String, Agent> reachable = prepared.reachable();
    long startSequence = plan.targetSequence();
    boolean previousStopped = false;
    long decisionStartedNanos = System.nanoTime();
    if (!plan.force()) {
      Agent primary = reachable.get(plan.currentPrimary());
      try (AgentClient client = new AgentClient(primary.region(), primary.address())) {
        try {
          SwitchoverResponse ready = ControlGrpc.newBlockingStub(client.channel())
              .withDeadlineAfter(timeoutMillis + CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
              .switchover(SwitchoverRequest.newBuilder().setDataset(dataset)
                  .setTargetRegion(target).setTimeoutMillis(timeoutMillis).build());
          startSequence = ready.getStartSequence();
          previousStopped = true;
        } catch (StatusRuntimeException e) {
          return new Outcome(false, prepared.replicas(),
              "the switchover did not happen, nothing changed: " + client.describe(e), "");
        }
      }
    } else {
      previousStopped = stopReachablePrimary(plan, reachable, notes);
    }
    ApplyDecisionRequest decision = ApplyDecisionRequest.newBuilder().setDataset(dataset)
        .setEpoch(plan.newEpoch()).setPrimaryRegion(target).setStartSequence(startSequence)
        .setPreviousPrimaryStopped(previousStopped).build();
    // The new primary first, so that the replicas' new streams find it ready.
    List<String> order = new ArrayList<>(reachable.keySet());
    order.remove(target);
    order.add(0, target);
    if (previousStopped && order.remove(plan.currentPrimary())) {
      // The stopped primary next: applying the decision makes its stop durable (a restart no
      // longer brings it back as the primary of the old epoch) and quarantines what the target lacks.
      order.add(1, plan.currentPrimary());
    }
    List<String> told = new ArrayList<>();
    for (String region : order) {
      Agent agent = reachable.get(region);
      try (AgentClient client = new AgentClient(agent.region(), agent.address())) {
        ApplyDecisionResponse applied = ControlGrpc.newBlockingStub(client.channel())
            .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
            .applyDecision(decision);
        told.add(region);
        if (applied.getQuarantinedChanges() > 0) {
          notes.accept(region + ": quarantined " + applied.getQuarantinedChanges()
              + " change(s) the new primary lacks (meridian quarantine list --dataset " + dataset
              + ")");
        }
      } catch (StatusRuntimeException e) {
        notes.accept("warning: region " + region + " did not take the decision: "
            + e.getStatus().getCode());
        if (region.equals(target)) {
          abortSwitchover(dataset, reachable.get(plan.currentPrimary()), previousStopped || plan.force(),
              "the target did not take it");
          return new Outcome(false, prepared.replicas(),
              "the target " + target + " did not take the decision; nothing changed.", "");
        }
      }
    }
    double millis = (System.nanoTime() - decisionStartedNanos) / 1e6;
    List<String> missing = new ArrayList<>(prepared.replicas());
    missing.removeAll(told);
    String warning = missing.isEmpty() ? "" : "warning: " + missing + " did not get the "
        + "decision; they stay at epoch " + plan.currentEpoch() + " and are refused by the others"
        + " until they get it (from the failover group's log when the deployment has one, ADR 0016;"
        + " otherwise run the command again once they are back).";
    return new Outcome(true, List.copyOf(missing), String.format(Locale.ROOT,
        "%s is the primary of %s in epoch %d (%s, %.0f ms after the decision started, %.0f ms"
            + " in all); told %s", target, dataset, plan.newEpoch(),
        plan.force() ? "forced" : "planned", millis,
        (System.nanoTime() - startedNanos) / 1e6, told), warning);
  }

  /**
   * A forced failover whose old primary answers: asks it to stop taking writes now (it answers
   * only once stopped), so the decision can say so and the target writes at once instead of
   * waiting out the old lease. Returns whether it confirmed; on no answer within {@link
   * #STOP_DEADLINE} the failover goes on as before, with the fence wait.
   */
  private static boolean stopReachablePrimary(FailoverPlan plan, Map<String, Agent> reachable,
      Consumer<String> notes) {
    Agent primary = plan.currentPrimary() == null ? null : reachable.get(plan.currentPrimary());
    if (primary == null || primary.region().equals(plan.target())) {
      return false;
    }
    try (AgentClient client = new AgentClient(primary.region(), primary.address())) {
      SwitchoverResponse stopped = ControlGrpc.newBlockingStub(client.channel())
          .withDeadlineAfter(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .switchover(SwitchoverRequest.newBuilder().setDataset(plan.dataset())
              .setTargetRegion(plan.target()).setTimeoutMillis(STOP_DEADLINE.toMillis())
              .setStopNow(true).build());
      long lacking = Math.max(0, stopped.getStartSequence() - plan.targetSequence());
      notes.accept(String.format(Locale.ROOT, "%s stopped taking writes at sequence %d; %s has %d,"
              + " so %d change(s) will be quarantined at %s", primary.region(),
          stopped.getStartSequence(), plan.target(), plan.targetSequence(), lacking,
          primary.region()));
      return true;
    } catch (StatusRuntimeException e) {
      notes.accept("note: the primary " + primary.region() + " did not confirm it stopped ("
          + e.getStatus().getCode() + "); " + plan.target() + " waits out its lease before writing");
      // If the stop arrived late, the decision applied below (or the abort when the target does
      // not take it) ends it.
      return false;
    }
  }

  private static void abortSwitchover(String dataset, Agent primary, boolean switchoverStarted,
      String reason) {
    if (!switchoverStarted || primary == null) {
      return;
    }
    try (AgentClient client = new AgentClient(primary.region(), primary.address())) {
      ControlGrpc.newBlockingStub(client.channel())
          .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .abortSwitchover(AbortSwitchoverRequest.newBuilder().setDataset(dataset)
              .setReason(reason).build());
    } catch (StatusRuntimeException e) {
      // The primary stays stopped; the caller reports that the target did not take it.
    }
  }
}

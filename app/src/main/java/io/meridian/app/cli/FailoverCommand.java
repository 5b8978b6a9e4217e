package io.meridian.app.cli;

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
import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.DeploymentState.AgentRecord;
import io.meridian.app.deploy.DeploymentState.DatasetRecord;
import io.meridian.app.failover.FailoverPlan;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meridian failover}: a planned switchover or a forced failover of one dataset of the
 * running deployment (ADR 0009). The command is the decider: it reads every agent's view, states
 * the lag and what a forced failover would lose, asks for confirmation, and sends the same
 * decision to every reachable agent.
 */
@Command(
    name = "failover",
    mixinStandardHelpOptions = true,
    description = {
        "Make REGION the primary of a dataset. Without --force, a planned switchover: the primary "
            + "stops taking writes until the target has all of them, then hands over (nothing "
            + "acknowledged is lost; on timeout nothing changes). With --force, promote now: writes "
            + "the target lacks are quarantined at the old primary when it rejoins.",
        "",
        "Example:",
        "  meridian failover --dataset orders --to eu-central",
        "  meridian failover --dataset orders --to eu-central --force --yes"},
    footer = {"", "Exit status: 0 the new primary took over, 1 nothing changed or not every agent was told,"
        + " 2 the command was not usable."})
public final class FailoverCommand implements Callable<Integer> {
  /** How long one agent may take to answer a status or decision call. */
  static final Duration CALL_DEADLINE = Duration.ofSeconds(5);

  @Spec
  private CommandSpec spec;

  @Mixin
  private StateDirOption state;

  @Option(names = "--dataset", required = true, paramLabel = "D", description = "The dataset.")
  private String dataset;

  @Option(names = "--to", required = true, paramLabel = "REGION", description = "The region to promote.")
  private String target;

  @Option(names = "--force", description = "Promote now, even if the target lacks writes.")
  private boolean force;

  @Option(names = {"--yes", "-y"}, description = "Do not ask for confirmation.")
  private boolean yes;

  @Option(names = "--timeout-ms", paramLabel = "MS",
      description = "How long a planned switchover waits for the target to catch up (default: ${DEFAULT-VALUE}).")
  private long timeoutMillis = 5_000;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    DeploymentState deployment;
    try {
      deployment = state.read();
    } catch (IOException e) {
      err.println("meridian failover: " + e.getMessage());
      err.flush();
      return ExitCodes.PROBLEMS;
    }
    Optional<DatasetRecord> record = deployment.dataset(dataset);
    if (record.isEmpty()) {
      err.println("meridian failover: dataset '" + dataset + "' is not deployed; deployed: "
          + deployment.datasetNames());
      err.flush();
      return ExitCodes.UNUSABLE;
    }
    long startedNanos = System.nanoTime();
    Map<String, DatasetFailoverView> views = new TreeMap<>();
    Map<String, AgentRecord> reachable = new TreeMap<>();
    for (AgentRecord agent : deployment.agents()) {
      if (!record.get().replicas().contains(agent.region())) {
        continue;
      }
      try (AgentClient client = new AgentClient(agent.region(), agent.grpcAddress())) {
        ControlGrpc.newBlockingStub(client.channel()).withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
            .failoverStatus(FailoverStatusRequest.getDefaultInstance()).getDatasetsList().stream()
            .filter(view -> view.getDataset().equals(dataset)).findFirst()
            .ifPresent(view -> {
              views.put(agent.region(), view);
              reachable.put(agent.region(), agent);
            });
      } catch (StatusRuntimeException e) {
        out.println("note: region " + agent.region() + " did not answer (" + e.getStatus().getCode() + ")");
      }
    }
    FailoverPlan.Result result = FailoverPlan.plan(dataset, target, force, record.get().replicas(), views);
    if (result.problem().isPresent()) {
      err.println("meridian failover: " + result.problem().get());
      err.flush();
      return ExitCodes.PROBLEMS;
    }
    FailoverPlan plan = result.plan().orElseThrow();
    out.println(plan.confirmation());
    out.flush();
    if (!yes && !confirmed(out)) {
      out.println("Nothing changed.");
      out.flush();
      return ExitCodes.PROBLEMS;
    }
    long startSequence = plan.targetSequence();
    boolean previousStopped = false;
    long decisionStartedNanos = System.nanoTime();
    if (!plan.force()) {
      AgentRecord primary = reachable.get(plan.currentPrimary());
      try (AgentClient client = new AgentClient(primary.region(), primary.grpcAddress())) {
        try {
          SwitchoverResponse ready = ControlGrpc.newBlockingStub(client.channel())
              .withDeadlineAfter(timeoutMillis + CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
              .switchover(SwitchoverRequest.newBuilder().setDataset(dataset).setTargetRegion(target)
                  .setTimeoutMillis(timeoutMillis).build());
          startSequence = ready.getStartSequence();
          previousStopped = true;
        } catch (StatusRuntimeException e) {
          err.println("meridian failover: the switchover did not happen, nothing changed: " + client.describe(e));
          err.flush();
          return ExitCodes.PROBLEMS;
        }
      }
    }
    ApplyDecisionRequest decision = ApplyDecisionRequest.newBuilder().setDataset(dataset).setEpoch(plan.newEpoch())
        .setPrimaryRegion(target).setStartSequence(startSequence).setPreviousPrimaryStopped(previousStopped).build();
    // The new primary first, so that the replicas' new streams find it ready.
    List<String> order = new ArrayList<>(reachable.keySet());
    order.remove(target);
    order.add(0, target);
    List<String> told = new ArrayList<>();
    List<String> untold = new ArrayList<>();
    for (String region : order) {
      AgentRecord agent = reachable.get(region);
      try (AgentClient client = new AgentClient(agent.region(), agent.grpcAddress())) {
        ApplyDecisionResponse applied = ControlGrpc.newBlockingStub(client.channel())
            .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS).applyDecision(decision);
        told.add(region);
        if (applied.getQuarantinedChanges() > 0) {
          out.println(region + ": quarantined " + applied.getQuarantinedChanges() + " change(s) the new primary"
              + " lacks (meridian quarantine list --dataset " + dataset + ")");
        }
      } catch (StatusRuntimeException e) {
        untold.add(region);
        out.println("warning: region " + region + " did not take the decision: " + e.getStatus().getCode());
        if (region.equals(target)) {
          abortSwitchover(reachable.get(plan.currentPrimary()), previousStopped, "the target did not take it");
          err.println("meridian failover: the target " + target + " did not take the decision; nothing changed.");
          err.flush();
          return ExitCodes.PROBLEMS;
        }
      }
    }
    double millis = (System.nanoTime() - decisionStartedNanos) / 1e6;
    out.printf(Locale.ROOT, "%s is the primary of %s in epoch %d (%s, %.0f ms after the decision started, %.0f ms"
        + " in all); told %s%n", target, dataset, plan.newEpoch(), plan.force() ? "forced" : "planned", millis,
        (System.nanoTime() - startedNanos) / 1e6, told);
    List<String> missing = new ArrayList<>(record.get().replicas());
    missing.removeAll(told);
    if (!missing.isEmpty()) {
      out.println("warning: " + missing + " did not get the decision; they stay at epoch " + plan.currentEpoch()
          + " and are refused by the others until they get it (no consensus group yet: see ADR 0009).");
    }
    out.flush();
    return missing.isEmpty() ? ExitCodes.OK : ExitCodes.PROBLEMS;
  }

  private void abortSwitchover(AgentRecord primary, boolean switchoverStarted, String reason) {
    if (!switchoverStarted || primary == null) {
      return;
    }
    try (AgentClient client = new AgentClient(primary.region(), primary.grpcAddress())) {
      ControlGrpc.newBlockingStub(client.channel()).withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .abortSwitchover(AbortSwitchoverRequest.newBuilder().setDataset(dataset).setReason(reason).build());
    } catch (StatusRuntimeException e) {
      // The primary stays stopped; the operator sees the warning printed by the caller.
    }
  }

  private boolean confirmed(PrintWriter out) {
    out.print("Proceed? [y/N] ");
    out.flush();
    try {
      String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      return answer != null && answer.trim().toLowerCase(Locale.ROOT).startsWith("y");
    } catch (IOException e) {
      return false;
    }
  }
}

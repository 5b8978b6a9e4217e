package io.meridian.app.cli;

import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.DeploymentState.AgentRecord;
import io.meridian.app.deploy.DeploymentState.DatasetRecord;
import io.meridian.app.failover.FailoverPlan;
import io.meridian.app.failover.FailoverRunner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
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
  static final Duration CALL_DEADLINE = FailoverRunner.CALL_DEADLINE;

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
    List<FailoverRunner.Agent> agents = new ArrayList<>();
    for (AgentRecord agent : deployment.agents()) {
      agents.add(new FailoverRunner.Agent(agent.region(), agent.grpcAddress()));
    }
    FailoverRunner.Prepared prepared = FailoverRunner.prepare(dataset, target, force,
        record.get().replicas(), agents, out::println);
    FailoverPlan.Result result = prepared.result();
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
    FailoverRunner.Outcome outcome = FailoverRunner.execute(plan, prepared, timeoutMillis,
        startedNanos, out::println);
    if (!outcome.tookOver()) {
      out.flush();
      err.println("meridian failover: " + outcome.message());
      err.flush();
      return ExitCodes.PROBLEMS;
    }
    out.println(outcome.message());
    if (!outcome.warning().isEmpty()) {
      out.println(outcome.warning());
    }
    out.flush();
    return outcome.missing().isEmpty() ? ExitCodes.OK : ExitCodes.PROBLEMS;
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

package io.meridian.app.cli;

import io.grpc.StatusRuntimeException;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.CutLinkRequest;
import io.meridian.agent.api.v1.HealLinkRequest;
import io.meridian.app.client.AgentClient;
import io.meridian.app.deploy.DeploymentException;
import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.DeploymentState.AgentRecord;
import io.meridian.app.deploy.LocalDeployer;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meridian fault}: faults for local rehearsals. {@code kill} is {@code kill -9},
 * {@code restart} starts a stopped agent again with its data and ports,
 * {@code pause}/{@code resume} are SIGSTOP/SIGCONT (a GC-pause-like freeze), {@code cut}/{@code
 * heal} drop or restore the link between two regions at both ends: replication streams and the
 * Raft traffic of consensus datasets and of the failover decision group (ADR 0015, 0020).
 */
@Command(
    name = "fault",
    mixinStandardHelpOptions = true,
    description = {
        "Inject a fault into the running local deployment.",
        "",
        "Example:",
        "  meridian fault kill us-east",
        "  meridian fault restart us-east",
        "  meridian fault pause eu-central",
        "  meridian fault resume eu-central",
        "  meridian fault cut us-east ap-southeast",
        "  meridian fault heal us-east ap-southeast"},
    footer = {"", "Exit status: 0 done, 1 it could not be done, 2 the command was not usable."})
public final class FaultCommand implements Callable<Integer> {
  private static final List<String> ACTIONS = List.of("kill", "restart", "pause", "resume", "cut", "heal");

  @Spec
  private CommandSpec spec;

  @Mixin
  private StateDirOption state;

  @Parameters(index = "0", paramLabel = "kill|restart|pause|resume|cut|heal", description = "The fault.")
  private String action;

  @Parameters(index = "1..*", arity = "1..2", paramLabel = "REGION",
      description = "The region (kill, restart, pause, resume) or the two ends of a link (cut, heal).")
  private List<String> regions;

  @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "30",
      description = "restart: how long the agent may take to be ready (default: ${DEFAULT-VALUE});"
          + " more on a slow or busy machine.")
  private int waitSeconds;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!ACTIONS.contains(action)) {
      return usage(err, "unknown fault '" + action + "'; use one of " + ACTIONS + ".");
    }
    if (waitSeconds < 1) {
      return usage(err, "--wait must be at least 1 second, not " + waitSeconds + ".");
    }
    boolean link = action.equals("cut") || action.equals("heal");
    if (regions.size() != (link ? 2 : 1)) {
      return usage(err, action + " takes " + (link ? "two regions (the ends of the link)" : "one region") + ", got "
          + regions + ".");
    }
    DeploymentState deployment;
    try {
      deployment = state.read();
    } catch (IOException e) {
      err.println("meridian fault: " + e.getMessage());
      err.flush();
      return ExitCodes.PROBLEMS;
    }
    for (String region : regions) {
      if (deployment.agent(region).isEmpty()) {
        return usage(err, "region '" + region + "' is not deployed; deployed: "
            + deployment.agents().stream().map(AgentRecord::region).toList() + ".");
      }
    }
    int status = link ? link(deployment, out, err)
        : action.equals("restart") ? restart(deployment.agent(regions.get(0)).orElseThrow(), out, err)
        : process(deployment.agent(regions.get(0)).orElseThrow(), out, err);
    out.flush();
    err.flush();
    return status;
  }

  private int process(AgentRecord agent, PrintWriter out, PrintWriter err) {
    Optional<ProcessHandle> process = LocalDeployer.agentProcess(agent);
    if (process.isEmpty()) {
      err.println("meridian fault: the agent of " + agent.region() + " (pid " + agent.pid() + ") is not running.");
      return ExitCodes.PROBLEMS;
    }
    if (action.equals("kill")) {
      process.get().destroyForcibly();
      out.println("killed " + agent.region() + " (pid " + agent.pid() + ", SIGKILL)");
      return ExitCodes.OK;
    }
    String signal = action.equals("pause") ? "-STOP" : "-CONT";
    try {
      Process kill = new ProcessBuilder("kill", signal, Long.toString(agent.pid())).inheritIO().start();
      if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        err.println("meridian fault: kill " + signal + " " + agent.pid() + " failed.");
        return ExitCodes.PROBLEMS;
      }
    } catch (IOException e) {
      err.println("meridian fault: cannot run kill " + signal + ": " + e.getMessage());
      return ExitCodes.PROBLEMS;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCodes.PROBLEMS;
    }
    out.println((action.equals("pause") ? "paused " : "resumed ") + agent.region() + " (pid " + agent.pid() + ", SIG"
        + signal.substring(1) + ")");
    return ExitCodes.OK;
  }

  private int restart(AgentRecord agent, PrintWriter out, PrintWriter err) {
    if (LocalDeployer.agentProcess(agent).isPresent()) {
      err.println("meridian fault: the agent of " + agent.region() + " is still running (pid " + agent.pid()
          + "); kill it first with 'meridian fault kill " + agent.region() + "'.");
      return ExitCodes.PROBLEMS;
    }
    try {
      long startedNanos = System.nanoTime();
      AgentRecord restarted = LocalDeployer.fromCurrentJvm().waitingUpTo(java.time.Duration.ofSeconds(waitSeconds))
          .restart(state.resolve(), agent.region());
      out.printf(java.util.Locale.ROOT, "restarted %s (pid %d, was %d; ready after %.0f ms)%n", agent.region(),
          restarted.pid(), agent.pid(), (System.nanoTime() - startedNanos) / 1e6);
      return ExitCodes.OK;
    } catch (DeploymentException | IOException e) {
      err.println("meridian fault: " + e.getMessage());
      return ExitCodes.PROBLEMS;
    }
  }

  private int link(DeploymentState deployment, PrintWriter out, PrintWriter err) {
    int status = ExitCodes.OK;
    for (int end = 0; end < 2; end++) {
      AgentRecord agent = deployment.agent(regions.get(end)).orElseThrow();
      String peer = regions.get(1 - end);
      try (AgentClient client = new AgentClient(agent.region(), agent.grpcAddress())) {
        try {
          ControlGrpc.ControlBlockingStub control = ControlGrpc.newBlockingStub(client.channel())
              .withDeadlineAfter(FailoverCommand.CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
          boolean changed = action.equals("cut")
              ? control.cutLink(CutLinkRequest.newBuilder().setPeerRegion(peer).build()).getChanged()
              : control.healLink(HealLinkRequest.newBuilder().setPeerRegion(peer).build()).getChanged();
          out.println(agent.region() + ": link to " + peer + (changed ? " " + action + (action.equals("cut") ? "" : "ed")
              : " was already " + (action.equals("cut") ? "cut" : "up")));
        } catch (StatusRuntimeException e) {
          err.println("meridian fault: " + client.describe(e));
          status = ExitCodes.PROBLEMS;
        }
      }
    }
    return status;
  }

  private static int usage(PrintWriter err, String problem) {
    err.println("meridian fault: " + problem);
    err.flush();
    return ExitCodes.UNUSABLE;
  }
}

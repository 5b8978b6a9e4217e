package io.meridian.app.cli;

import io.meridian.app.check.Validation;
import io.meridian.app.deploy.DeploymentCompiler;
import io.meridian.app.deploy.DeploymentException;
import io.meridian.app.deploy.DeploymentPlan;
import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.FreePorts;
import io.meridian.app.deploy.LocalDeployer;
import io.meridian.app.deploy.StateDirectories;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import io.meridian.model.format.LoadedTopology;
import io.meridian.model.format.TopologyFormatException;
import io.meridian.model.format.TopologyReader;
import io.meridian.model.validation.TopologyValidator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meridian deploy FILE --target local}: validates a topology, compiles one agent
 * configuration per data region, starts the agents on this machine and records the deployment
 * in a state directory.
 */
@Command(
    name = "deploy",
    mixinStandardHelpOptions = true,
    description = {
        "Start one replication agent per data region of a topology on this machine, with "
            + "free ports on 127.0.0.1, and record the deployment so that kv, status, load and "
            + "teardown find it."},
    footer = {"", "Examples:",
        "  meridian deploy samples/global-async.yaml --target local --emulate-wan",
        "  meridian deploy samples/global-async.yaml --target local --state-dir /tmp/run1"})
public final class DeployCommand implements Callable<Integer> {
  /** Deployment targets; only local exists so far. */
  enum Target { local }

  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "Topology file (.yaml or .json).")
  private Path file;

  @Option(names = "--target", required = true, paramLabel = "local",
      description = "Where to deploy: ${COMPLETION-CANDIDATES}.")
  private Target target;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "Where to keep configuration, data, logs and deployment.json "
          + "(default: .meridian/deployments/<topology name>).")
  private Path stateDirectory;

  @Option(names = "--emulate-wan",
      description = "Give traffic between agents the links' delay (half the RTT each way), "
          + "jitter, bandwidth and loss.")
  private boolean emulateWan;

  @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "30",
      description = "How long each agent may take to be ready, and the replication links to "
          + "connect once all are (default: ${DEFAULT-VALUE}); more on a slow or busy machine.")
  private int waitSeconds;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (waitSeconds < 1) {
      err.println("meridian deploy: --wait must be at least 1 second, not " + waitSeconds);
      err.flush();
      return ExitCodes.UNUSABLE;
    }
    LoadedTopology loaded;
    try {
      loaded = new TopologyReader().read(file);
    } catch (TopologyFormatException e) {
      e.problems().forEach(problem -> err.println(problem.format(e.source())));
      err.flush();
      return ExitCodes.UNUSABLE;
    }
    List<Problem> problems = new TopologyValidator().validate(loaded);
    if (TopologyValidator.hasErrors(problems)) {
      problems.stream().filter(Problem::isError)
          .forEach(problem -> err.println(problem.format(file.toString())));
      err.println("meridian deploy: " + file + " has errors; nothing was deployed");
      err.flush();
      return ExitCodes.PROBLEMS;
    }
    problems.stream().filter(p -> p.severity() == Severity.WARNING)
        .forEach(problem -> err.println(problem.format(file.toString())));
    DeploymentPlan plan;
    try {
      plan = new DeploymentCompiler().compile(loaded.topology(), emulateWan, new FreePorts());
    } catch (IllegalArgumentException e) {
      err.println("meridian deploy: " + file + ": error: " + e.getMessage());
      err.flush();
      return ExitCodes.PROBLEMS;
    }
    plan.warnings().forEach(err::println);
    Path directory = stateDirectory != null ? stateDirectory
        : StateDirectories.defaultFor(plan.topologyName());
    out.println("Deploying " + plan.topologyName() + " (" + plan.agents().size() + " agents"
        + (emulateWan ? ", WAN emulated" : ", no WAN emulation") + ") into " + directory);
    out.flush();
    DeploymentState state;
    try {
      state = LocalDeployer.fromCurrentJvm()
          .waitingUpTo(Duration.ofSeconds(waitSeconds)).deploy(plan, file, directory, emulateWan, line -> {
        out.println(line);
        out.flush();
      });
    } catch (DeploymentException e) {
      err.println("meridian deploy: error: " + e.getMessage());
      err.println("meridian deploy: every agent started was stopped again");
      err.flush();
      return ExitCodes.PROBLEMS;
    }
    out.println("Ready: " + state.agents().size() + " agents. State in " + directory
        + "; try 'meridian status', 'meridian kv put --region "
        + state.agents().get(0).region() + " --dataset "
        + (state.datasetNames().isEmpty() ? "D" : state.datasetNames().get(0))
        + " KEY VALUE', and 'meridian teardown' when done.");
    out.flush();
    return ExitCodes.OK;
  }
}

package io.meridian.app.cli;

import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.LocalDeployer;
import io.meridian.app.deploy.LocalDeployer.StopOutcome;
import io.meridian.app.deploy.StateDirectories;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meridian teardown}: stops a local deployment's agents, optionally deleting its data. */
@Command(
    name = "teardown",
    mixinStandardHelpOptions = true,
    description = {
        "Stop every agent of a local deployment (SIGTERM, then SIGKILL after "
            + "10 s). Data and logs stay unless --purge is given."})
public final class TeardownCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Mixin
  private StateDirOption state;

  @Option(names = "--purge", description = "Also delete the state directory: data, logs, "
      + "configuration.")
  private boolean purge;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path directory;
    DeploymentState deployment;
    try {
      directory = state.resolve();
      deployment = DeploymentState.read(directory);
    } catch (IOException e) {
      err.println("meridian teardown: " + e.getMessage());
      err.flush();
      return ExitCodes.PROBLEMS;
    }
    Map<String, StopOutcome> outcomes = LocalDeployer.teardown(deployment);
    boolean survivors = false;
    for (Map.Entry<String, StopOutcome> entry : outcomes.entrySet()) {
      String text = switch (entry.getValue()) {
        case STOPPED -> "stopped";
        case KILLED -> "killed (did not stop within "
            + LocalDeployer.STOP_TIMEOUT.toSeconds() + " s of SIGTERM)";
        case NOT_RUNNING -> "was not running";
        case STILL_RUNNING -> "STILL RUNNING after SIGKILL";
      };
      survivors |= entry.getValue() == StopOutcome.STILL_RUNNING;
      out.println(String.format(Locale.ROOT, "  %-16s %s", entry.getKey(), text));
    }
    if (survivors) {
      err.println("meridian teardown: some agents survived; deployment.json kept in " + directory);
      err.flush();
      return ExitCodes.PROBLEMS;
    }
    try {
      if (purge) {
        LocalDeployer.purge(directory);
        forgetIfCurrent(directory);
        out.println("Purged " + directory);
      } else {
        Files.deleteIfExists(directory.resolve(DeploymentState.FILE_NAME));
        out.println("Stopped. Data and logs kept in " + directory + " (--purge deletes them)");
      }
    } catch (IOException e) {
      err.println("meridian teardown: agents stopped, but cleaning " + directory + " failed: "
          + e.getMessage());
      err.flush();
      return ExitCodes.PROBLEMS;
    }
    out.flush();
    return ExitCodes.OK;
  }

  private static void forgetIfCurrent(Path directory) throws IOException {
    Path pointer = StateDirectories.home().resolve("current");
    if (Files.isRegularFile(pointer) && Path.of(Files.readString(pointer, StandardCharsets.UTF_8)
        .strip()).equals(directory.toAbsolutePath().normalize())) {
      Files.delete(pointer);
    }
  }
}

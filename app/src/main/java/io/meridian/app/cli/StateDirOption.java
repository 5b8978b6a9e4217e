package io.meridian.app.cli;

import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.StateDirectories;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --state-dir} option every command about a running deployment takes. */
final class StateDirOption {
  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "The deployment's state directory (default: the most recent local "
          + "deployment, named in .meridian/current).")
  Path stateDirectory;

  /** The state directory to use: the given one or the most recent deployment's. */
  Path resolve() throws IOException {
    return StateDirectories.resolve(stateDirectory);
  }

  /** The recorded deployment. */
  DeploymentState read() throws IOException {
    return DeploymentState.read(resolve());
  }
}

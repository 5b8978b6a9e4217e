package io.meridian.app.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where local deployments keep their state: {@code .meridian/deployments/<topology name>} under
 * a workspace directory (the current directory unless the {@code meridian.workspace} system
 * property says otherwise), with {@code .meridian/current} naming the most recent one.
 */
public final class StateDirectories {
  /** System property that moves the workspace away from the current directory (tests). */
  public static final String WORKSPACE_PROPERTY = "meridian.workspace";

  private StateDirectories() {}

  /** The workspace's {@code .meridian} directory. */
  public static Path home() {
    return Path.of(System.getProperty(WORKSPACE_PROPERTY, "")).toAbsolutePath()
        .resolve(".meridian");
  }

  /** The default state directory of a topology. */
  public static Path defaultFor(String topologyName) {
    return home().resolve("deployments").resolve(topologyName);
  }

  /** Records {@code stateDirectory} as the most recent deployment. */
  public static void markCurrent(Path stateDirectory) throws IOException {
    Files.createDirectories(home());
    Files.writeString(home().resolve("current"),
        stateDirectory.toAbsolutePath().normalize() + System.lineSeparator(),
        StandardCharsets.UTF_8);
  }

  /**
   * The state directory a command uses: the one it was given, else the most recent deployment.
   *
   * @throws IOException with a message saying what to do when there is none
   */
  public static Path resolve(Path given) throws IOException {
    Path directory = given;
    if (directory == null) {
      Path pointer = home().resolve("current");
      if (!Files.isRegularFile(pointer)) {
        throw new IOException("no local deployment found (no " + pointer + "); run 'meridian "
            + "deploy FILE --target local' first, or pass --state-dir DIR");
      }
      directory = Path.of(Files.readString(pointer, StandardCharsets.UTF_8).strip());
    }
    if (!Files.isRegularFile(directory.resolve(DeploymentState.FILE_NAME))) {
      throw new IOException("no deployment recorded in " + directory + " (no "
          + DeploymentState.FILE_NAME + "); deploy first or pass the right --state-dir");
    }
    return directory;
  }
}

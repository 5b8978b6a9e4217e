package io.meridian.app.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The workspace of a test that deploys real agents locally (register it with
 * {@code @RegisterExtension}): before each test, a fresh temporary workspace that the CLI and the
 * deployer use instead of the current directory ({@link StateDirectories#WORKSPACE_PROPERTY}),
 * with {@link #stateDirectory()} inside it, and any system properties given with {@link
 * #withSystemProperty}; after each test, every agent still recorded there is continued (a paused
 * one ignores SIGTERM) and torn down, so none outlives its test, the properties are restored, and
 * the workspace is deleted, or kept and named on standard output when the test failed (the
 * agents' logs are the account of what happened).
 */
public final class LocalDeploymentFixture implements BeforeEachCallback, AfterEachCallback {
  /**
   * What the tests give {@code meridian deploy --wait}: each agent's time to be ready (30 s by
   * default). An agent JVM starting on a loaded 2-core machine has taken longer.
   */
  public static final String AGENT_WAIT_SECONDS = "120";

  private final Map<String, String> properties = new LinkedHashMap<>();
  private final Map<String, String> previous = new LinkedHashMap<>();
  private Path workspace;

  /** Sets a system property for each test (e.g. the deployer's repair interval), restored after. */
  public LocalDeploymentFixture withSystemProperty(String key, String value) {
    properties.put(key, value);
    return this;
  }

  /** The test's workspace (holds {@code .meridian/}). */
  public Path workspace() {
    return workspace;
  }

  /** Where the test deploys: {@code <workspace>/state}. */
  public Path stateDirectory() {
    return workspace.resolve("state");
  }

  /**
   * A copy of {@code samples/<name>} in the workspace with automatic failover turned off, for
   * tests that move the primary themselves and must not race the agents' failover group.
   */
  public Path sampleWithManualFailover(String name) throws IOException {
    Path copy = workspace.resolve(name.replace(".yaml", "-manual.yaml"));
    Files.writeString(copy, Files.readString(Path.of("../samples", name))
        .replace("automatic: true", "automatic: false"));
    return copy;
  }

  /** The deployment recorded in {@link #stateDirectory()}. */
  public DeploymentState state() throws IOException {
    return DeploymentState.read(stateDirectory());
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    workspace = Files.createTempDirectory("meridian-" + context.getRequiredTestClass().getSimpleName() + "-");
    previous.clear();
    Map<String, String> all = new LinkedHashMap<>(properties);
    all.put(StateDirectories.WORKSPACE_PROPERTY, workspace.toString());
    all.forEach((key, value) -> {
      previous.put(key, System.getProperty(key));
      System.setProperty(key, value);
    });
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    try {
      if (Files.isRegularFile(stateDirectory().resolve(DeploymentState.FILE_NAME))) {
        DeploymentState state = state();
        for (DeploymentState.AgentRecord agent : state.agents()) {
          LocalDeployer.agentProcess(agent).ifPresent(LocalDeploymentFixture::resume);
        }
        LocalDeployer.teardown(state);
      }
    } finally {
      previous.forEach((key, value) -> {
        if (value == null) {
          System.clearProperty(key);
        } else {
          System.setProperty(key, value);
        }
      });
      if (context.getExecutionException().isPresent()) {
        System.out.println(context.getDisplayName() + " failed; its workspace (agents' logs, data) is kept in "
            + workspace);
      } else {
        try {
          deleteRecursively(workspace);
        } catch (IOException | java.io.UncheckedIOException e) {
          System.out.println("could not delete the workspace " + workspace + ": " + e.getMessage());
        }
      }
    }
  }

  private static void resume(ProcessHandle agent) {
    try {
      new ProcessBuilder("kill", "-CONT", String.valueOf(agent.pid())).start().waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      // Teardown still ends it: SIGKILL after the stop timeout works on a stopped process.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}

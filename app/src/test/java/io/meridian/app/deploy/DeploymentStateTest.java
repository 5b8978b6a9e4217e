package io.meridian.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.app.deploy.DeploymentState.AgentRecord;
import io.meridian.app.deploy.DeploymentState.DatasetRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves that a deployment's record survives a write and a read, that commands find the most
// recent deployment through .meridian/current, and that a missing one is reported with what to do.
class DeploymentStateTest {
  @TempDir
  Path workspace;

  private String previousWorkspace;

  @BeforeEach
  void useTemporaryWorkspace() {
    previousWorkspace = System.getProperty(StateDirectories.WORKSPACE_PROPERTY);
    System.setProperty(StateDirectories.WORKSPACE_PROPERTY, workspace.toString());
  }

  @AfterEach
  void restoreWorkspace() {
    if (previousWorkspace == null) {
      System.clearProperty(StateDirectories.WORKSPACE_PROPERTY);
    } else {
      System.setProperty(StateDirectories.WORKSPACE_PROPERTY, previousWorkspace);
    }
  }

  private static DeploymentState sample() {
    DatasetRecord orders = new DatasetRecord("orders", "async", "a", List.of("a", "b"));
    return new DeploymentState("demo", "/somewhere/demo.yaml", true, "2026-11-27T17:00:00Z",
        List.of(new AgentRecord("a", 101, "2026-11-27T16:59:58Z", "127.0.0.1:7001",
                "127.0.0.1:9101", "/d/a", "/l/a.log", "/c/a.json", List.of(orders)),
            new AgentRecord("b", 102, null, "127.0.0.1:7002", "127.0.0.1:9102", "/d/b",
                "/l/b.log", "/c/b.json", List.of(orders))),
        List.of("warning: region w is a witness"));
  }

  @Test
  void aWrittenDeploymentReadsBackEqual() throws IOException {
    Path directory = workspace.resolve("state");
    sample().write(directory);

    DeploymentState read = DeploymentState.read(directory);

    assertThat(read).isEqualTo(sample());
    assertThat(read.dataset("orders").orElseThrow().primary()).isEqualTo("a");
    assertThat(read.datasetNames()).containsExactly("orders");
  }

  @Test
  void theMostRecentDeploymentIsFoundWithoutAStateDirectory() throws IOException {
    Path directory = StateDirectories.defaultFor("demo");
    sample().write(directory);
    StateDirectories.markCurrent(directory);

    assertThat(StateDirectories.resolve(null)).isEqualTo(directory.toAbsolutePath().normalize());
    assertThat(directory).startsWith(workspace.resolve(".meridian").resolve("deployments"));
  }

  @Test
  void withoutAnyDeploymentTheMessageSaysToDeployFirst() {
    assertThatThrownBy(() -> StateDirectories.resolve(null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no local deployment found")
        .hasMessageContaining("meridian deploy FILE --target local");
  }

  @Test
  void aStateDirectoryWithoutARecordIsRefused() throws IOException {
    Path empty = Files.createDirectories(workspace.resolve("empty"));

    assertThatThrownBy(() -> StateDirectories.resolve(empty))
        .isInstanceOf(IOException.class).hasMessageContaining("no deployment recorded in");
  }

  @Test
  void anAgentWhoseProcessStartedAtAnotherTimeIsNotOurs() {
    long self = ProcessHandle.current().pid();
    AgentRecord reused = new AgentRecord("a", self, "2001-01-01T00:00:00Z", "127.0.0.1:1",
        "127.0.0.1:2", "/d", "/l", "/c", List.of());
    AgentRecord unknownStart = new AgentRecord("a", self, null, "127.0.0.1:1", "127.0.0.1:2",
        "/d", "/l", "/c", List.of());

    assertThat(LocalDeployer.agentProcess(reused)).isEmpty();
    assertThat(LocalDeployer.agentProcess(unknownStart)).isPresent();
  }
}

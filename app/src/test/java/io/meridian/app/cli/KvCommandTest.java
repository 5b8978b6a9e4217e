package io.meridian.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.DeploymentState.AgentRecord;
import io.meridian.app.deploy.DeploymentState.DatasetRecord;
import io.meridian.app.deploy.FreePorts;
import io.meridian.app.deploy.StateDirectories;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves that kv, status and load say clearly what is wrong, with exit status 1, when there is no
// deployment, when a region or dataset is unknown, and when an agent cannot be reached.
class KvCommandTest {
  @TempDir
  Path workspace;

  private String previousWorkspace;
  private Path stateDirectory;

  @BeforeEach
  void deploymentWhoseAgentIsGone() throws Exception {
    previousWorkspace = System.getProperty(StateDirectories.WORKSPACE_PROPERTY);
    System.setProperty(StateDirectories.WORKSPACE_PROPERTY, workspace.toString());
    stateDirectory = workspace.resolve("state");
    // A free port nobody listens on stands for an agent that is not running.
    int closedPort = new FreePorts().getAsInt();
    DatasetRecord orders = new DatasetRecord("orders", "async", "a", List.of("a", "b"));
    new DeploymentState("demo", "/demo.yaml", false, "2026-11-27T17:00:00Z",
        List.of(new AgentRecord("a", Long.MAX_VALUE, null, "127.0.0.1:" + closedPort,
                "127.0.0.1:1", "/d/a", "/l/a.log", "/c/a.json", List.of(orders)),
            new AgentRecord("b", Long.MAX_VALUE, null, "127.0.0.1:" + closedPort,
                "127.0.0.1:1", "/d/b", "/l/b.log", "/c/b.json", List.of(orders))),
        List.of()).write(stateDirectory);
  }

  @AfterEach
  void restoreWorkspace() {
    if (previousWorkspace == null) {
      System.clearProperty(StateDirectories.WORKSPACE_PROPERTY);
    } else {
      System.setProperty(StateDirectories.WORKSPACE_PROPERTY, previousWorkspace);
    }
  }

  @Test
  void withoutADeploymentKvSaysToDeployFirst() {
    CliRun run = CliRun.meridian("kv", "get", "k");

    assertThat(run.status()).isEqualTo(ExitCodes.PROBLEMS);
    assertThat(run.err()).contains("no local deployment found", "meridian deploy");
  }

  @Test
  void anUnknownRegionIsNamedWithTheDeployedOnes() {
    CliRun run = CliRun.meridian("kv", "get", "--state-dir", stateDirectory.toString(),
        "--region", "mars", "k");

    assertThat(run.status()).isEqualTo(ExitCodes.PROBLEMS);
    assertThat(run.err()).contains("no agent in region mars", "a, b");
  }

  @Test
  void anUnknownDatasetIsNamedWithTheDeployedOnes() {
    CliRun run = CliRun.meridian("kv", "put", "--state-dir", stateDirectory.toString(),
        "--dataset", "invoices", "k", "v");

    assertThat(run.status()).isEqualTo(ExitCodes.PROBLEMS);
    assertThat(run.err()).contains("no dataset invoices is deployed", "orders");
  }

  @Test
  void anUnreachableAgentIsReportedWithExitStatusOne() {
    CliRun run = CliRun.meridian("kv", "put", "--state-dir", stateDirectory.toString(),
        "--region", "b", "k", "v");

    assertThat(run.status()).isEqualTo(ExitCodes.PROBLEMS);
    assertThat(run.err()).contains("region b", "unreachable");
  }

  @Test
  void statusMarksUnreachableAgents() {
    CliRun run = CliRun.meridian("status", "--state-dir", stateDirectory.toString());

    assertThat(run.status()).isEqualTo(ExitCodes.PROBLEMS);
    assertThat(run.out()).contains("a  UNREACHABLE", "b  UNREACHABLE", "is not running");
  }

  @Test
  void casNeedsExactlyOneExpectation() {
    CliRun run = CliRun.meridian("kv", "cas", "--state-dir", stateDirectory.toString(), "k",
        "v");

    assertThat(run.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(run.err()).contains("--expected V", "--expect-absent");
  }

  @Test
  void aSessionTokenIsForSessionGetsAndMustBeTheHexAWritePrinted() {
    String state = stateDirectory.toString();
    CliRun notHex = CliRun.meridian("kv", "get", "--state-dir", state, "k", "--session-token", "xyz");
    CliRun onPut = CliRun.meridian("kv", "put", "--state-dir", state, "k", "v", "--session-token", "0a0b");
    CliRun otherLevel = CliRun.meridian("kv", "get", "--state-dir", state, "k", "--session-token", "0a0b",
        "--consistency", "strong");

    for (CliRun run : java.util.List.of(notHex, onPut, otherLevel)) {
      assertThat(run.status()).isEqualTo(ExitCodes.UNUSABLE);
      assertThat(run.err()).contains("--session-token is for get at --consistency session");
    }
  }

  @Test
  void conflictFreeOperationsCheckTheirArgumentsBeforeContactingAnAgent() {
    String state = stateDirectory.toString();
    CliRun entry = CliRun.meridian("kv", "put-entry", "--state-dir", state, "session", "theme");
    assertThat(entry.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(entry.err()).contains("put-entry KEY FIELD VALUE");

    CliRun amount = CliRun.meridian("kv", "incr", "--state-dir", state, "likes", "many");
    assertThat(amount.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(amount.err()).contains("whole number", "many");

    CliRun element = CliRun.meridian("kv", "add", "--state-dir", state, "tags");
    assertThat(element.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(element.err()).contains("ELEMENT is required");

    CliRun context = CliRun.meridian("kv", "get", "--state-dir", state, "--context", "zz", "cart");
    assertThat(context.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(context.err()).contains("--context", "put or delete");
  }

  @Test
  void aConflictFreeOperationOnAnUnreachableAgentIsReported() {
    CliRun run = CliRun.meridian("kv", "incr", "--state-dir", stateDirectory.toString(), "--region", "b",
        "likes", "3");

    assertThat(run.status()).isEqualTo(ExitCodes.PROBLEMS);
    assertThat(run.err()).contains("meridian kv incr");
  }
}

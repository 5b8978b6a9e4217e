package io.meridian.app.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.LocalDeployer;
import io.meridian.app.live.LiveActions.Action;
import io.meridian.app.live.LiveActions.ActionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that "Tear down" in the live view stops a local deployment's processes the way
 * {@code meridian teardown} does (the deployment file goes, data and logs stay), says so when
 * there is nothing left to stop, and is refused with the reason for a deployment connected by
 * address. The "agent" is a real child process.
 */
class DeploymentTeardownTest {
  @TempDir
  Path stateDirectory;

  private final LiveSession session = new LiveSession(List.of(), Map.of(), () -> 0L);
  private final AgentWatchers watchers = new AgentWatchers(List.of(), session);
  private Process agent;

  @AfterEach
  void cleanUp() {
    if (agent != null) {
      agent.destroyForcibly();
    }
    watchers.close();
    session.close();
  }

  @Test
  void stopsEveryAgentAndRemovesTheDeploymentFileButKeepsTheLogs() throws Exception {
    agent = new ProcessBuilder("sleep", "120").start();
    Path log = Files.writeString(stateDirectory.resolve("us-east.log"), "agent log\n");
    new DeploymentState("sample", "sample.yaml", false, "2026-11-27T20:00:00Z",
        List.of(new DeploymentState.AgentRecord("us-east", agent.pid(),
            agent.toHandle().info().startInstant().map(Object::toString).orElse(null),
            "127.0.0.1:1", "127.0.0.1:2", stateDirectory.resolve("data").toString(),
            log.toString(), stateDirectory.resolve("us-east.yaml").toString(), List.of())),
        List.of()).write(stateDirectory);
    DeploymentActions actions = new DeploymentActions(watchers, stateDirectory,
        LocalDeployer.fromCurrentJvm());

    assertThat(actions.unsupported(Action.TEARDOWN)).isEmpty();
    String outcome = actions.teardown();

    assertThat(outcome).contains("stopped: us-east").contains("data and logs kept");
    assertThat(agent.isAlive()).isFalse();
    assertThat(stateDirectory.resolve(DeploymentState.FILE_NAME)).doesNotExist();
    assertThat(log).exists();
    assertThatThrownBy(actions::teardown).isInstanceOf(ActionException.class)
        .hasMessageContaining("torn down already");
  }

  @Test
  void aDeploymentConnectedByAddressCannotBeTornDownFromTheWindow() {
    DeploymentActions actions = new DeploymentActions(watchers, null,
        LocalDeployer.fromCurrentJvm());

    assertThat(actions.unsupported(Action.TEARDOWN)).hasValueSatisfying(reason ->
        assertThat(reason).contains("meridian teardown"));
    assertThatThrownBy(actions::teardown).isInstanceOf(ActionException.class);
  }
}

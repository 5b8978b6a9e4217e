package io.meridian.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.LocalDeploymentFixture;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

// Proves operator failover with real agent processes: a planned switchover moves the primary
// with every write kept and replicas follow it; after the new primary is killed with kill -9, a
// forced failover promotes a survivor that takes writes from every live region, and the command
// says which region did not get the decision. `kv` and `load` without --region follow the new
// primary, also after the killed old primary is brought back with `meridian fault restart`.
// Faults are injected with `meridian fault`.
class FailoverIT {
  @RegisterExtension
  final LocalDeploymentFixture deployment = new LocalDeploymentFixture();

  private static void awaitCommittedBy(String region, String primary, String key) {
    // The decision reaches every region through the agents; give a loaded machine room.
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      CliRun put = CliRun.meridian("kv", "put", "--region", region, "--dataset", "orders", key, "v");
      assertThat(put.status()).as(put.all()).isZero();
      assertThat(put.out()).contains("committed by " + primary);
    });
  }

  @Test
  void plannedSwitchoverThenForcedFailoverAfterKillMinusNine() throws Exception {
    Path stateDirectory = deployment.stateDirectory();
    // Operator failover alone: the sample's policy with automatic failover turned off, so the agents'
    // failover group does not race the commands below (automatic failover: FailoverProcessIT).
    Path manual = deployment.sampleWithManualFailover("global-async.yaml");
    CliRun deploy = CliRun.deployLocally(deployment, manual.toString());
    assertThat(deploy.status()).as(deploy.all()).isZero();
    assertThat(CliRun.meridian("kv", "put", "--region", "us-east", "--dataset", "orders", "k1", "v1").status())
        .isZero();

    CliRun planned = CliRun.meridian("failover", "--dataset", "orders", "--to", "eu-central", "--yes");
    System.out.println("planned switchover: " + planned.out());
    assertThat(planned.status()).as(planned.all()).isZero();
    assertThat(planned.out()).contains("Planned switchover: us-east stops taking writes until eu-central")
        .contains("eu-central is the primary of orders in epoch 2 (planned");
    awaitCommittedBy("eu-central", "eu-central", "k2");
    awaitCommittedBy("ap-southeast", "eu-central", "k3");
    awaitCommittedBy("us-east", "eu-central", "k4");
    // Without --region the CLI finds the new primary from the agents, not deployment.json.
    CliRun followed = CliRun.meridian("kv", "put", "--dataset", "orders", "k2b", "v");
    assertThat(followed.out()).as(followed.all()).contains("at eu-central").contains("committed by eu-central");
    CliRun nothingLost = CliRun.meridian("kv", "get", "--region", "eu-central", "--dataset", "orders", "k1");
    assertThat(nothingLost.out()).contains("orders/k1 = v1");

    DeploymentState state = DeploymentState.read(stateDirectory);
    long europe = state.agent("eu-central").orElseThrow().pid();
    CliRun cut = CliRun.meridian("fault", "cut", "us-east", "ap-southeast");
    assertThat(cut.out()).as(cut.all()).contains("us-east: link to ap-southeast cut", "ap-southeast: link to us-east cut");
    assertThat(CliRun.meridian("fault", "heal", "us-east", "ap-southeast").out()).contains("link to ap-southeast healed");
    CliRun kill = CliRun.meridian("fault", "kill", "eu-central");
    assertThat(kill.out()).as(kill.all()).contains("killed eu-central (pid " + europe + ", SIGKILL)");
    await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(europe).filter(ProcessHandle::isAlive).isEmpty());

    CliRun forced = CliRun.meridian("failover", "--dataset", "orders", "--to", "us-east", "--force", "--yes");
    System.out.println("forced failover: " + forced.out());
    assertThat(forced.out()).as(forced.all()).contains("not answering")
        .contains("us-east is the primary of orders in epoch 3 (forced")
        .contains("[eu-central] did not get the decision");
    assertThat(forced.status()).isEqualTo(ExitCodes.PROBLEMS);
    awaitCommittedBy("us-east", "us-east", "k5");
    awaitCommittedBy("ap-southeast", "us-east", "k6");
    CliRun quarantine = CliRun.meridian("quarantine", "list", "--dataset", "orders");
    assertThat(quarantine.out()).as(quarantine.all()).contains("no quarantined changes");

    CliRun stillRunning = CliRun.meridian("fault", "restart", "us-east");
    assertThat(stillRunning.status()).isEqualTo(ExitCodes.PROBLEMS);
    assertThat(stillRunning.err()).contains("the agent of us-east is still running").contains("kill it first");
    CliRun restart = CliRun.meridian("fault", "restart", "eu-central",
        "--wait", LocalDeploymentFixture.AGENT_WAIT_SECONDS);
    assertThat(restart.out()).as(restart.all()).contains("restarted eu-central (pid ");
    long restartedPid = DeploymentState.read(stateDirectory).agent("eu-central").orElseThrow().pid();
    assertThat(restartedPid).isNotEqualTo(europe);
    assertThat(ProcessHandle.of(restartedPid).filter(ProcessHandle::isAlive)).isPresent();
    // The restarted old primary still reports epoch 2; clients follow the epoch-3 primary.
    CliRun afterRestart = CliRun.meridian("kv", "put", "--dataset", "orders", "k7", "v");
    assertThat(afterRestart.out()).as(afterRestart.all()).contains("at us-east").contains("committed by us-east");
    CliRun load = CliRun.meridian("load", "--dataset", "orders", "--rate", "20", "--duration", "1");
    assertThat(load.status()).as(load.all()).isZero();
    assertThat(load.err()).contains("to us-east;");
  }
}

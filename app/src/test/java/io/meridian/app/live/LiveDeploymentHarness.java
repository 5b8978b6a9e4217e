package io.meridian.app.live;

import static org.awaitility.Awaitility.await;

import io.meridian.app.deploy.LocalDeploymentFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javafx.scene.Scene;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * What the live view's end-to-end tests share: a small owner window, a workspace for a local
 * deployment ({@link LocalDeploymentFixture}: its agents are torn down after each test), the
 * global-async sample deployed from the deploy dialog as an operator would, the live window
 * that opens, closed after the test, and reads of what the JavaFX thread owns.
 */
@ExtendWith(ApplicationExtension.class)
abstract class LiveDeploymentHarness {
  /** Starting three agent JVMs on a loaded 2-core machine. */
  static final Duration DEPLOY_TIMEOUT = Duration.ofSeconds(120);
  /** What the agents report reaching the view: a watch event, a status poll, a tick. */
  static final Duration LIVE_TIMEOUT = Duration.ofSeconds(45);

  @RegisterExtension
  final LocalDeploymentFixture deployment = new LocalDeploymentFixture();

  private Stage owner;
  private final AtomicReference<LiveView> live = new AtomicReference<>();

  @Start
  void start(Stage stage) {
    owner = stage;
    stage.setScene(new Scene(new StackPane(), 200, 100));
    stage.show();
  }

  @AfterEach
  void closeTheLiveWindow(FxRobot robot) throws Exception {
    LiveView view = live.get();
    if (view != null) {
      robot.interact(() -> view.root().getScene().getWindow().hide());
    }
    // The deployment fixture tears down whatever agents are left after this.
  }

  /**
   * Deploys samples/global-async.yaml with automatic failover off from the deploy dialog (the
   * state directory typed in, Deploy clicked) and returns the live view that opens when the
   * agents are up. Automatic failover is off because these tests follow one primary through
   * cuts and planned failovers: on a loaded machine a slow heartbeat could otherwise move the
   * crown on its own, and the test would not know who moved it (ADR 0016).
   */
  LiveView deployTheAsyncSampleFromTheDialog(FxRobot robot) throws Exception {
    Path topology = deployment.sampleWithManualFailover("global-async.yaml");
    robot.interact(() -> new DeployDialog(owner, topology,
        connection -> live.set(LiveWindows.open(connection, owner))).show());
    robot.clickOn("#deploy-state-dir").write(deployment.stateDirectory().toString());
    robot.clickOn("#deploy-start");
    try {
      await("the deployment and the live view").atMost(DEPLOY_TIMEOUT)
          .pollInterval(Duration.ofMillis(250)).until(() -> live.get() != null);
    } catch (org.awaitility.core.ConditionTimeoutException notOpen) {
      throw new AssertionError("no live view " + DEPLOY_TIMEOUT.toSeconds() + " s after Deploy; the dialog says: "
          + textOf(robot, "#deploy-status") + "\n" + textOf(robot, "#deploy-log"), notOpen);
    }
    return live.get();
  }

  /** What a label or text control of the deploy dialog shows, for a failure message. */
  private static String textOf(FxRobot robot, String id) {
    try {
      return onFx(() -> robot.lookup(id).tryQuery().map(node -> node instanceof javafx.scene.control.Labeled label
          ? label.getText() : node instanceof javafx.scene.control.TextInputControl text ? text.getText()
          : node.toString()).orElse("(no " + id + ")"));
    } catch (Exception unreadable) {
      return "(" + id + " unreadable: " + unreadable + ")";
    }
  }

  /** Reads what the JavaFX thread owns on the JavaFX thread: the view changes it every tick. */
  static <T> T onFx(Callable<T> read) throws Exception {
    return WaitForAsyncUtils.asyncFx(read).get(10, TimeUnit.SECONDS);
  }
}

package io.meridian.app.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.LocalDeployer;
import io.meridian.app.live.LiveState.EntryKind;
import io.meridian.model.RegionId;
import io.meridian.visualization.graph.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javafx.scene.Node;
import javafx.scene.control.ButtonType;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;

// Proves, headless and with real agent processes, the two operator paths LiveViewIT does not
// take: a planned failover chosen from a region's context menu on the graph moves the crown once
// the agents report it, and "Tear down…" in the live window, after its confirmation, stops every
// agent process of the deployment, removes deployment.json (the state directory's mark of a
// running deployment) while keeping data and logs, and puts the outcome in the timeline while
// the regions turn unreachable.
class LiveTeardownIT extends LiveDeploymentHarness {
  /** SIGTERM, then SIGKILL after LocalDeployer.STOP_TIMEOUT, with room for a loaded machine. */
  private static final Duration TEARDOWN_TIMEOUT =
      LocalDeployer.STOP_TIMEOUT.plus(LocalDeployer.KILL_TIMEOUT).plusSeconds(30);

  @Test
  void failoverFromTheContextMenuThenTearDownFromTheWindow(FxRobot robot) throws Exception {
    Path stateDirectory = deployment.stateDirectory();
    LiveView view = deployTheAsyncSampleFromTheDialog(robot);
    LiveViewModel model = view.model();
    DeploymentState deployed = DeploymentState.read(stateDirectory);
    assertThat(deployed.agents()).extracting(DeploymentState.AgentRecord::region)
        .containsExactlyInAnyOrder("us-east", "eu-central", "ap-southeast");
    assertThat(deployed.agents()).allSatisfy(agent ->
        assertThat(alive(agent)).as("agent %s running", agent.region()).isTrue());

    // Planned failover from the region's context menu: the crown moves once the agents say so.
    await("failover offered by the agents").atMost(LIVE_TIMEOUT).until(() ->
        onFx(() -> model.whyDisabled(LiveActions.Action.PLANNED_FAILOVER)).isEmpty());
    await("us-east crowned").atMost(LIVE_TIMEOUT).until(() -> crowned(view, "us-east"));
    Node singapore = regionNode(robot, view, "ap-southeast");
    stablePosition(singapore);
    // The request a right-click on the marker makes, delivered to the graph; the menu it opens
    // is then used with the robot like any popup.
    robot.interact(() -> {
      javafx.geometry.Point2D scene = singapore.localToScene(0, 0);
      javafx.geometry.Point2D local = view.graph().sceneToLocal(scene);
      javafx.geometry.Point2D screen = singapore.localToScreen(0, 0);
      view.graph().fireEvent(new javafx.scene.input.ContextMenuEvent(
          javafx.scene.input.ContextMenuEvent.CONTEXT_MENU_REQUESTED, local.getX(), local.getY(),
          screen.getX(), screen.getY(), false,
          new javafx.scene.input.PickResult(singapore, scene.getX(), scene.getY())));
    });
    String item = "Planned failover to ap-southeast";
    // The menu's items are laid out when its window first shows, which may be a pulse later.
    await("the context menu of ap-southeast").atMost(LIVE_TIMEOUT).untilAsserted(() ->
        assertThat(onFx(() -> robot.lookup(".context-menu .label").queryAll().stream()
            .filter(n -> n instanceof javafx.scene.control.Labeled)
            .map(n -> ((javafx.scene.control.Labeled) n).getText()).toList()))
            .as("the context menu of ap-southeast").contains(item));
    robot.clickOn(item);
    await("the crown on ap-southeast").atMost(LIVE_TIMEOUT).untilAsserted(() -> {
      assertThat(actions(model)).anySatisfy(t -> assertThat(t).startsWith(
          "planned failover of orders to ap-southeast: done — ap-southeast is the primary"));
      assertThat(crowned(view, "ap-southeast")).as("ap-southeast crowned").isTrue();
      assertThat(crowned(view, "us-east")).as("us-east still crowned").isFalse();
    });

    // Tear down from the window: the confirmation names what happens; OK stops every agent.
    // At the headless screen's 1280 px the tool bar overflows and "Tear down…" sits behind its
    // overflow button, as it would for an operator with a window that narrow.
    boolean inBar = robot.lookup("#live-teardown").tryQuery()
        .map(n -> n.isVisible() && n.getScene() != null).orElse(false);
    if (!inBar) {
      robot.clickOn(".tool-bar-overflow-button");
    }
    robot.clickOn("#live-teardown");
    DialogPane confirmation = robot.lookup("#live-teardown-confirmation").queryAs(DialogPane.class);
    assertThat(confirmation.getHeaderText()).contains(model.topology().name());
    assertThat(confirmation.getContentText()).contains("data and logs stay");
    robot.clickOn(confirmation.lookupButton(ButtonType.OK));

    await("every agent process gone").atMost(TEARDOWN_TIMEOUT)
        .pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
            assertThat(deployed.agents()).allSatisfy(agent ->
                assertThat(alive(agent)).as("agent %s (pid %d) still running", agent.region(),
                    agent.pid()).isFalse()));
    await("the outcome in the timeline").atMost(LIVE_TIMEOUT).untilAsserted(() ->
        assertThat(actions(model)).anySatisfy(t -> assertThat(t)
            .startsWith("tear down the deployment: done")
            .contains("us-east").contains("eu-central").contains("ap-southeast")
            .contains("data and logs kept")));
    assertThat(stateDirectory.resolve(DeploymentState.FILE_NAME))
        .as("the state directory no longer records a running deployment").doesNotExist();
    assertThat(deployed.agents()).allSatisfy(agent -> {
      assertThat(Path.of(agent.logFile())).as("log of %s kept", agent.region()).exists();
      assertThat(Path.of(agent.dataDirectory())).as("data of %s kept", agent.region()).exists();
    });
    await("the regions unreachable in the view").atMost(LIVE_TIMEOUT).untilAsserted(() -> {
      for (String region : List.of("us-east", "eu-central", "ap-southeast")) {
        assertThat(onFx(() -> view.graph().getRegionOverlays().get(RegionId.of(region)).status()))
            .as("region %s", region).isEqualTo(Status.FAILING);
      }
    });
  }

  /**
   * Where a node is on screen once the view has stopped moving (the live window fits the map to
   * the design when it opens, with an animation), so that a click lands on it.
   */
  private static javafx.geometry.Point2D stablePosition(Node node) throws Exception {
    AtomicReference<javafx.geometry.Point2D> last = new AtomicReference<>();
    await("the view at rest").atMost(LIVE_TIMEOUT).pollInterval(Duration.ofMillis(300))
        .until(() -> {
          javafx.geometry.Point2D now = onFx(() -> node.localToScreen(0, 0));
          boolean still = now != null && now.equals(last.get());
          last.set(now);
          return still;
        });
    return last.get();
  }

  private static boolean alive(DeploymentState.AgentRecord agent) {
    return ProcessHandle.of(agent.pid()).map(ProcessHandle::isAlive).orElse(false);
  }

  private static List<String> actions(LiveViewModel model) throws Exception {
    return onFx(() -> model.stateProperty().get()).timeline().stream()
        .filter(e -> e.kind() == EntryKind.ACTION).map(LiveState.TimelineEntry::text).toList();
  }

  private static boolean crowned(LiveView view, String region) throws Exception {
    return onFx(() -> {
      var overlay = view.graph().getRegionOverlays().get(RegionId.of(region));
      return overlay != null && overlay.badge() != null
          && overlay.badge().startsWith(LiveOverlays.CROWN);
    });
  }

  /** The marker of a region on the live graph, found by the name it shows. */
  private static Node regionNode(FxRobot robot, LiveView view, String region) throws Exception {
    String name = view.model().topology().regions().stream()
        .filter(r -> r.id().value().equals(region)).findFirst().orElseThrow().displayName();
    return onFx(() -> robot.from(view.graph()).lookup(".region-node").queryAll().stream()
        .filter(n -> n.lookup(".region-label") instanceof Label label
            && name.equals(label.getText()))
        .findFirst().orElseThrow(() -> new AssertionError("no region " + name + " on the map")));
  }
}

package io.meridian.app.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.app.live.LiveState.EntryKind;
import io.meridian.app.live.LiveState.FlowKey;
import io.meridian.model.RegionId;
import io.meridian.visualization.graph.GraphElement;
import io.meridian.visualization.graph.LinkKey;
import io.meridian.visualization.graph.LinkOverlay;
import io.meridian.visualization.graph.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;

// Proves the live view end to end, headless, with real agent processes: deploying the 3-region
// async sample from the deploy dialog opens the live view; under load, lag values appear on the
// links; cutting a link turns it failing and its lag grows; healing it recovers; killing a region
// fails it and restarting brings it back; a planned failover from the tool bar moves
// the crown once the agents report it; every action is in the timeline with its outcome; the
// recording saves and opens again.
class LiveViewIT extends LiveDeploymentHarness {
  private static final LinkKey PACIFIC =
      LinkKey.between(RegionId.of("us-east"), RegionId.of("ap-southeast"));
  private static final FlowKey TO_AP = new FlowKey("orders", "us-east", "ap-southeast");
  /** A healed replica drains its backlog; on a machine shared by many builds that takes a while. */
  private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(120);

  @Test
  void deployWatchCutHealAndReplay(FxRobot robot) throws Exception {
    Path workspace = deployment.workspace();
    LiveView view = deployTheAsyncSampleFromTheDialog(robot);
    LiveViewModel model = view.model();

    // Load through the panel; lag figures appear on the replication links.
    robot.clickOn("Load");
    robot.doubleClickOn("#live-load-rate").write("50");
    robot.clickOn("#live-load-start");
    await("lag on the links").atMost(LIVE_TIMEOUT).untilAsserted(() -> {
      LinkOverlay pacific = onFx(() -> view.graph().getLinkOverlays().get(PACIFIC));
      assertThat(pacific).isNotNull();
      assertThat(pacific.badge()).startsWith("lag ");
      assertThat(pacific.status()).isIn(Status.OK, Status.DEGRADED);
      assertThat(onFx(() -> view.graph().getLinkFlows().get(PACIFIC)))
          .as("particles from the primary")
          .isNotNull();
    });
    // The crown comes from the agents' status, not from the snapshots that bring the lag: await it too.
    await("the primary crowned").atMost(LIVE_TIMEOUT).untilAsserted(() ->
        assertThat(onFx(() -> view.graph().getRegionOverlays().get(RegionId.of("us-east"))).badge())
            .as("the primary is crowned").startsWith(LiveOverlays.CROWN));

    // Cut the link from the tool bar: it fails and its lag grows past the 500 ms bound.
    robot.interact(() -> view.graph().setSelection(GraphElement.link(PACIFIC)));
    robot.clickOn("#live-cut");
    await("the cut link failing with growing lag").atMost(LIVE_TIMEOUT).untilAsserted(() -> {
      assertThat(onFx(() -> view.graph().getLinkOverlays().get(PACIFIC)).status())
          .isEqualTo(Status.FAILING);
      assertThat(onFx(() -> model.stateProperty().get()).flows().get(TO_AP).lagMillis())
          .isGreaterThan(1_500);
    });

    // Heal it: it recovers.
    robot.clickOn("#live-heal");
    await("the healed link reconnected").atMost(RECOVERY_TIMEOUT).untilAsserted(() -> {
      LiveState.FlowState flow = onFx(() -> model.stateProperty().get()).flows().get(TO_AP);
      assertThat(flow.cut()).as("still cut: %s", flow).isFalse();
      assertThat(flow.connected()).as("not reconnected: %s", flow).isTrue();
      assertThat(onFx(() -> view.graph().getLinkOverlays().get(PACIFIC)).badge())
          .doesNotStartWith("cut");
    });

    // The healed replica drains its backlog and its lag returns under the bound. (A replica
    // once stayed connected but frozen after a heal on an older agent build; should it happen
    // again, this fails and shows the flow's state.)
    try {
      await("the healed replica catching up").atMost(RECOVERY_TIMEOUT).until(() -> {
        long lag = onFx(() -> model.stateProperty().get()).flows().get(TO_AP).lagMillis();
        return lag >= 0 && lag <= 500;
      });
    } catch (org.awaitility.core.ConditionTimeoutException stalled) {
      LiveState.FlowState flow = onFx(() -> model.stateProperty().get()).flows().get(TO_AP);
      throw new AssertionError("the healed replica did not catch up within "
          + RECOVERY_TIMEOUT.toSeconds() + " s; the live view shows: " + flow, stalled);
    }
    // The graph's overlays follow the model on the next frame, not at once.
    await("the healed link drawn as working").atMost(LIVE_TIMEOUT).untilAsserted(() ->
        assertThat(onFx(() -> view.graph().getLinkOverlays().get(PACIFIC)).status())
            .isIn(Status.OK, Status.DEGRADED));

    // An action's outcome reaches the timeline when the action returns, which may be after the
    // agents already report its effect: wait for it rather than assume the order.
    await("cut and heal in the timeline").atMost(LIVE_TIMEOUT).untilAsserted(() -> {
      LiveState state = onFx(() -> model.stateProperty().get());
      assertThat(state.timeline()).filteredOn(e -> e.kind() == EntryKind.ACTION)
          .extracting(LiveState.TimelineEntry::text)
          .anySatisfy(t -> assertThat(t).startsWith("cut link ap-southeast~us-east: done"))
          .anySatisfy(t -> assertThat(t).startsWith("heal link ap-southeast~us-east: done"));
      assertThat(state.faults()).anySatisfy(f -> {
        assertThat(f.what()).isEqualTo("link ap-southeast~us-east cut");
        assertThat(f.open()).isFalse();
      });
    });

    // Kill a replica's agent: its region fails; restart it: it is reachable again.
    robot.interact(() -> view.graph().setSelection(GraphElement.region(RegionId.of("eu-central"))));
    robot.clickOn("#live-kill");
    await("the killed region failing").atMost(LIVE_TIMEOUT).untilAsserted(() ->
        assertThat(onFx(() -> view.graph().getRegionOverlays().get(RegionId.of("eu-central")))
            .status())
            .isEqualTo(Status.FAILING));
    robot.clickOn("#live-restart");
    await("the restarted region reachable").atMost(LIVE_TIMEOUT).untilAsserted(() -> {
      LiveState.RegionState europe = onFx(() -> model.stateProperty().get()).region("eu-central")
          .orElseThrow();
      assertThat(europe.reachable()).isTrue();
      assertThat(europe.health()).isNotEqualTo(LiveState.Health.FAILING);
    });
    // The restarted agent can report itself reachable before the restart action returns.
    await("kill and restart in the timeline").atMost(LIVE_TIMEOUT).untilAsserted(() ->
        assertThat(onFx(() -> model.stateProperty().get()).timeline())
            .filteredOn(e -> e.kind() == EntryKind.ACTION)
            .extracting(LiveState.TimelineEntry::text)
            .anySatisfy(t -> assertThat(t).startsWith("kill region eu-central: done — killed pid"))
            .anySatisfy(t -> assertThat(t).startsWith("restart region eu-central: done — started "
                + "again as pid")));

    // Planned failover to ap-southeast from the tool bar: the crown moves once the agents
    // report the new epoch, and the action is in the timeline with its outcome.
    await("failover offered by the agents").atMost(LIVE_TIMEOUT).until(() ->
        onFx(() -> model.whyDisabled(LiveActions.Action.PLANNED_FAILOVER)).isEmpty());
    robot.interact(() -> view.graph().setSelection(
        GraphElement.region(RegionId.of("ap-southeast"))));
    robot.clickOn("#live-failover-planned");
    await("the crown on ap-southeast").atMost(LIVE_TIMEOUT).untilAsserted(() -> {
      assertThat(onFx(() -> model.stateProperty().get()).timeline())
          .filteredOn(e -> e.kind() == EntryKind.ACTION).extracting(LiveState.TimelineEntry::text)
          .anySatisfy(t -> assertThat(t).startsWith(
              "planned failover of orders to ap-southeast: done — ap-southeast is the primary"));
      assertThat(onFx(() -> view.graph().getRegionOverlays().get(RegionId.of("ap-southeast")))
          .badge()).startsWith(LiveOverlays.CROWN);
      assertThat(onFx(() -> view.graph().getRegionOverlays().get(RegionId.of("us-east")))
          .badge()).doesNotStartWith(LiveOverlays.CROWN);
    });
    await("the failover event in the timeline").atMost(LIVE_TIMEOUT).untilAsserted(() ->
        assertThat(onFx(() -> model.stateProperty().get()).timeline())
            .filteredOn(e -> e.kind() == EntryKind.FAILOVER)
            .extracting(LiveState.TimelineEntry::text)
            .anySatisfy(t -> assertThat(t).contains("ap-southeast is primary")));

    // The recording saves and opens with the cut in it.
    Path file = workspace.resolve("session.mlive");
    robot.interact(() -> model.saveRecording(file));
    await().atMost(LIVE_TIMEOUT).until(() -> Files.isRegularFile(file) && Files.size(file) > 0);
    await().atMost(LIVE_TIMEOUT).untilAsserted(() -> {
      Recording opened = Recording.open(file);
      assertThat(opened.stateAt(opened.lastMillis()).faults())
          .anySatisfy(f -> assertThat(f.what()).isEqualTo("link ap-southeast~us-east cut"));
    });
  }
}

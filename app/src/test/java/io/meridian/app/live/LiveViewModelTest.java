package io.meridian.app.live;

import static io.meridian.app.live.LiveFixtures.cut;
import static io.meridian.app.live.LiveFixtures.link;
import static io.meridian.app.live.LiveFixtures.snapshot;
import static io.meridian.app.live.LiveFixtures.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.agent.api.v1.Role;
import io.meridian.app.check.DesignCheck;
import io.meridian.app.live.LiveActions.Action;
import io.meridian.app.live.LiveState.EntryKind;
import io.meridian.app.live.LiveState.FlowKey;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import io.meridian.visualization.graph.LinkKey;
import io.meridian.visualization.graph.LinkOverlay;
import io.meridian.visualization.graph.Status;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

// Proves the live view's logic without JavaFX: links coloured by lag against the dataset's bound,
// the crown on the primary, pause and scrub, actions in the timeline with their outcome, and
// disabled actions saying why.
class LiveViewModelTest {
  private static final Topology SAMPLE = new DesignCheck()
      .check(Path.of("../samples/global-async.yaml")).topology().orElseThrow().topology();
  private static final LinkKey ATLANTIC =
      LinkKey.between(RegionId.of("us-east"), RegionId.of("eu-central"));
  private static final LinkKey EURASIA =
      LinkKey.between(RegionId.of("eu-central"), RegionId.of("ap-southeast"));

  private final AtomicLong clock = new AtomicLong(10_000);
  private final LiveSession session = new LiveSession(
      List.of("us-east", "eu-central", "ap-southeast"), Map.of("orders", "us-east"), clock::get);
  private final FakeActions actions = new FakeActions();
  private final LiveViewModel model =
      new LiveViewModel(SAMPLE, session, actions, Runnable::run, Runnable::run);

  @AfterEach
  void close() {
    session.close();
  }

  private void receive(LiveInput... inputs) {
    for (LiveInput input : inputs) {
      session.submit(input);
    }
    session.mergeNow();
    model.tick();
  }

  private LinkOverlay atlantic() {
    return model.overlaysProperty().get().links().get(ATLANTIC);
  }

  @Test
  void linksAreColouredByLagAgainstTheDatasetsStalenessBound() {
    // global-async bounds orders at 500 ms.
    receive(snapshot(10_000, "eu-central", 10_000, link("us-east", 100, 2, true)));
    assertThat(atlantic().status()).isEqualTo(Status.OK);
    assertThat(atlantic().badge()).isEqualTo("lag 100 ms · 2 v");

    receive(snapshot(10_000, "eu-central", 10_500, link("us-east", 300, 9, true)));
    assertThat(atlantic().status()).isEqualTo(Status.DEGRADED);

    receive(snapshot(10_000, "eu-central", 11_000, link("us-east", 800, 30, true)));
    assertThat(atlantic().status()).isEqualTo(Status.FAILING);
    assertThat(model.overlaysProperty().get().links().get(EURASIA).dimmed())
        .as("no dataset replicates between the two replicas").isTrue();
  }

  @Test
  void particlesFlowFromThePrimaryAndTheCrownSitsOnIt() {
    receive(status(10_000, "us-east", Role.ROLE_PRIMARY, 1),
        snapshot(10_000, "eu-central", 10_000, link("us-east", 100, 0, true)));

    assertThat(model.overlaysProperty().get().flows().get(ATLANTIC).source())
        .isEqualTo(RegionId.of("us-east"));
    assertThat(model.overlaysProperty().get().regions().get(RegionId.of("us-east")).badge())
        .startsWith(LiveOverlays.CROWN);
    assertThat(model.overlaysProperty().get().regions().get(RegionId.of("eu-central")).badge())
        .doesNotContain(LiveOverlays.CROWN);
  }

  @Test
  void aCutLinkIsFailingAndStopsItsParticles() {
    receive(cut(10_000, "us-east", "eu-central"),
        snapshot(10_000, "eu-central", 10_000, link("us-east", 100, 0, true)));

    assertThat(atlantic().status()).isEqualTo(Status.FAILING);
    assertThat(atlantic().badge()).startsWith("cut");
    assertThat(model.overlaysProperty().get().flows()).doesNotContainKey(ATLANTIC);
  }

  @Test
  void pausingFreezesTheViewAndScrubbingShowsThePast() {
    receive(snapshot(10_000, "eu-central", 10_000, link("us-east", 100, 0, true)));
    clock.set(11_000);
    receive(snapshot(11_000, "eu-central", 11_000, link("us-east", 400, 0, true)));

    model.pause();
    await().until(() -> model.rangeStartProperty().get() == 10_000);
    clock.set(12_000);
    receive(snapshot(12_000, "eu-central", 12_000, link("us-east", 700, 0, true)));
    assertThat(atlantic().badge()).as("paused").contains("400 ms");

    model.scrubTo(10_500);
    assertThat(atlantic().badge()).contains("100 ms");
    assertThat(model.shownAtProperty().get()).isEqualTo(10_500);

    model.resume();
    assertThat(atlantic().badge()).contains("700 ms");
  }

  @Test
  void actionsAppearInTheTimelineWithTheirOutcome() {
    model.cutLink("us-east", "eu-central");
    actions.failure = "could not cut the link to us-east at eu-central: unreachable";
    model.healLink("us-east", "eu-central");
    receive();

    assertThat(model.timeline()).filteredOn(e -> e.kind() == EntryKind.ACTION)
        .extracting(LiveState.TimelineEntry::text).containsExactly(
            "cut link eu-central~us-east: done — cut",
            "heal link eu-central~us-east: failed — could not cut the link to us-east at "
                + "eu-central: unreachable");
    assertThat(model.timeline()).filteredOn(LiveState.TimelineEntry::failed).hasSize(1);
    assertThat(actions.calls).containsExactly("cut us-east eu-central",
        "heal us-east eu-central");
  }

  @Test
  void repairNowAsksTheRegionToRepairItsDatasetsAndTheFiguresReachTheTimeline() {
    model.repair("ap-southeast");
    receive();

    assertThat(actions.calls).containsExactly("repair ap-southeast [orders]");
    assertThat(model.timeline()).filteredOn(e -> e.kind() == EntryKind.ACTION)
        .extracting(LiveState.TimelineEntry::text)
        .containsExactly("repair ap-southeast: done — repair");
  }

  @Test
  void tearingDownIsAnActionOnTheTimelineWithItsOutcome() {
    model.teardown();
    receive();

    assertThat(actions.calls).containsExactly("teardown");
    assertThat(model.timeline()).filteredOn(e -> e.kind() == EntryKind.ACTION)
        .extracting(LiveState.TimelineEntry::text)
        .containsExactly("tear down the deployment: done — teardown");
  }

  @Test
  void unsupportedActionsAreRefusedWithTheReason() {
    assertThat(model.whyDisabled(Action.PLANNED_FAILOVER)).contains("no failover here");

    model.act(Action.PLANNED_FAILOVER, "eu-central", "planned failover to eu-central",
        () -> "moved");
    assertThat(model.messageProperty().get()).contains("not available — no failover here");
    assertThat(actions.calls).isEmpty();
  }

  @Test
  void theTimelineFiltersByKindAndText() {
    receive(cut(10_000, "us-east", "eu-central"), cut(10_100, "us-east", "ap-southeast"),
        new LiveInput.AgentLost(10_200, "ap-southeast", "UNAVAILABLE"));

    model.timelineKindProperty().set(EntryKind.LINK);
    assertThat(model.timeline()).hasSize(2);
    model.timelineFilterProperty().set("AP-SOUTH");
    assertThat(model.timeline()).extracting(LiveState.TimelineEntry::text)
        .containsExactly("link to ap-southeast cut");
    model.timelineKindProperty().set(null);
    assertThat(model.timeline()).hasSize(2);
  }

  @Test
  void theAnalysisPredictsTheLagOfEachFlow() {
    assertThat(model.predictedLagMillis(new FlowKey("orders", "us-east", "ap-southeast")))
        .hasValueSatisfying(p -> assertThat(p).isGreaterThan(
            model.predictedLagMillis(new FlowKey("orders", "us-east", "eu-central"))
                .orElseThrow()));
  }

  @Test
  void aPlannedFailoverRunsOnTheBackgroundAndLandsInTheTimelineWithItsOutcome() {
    actions.failoverSupported = true;
    receive(status(10_000, "us-east", Role.ROLE_PRIMARY, 1),
        new LiveInput.AgentConnected(10_000, "us-east"));
    assertThat(model.failoverDatasets("eu-central")).containsExactly("orders");
    assertThat(model.failoverDatasets("us-east")).as("already primary").isEmpty();

    model.plannedFailover("orders", "eu-central");
    session.mergeNow();
    model.tick();

    assertThat(actions.calls).containsExactly("switch orders eu-central");
    assertThat(model.timeline()).filteredOn(e -> e.kind() == EntryKind.ACTION)
        .extracting(LiveState.TimelineEntry::text)
        .containsExactly("planned failover of orders to eu-central: done — switch");
  }

  @Test
  void aForcedFailoverIsOnlyDoneAfterTheOperatorConfirmsWhatItLoses() {
    actions.failoverSupported = true;
    model.requestForcedFailover("orders", "ap-southeast");

    assertThat(actions.calls).as("planned, not done")
        .containsExactly("plan orders ap-southeast [us-east, eu-central, ap-southeast] forced");
    assertThat(model.failoverConfirmationProperty().get().text())
        .contains("3 acknowledged writes");
    model.answerForcedFailover(false);
    assertThat(model.failoverConfirmationProperty().get()).isNull();
    assertThat(actions.calls).hasSize(1);

    model.requestForcedFailover("orders", "ap-southeast");
    model.answerForcedFailover(true);
    session.mergeNow();
    model.tick();
    assertThat(actions.calls).last().isEqualTo("force orders ap-southeast");
    assertThat(model.timeline()).filteredOn(e -> e.kind() == EntryKind.ACTION)
        .extracting(LiveState.TimelineEntry::text)
        .containsExactly("forced failover of orders to ap-southeast: done — force");
  }

  @Test
  void aFailoverTheAgentsRefuseIsAFailedActionInTheTimeline() {
    actions.failoverSupported = true;
    actions.failure = "the primary us-east of orders did not answer";
    model.plannedFailover("orders", "eu-central");
    session.mergeNow();
    model.tick();

    assertThat(model.timeline()).filteredOn(e -> e.kind() == EntryKind.ACTION).singleElement()
        .satisfies(e -> {
          assertThat(e.failed()).isTrue();
          assertThat(e.text()).contains("did not answer");
        });
  }

  /** Records calls; fails when told to. */
  private static final class FakeActions implements LiveActions {
    final List<String> calls = new ArrayList<>();
    String failure;
    boolean failoverSupported;

    @Override
    public Optional<String> unsupported(Action action) {
      return !failoverSupported && action == Action.PLANNED_FAILOVER
          ? Optional.of("no failover here") : Optional.empty();
    }

    @Override
    public String failoverConfirmation(String dataset, List<String> replicas, String region,
        boolean force) throws ActionException {
      call("plan " + dataset + " " + region + " " + replicas + (force ? " forced" : ""));
      return "3 acknowledged writes of us-east would be missing from the new primary";
    }

    @Override
    public String failover(String dataset, List<String> replicas, String region, boolean force)
        throws ActionException {
      return call((force ? "force " : "switch ") + dataset + " " + region);
    }

    private String call(String what) throws ActionException {
      calls.add(what);
      if (failure != null) {
        throw new ActionException(failure);
      }
      return what.split(" ")[0];
    }

    @Override
    public String cutLink(String a, String b) throws ActionException {
      return call("cut " + a + " " + b);
    }

    @Override
    public String repair(String region, List<String> datasets) throws ActionException {
      return call("repair " + region + " " + datasets);
    }

    @Override
    public String healLink(String a, String b) throws ActionException {
      return call("heal " + a + " " + b);
    }

    @Override
    public String kill(String region) throws ActionException {
      return call("kill " + region);
    }

    @Override
    public String restart(String region) throws ActionException {
      return call("restart " + region);
    }

    @Override
    public String teardown() throws ActionException {
      return call("teardown");
    }
  }
}

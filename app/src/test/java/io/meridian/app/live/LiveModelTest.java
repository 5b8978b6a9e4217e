package io.meridian.app.live;

import static io.meridian.app.live.LiveFixtures.cut;
import static io.meridian.app.live.LiveFixtures.healed;
import static io.meridian.app.live.LiveFixtures.link;
import static io.meridian.app.live.LiveFixtures.snapshot;
import static io.meridian.app.live.LiveFixtures.status;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.api.v1.Role;
import io.meridian.agent.api.v1.WatchEvent;
import io.meridian.app.live.LiveState.EntryKind;
import io.meridian.app.live.LiveState.FlowKey;
import io.meridian.app.live.LiveState.FlowState;
import io.meridian.app.live.LiveState.Health;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

// Proves that the live view's merging of the agents' watch streams shows what an operator needs
// even when the network misbehaves: snapshots out of order, twice, late or never, agents that
// vanish and come back, and a primary that moves.
class LiveModelTest {
  private static final FlowKey TO_EU = new FlowKey("orders", "us-east", "eu-central");
  private static final FlowKey TO_AP = new FlowKey("orders", "us-east", "ap-southeast");

  private final LiveModel model = new LiveModel(List.of("us-east", "eu-central", "ap-southeast"),
      Map.of("orders", "us-east"));

  @Test
  void aReplicaSnapshotBecomesTheLagOfTheFlowFromThePrimary() {
    model.apply(snapshot(1_000, "eu-central", 900, link("us-east", 120, 3, true)));

    FlowState flow = model.state(1_100).flows().get(TO_EU);
    assertThat(flow.lagMillis()).isEqualTo(120);
    assertThat(flow.lagVersions()).isEqualTo(3);
    assertThat(flow.changesPerSecond()).as("inflow at the replica").isEqualTo(10);
    assertThat(flow.health()).isEqualTo(Health.OK);
    assertThat(model.state(1_100).region("eu-central").orElseThrow().health())
        .isEqualTo(Health.OK);
  }

  @Test
  void theReplicasOwnMeasureWinsOverThePrimarysWhileBothAreFresh() {
    model.apply(snapshot(1_000, "us-east", 1_000, link("eu-central", 400, 9, true)));
    model.apply(snapshot(1_010, "eu-central", 1_000, link("us-east", 130, 2, true)));

    assertThat(model.state(1_100).flows().get(TO_EU).reportedBy()).isEqualTo("eu-central");
    assertThat(model.state(1_100).flows().get(TO_EU).lagMillis()).isEqualTo(130);
    // The replica's snapshots stop: after the stale limit the primary's fresh view is used.
    model.apply(snapshot(3_000, "us-east", 3_000, link("eu-central", 2_100, 40, true)));
    FlowState later = model.state(3_100).flows().get(TO_EU);
    assertThat(later.reportedBy()).isEqualTo("us-east");
    assertThat(later.lagMillis()).isEqualTo(2_100);
  }

  @Test
  void anOutOfOrderSnapshotIsDroppedAndDoesNotMoveTheViewBack() {
    model.apply(snapshot(1_000, "eu-central", 2_000, link("us-east", 300, 5, true)));
    model.apply(snapshot(1_050, "eu-central", 1_500, link("us-east", 10, 0, true)));

    LiveState state = model.state(1_100);
    assertThat(state.flows().get(TO_EU).lagMillis()).isEqualTo(300);
    assertThat(state.droppedOutOfOrder()).isEqualTo(1);
    assertThat(state.history().get(TO_EU)).hasSize(1);
  }

  @Test
  void aDuplicateSnapshotIsAppliedOnce() {
    model.apply(snapshot(1_000, "eu-central", 2_000, link("us-east", 300, 5, true)));
    model.apply(snapshot(1_020, "eu-central", 2_000, link("us-east", 300, 5, true)));

    LiveState state = model.state(1_100);
    assertThat(state.droppedDuplicates()).isEqualTo(1);
    assertThat(state.history().get(TO_EU)).hasSize(1);
  }

  @Test
  void missingSnapshotsMakeTheRegionAndItsFlowsStaleNotHealthy() {
    model.apply(snapshot(1_000, "ap-southeast", 1_000, link("us-east", 200, 1, true)));
    assertThat(model.state(1_000 + LiveModel.STALE_AFTER_MILLIS).flows().get(TO_AP).health())
        .isEqualTo(Health.OK);

    LiveState late = model.state(1_001 + LiveModel.STALE_AFTER_MILLIS);
    assertThat(late.flows().get(TO_AP).fresh()).isFalse();
    assertThat(late.flows().get(TO_AP).health()).isEqualTo(Health.DEGRADED);
    assertThat(late.region("ap-southeast").orElseThrow().health()).isEqualTo(Health.DEGRADED);
  }

  @Test
  void aConnectedReplicaThatReportsItselfStalledIsDegradedNotHealthy() {
    // Issue 4: a healed replica stayed connected and 81 s behind at 0 changes/s, shown as OK.
    model.apply(snapshot(1_000, "ap-southeast", 1_000, link("us-east", 81_122, 31_835, true)
        .toBuilder().setStalledMillis(4_000).setChangesPerSecondIn(0).build()));

    FlowState stalled = model.state(1_100).flows().get(TO_AP);
    assertThat(stalled.connected()).isTrue();
    assertThat(stalled.health()).isEqualTo(Health.DEGRADED);

    model.apply(snapshot(2_000, "ap-southeast", 2_000, link("us-east", 300, 40, true)));
    assertThat(model.state(2_100).flows().get(TO_AP).health()).isEqualTo(Health.OK);
  }

  @Test
  void anAgentThatDisappearsFailsItsRegionDisconnectsItsFlowsAndOpensAFaultUntilBack() {
    model.apply(snapshot(1_000, "us-east", 1_000, link("eu-central", 100, 0, true)));
    model.apply(snapshot(1_000, "eu-central", 1_000, link("us-east", 100, 0, true)));
    model.apply(new LiveInput.AgentLost(1_200, "us-east", "UNAVAILABLE: connection refused"));
    model.apply(new LiveInput.AgentLost(2_200, "us-east", "UNAVAILABLE: retry failed"));

    LiveState lost = model.state(1_300);
    assertThat(lost.region("us-east").orElseThrow().health()).isEqualTo(Health.FAILING);
    assertThat(lost.region("us-east").orElseThrow().reachable()).isFalse();
    assertThat(lost.flows().get(TO_EU).connected()).isFalse();
    assertThat(lost.flows().get(TO_EU).health()).isEqualTo(Health.FAILING);
    assertThat(lost.faults()).singleElement()
        .satisfies(f -> assertThat(f.open()).isTrue())
        .satisfies(f -> assertThat(f.what()).isEqualTo("region us-east unreachable"));
    assertThat(model.state(2_300).timeline()).filteredOn(e -> e.kind() == EntryKind.AGENT)
        .filteredOn(e -> e.failed()).as("a failed reconnection adds nothing").hasSize(1);

    model.apply(new LiveInput.AgentConnected(5_000, "us-east"));
    model.apply(snapshot(5_100, "us-east", 5_100, link("eu-central", 100, 0, true)));
    model.apply(snapshot(5_100, "eu-central", 5_100, link("us-east", 90, 0, true)));
    LiveState back = model.state(5_200);
    assertThat(back.region("us-east").orElseThrow().health()).isEqualTo(Health.OK);
    assertThat(back.faults()).singleElement().satisfies(f -> {
      assertThat(f.startMillis()).isEqualTo(1_200);
      assertThat(f.endMillis()).isEqualTo(5_000);
    });
  }

  @Test
  void aCutLinkFailsItsFlowAndShadesAFaultWindowUntilHealed() {
    model.apply(cut(1_000, "us-east", "eu-central"));
    model.apply(snapshot(1_100, "eu-central", 1_100, link("us-east", 900, 20, true)));

    LiveState cutState = model.state(1_200);
    assertThat(cutState.flows().get(TO_EU).cut()).isTrue();
    assertThat(cutState.flows().get(TO_EU).health()).isEqualTo(Health.FAILING);
    assertThat(cutState.faults()).singleElement()
        .satisfies(f -> assertThat(f.what()).isEqualTo("link eu-central~us-east cut"));

    model.apply(healed(3_000, "us-east", "eu-central"));
    model.apply(snapshot(3_100, "eu-central", 3_100, link("us-east", 110, 0, true)));
    LiveState healedState = model.state(3_200);
    assertThat(healedState.flows().get(TO_EU).health()).isEqualTo(Health.OK);
    assertThat(healedState.faults()).singleElement()
        .satisfies(f -> assertThat(f.endMillis()).isEqualTo(3_000));
    assertThat(healedState.timeline()).extracting(LiveState.TimelineEntry::text)
        .containsSubsequence("link to eu-central cut", "link to eu-central healed");
  }

  @Test
  void aDiscreteEventReceivedTwiceIsShownOnce() {
    model.apply(cut(1_000, "us-east", "eu-central"));
    model.apply(cut(1_000, "us-east", "eu-central"));

    assertThat(model.state(1_100).timeline()).filteredOn(e -> e.kind() == EntryKind.LINK)
        .hasSize(1);
  }

  @Test
  void eventsArrivingOutOfOrderAreShownInTimeOrder() {
    model.apply(cut(2_000, "us-east", "eu-central"));
    model.apply(new LiveInput.OperatorAction(1_500, "us-east", "cut link eu-central~us-east",
        true, "the agent dropped the link"));

    assertThat(model.state(2_100).timeline()).filteredOn(e -> e.kind() != EntryKind.AGENT)
        .extracting(LiveState.TimelineEntry::atMillis).containsExactly(1_500L, 2_000L);
  }

  @Test
  void aNewPrimaryAtAHigherEpochTakesTheCrownAndReversesTheFlows() {
    model.apply(status(1_000, "us-east", Role.ROLE_PRIMARY, 1));
    model.apply(status(1_000, "eu-central", Role.ROLE_REPLICA, 1));
    model.apply(new LiveInput.AgentConnected(1_000, "us-east"));
    model.apply(new LiveInput.AgentConnected(1_000, "eu-central"));
    assertThat(model.state(1_100).region("us-east").orElseThrow().primaryOf())
        .containsExactly("orders");

    model.apply(status(2_000, "eu-central", Role.ROLE_PRIMARY, 2));
    model.apply(snapshot(2_100, "eu-central", 2_100, link("ap-southeast", 50, 0, true)));

    LiveState state = model.state(2_200);
    assertThat(state.region("eu-central").orElseThrow().primaryOf()).containsExactly("orders");
    assertThat(state.region("us-east").orElseThrow().primaryOf()).isEmpty();
    assertThat(state.flows()).containsKey(new FlowKey("orders", "eu-central", "ap-southeast"));
    assertThat(state.timeline()).filteredOn(e -> e.kind() == EntryKind.FAILOVER)
        .extracting(LiveState.TimelineEntry::text)
        .containsExactly("eu-central is now primary of orders at epoch 2 (was replica at epoch 1)");
  }

  @Test
  void eventsOfKindsReservedForConflictsAreCountedPerSecond() {
    WatchEvent conflict = WatchEvent.newBuilder().setAtMillis(1_000).setRegion("eu-central")
        .setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
            .addField(25, com.google.protobuf.UnknownFieldSet.Field.newBuilder()
                .addLengthDelimited(com.google.protobuf.ByteString.copyFromUtf8("x")).build())
            .build())
        .build();
    for (int i = 0; i < 5; i++) {
      model.apply(new LiveInput.Watched(1_000 + i, "eu-central",
          conflict.toBuilder().setAtMillis(1_000 + i).build()));
    }

    LiveState state = model.state(1_100);
    assertThat(state.region("eu-central").orElseThrow().conflictsPerSecond())
        .isEqualTo(5 * 1000.0 / LiveModel.CONFLICT_RATE_WINDOW_MILLIS);
    assertThat(state.timeline()).filteredOn(e -> e.kind() == EntryKind.CONFLICT).hasSize(5);
    assertThat(model.state(1_000 + LiveModel.CONFLICT_RATE_WINDOW_MILLIS + 10)
        .region("eu-central").orElseThrow().conflictsPerSecond()).isZero();
  }

  @Test
  void lagHistoryKeepsOnlyTheLastTenMinutes() {
    for (long t = 0; t <= LiveModel.HISTORY_MILLIS + 60_000; t += 500) {
      model.apply(snapshot(t, "eu-central", t, link("us-east", t / 1000, 0, true)));
    }
    List<LiveState.LagSample> samples = model.state(LiveModel.HISTORY_MILLIS + 60_000)
        .history().get(TO_EU);
    assertThat(samples.get(0).atMillis()).isGreaterThanOrEqualTo(60_000);
    assertThat(samples.get(samples.size() - 1).lagMillis())
        .isEqualTo((LiveModel.HISTORY_MILLIS + 60_000) / 1000);
  }
}

package io.meridian.app.live;

import static io.meridian.app.live.LiveFixtures.link;
import static io.meridian.app.live.LiveFixtures.snapshot;
import static io.meridian.app.live.LiveFixtures.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.meridian.agent.api.v1.Conflict;
import io.meridian.agent.api.v1.ConflictVersion;
import io.meridian.agent.api.v1.HealthChanged;
import io.meridian.agent.api.v1.PrimaryChanged;
import io.meridian.agent.api.v1.RegionHealth;
import io.meridian.agent.api.v1.Role;
import io.meridian.agent.api.v1.SwitchoverFinished;
import io.meridian.agent.api.v1.Version;
import io.meridian.agent.api.v1.WatchEvent;
import io.meridian.agent.api.v1.WritesQuarantined;
import io.meridian.app.live.LiveState.ConflictRecord;
import io.meridian.app.live.LiveState.EntryKind;
import io.meridian.app.live.LiveState.FlowKey;
import io.meridian.app.live.LiveState.Health;
import io.meridian.app.live.LiveState.TimelineEntry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

// Proves that the failover, health and conflict events the agents stream (ADR 0008, 0009) reach
// the live view: the crown moves with PrimaryChanged, failure detectors ring regions, conflicts
// fill the table and failover steps are on the timeline.
class LiveModelFailoverTest {
  private final LiveModel model = new LiveModel(List.of("us-east", "eu-central", "ap-southeast"),
      Map.of("orders", "us-east"));

  private static LiveInput.Watched event(long at, String region, WatchEvent.Builder event) {
    return new LiveInput.Watched(at, region, event.setAtMillis(at).setRegion(region).build());
  }

  private static LiveInput.Watched primaryChanged(long at, String region, String primary,
      long epoch, Role role) {
    return event(at, region, WatchEvent.newBuilder().setPrimaryChanged(PrimaryChanged.newBuilder()
        .setDataset("orders").setEpoch(epoch).setPrimaryRegion(primary).setRole(role)));
  }

  private static LiveInput.Watched health(long at, String region, String peer,
      RegionHealth health) {
    return event(at, region, WatchEvent.newBuilder().setHealthChanged(HealthChanged.newBuilder()
        .setPeerRegion(peer).setHealth(health).setPhi(9.5)));
  }

  private static ConflictVersion version(String origin, long sequence, String value) {
    return ConflictVersion.newBuilder().setValue(ByteString.copyFromUtf8(value))
        .setVersion(Version.newBuilder().setOriginRegion(origin).setSequence(sequence)).build();
  }

  private void everyoneReports(long at) {
    for (String region : List.of("us-east", "eu-central", "ap-southeast")) {
      model.apply(new LiveInput.AgentConnected(at, region));
    }
    model.apply(snapshot(at, "us-east", at, link("eu-central", 10, 0, true)));
    model.apply(snapshot(at, "eu-central", at, link("us-east", 10, 0, true)));
    model.apply(snapshot(at, "ap-southeast", at, link("us-east", 10, 0, true)));
  }

  @Test
  void primaryChangedMovesTheCrownBeforeTheNextStatusPoll() {
    model.apply(status(1_000, "us-east", Role.ROLE_PRIMARY, 1));
    everyoneReports(1_000);
    assertThat(model.state(1_100).region("us-east").orElseThrow().primaryOf())
        .containsExactly("orders");

    model.apply(primaryChanged(2_000, "eu-central", "eu-central", 2, Role.ROLE_PRIMARY));

    LiveState state = model.state(2_100);
    assertThat(state.region("eu-central").orElseThrow().primaryOf()).containsExactly("orders");
    assertThat(state.region("us-east").orElseThrow().primaryOf()).isEmpty();
    assertThat(state.timeline()).filteredOn(e -> e.kind() == EntryKind.FAILOVER)
        .extracting(TimelineEntry::text)
        .containsExactly("eu-central applied epoch 2 of orders: eu-central is primary, "
            + "eu-central is primary");
    // Flows are now from the new primary: the old one's report describes eu-central → us-east.
    model.apply(snapshot(2_200, "us-east", 2_200, link("eu-central", 30, 1, true)));
    assertThat(model.state(2_300).flows())
        .containsKey(new FlowKey("orders", "eu-central", "us-east"));
  }

  @Test
  void anOlderDecisionReportedLateDoesNotTakeTheCrownBack() {
    everyoneReports(1_000);
    model.apply(primaryChanged(2_000, "ap-southeast", "eu-central", 3, Role.ROLE_REPLICA));
    model.apply(primaryChanged(2_100, "us-east", "ap-southeast", 2, Role.ROLE_REPLICA));

    assertThat(model.state(2_200).region("eu-central").orElseThrow().primaryOf())
        .containsExactly("orders");
  }

  @Test
  void aPeerSeenDownByAnotherAgentIsRingedFailingAndSuspectIsDegraded() {
    everyoneReports(1_000);
    assertThat(model.state(1_100).region("ap-southeast").orElseThrow().health())
        .isEqualTo(Health.OK);

    model.apply(health(1_200, "us-east", "ap-southeast", RegionHealth.REGION_HEALTH_SUSPECT));
    assertThat(model.state(1_300).region("ap-southeast").orElseThrow().health())
        .isEqualTo(Health.DEGRADED);

    model.apply(health(1_400, "eu-central", "ap-southeast", RegionHealth.REGION_HEALTH_DOWN));
    assertThat(model.state(1_450).region("ap-southeast").orElseThrow().health())
        .isEqualTo(Health.FAILING);

    model.apply(health(1_500, "us-east", "ap-southeast", RegionHealth.REGION_HEALTH_HEALTHY));
    model.apply(health(1_500, "eu-central", "ap-southeast", RegionHealth.REGION_HEALTH_HEALTHY));
    LiveState recovered = model.state(1_600);
    assertThat(recovered.region("ap-southeast").orElseThrow().health()).isEqualTo(Health.OK);
    assertThat(recovered.timeline()).filteredOn(e -> e.kind() == EntryKind.HEALTH)
        .extracting(TimelineEntry::text)
        .contains("eu-central sees ap-southeast down (phi 9.5)");
  }

  @Test
  void anUnreachableAgentsViewOfItsPeersIsNotTrusted() {
    everyoneReports(1_000);
    model.apply(health(1_100, "eu-central", "ap-southeast", RegionHealth.REGION_HEALTH_DOWN));
    assertThat(model.state(1_150).region("ap-southeast").orElseThrow().health())
        .isEqualTo(Health.FAILING);
    model.apply(new LiveInput.AgentLost(1_200, "eu-central", "connection refused"));

    assertThat(model.state(1_300).region("ap-southeast").orElseThrow().health())
        .isEqualTo(Health.OK);
  }

  @Test
  void aConflictFillsTheTableWithKeyVersionsRuleWinnerAndWhatWasDiscarded() {
    everyoneReports(1_000);
    model.apply(event(1_500, "eu-central", WatchEvent.newBuilder().setConflict(Conflict.newBuilder()
        .setDataset("orders").setKey(ByteString.copyFromUtf8("cart:7")).setRule("lww")
        .addVersions(version("us-east", 41, "3 items"))
        .addVersions(version("eu-central", 17, "2 items"))
        .setWinner(version("us-east", 41, "3 items"))
        .addDiscarded(version("eu-central", 17, "2 items")))));

    LiveState state = model.state(1_600);
    assertThat(state.conflicts()).containsExactly(new ConflictRecord(1_500, "eu-central",
        "orders", "cart:7", 2, "lww", "\"3 items\" from us-east #41",
        "\"2 items\" from eu-central #17"));
    assertThat(state.region("eu-central").orElseThrow().conflictsPerSecond()).isPositive();
    assertThat(state.timeline()).filteredOn(e -> e.kind() == EntryKind.CONFLICT).singleElement()
        .extracting(TimelineEntry::text)
        .isEqualTo("conflict on orders/cart:7: lww kept \"3 items\" from us-east #41");
  }

  @Test
  void siblingsKeptByVersionVectorsAreShownAsKeptAndABinaryKeyAsHex() {
    model.apply(event(1_000, "us-east", WatchEvent.newBuilder().setConflict(Conflict.newBuilder()
        .setDataset("orders").setKey(ByteString.copyFrom(new byte[] {(byte) 0xff, 0x01}))
        .setRule("version-vector").addVersions(version("us-east", 1, "a"))
        .addVersions(version("eu-central", 1, "b")))));

    ConflictRecord conflict = model.state(1_100).conflicts().get(0);
    assertThat(conflict.key()).isEqualTo("0xff01");
    assertThat(conflict.winner()).isEqualTo("all kept as siblings");
    assertThat(conflict.discarded()).isEqualTo("nothing");
  }

  @Test
  void quarantineAndSwitchoverStepsGoToTheTimeline() {
    model.apply(event(1_000, "us-east", WatchEvent.newBuilder().setSwitchoverFinished(
        SwitchoverFinished.newBuilder().setDataset("orders").setTargetRegion("eu-central")
            .setReady(false).setReason("eu-central did not catch up in 5000 ms"))));
    model.apply(event(2_000, "us-east", WatchEvent.newBuilder().setWritesQuarantined(
        WritesQuarantined.newBuilder().setDataset("orders").setFailoverEpoch(3)
            .setFirstSequence(18).setLastSequence(20).setCount(3))));

    assertThat(model.state(2_100).timeline()).filteredOn(e -> e.kind() == EntryKind.FAILOVER)
        .extracting(TimelineEntry::text, TimelineEntry::failed)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("switchover of orders to eu-central failed, "
                + "nothing changed: eu-central did not catch up in 5000 ms", true),
            org.assertj.core.groups.Tuple.tuple("3 write(s) of orders (sequences 18-20) "
                + "quarantined after the failover to epoch 3", true));
  }

  @Test
  void repairsThatFoundDivergenceOrFailedGoToTheTimelineAndQuietOnesDoNot() {
    model.apply(event(1_000, "us-east", WatchEvent.newBuilder().setRepairFinished(
        io.meridian.agent.api.v1.RepairFinished.newBuilder().setDataset("orders").setPeerRegion("eu-central")
            .setRangesCompared(1))));
    model.apply(event(2_000, "us-east", WatchEvent.newBuilder().setRepairFinished(
        io.meridian.agent.api.v1.RepairFinished.newBuilder().setDataset("orders").setPeerRegion("ap-southeast")
            .setRangesCompared(35).setKeysRepaired(3).setBytesSent(900).setDurationMillis(12))));
    model.apply(event(3_000, "us-east", WatchEvent.newBuilder().setRepairFinished(
        io.meridian.agent.api.v1.RepairFinished.newBuilder().setDataset("orders").setPeerRegion("ap-southeast")
            .setError("region ap-southeast did not answer for 30000 ms"))));

    assertThat(model.state(3_100).timeline()).filteredOn(e -> e.text().startsWith("repair"))
        .extracting(TimelineEntry::text, TimelineEntry::failed)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("repair of orders with ap-southeast: 3 diverged keys repaired "
                + "(35 ranges compared, 900 bytes, 12 ms)", false),
            org.assertj.core.groups.Tuple.tuple("repair of orders with ap-southeast failed: region ap-southeast did "
                + "not answer for 30000 ms", true));
  }
}

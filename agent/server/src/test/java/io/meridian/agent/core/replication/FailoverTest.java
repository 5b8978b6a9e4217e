package io.meridian.agent.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.storage.Change;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves the failover rules of ADR 0009 one story at a time: the write lease, forced failover
// with quarantine on rejoin, planned switchover with and without success, and the fence wait of a
// new primary whose predecessor was not confirmed stopped.
class FailoverTest {
  private static final FailoverPolicy LEASE = new FailoverPolicy(true, 1_000, 100);

  private static TestCluster threeRegions(ReplicationMode mode, int syncAcks, FailoverPolicy policy) {
    TestCluster cluster = TestCluster.of(mode, syncAcks, TestCluster.bounds(8, 0, 64), policy, "a", "b", "c");
    cluster.connectEveryPair();
    cluster.deliverAll();
    return cluster;
  }

  private static void tickAndDeliver(TestCluster cluster, int times) {
    for (int i = 0; i < times; i++) {
      cluster.tick(100);
      cluster.deliverAll();
    }
  }

  private static FailoverView view(TestCluster cluster, String region) {
    return cluster.nodes.get(region).failoverViews(cluster.nowMillis).get(0);
  }

  @Test
  void isolatedPrimaryStopsAcceptingWritesWhenItsLeaseRunsOut() {
    TestCluster cluster = threeRegions(ReplicationMode.ASYNC, 0, LEASE);
    long early = cluster.put("a", "k", "v0");
    assertThat(cluster.result(early)).isInstanceOf(ClientResult.Failed.class);

    tickAndDeliver(cluster, 1);
    long heartbeatSentAtMillis = cluster.nowMillis;
    assertThat(cluster.result(cluster.put("a", "k", "v1"))).isInstanceOf(ClientResult.Committed.class);

    cluster.disconnect("a", "b");
    cluster.disconnect("a", "c");
    cluster.tick(heartbeatSentAtMillis + 999 - cluster.nowMillis);
    assertThat(cluster.result(cluster.put("a", "k", "v2"))).isInstanceOf(ClientResult.Committed.class);
    cluster.tick(1);
    ClientResult refused = cluster.result(cluster.put("a", "k", "v3"));

    assertThat(refused).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.UNAVAILABLE);
      assertThat(failed.message()).contains("heard from 1 of the 2 regions").contains("Nothing was written");
    });
    assertThat(cluster.events(ReplicationEvent.LeaseChanged.class)).extracting(ReplicationEvent.LeaseChanged::held)
        .containsExactly(true, false);
  }

  @Test
  void replicaReleasesThePrimaryOnlyAfterTheLeasePlusTheDriftMargin() {
    TestCluster cluster = threeRegions(ReplicationMode.ASYNC, 0, LEASE);
    tickAndDeliver(cluster, 1);
    long grantedAtMillis = cluster.nowMillis;
    cluster.disconnect("a", "b");
    cluster.disconnect("a", "c");

    cluster.tick(grantedAtMillis + 1_099 - cluster.nowMillis);
    assertThat(view(cluster, "b").releasesPrimary()).isFalse();
    assertThat(view(cluster, "a").acceptingWrites()).isFalse();
    cluster.tick(1);
    assertThat(view(cluster, "b").releasesPrimary()).isTrue();
  }

  @Test
  void forcedFailoverQuarantinesTheOldPrimarysUnreplicatedWritesWhenItRejoins() {
    TestCluster cluster = threeRegions(ReplicationMode.ASYNC, 0, FailoverPolicy.MANUAL);
    cluster.put("a", "k1", "v1");
    cluster.deliverAll();
    cluster.disconnect("a", "b");
    cluster.disconnect("a", "c");
    cluster.put("a", "k2", "lost-2");
    cluster.put("a", "k3", "lost-3");

    cluster.decide(2, "b", 1, false, "b", "c");
    long afterFailover = cluster.put("b", "k4", "v4");
    cluster.deliverAll();
    assertThat(cluster.result(afterFailover)).isInstanceOfSatisfying(ClientResult.Committed.class,
        committed -> assertThat(committed.version().epoch()).isEqualTo(2));

    // The old primary comes back still believing in epoch 1: the others refuse it, and it stops.
    cluster.connect("a", "b");
    cluster.connect("a", "c");
    tickAndDeliver(cluster, 1);
    assertThat(cluster.result(cluster.put("a", "k5", "v5"))).isInstanceOfSatisfying(ClientResult.Failed.class,
        failed -> assertThat(failed.message()).contains("another region is primary now"));

    cluster.decide(2, "b", 1, false, "a");
    cluster.deliverAll();

    assertThat(cluster.events(ReplicationEvent.WritesQuarantined.class)).singleElement().satisfies(q -> {
      assertThat(q.epoch()).isEqualTo(2);
      assertThat(q.count()).isEqualTo(2);
      assertThat(q.firstSequence()).isEqualTo(2);
    });
    List<Change> kept = cluster.nodes.get("a").quarantined(TestCluster.DATASET).get(2L);
    assertThat(kept).extracting(change -> change.value().toUtf8()).containsExactly("lost-2", "lost-3");
    assertThat(cluster.stores.get("a").log(TestCluster.DATASET)).isEqualTo(cluster.stores.get("b").log(TestCluster.DATASET));
    assertThat(cluster.stores.get("a").get(TestCluster.DATASET, Bytes.ofUtf8("k2"))).isEmpty();
    assertThat(view(cluster, "a").role()).isEqualTo(Role.REPLICA);
  }

  @Test
  void plannedSwitchoverWaitsForTheTargetAndLosesNothing() {
    TestCluster cluster = threeRegions(ReplicationMode.SYNC, 2, FailoverPolicy.MANUAL);
    long first = cluster.put("a", "k1", "v1");
    cluster.apply("a", cluster.nodes.get("a").step(cluster.nowMillis,
        new Input.SwitchoverRequested(TestCluster.DATASET, "b", 1_000)));
    ClientResult duringSwitchover = cluster.result(cluster.put("a", "k2", "v2"));
    assertThat(duringSwitchover).isInstanceOfSatisfying(ClientResult.Failed.class,
        failed -> assertThat(failed.message()).contains("switchover from a to b in progress"));
    assertThat(cluster.events(ReplicationEvent.SwitchoverReady.class)).isEmpty();

    cluster.deliverAll();
    assertThat(cluster.result(first)).isInstanceOf(ClientResult.Committed.class);
    ReplicationEvent.SwitchoverReady ready = cluster.events(ReplicationEvent.SwitchoverReady.class).get(0);
    assertThat(ready).isEqualTo(new ReplicationEvent.SwitchoverReady(TestCluster.DATASET, "b", 2, 1));

    cluster.decide(ready.epoch(), ready.target(), ready.startSequence(), true, "a", "b", "c");
    cluster.deliverAll();
    long atNewPrimary = cluster.put("b", "k3", "v3");
    long forwarded = cluster.put("a", "k4", "v4");
    cluster.deliverAll();

    assertThat(cluster.result(atNewPrimary)).isInstanceOf(ClientResult.Committed.class);
    assertThat(cluster.result(forwarded)).isInstanceOfSatisfying(ClientResult.Committed.class,
        committed -> assertThat(committed.version().committedBy()).isEqualTo("b"));
    assertThat(cluster.events(ReplicationEvent.WritesQuarantined.class)).isEmpty();
    assertThat(cluster.stores.get("a").log(TestCluster.DATASET)).hasSize(3)
        .isEqualTo(cluster.stores.get("c").log(TestCluster.DATASET));
  }

  @Test
  void switchoverToATargetThatCannotCatchUpChangesNothingAndSaysWhy() {
    TestCluster cluster = threeRegions(ReplicationMode.ASYNC, 0, FailoverPolicy.MANUAL);
    cluster.disconnect("a", "b");
    cluster.put("a", "k1", "v1");
    cluster.apply("a", cluster.nodes.get("a").step(cluster.nowMillis,
        new Input.SwitchoverRequested(TestCluster.DATASET, "b", 500)));

    cluster.tick(499);
    assertThat(cluster.events(ReplicationEvent.SwitchoverFailed.class)).isEmpty();
    cluster.tick(1);

    assertThat(cluster.events(ReplicationEvent.SwitchoverFailed.class)).singleElement()
        .satisfies(failed -> assertThat(failed.reason())
            .contains("the target b (not connected) acknowledged 0 of 1 changes").contains("nothing changed"));
    assertThat(cluster.events(ReplicationEvent.SwitchoverReady.class)).isEmpty();
    assertThat(cluster.result(cluster.put("a", "k2", "v2"))).isInstanceOf(ClientResult.Committed.class);
    assertThat(view(cluster, "a").epoch()).isEqualTo(1);
  }

  @Test
  void newPrimaryWaitsOutThePreviousLeaseWhenThePreviousPrimaryWasNotConfirmedStopped() {
    TestCluster cluster = threeRegions(ReplicationMode.ASYNC, 0, LEASE);
    tickAndDeliver(cluster, 1);
    cluster.disconnect("a", "b");
    cluster.disconnect("a", "c");

    cluster.decide(2, "b", 0, false, "b", "c");
    cluster.deliverAll();
    tickAndDeliver(cluster, 1);
    long majorityAtNewEpochMillis = cluster.nowMillis;
    assertThat(cluster.result(cluster.put("b", "k", "v"))).isInstanceOfSatisfying(ClientResult.Failed.class,
        failed -> assertThat(failed.message()).contains("waits for the previous primary's lease"));

    while (cluster.nowMillis < majorityAtNewEpochMillis + 1_100) {
      assertThat(view(cluster, "b").acceptingWrites()).as("at %d", cluster.nowMillis).isFalse();
      tickAndDeliver(cluster, 1);
    }
    assertThat(view(cluster, "a").acceptingWrites()).isFalse();
    assertThat(cluster.result(cluster.put("b", "k", "v"))).isInstanceOfSatisfying(ClientResult.Committed.class,
        committed -> assertThat(committed.version().epoch()).isEqualTo(2));
  }

  @Test
  void forcedStopOfAReachablePrimaryRefusesWritesAndLetsTheTargetWriteWithoutTheFenceWait() {
    TestCluster cluster = threeRegions(ReplicationMode.ASYNC, 0, LEASE);
    tickAndDeliver(cluster, 1);
    cluster.put("a", "k1", "v1");
    cluster.deliverAll();
    cluster.disconnect("a", "b");
    assertThat(cluster.result(cluster.put("a", "k2", "lost-2"))).isInstanceOf(ClientResult.Committed.class);

    // The target lacks k2, yet a forced stop does not wait for it: ready at once, with a's last sequence.
    cluster.apply("a", cluster.nodes.get("a").step(cluster.nowMillis,
        new Input.SwitchoverRequested(TestCluster.DATASET, "b", 500, true)));
    assertThat(cluster.events(ReplicationEvent.SwitchoverReady.class))
        .containsExactly(new ReplicationEvent.SwitchoverReady(TestCluster.DATASET, "b", 2, 2));
    // Stopped means stopped, also long after the request's timeout: only a decision or an abort ends it.
    for (int i = 0; i < 10; i++) {
      assertThat(cluster.result(cluster.put("a", "k3", "v3"))).isInstanceOfSatisfying(ClientResult.Failed.class,
          failed -> assertThat(failed.message()).contains("Nothing was written"));
      tickAndDeliver(cluster, 1);
    }
    assertThat(view(cluster, "a").acceptingWrites()).isFalse();
    assertThat(cluster.events(ReplicationEvent.SwitchoverFailed.class)).isEmpty();

    cluster.decide(2, "b", 1, true, "b", "a", "c");
    cluster.deliverAll();
    tickAndDeliver(cluster, 1);

    // One heartbeat round for b's own lease, not one lease plus the margin (1,100 ms).
    assertThat(cluster.result(cluster.put("b", "k4", "v4"))).isInstanceOfSatisfying(ClientResult.Committed.class,
        committed -> assertThat(committed.version().epoch()).isEqualTo(2));
    // a and c both held k2, which b lacks: each quarantines exactly that one change.
    assertThat(cluster.events(ReplicationEvent.WritesQuarantined.class)).hasSize(2).allSatisfy(q -> {
      assertThat(q.count()).isEqualTo(1);
      assertThat(q.firstSequence()).isEqualTo(2);
    });
    for (String region : List.of("a", "c")) {
      assertThat(cluster.nodes.get(region).quarantined(TestCluster.DATASET).get(2L))
          .extracting(change -> change.value().toUtf8()).containsExactly("lost-2");
    }
    assertThat(view(cluster, "a").role()).isEqualTo(Role.REPLICA);
  }

  @Test
  void abortedForcedStopLetsThePrimaryWriteAgain() {
    TestCluster cluster = threeRegions(ReplicationMode.ASYNC, 0, FailoverPolicy.MANUAL);
    cluster.apply("a", cluster.nodes.get("a").step(cluster.nowMillis,
        new Input.SwitchoverRequested(TestCluster.DATASET, "b", 500, true)));
    assertThat(cluster.result(cluster.put("a", "k1", "v1"))).isInstanceOf(ClientResult.Failed.class);

    cluster.apply("a", cluster.nodes.get("a").step(cluster.nowMillis,
        new Input.SwitchoverAborted(TestCluster.DATASET, "the target did not take it")));

    assertThat(cluster.result(cluster.put("a", "k1", "v1"))).isInstanceOfSatisfying(ClientResult.Committed.class,
        committed -> assertThat(committed.version().epoch()).isEqualTo(1));
  }

  @Test
  void restartedRegionRemembersTheDecidedPrimary() {
    TestCluster cluster = threeRegions(ReplicationMode.ASYNC, 0, FailoverPolicy.MANUAL);
    cluster.decide(2, "b", 0, true, "a", "b", "c");

    cluster.start("a");
    cluster.start("b");

    assertThat(view(cluster, "a").role()).isEqualTo(Role.REPLICA);
    assertThat(view(cluster, "a").primary()).isEqualTo("b");
    assertThat(view(cluster, "b").role()).isEqualTo(Role.PRIMARY);
    assertThat(cluster.result(cluster.put("a", "k", "v"))).isInstanceOfSatisfying(ClientResult.Failed.class,
        failed -> assertThat(failed.message()).contains("primary region b is unreachable"));
  }
}

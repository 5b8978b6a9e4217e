package io.meridian.agent.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.ReplicationMode;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves the witness role of ADR 0020 in the core: a witness's heartbeat answers count toward the
// primary's lease over the same voters (data replicas and witnesses) its releases are counted
// among, it releases a primary it cannot hear like a replica, and it holds no data.
class WitnessTest {
  private static final FailoverPolicy LEASE = new FailoverPolicy(true, 1_000, 100);

  /** Primary a, replica b, witness w: a majority is two of the three voters. */
  private static TestCluster twoReplicasAndAWitness() {
    TestCluster cluster = TestCluster.withWitnesses(ReplicationMode.ASYNC, TestCluster.bounds(8, 0, 64), LEASE,
        List.of("a", "b"), List.of("w"));
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
  void primaryKeepsItsLeaseWithTheReplicaSilentWhileTheWitnessAnswers() {
    TestCluster cluster = twoReplicasAndAWitness();
    tickAndDeliver(cluster, 1);
    assertThat(cluster.result(cluster.put("a", "k", "v1"))).isInstanceOf(ClientResult.Committed.class);

    cluster.disconnect("a", "b");
    tickAndDeliver(cluster, 30); // Three leases long: only the witness renews it.

    assertThat(view(cluster, "a").acceptingWrites()).isTrue();
    assertThat(cluster.result(cluster.put("a", "k", "v2"))).isInstanceOf(ClientResult.Committed.class);
    assertThat(view(cluster, "w").role()).isEqualTo(Role.WITNESS);
    assertThat(view(cluster, "w").releasesPrimary()).isFalse();
    assertThat(cluster.stores.get("w").log(TestCluster.DATASET)).as("a witness holds no data").isEmpty();
  }

  @Test
  void primaryLosesItsLeaseWhenTheReplicaAndTheWitnessAreSilent() {
    TestCluster cluster = twoReplicasAndAWitness();
    tickAndDeliver(cluster, 1);
    long grantedAtMillis = cluster.nowMillis;

    cluster.disconnect("a", "b");
    cluster.disconnect("a", "w");
    cluster.tick(grantedAtMillis + 1_000 - cluster.nowMillis);

    assertThat(cluster.result(cluster.put("a", "k", "v"))).isInstanceOfSatisfying(ClientResult.Failed.class,
        failed -> assertThat(failed.message()).contains("heard from 1 of the 2 regions it needs (of 3)"));
  }

  @Test
  void witnessReleasesAPrimaryItCannotHearAfterTheLeasePlusTheDriftMargin() {
    TestCluster cluster = twoReplicasAndAWitness();
    tickAndDeliver(cluster, 1);
    long grantedAtMillis = cluster.nowMillis;
    cluster.disconnect("a", "w");

    cluster.tick(grantedAtMillis + 1_099 - cluster.nowMillis);
    assertThat(view(cluster, "w").releasesPrimary()).isFalse();
    cluster.tick(1);
    assertThat(view(cluster, "w").releasesPrimary()).isTrue();
    assertThat(view(cluster, "w").releaseGeneration()).isEqualTo(1);
  }

  @Test
  void witnessRefusesClientsForItHoldsNoData() {
    TestCluster cluster = twoReplicasAndAWitness();
    tickAndDeliver(cluster, 1);

    assertThat(cluster.result(cluster.put("w", "k", "v"))).isInstanceOfSatisfying(ClientResult.Failed.class,
        failed -> assertThat(failed.message()).contains("is a witness"));
  }

  @Test
  void newPrimaryHoldsItsLeaseThroughTheWitnessOnceTheOldOneIsGone() {
    TestCluster cluster = twoReplicasAndAWitness();
    tickAndDeliver(cluster, 1);
    cluster.put("a", "k", "v1");
    cluster.deliverAll();
    cluster.disconnect("a", "b");
    cluster.disconnect("a", "w");

    cluster.decide(2, "b", 1, true, "b", "w");
    tickAndDeliver(cluster, 2);

    assertThat(view(cluster, "w").role()).isEqualTo(Role.WITNESS);
    assertThat(view(cluster, "w").primary()).isEqualTo("b");
    long write = cluster.put("b", "k", "v2");
    assertThat(cluster.result(write)).isInstanceOfSatisfying(ClientResult.Committed.class,
        committed -> assertThat(committed.version().epoch()).isEqualTo(2));
    assertThat(cluster.stores.get("w").log(TestCluster.DATASET)).isEmpty();
  }
}

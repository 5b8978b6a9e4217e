package io.meridian.agent.core.replication;

import static io.meridian.agent.core.replication.TestCluster.ofType;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.replication.PeerMessage.ChangeBatch;
import io.meridian.agent.core.replication.PeerMessage.Heartbeat;
import org.junit.jupiter.api.Test;

// Proves that lag in versions and in time is reported on both ends and stays honest while idle.
class LagAccountingTest {

  @Test
  void primaryCountsUnacknowledgedChangesAndTheirAge() {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(8, 0, 64), "a", "b");
    cluster.connectAll();
    cluster.deliverAll();
    cluster.put("a", "k1", "v");
    cluster.put("a", "k2", "v");
    cluster.drop(ofType(ChangeBatch.class));

    cluster.tick(30);

    PeerLinkStatus link = cluster.link("a", "b");
    assertThat(link.lagVersions()).isEqualTo(2);
    assertThat(link.lagMillis()).isEqualTo(30);
    assertThat(link.connected()).isTrue();
  }

  @Test
  void heartbeatsKeepReplicaLagHonestWhileIdle() {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(8, 0, 64), "a", "b");
    cluster.connectAll();
    cluster.deliverAll();
    cluster.put("a", "k", "v");
    cluster.deliverAll();
    assertThat(cluster.link("b", "a").lagMillis()).isZero();

    cluster.tick(100);
    cluster.drop(ofType(Heartbeat.class));
    cluster.tick(100);
    assertThat(cluster.link("b", "a").lagMillis()).as("no word from the primary for 200 ms").isEqualTo(200);

    cluster.deliverAll(ofType(Heartbeat.class));
    assertThat(cluster.link("b", "a").lagMillis()).isZero();
    assertThat(cluster.link("b", "a").lagVersions()).isZero();
  }

  @Test
  void replicaKnowsHowManyVersionsItLacksFromTheHeartbeat() {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(8, 0, 64), "a", "b");
    cluster.connectAll();
    cluster.deliverAll();
    for (int i = 0; i < 3; i++) {
      cluster.put("a", "k" + i, "v");
    }
    cluster.drop(ofType(ChangeBatch.class));

    cluster.tick(100);
    cluster.deliverAll(ofType(Heartbeat.class));

    assertThat(cluster.link("b", "a").lagVersions()).isEqualTo(3);
  }

  @Test
  void throughputCountersGrowWithReplicatedChanges() {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(8, 0, 64), "a", "b");
    cluster.connectAll();
    cluster.deliverAll();
    cluster.put("a", "k", "value");
    cluster.deliverAll();

    assertThat(cluster.link("a", "b").changesOut()).isEqualTo(1);
    assertThat(cluster.link("b", "a").changesIn()).isEqualTo(1);
    assertThat(cluster.link("b", "a").bytesIn()).isEqualTo(cluster.link("a", "b").bytesOut()).isPositive();
  }
}

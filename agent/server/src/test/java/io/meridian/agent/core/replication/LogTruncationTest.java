package io.meridian.agent.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.LogRetention;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import org.junit.jupiter.api.Test;

// Proves the truncation rules of ADR 0017 step by step: a primary keeps what a connected replica
// has not acknowledged, gives up on a replica beyond the retention bound, and a replica that asks
// for a truncated sequence is sent the state in chunks and then the log, even when chunks are
// lost or duplicated.
class LogTruncationTest {
  private static final String D = TestCluster.DATASET;

  private static TestCluster cluster(long retainedChangesMax) {
    TestCluster built = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(8, 0, 64), "a", "b", "c");
    built.retention = new LogRetention(retainedChangesMax, 5, 4);
    // Restart every node with the retention (the stores are still empty).
    for (String region : built.configs.keySet()) {
      built.start(region);
    }
    return built;
  }

  private static void write(TestCluster cluster, int from, int to) {
    for (int i = from; i < to; i++) {
      cluster.put("a", "k" + (i % 10), "v" + i);
    }
  }

  @Test
  void primaryTruncatesOnlyWhatEveryConnectedReplicaAcknowledged() {
    TestCluster cluster = cluster(1_000);
    cluster.connectAll();
    write(cluster, 0, 40);
    cluster.deliverAll(envelope -> !envelope.to().equals("c")); // c acknowledges nothing yet.
    cluster.tick(1);

    assertThat(cluster.stores.get("a").truncatedThrough(D)).isZero();

    cluster.deliverAll();
    cluster.tick(1);

    assertThat(cluster.stores.get("a").truncatedThrough(D)).isEqualTo(39); // The newest entry stays.
    assertThat(cluster.stores.get("a").log(D)).hasSize(1);
  }

  @Test
  void replicaBeyondTheRetainedLogCatchesUpBySnapshotDespiteLostAndDuplicatedChunks() {
    TestCluster cluster = cluster(10);
    cluster.connectAll();
    cluster.deliverAll();
    cluster.disconnect("a", "c");
    write(cluster, 0, 60);
    cluster.put("a", "gone", "soon");
    cluster.request("a", new ClientOperation.Delete(Bytes.ofUtf8("gone")));
    cluster.deliverAll();
    cluster.tick(1);
    long truncated = cluster.stores.get("a").truncatedThrough(D);
    assertThat(truncated).as("truncated past c, which stopped at 0").isGreaterThanOrEqualTo(50);

    cluster.connect("a", "c");
    cluster.deliverAll(TestCluster.ofType(PeerMessage.Hello.class));
    assertThat(cluster.queued(PeerMessage.SnapshotChunk.class)).hasSize(1);
    // The first chunk is lost: the primary sends it again after the retransmission timeout.
    cluster.drop(TestCluster.ofType(PeerMessage.SnapshotChunk.class));
    cluster.tick(500);
    // A duplicated chunk changes nothing.
    PeerMessage.SnapshotChunk first = (PeerMessage.SnapshotChunk) cluster.queued(PeerMessage.SnapshotChunk.class)
        .get(0).message();
    cluster.deliverAll();
    cluster.queue.add(new TestCluster.Envelope("a", "c", first));
    cluster.deliverAll();
    // Right after the install c's log is empty; a failover decider can still ask where it stands.
    assertThat(cluster.stores.get("c").log(D)).isEmpty();
    FailoverView view = cluster.nodes.get("c").failoverViews(cluster.nowMillis).get(0);
    assertThat(view.lastSequence()).isEqualTo(cluster.stores.get("a").lastSequence(D));
    assertThat(view.lastEpochInLog()).isEqualTo(1);
    write(cluster, 60, 70);
    cluster.deliverAll();

    InMemoryReplicaStore primary = cluster.stores.get("a");
    InMemoryReplicaStore replica = cluster.stores.get("c");
    assertThat(replica.lastSequence(D)).isEqualTo(primary.lastSequence(D));
    assertThat(replica.snapshot(D)).isEqualTo(primary.snapshot(D));
    assertThat(replica.get(D, Bytes.ofUtf8("gone")).orElseThrow().tombstone()).isTrue();
    assertThat(cluster.events(ReplicationEvent.SnapshotInstalled.class)).hasSize(1);
    assertThat(cluster.events(ReplicationEvent.SnapshotStarted.class).get(0).replicaSequence()).isZero();
    assertThat(cluster.disconnects).isEmpty();
  }
}

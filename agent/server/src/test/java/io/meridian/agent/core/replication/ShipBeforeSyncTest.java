package io.meridian.agent.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.PeerMessage.Ack;
import io.meridian.agent.core.replication.PeerMessage.ChangeBatch;
import org.junit.jupiter.api.Test;

/**
 * A sync primary ships its batches while its own sync runs (ADR 0029): the client's answer still
 * waits for the local sync and for the replicas, and a replica that kept changes the primary then
 * lost in a power loss is replaced by a snapshot of the primary, so nothing acknowledged is lost and
 * no replica keeps a log that differs from the primary's.
 */
class ShipBeforeSyncTest {

  private static TestCluster syncCluster() {
    TestCluster cluster = TestCluster.of(ReplicationMode.SYNC, 2, TestCluster.bounds(64, 5, 256), "a", "b", "c");
    cluster.connectAll();
    cluster.deliverAll();
    return cluster;
  }

  @Test
  void batchesLeaveBeforeTheSyncAndTheAnswerWaitsForTheReplicas() {
    TestCluster cluster = syncCluster();

    Output output = cluster.nodes.get("a").step(cluster.nowMillis, new Input.ClientRequest(
        100, TestCluster.DATASET, new ClientOperation.Put(Bytes.ofUtf8("k"), Bytes.ofUtf8("v"))));

    assertThat(output.syncStoreFirst()).as("the primary's own copy is synced in this step").isTrue();
    assertThat(output.messagesBeforeSync()).as("one batch per replica leaves before the sync").isEqualTo(2);
    assertThat(output.messages().subList(0, 2)).allMatch(outbound -> outbound.message() instanceof ChangeBatch);
    assertThat(output.responses()).as("no answer before the replicas acknowledge").isEmpty();

    cluster.apply("a", output);
    cluster.deliverAll(TestCluster.ofType(ChangeBatch.class));
    assertThat(cluster.result(100)).as("answered only once both acknowledgements arrive").isNull();
    cluster.deliver(cluster.queued(Ack.class).get(0));
    assertThat(cluster.result(100)).isNull();
    cluster.deliver(cluster.queued(Ack.class).get(0));
    assertThat(cluster.result(100)).isInstanceOf(ClientResult.Committed.class);
  }

  @Test
  void asyncPrimaryStillSyncsBeforeItShips() {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(1, 5, 256), "a", "b");
    cluster.connectAll();
    cluster.deliverAll();

    Output output = cluster.nodes.get("a").step(cluster.nowMillis, new Input.ClientRequest(
        100, TestCluster.DATASET, new ClientOperation.Put(Bytes.ofUtf8("k"), Bytes.ofUtf8("v"))));

    assertThat(output.messagesBeforeSync()).isZero();
  }

  @Test
  void replicaHoldingChangesThePrimaryLostInAPowerLossIsReplacedBySnapshot() {
    TestCluster cluster = syncCluster();
    long first = cluster.put("a", "k1", "v1");
    cluster.deliverAll();
    assertThat(cluster.result(first)).isInstanceOf(ClientResult.Committed.class);

    // The primary ships k2 and loses power before its own sync completes.
    Output shipped = cluster.nodes.get("a").step(cluster.nowMillis, new Input.ClientRequest(
        200, TestCluster.DATASET, new ClientOperation.Put(Bytes.ofUtf8("k2"), Bytes.ofUtf8("lost"))));
    for (int i = 0; i < shipped.messagesBeforeSync(); i++) {
      Output.Outbound outbound = shipped.messages().get(i);
      cluster.queue.add(new TestCluster.Envelope("a", outbound.to(), outbound.message()));
    }
    cluster.stores.get("a").loseUnsyncedWrites(TestCluster.DATASET);
    cluster.nodes.remove("a");
    cluster.deliverAll(envelope -> !envelope.to().equals("a"));
    cluster.drop(envelope -> envelope.to().equals("a"));
    assertThat(cluster.stores.get("b").lastSequence(TestCluster.DATASET)).as("the replica holds k2").isEqualTo(2);
    assertThat(cluster.stores.get("a").lastSequence(TestCluster.DATASET)).as("the primary lost it").isEqualTo(1);

    // The primary restarts (a reboot later) and commits another write at the same sequence while b
    // and c are away.
    cluster.nowMillis += 5_000;
    cluster.start("a");
    cluster.disconnect("a", "b");
    cluster.disconnect("a", "c");
    cluster.queue.clear();
    long third = cluster.put("a", "k3", "v3");
    cluster.drop(envelope -> true);

    cluster.connectAll();
    cluster.deliverAll();

    assertThat(cluster.events(ReplicationEvent.SnapshotStarted.class)).as("each diverged replica is repaired")
        .hasSize(2);
    for (String replica : new String[] {"b", "c"}) {
      assertThat(cluster.stores.get(replica).snapshot(TestCluster.DATASET))
          .as(replica + " holds exactly the primary's state, without the lost write")
          .isEqualTo(cluster.stores.get("a").snapshot(TestCluster.DATASET));
      assertThat(cluster.stores.get(replica).lastSequence(TestCluster.DATASET)).isEqualTo(2);
    }
    assertThat(cluster.stores.get("b").snapshot(TestCluster.DATASET)).containsKey(Bytes.ofUtf8("k1"))
        .containsKey(Bytes.ofUtf8("k3")).doesNotContainKey(Bytes.ofUtf8("k2"));
    assertThat(cluster.result(200)).as("the lost write was never acknowledged").isNull();
    assertThat(cluster.result(third)).isInstanceOf(ClientResult.Committed.class);
    assertThat(cluster.disconnects).as("repaired without a protocol violation").isEmpty();

    // Later writes replicate as usual on top of the snapshot.
    long fourth = cluster.put("a", "k4", "v4");
    cluster.deliverAll();
    assertThat(cluster.result(fourth)).isInstanceOf(ClientResult.Committed.class);
    assertThat(cluster.stores.get("c").snapshot(TestCluster.DATASET))
        .isEqualTo(cluster.stores.get("a").snapshot(TestCluster.DATASET));
  }
}

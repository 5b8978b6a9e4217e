package io.meridian.agent.core.replication;

import static io.meridian.agent.core.replication.TestCluster.ofType;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.replication.PeerMessage.Ack;
import io.meridian.agent.core.replication.PeerMessage.ChangeBatch;
import io.meridian.agent.core.replication.PeerMessage.EpochRejected;
import io.meridian.agent.core.replication.PeerMessage.Heartbeat;
import io.meridian.agent.core.replication.PeerMessage.Hello;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves the peer replication protocol: batching, the in-flight window, resume after reconnect,
// exactly-once apply under duplication and reordering, and disconnection on impossible input.
class ReplicationStreamTest {

  private static TestCluster connectedPair(int batchChangesMax, long batchDelayMillis, int inFlightChangesMax) {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0,
        TestCluster.bounds(batchChangesMax, batchDelayMillis, inFlightChangesMax), "a", "b");
    cluster.connectAll();
    cluster.deliverAll();
    cluster.drop(ofType(Heartbeat.class));
    return cluster;
  }

  @Test
  void partialBatchWaitsForTheBatchDelay() {
    TestCluster cluster = connectedPair(4, 10, 64);
    cluster.put("a", "k1", "v");
    cluster.put("a", "k2", "v");
    assertThat(cluster.queued(ChangeBatch.class)).isEmpty();

    cluster.tick(9);
    assertThat(cluster.queued(ChangeBatch.class)).isEmpty();
    cluster.tick(1);

    List<TestCluster.Envelope> batches = cluster.queued(ChangeBatch.class);
    assertThat(batches).hasSize(1);
    assertThat(((ChangeBatch) batches.get(0).message()).changes()).hasSize(2);
  }

  @Test
  void fullBatchLeavesAtOnce() {
    TestCluster cluster = connectedPair(4, 1_000, 64);
    for (int i = 0; i < 4; i++) {
      cluster.put("a", "k" + i, "v");
    }

    List<TestCluster.Envelope> batches = cluster.queued(ChangeBatch.class);
    assertThat(batches).hasSize(1);
    ChangeBatch batch = (ChangeBatch) batches.get(0).message();
    assertThat(batch.firstSequence()).isEqualTo(1);
    assertThat(batch.lastSequence()).isEqualTo(4);
  }

  @Test
  void inFlightWindowHoldsBackChangesUntilAcknowledged() {
    TestCluster cluster = connectedPair(2, 1_000, 4);
    for (int i = 0; i < 10; i++) {
      cluster.put("a", "k" + i, "v");
    }
    assertThat(cluster.queued(ChangeBatch.class)).extracting(e -> ((ChangeBatch) e.message()).lastSequence())
        .containsExactly(2L, 4L);

    cluster.deliverAll(ofType(ChangeBatch.class));
    cluster.deliverAll(ofType(Ack.class));

    assertThat(cluster.queued(ChangeBatch.class)).extracting(e -> ((ChangeBatch) e.message()).lastSequence())
        .containsExactly(6L, 8L);
  }

  @Test
  void inFlightWindowIsBoundedInBytesAsWellAsChanges() {
    // Batches of at most 2 changes or 2,048 bytes; the window allows 1,000 changes but only
    // 4 x 2,048 bytes, so large values stop the primary long before the change count does.
    ReplicationBounds bounds = new ReplicationBounds(2, 2_048, 1_000, 1_000,
        100, 500, 300, 1_000, 1_000, 100, 100, 1_000, 64, 1_024);
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, bounds, "a", "b");
    cluster.connectAll();
    cluster.deliverAll();
    cluster.drop(ofType(Heartbeat.class));
    for (int i = 0; i < 40; i++) {
      cluster.put("a", "k" + i, "v".repeat(1_000));
    }

    List<TestCluster.Envelope> sent = cluster.queued(ChangeBatch.class);
    long bytes = sent.stream().mapToLong(e -> ((ChangeBatch) e.message()).sizeBytes()).sum();
    long lastBatchBytes = ((ChangeBatch) sent.get(sent.size() - 1).message()).sizeBytes();
    assertThat(bytes - lastBatchBytes).isLessThan(bounds.inFlightBytesMax());
    assertThat(sent.size()).isLessThan(20);

    // Acknowledgements open the window again, and every change still arrives exactly once.
    for (int round = 0; round < 40 && !cluster.queue.isEmpty(); round++) {
      cluster.deliverAll();
      cluster.tick(1_000); // A last partial batch leaves after the batch delay.
      cluster.drop(ofType(Heartbeat.class));
    }
    assertThat(cluster.stores.get("b").log(TestCluster.DATASET)).isEqualTo(cluster.stores.get("a").log(TestCluster.DATASET));
  }

  @Test
  void replicaResumesFromLastAckedSequenceAfterReconnect() {
    TestCluster cluster = connectedPair(2, 0, 64);
    for (int i = 0; i < 4; i++) {
      cluster.put("a", "k" + i, "v");
    }
    cluster.deliverAll();
    for (int i = 4; i < 8; i++) {
      cluster.put("a", "k" + i, "v");
    }
    cluster.disconnect("a", "b");
    cluster.queue.clear();

    cluster.connect("a", "b");
    assertThat(cluster.queued(Hello.class)).extracting(e -> ((Hello) e.message()).resumeFromSequence())
        .containsExactly(5L);
    cluster.deliverAll(ofType(Hello.class));

    assertThat(cluster.queued(ChangeBatch.class)).extracting(e -> ((ChangeBatch) e.message()).firstSequence())
        .containsExactly(5L, 7L);
    cluster.deliverAll();
    assertThat(cluster.stores.get("b").log(TestCluster.DATASET)).isEqualTo(cluster.stores.get("a").log(TestCluster.DATASET));
  }

  @Test
  void duplicatedAndReorderedBatchesAreAppliedExactlyOnce() {
    TestCluster cluster = connectedPair(1, 0, 64);
    for (int i = 0; i < 3; i++) {
      cluster.put("a", "k" + i, "v" + i);
    }
    List<TestCluster.Envelope> batches = cluster.queued(ChangeBatch.class);
    assertThat(batches).hasSize(3);

    cluster.deliver(batches.get(2));
    cluster.queue.add(batches.get(2));
    cluster.deliver(batches.get(0));
    cluster.queue.add(batches.get(0));
    cluster.deliver(batches.get(0));
    cluster.deliver(batches.get(1));
    cluster.deliver(batches.get(2));

    assertThat(cluster.stores.get("b").log(TestCluster.DATASET)).isEqualTo(cluster.stores.get("a").log(TestCluster.DATASET));
  }

  @Test
  void gapAsksForOneResendFromTheLastAppliedSequence() {
    TestCluster cluster = connectedPair(1, 0, 64);
    for (int i = 0; i < 3; i++) {
      cluster.put("a", "k" + i, "v");
    }
    List<TestCluster.Envelope> batches = cluster.queued(ChangeBatch.class);
    cluster.drop(envelope -> envelope == batches.get(0));

    cluster.deliver(batches.get(1));
    cluster.deliver(batches.get(2));

    assertThat(cluster.queued(Ack.class)).extracting(e -> (Ack) e.message())
        .containsExactly(new Ack(TestCluster.DATASET, 1, 0, true), new Ack(TestCluster.DATASET, 1, 0, false));
    cluster.deliverAll();
    assertThat(cluster.stores.get("b").lastSequence(TestCluster.DATASET)).isEqualTo(3);
  }

  @Test
  void lostBatchIsResentAfterTheRetransmitTimeout() {
    TestCluster cluster = connectedPair(8, 0, 64);
    cluster.put("a", "k", "v");
    cluster.drop(ofType(ChangeBatch.class));

    cluster.tick(499);
    assertThat(cluster.queued(ChangeBatch.class)).isEmpty();
    cluster.tick(1);

    assertThat(cluster.queued(ChangeBatch.class)).hasSize(1);
    cluster.deliverAll();
    assertThat(cluster.stores.get("b").lastSequence(TestCluster.DATASET)).isEqualTo(1);
  }

  @Test
  void batchWithImpossibleSequencesDisconnectsThePrimary() {
    TestCluster cluster = connectedPair(8, 0, 64);
    cluster.put("a", "k1", "v");
    cluster.put("a", "k2", "v");
    ChangeBatch honest = (ChangeBatch) cluster.queued(ChangeBatch.class).get(0).message();
    ChangeBatch forged = new ChangeBatch(honest.dataset(), honest.epoch(), 1, 5, honest.changes(), 5, 0);

    cluster.apply("b", cluster.nodes.get("b").step(cluster.nowMillis, new Input.PeerMessageReceived("a", forged)));

    assertThat(cluster.disconnects).singleElement().satisfies(d -> {
      assertThat(d.peer()).isEqualTo("a");
      assertThat(d.reason()).contains("sequences 1..5 do not match 1 changes");
    });
    assertThat(cluster.events).hasAtLeastOneElementOfType(ReplicationEvent.ProtocolViolation.class);
    assertThat(cluster.stores.get("b").lastSequence(TestCluster.DATASET)).isZero();
  }

  @Test
  void ackBeyondTheLogDisconnectsTheReplica() {
    TestCluster cluster = connectedPair(8, 0, 64);

    cluster.apply("a", cluster.nodes.get("a").step(cluster.nowMillis,
        new Input.PeerMessageReceived("b", new Ack(TestCluster.DATASET, 1, 7, false))));

    assertThat(cluster.disconnects).singleElement()
        .satisfies(d -> assertThat(d.reason()).contains("acknowledged sequence 7 but the log ends at 0"));
  }

  @Test
  void messageFromARegionOutsideTheDatasetDisconnectsIt() {
    TestCluster cluster = connectedPair(8, 0, 64);

    cluster.apply("a", cluster.nodes.get("a").step(cluster.nowMillis,
        new Input.PeerMessageReceived("z", new Hello(TestCluster.DATASET, 1, 1))));

    assertThat(cluster.disconnects).singleElement()
        .satisfies(d -> assertThat(d.reason()).isEqualTo("z is not a replica of dataset d"));
  }

  @Test
  void replicaRejectsChangesFromAnOlderEpoch() {
    TestCluster cluster = connectedPair(8, 0, 64);
    cluster.put("a", "k", "v");
    ChangeBatch current = (ChangeBatch) cluster.queued(ChangeBatch.class).get(0).message();
    cluster.deliverAll();
    // Epoch 2 is decided (a stays primary); only b has applied the decision so far.
    cluster.apply("b", cluster.nodes.get("b").step(cluster.nowMillis,
        new Input.EpochDecided(TestCluster.DATASET, 2, "a", 1, true)));
    cluster.queue.clear();

    cluster.apply("b", cluster.nodes.get("b").step(cluster.nowMillis, new Input.PeerMessageReceived("a", current)));

    assertThat(cluster.queued(EpochRejected.class)).singleElement()
        .satisfies(e -> assertThat(((EpochRejected) e.message()).currentEpoch()).isEqualTo(2));
    assertThat(cluster.events).contains(new ReplicationEvent.StaleEpochRejected("a", TestCluster.DATASET, 1, 2));
    assertThat(cluster.stores.get("b").epoch(TestCluster.DATASET)).isEqualTo(2);
    assertThat(cluster.queued(PeerMessage.Ack.class)).isEmpty();
  }

  @Test
  void restartedPrimaryAsksForHelloAndShipsWhatTheReplicaLacks() {
    TestCluster cluster = connectedPair(8, 0, 64);
    cluster.put("a", "k1", "v");
    cluster.deliverAll();
    cluster.start("a");
    cluster.put("a", "k2", "v");
    cluster.connect("a", "b");
    cluster.drop(ofType(Hello.class));

    cluster.tick(100);
    assertThat(cluster.queued(Heartbeat.class)).singleElement()
        .satisfies(e -> assertThat(((Heartbeat) e.message()).helloRequested()).isTrue());
    cluster.deliverAll();

    assertThat(cluster.stores.get("b").lastSequence(TestCluster.DATASET)).isEqualTo(2);
  }
}

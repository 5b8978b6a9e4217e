package io.meridian.agent.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.PeerMessage.Ack;
import io.meridian.agent.core.replication.PeerMessage.ChangeBatch;
import io.meridian.agent.core.replication.PeerMessage.ForwardRequest;
import java.util.Optional;
import org.junit.jupiter.api.Test;

// Proves when a write is answered in async and sync modes, who commits forwarded writes, and how
// bad requests are refused.
class CommitRulesTest {

  @Test
  void asyncPrimaryAnswersBeforeAnyReplicaAcknowledges() {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(8, 0, 64), "a", "b", "c");
    cluster.connectAll();
    cluster.deliverAll();

    long request = cluster.put("a", "k", "v");

    ClientResult.Committed committed = (ClientResult.Committed) cluster.result(request);
    assertThat(committed.version().sequence()).isEqualTo(1);
    assertThat(committed.version().committedBy()).isEqualTo("a");
    assertThat(cluster.stores.get("b").lastSequence(TestCluster.DATASET)).isZero();
  }

  @Test
  void syncWriteIsAnsweredOnlyAfterTheConfiguredNumberOfAcks() {
    TestCluster cluster = TestCluster.of(ReplicationMode.SYNC, 1, TestCluster.bounds(8, 0, 64), "a", "b", "c");
    cluster.connectAll();
    cluster.deliverAll();

    long request = cluster.put("a", "k", "v");
    assertThat(cluster.result(request)).isNull();

    cluster.deliverAll(envelope -> envelope.to().equals("b"));
    assertThat(cluster.result(request)).isNull();
    cluster.deliverAll(envelope -> envelope.from().equals("b"));

    assertThat(cluster.result(request)).isInstanceOf(ClientResult.Committed.class);
    assertThat(cluster.stores.get("c").lastSequence(TestCluster.DATASET)).isZero();
  }

  @Test
  void syncWriteWaitingForEveryReplicaTimesOutAsOutcomeUnknown() {
    TestCluster cluster = TestCluster.of(ReplicationMode.SYNC, 2, TestCluster.bounds(8, 0, 64), "a", "b", "c");
    cluster.connectAll();
    cluster.deliverAll();
    long request = cluster.put("a", "k", "v");
    cluster.deliverAll(envelope -> !envelope.to().equals("c") && !envelope.from().equals("c"));

    cluster.tick(999);
    assertThat(cluster.result(request)).isNull();
    cluster.tick(1);

    ClientResult.Failed failed = (ClientResult.Failed) cluster.result(request);
    assertThat(failed.failure()).isEqualTo(Failure.OUTCOME_UNKNOWN);
    assertThat(failed.message()).contains("only 1 of the required 2 replicas");
    assertThat(cluster.events).contains(new ReplicationEvent.SyncAckTimeout(TestCluster.DATASET, 1, 1, 2));
  }

  @Test
  void durableDatasetAsksForStoreSyncBeforeItsBatchesAndAcksLeave() {
    TestCluster cluster = TestCluster.of(ReplicationMode.SYNC, 1, TestCluster.bounds(8, 0, 64), "a", "b");
    cluster.connectAll();
    cluster.deliverAll();

    Output primaryOutput = cluster.apply("a", cluster.nodes.get("a").step(cluster.nowMillis,
        new Input.ClientRequest(99, TestCluster.DATASET,
            new ClientOperation.Put(Bytes.ofUtf8("k"), Bytes.ofUtf8("v")))));
    assertThat(primaryOutput.syncStoreFirst()).isTrue();
    assertThat(primaryOutput.messages()).extracting(Output.Outbound::message).hasAtLeastOneElementOfType(ChangeBatch.class);

    TestCluster.Envelope batch = cluster.queued(ChangeBatch.class).get(0);
    Output replicaOutput = cluster.apply("b", cluster.nodes.get("b").step(cluster.nowMillis,
        new Input.PeerMessageReceived("a", batch.message())));
    assertThat(replicaOutput.syncStoreFirst()).isTrue();
    assertThat(replicaOutput.messages()).extracting(Output.Outbound::message).hasOnlyElementsOfType(Ack.class);
  }

  @Test
  void replicaForwardsWritesAndTheAnswerNamesThePrimaryAsCommitter() {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(8, 0, 64), "a", "b");
    cluster.connectAll();
    cluster.deliverAll();

    long request = cluster.put("b", "k", "v");
    assertThat(cluster.queued(ForwardRequest.class)).hasSize(1);
    cluster.deliverAll();

    ClientResult.Committed committed = (ClientResult.Committed) cluster.result(request);
    assertThat(committed.version().committedBy()).isEqualTo("a");
    assertThat(committed.version().originRegion()).isEqualTo("b");
    assertThat(cluster.stores.get("b").get(TestCluster.DATASET, Bytes.ofUtf8("k")))
        .hasValueSatisfying(stored -> assertThat(stored.value()).isEqualTo(Bytes.ofUtf8("v")));
  }

  @Test
  void duplicatedForwardIsCommittedOnce() {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(8, 0, 64), "a", "b");
    cluster.connectAll();
    cluster.deliverAll();
    cluster.put("b", "k", "v");
    TestCluster.Envelope forward = cluster.queued(ForwardRequest.class).get(0);
    cluster.queue.add(forward);

    cluster.deliverAll();

    assertThat(cluster.stores.get("a").lastSequence(TestCluster.DATASET)).isEqualTo(1);
  }

  @Test
  void replicaRefusesWritesWhileThePrimaryIsUnreachable() {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(8, 0, 64), "a", "b");

    long request = cluster.put("b", "k", "v");

    ClientResult.Failed failed = (ClientResult.Failed) cluster.result(request);
    assertThat(failed.failure()).isEqualTo(Failure.UNAVAILABLE);
    assertThat(failed.message()).contains("primary region a is unreachable from b").contains("nothing was written");
  }

  @Test
  void forwardedWriteWhoseConnectionDropsHasUnknownOutcome() {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(8, 0, 64), "a", "b");
    cluster.connectAll();
    cluster.deliverAll();
    long request = cluster.put("b", "k", "v");

    cluster.disconnect("a", "b");

    assertThat(((ClientResult.Failed) cluster.result(request)).failure()).isEqualTo(Failure.OUTCOME_UNKNOWN);
  }

  @Test
  void compareAndSetWritesOnlyWhenTheExpectationHolds() {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(8, 0, 64), "a", "b");
    Bytes key = Bytes.ofUtf8("k");
    long createIfAbsent = cluster.request("a", new ClientOperation.CompareAndSet(key, Optional.empty(), Bytes.ofUtf8("1")));
    long wrongExpectation = cluster.request("a",
        new ClientOperation.CompareAndSet(key, Optional.of(Bytes.ofUtf8("0")), Bytes.ofUtf8("2")));
    long rightExpectation = cluster.request("a",
        new ClientOperation.CompareAndSet(key, Optional.of(Bytes.ofUtf8("1")), Bytes.ofUtf8("3")));

    assertThat(cluster.result(createIfAbsent)).isInstanceOf(ClientResult.Committed.class);
    ClientResult.CompareFailed failed = (ClientResult.CompareFailed) cluster.result(wrongExpectation);
    assertThat(failed.current()).hasValueSatisfying(current -> assertThat(current.value()).isEqualTo(Bytes.ofUtf8("1")));
    assertThat(((ClientResult.Committed) cluster.result(rightExpectation)).existedBefore()).isTrue();
    assertThat(cluster.stores.get("a").lastSequence(TestCluster.DATASET)).isEqualTo(2);
  }

  @Test
  void deletedKeyReadsAsAbsent() {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(8, 0, 64), "a", "b");
    cluster.put("a", "k", "v");
    long delete = cluster.request("a", new ClientOperation.Delete(Bytes.ofUtf8("k")));
    long read = cluster.request("a", new ClientOperation.Get(Bytes.ofUtf8("k")));

    assertThat(((ClientResult.Committed) cluster.result(delete)).existedBefore()).isTrue();
    assertThat(((ClientResult.Read) cluster.result(read)).value()).isEmpty();
  }

  @Test
  void badRequestsAreRefusedWithAReason() {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(8, 0, 64), "a", "b");

    long empty = cluster.request("a", new ClientOperation.Put(Bytes.EMPTY, Bytes.ofUtf8("v")));
    long longKey = cluster.request("a", new ClientOperation.Put(Bytes.ofUtf8("k".repeat(65)), Bytes.ofUtf8("v")));
    long bigValue = cluster.request("a", new ClientOperation.Put(Bytes.ofUtf8("k"), Bytes.copyOf(new byte[1025])));
    long unknownDataset = 77;
    cluster.apply("a", cluster.nodes.get("a").step(cluster.nowMillis,
        new Input.ClientRequest(unknownDataset, "nope", new ClientOperation.Get(Bytes.ofUtf8("k")))));

    assertThat((ClientResult.Failed) cluster.result(empty)).extracting(ClientResult.Failed::message).asString()
        .contains("key is empty");
    assertThat((ClientResult.Failed) cluster.result(longKey)).extracting(ClientResult.Failed::message).asString()
        .contains("65 bytes; the limit is 64");
    assertThat((ClientResult.Failed) cluster.result(bigValue)).extracting(ClientResult.Failed::failure)
        .isEqualTo(Failure.INVALID_ARGUMENT);
    assertThat((ClientResult.Failed) cluster.result(unknownDataset)).extracting(ClientResult.Failed::failure)
        .isEqualTo(Failure.NOT_FOUND);
    assertThat(cluster.stores.get("a").lastSequence(TestCluster.DATASET)).isZero();
  }

  @Test
  void pendingSyncWritesAreBounded() {
    TestCluster cluster = TestCluster.of(ReplicationMode.SYNC, 1, TestCluster.bounds(8, 0, 64), "a", "b");
    for (int i = 0; i < 100; i++) {
      cluster.put("a", "k" + i, "v");
    }

    long overflow = cluster.put("a", "one-too-many", "v");

    assertThat(((ClientResult.Failed) cluster.result(overflow)).failure()).isEqualTo(Failure.RESOURCE_EXHAUSTED);
    assertThat(cluster.stores.get("a").lastSequence(TestCluster.DATASET)).isEqualTo(100);
  }
}

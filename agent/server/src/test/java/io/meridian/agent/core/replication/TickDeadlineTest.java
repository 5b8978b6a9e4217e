package io.meridian.agent.core.replication;

import static io.meridian.agent.core.replication.TestCluster.ofType;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.PeerMessage.ChangeBatch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves the core says when it next needs time to pass, so a driver can tick it only then, and
// that writes submitted in one step travel as one batch.
class TickDeadlineTest {

  @Test
  void idlePrimaryAsksForItsNextTickWhenTheHeartbeatIsDue() {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(8, 20, 64), "a", "b");
    cluster.connectAll();
    cluster.deliverAll();
    cluster.tick(0);
    cluster.deliverAll();

    // bounds(): heartbeat interval 100 ms.
    assertThat(cluster.nodes.get("a").nextTickAtMillis()).isEqualTo(cluster.nowMillis + 100);
  }

  @Test
  void partialBatchAsksForATickWhenItsDelayEnds() {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(8, 20, 64), "a", "b");
    cluster.connectAll();
    cluster.deliverAll();
    cluster.tick(0);
    cluster.deliverAll();
    long writtenAt = cluster.nowMillis;
    cluster.put("a", "k", "v");

    assertThat(cluster.nodes.get("a").nextTickAtMillis()).isEqualTo(writtenAt + 20);
    cluster.tick(19);
    assertThat(cluster.queued(ChangeBatch.class)).isEmpty();
    cluster.tick(1);
    assertThat(cluster.queued(ChangeBatch.class)).hasSize(1);
  }

  @Test
  void waitingSyncWriteAsksForATickAtItsAcknowledgementTimeout() {
    TestCluster cluster = TestCluster.of(ReplicationMode.SYNC, 1, TestCluster.bounds(8, 0, 64), "a", "b");
    cluster.connectAll();
    cluster.deliverAll();
    cluster.tick(0);
    cluster.deliverAll();
    long writtenAt = cluster.nowMillis;
    long request = cluster.put("a", "k", "v");
    cluster.drop(ofType(ChangeBatch.class));
    cluster.tick(0);
    cluster.drop(ofType(PeerMessage.Heartbeat.class));

    // bounds(): retransmission after 500 ms, sync acknowledgement timeout 1,000 ms.
    assertThat(cluster.nodes.get("a").nextTickAtMillis()).isEqualTo(writtenAt + 100);
    for (int i = 0; i < 20 && cluster.responses.stream().noneMatch(r -> r.requestId() == request); i++) {
      cluster.tick(cluster.nodes.get("a").nextTickAtMillis() - cluster.nowMillis);
      cluster.drop(ofType(ChangeBatch.class));
    }
    assertThat(cluster.result(request)).isInstanceOf(ClientResult.Failed.class);
    assertThat(cluster.nowMillis).isEqualTo(writtenAt + 1_000);
  }

  @Test
  void writesSubmittedInOneStepTravelAsOneBatch() {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(8, 0, 64), "a", "b");
    cluster.connectAll();
    cluster.deliverAll();
    List<Input> puts = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      puts.add(new Input.ClientRequest(100 + i, TestCluster.DATASET,
          new ClientOperation.Put(Bytes.ofUtf8("k" + i), Bytes.ofUtf8("v" + i))));
    }

    cluster.apply("a", cluster.nodes.get("a").stepAll(cluster.nowMillis, puts));

    assertThat(cluster.queued(ChangeBatch.class)).singleElement().satisfies(envelope -> {
      ChangeBatch batch = (ChangeBatch) envelope.message();
      assertThat(batch.firstSequence()).isEqualTo(1);
      assertThat(batch.lastSequence()).isEqualTo(5);
    });
    cluster.deliverAll();
    assertThat(cluster.stores.get("b").readLog(TestCluster.DATASET, 1, 10, Long.MAX_VALUE)).hasSize(5);
  }

  @Test
  void aPutThenACompareAndSetInOneStepSeeEachOther() {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(8, 0, 64), "a", "b");
    List<Input> inputs = List.of(
        new Input.ClientRequest(1, TestCluster.DATASET, new ClientOperation.Put(Bytes.ofUtf8("k"), Bytes.ofUtf8("v1"))),
        new Input.ClientRequest(2, TestCluster.DATASET, new ClientOperation.CompareAndSet(Bytes.ofUtf8("k"),
            java.util.Optional.of(Bytes.ofUtf8("v1")), Bytes.ofUtf8("v2"))),
        new Input.ClientRequest(3, TestCluster.DATASET, new ClientOperation.Get(Bytes.ofUtf8("k"))));

    cluster.apply("a", cluster.nodes.get("a").stepAll(cluster.nowMillis, inputs));

    assertThat(cluster.result(2)).isInstanceOf(ClientResult.Committed.class);
    assertThat(((ClientResult.Committed) cluster.result(2)).existedBefore()).isTrue();
    assertThat(((ClientResult.Read) cluster.result(3)).value().orElseThrow().value()).isEqualTo(Bytes.ofUtf8("v2"));
    assertThat(cluster.stores.get("a").lastSequence(TestCluster.DATASET)).isEqualTo(2);
  }
}

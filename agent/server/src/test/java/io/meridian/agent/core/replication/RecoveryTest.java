package io.meridian.agent.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.replication.PeerMessage.Hello;
import org.junit.jupiter.api.Test;

// Proves that a node rebuilt from its store continues where the crashed one stopped.
class RecoveryTest {

  @Test
  void restartedPrimaryContinuesTheSequenceAndItsClock() {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(8, 0, 64), "a", "b");
    long first = cluster.put("a", "k", "v1");
    ClientResult.Committed before = (ClientResult.Committed) cluster.result(first);

    cluster.nowMillis -= 500;
    cluster.start("a");
    long second = cluster.put("a", "k", "v2");

    ClientResult.Committed after = (ClientResult.Committed) cluster.result(second);
    assertThat(after.version().sequence()).isEqualTo(2);
    assertThat(after.version().timestamp()).as("clock recovered from the log, despite the wall clock stepping back")
        .isGreaterThan(before.version().timestamp());
  }

  @Test
  void restartedReplicaSaysHelloFromItsStoredSequence() {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(8, 0, 64), "a", "b");
    cluster.connectAll();
    cluster.deliverAll();
    cluster.put("a", "k1", "v");
    cluster.put("a", "k2", "v");
    cluster.deliverAll();

    cluster.start("b");
    cluster.queue.clear();
    cluster.connect("a", "b");

    assertThat(cluster.queued(Hello.class)).extracting(e -> ((Hello) e.message()).resumeFromSequence())
        .containsExactly(3L);
  }
}

package io.meridian.agent.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.ReplicationMode;
import org.junit.jupiter.api.Test;

/**
 * The async primary's backlog bound (ADR 0037): a connected replica that was keeping up, still
 * answers heartbeats and stops applying makes the primary refuse writes with {@code
 * RESOURCE_EXHAUSTED} and a message naming it once its backlog reaches {@code backlogChangesMax},
 * and writes flow again as it catches up; a replica that is down, hung (answers nothing for the
 * detection timeout), or that returns with a backlog from an outage never stops the writes. The
 * same bound holds in time (ADR 0041): an async replica more than {@code backlogMillisMax} behind
 * beyond its heartbeat round trip stops the writes however few changes it misses, and one that is
 * only as far behind as its round trip never does. A replica that stopped answering heartbeats for
 * the detection timeout while its stream stayed open returns like a reconnecting one: it catches up
 * without stopping the writes; a shorter silence changes nothing.
 */
class BacklogPushbackTest {
  private static final String D = TestCluster.DATASET;
  /** In-flight window of 4 changes: a backlog bound of 64. */
  private static final int IN_FLIGHT = 4;
  private static final long BACKLOG_MAX = 16L * IN_FLIGHT;

  private static TestCluster cluster() {
    return cluster(IN_FLIGHT);
  }

  private static TestCluster cluster(int inFlight) {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(4, 0, inFlight), "a", "b", "c");
    cluster.connectAll();
    cluster.deliverAll();
    cluster.put("a", "first", "v");
    cluster.tick(100); // Heartbeats, answered by both.
    cluster.deliverAll(); // b and c acknowledge: both are keeping up.
    return cluster;
  }

  private static boolean notTouchingC(TestCluster.Envelope envelope) {
    return !envelope.to().equals("c") && !envelope.from().equals("c");
  }

  /** c answers heartbeats but applies no change batch: a replica too slow for the load. */
  private static boolean allButBatchesToC(TestCluster.Envelope envelope) {
    return !(envelope.to().equals("c") && envelope.message() instanceof PeerMessage.ChangeBatch);
  }

  /** Writes until the first refusal (at most 200); the number accepted and the refusal. */
  private static ClientResult writeUntilRefused(TestCluster cluster, java.util.function.Predicate<TestCluster.Envelope> delivered,
      long[] accepted) {
    for (int i = 0; i < 200; i++) {
      long request = cluster.put("a", "k" + i, "v" + i);
      cluster.deliverAll(delivered);
      ClientResult result = cluster.result(request);
      if (!(result instanceof ClientResult.Committed)) {
        return result;
      }
      accepted[0]++;
    }
    return null;
  }

  @Test
  void aStalledReplicaMakesThePrimaryRefuseWritesAtTheBoundAndWritesResumeAsItCatchesUp() {
    TestCluster cluster = cluster();
    long head = cluster.stores.get("a").lastSequence(D);
    // c is connected and answers heartbeats but applies nothing from now on; b keeps up.
    long[] counted = new long[1];
    ClientResult refused = writeUntilRefused(cluster, BacklogPushbackTest::allButBatchesToC, counted);
    long accepted = counted[0];

    // c applied the first write only.
    assertThat(head + accepted - 1).as("changes c has not applied when the primary refused").isEqualTo(BACKLOG_MAX);
    assertThat(refused).isInstanceOf(ClientResult.Failed.class);
    ClientResult.Failed failed = (ClientResult.Failed) refused;
    assertThat(failed.failure()).isEqualTo(Failure.RESOURCE_EXHAUSTED);
    assertThat(failed.message()).contains("replica c", "64 changes", "backlogChangesMax", "nothing was written");
    assertThat(cluster.stores.get("a").lastSequence(D)).isEqualTo(BACKLOG_MAX + 1);
    assertThat(cluster.stores.get("b").lastSequence(D)).isEqualTo(BACKLOG_MAX + 1);

    cluster.deliverAll(); // c catches up.
    long request = cluster.put("a", "after", "v");
    assertThat(cluster.result(request)).isInstanceOf(ClientResult.Committed.class);
    cluster.deliverAll();
    assertThat(cluster.stores.get("c").lastSequence(D)).isEqualTo(BACKLOG_MAX + 2);
  }

  @Test
  void aHungReplicaStopsTheWritesOnlyUntilTheDetectionTimeout() {
    TestCluster cluster = cluster();
    // c answers nothing at all from now on, yet its connection stays open.
    long[] accepted = new long[1];
    assertThat(writeUntilRefused(cluster, BacklogPushbackTest::notTouchingC, accepted))
        .isInstanceOf(ClientResult.Failed.class);
    assertThat(accepted[0]).isEqualTo(BACKLOG_MAX);
    // The detection timeout (1 s) passes with heartbeats to c unanswered; b answers its own.
    for (int i = 0; i < 11; i++) {
      cluster.tick(100);
      cluster.deliverAll(BacklogPushbackTest::notTouchingC);
    }
    long request = cluster.put("a", "after", "v");
    assertThat(cluster.result(request)).isInstanceOf(ClientResult.Committed.class);
  }

  @Test
  void aReplicaThatStoppedAnsweringForTheDetectionTimeoutReturnsBehindWithoutStoppingTheWrites() {
    TestCluster cluster = cluster(); // c was keeping up.
    // c answers nothing for the detection timeout (1 s) and more, yet its stream stays open: a cut
    // link or a pause. What was sent to it or by it meanwhile is lost.
    for (int i = 0; i < 11; i++) {
      cluster.tick(100);
      cluster.drop(envelope -> !notTouchingC(envelope));
      cluster.deliverAll();
    }
    // The primary, no longer hearing c, writes three bounds ahead of it.
    int writes = (int) BACKLOG_MAX * 3;
    for (int i = 0; i < writes; i++) {
      long request = cluster.put("a", "k" + i, "v" + i);
      cluster.drop(envelope -> !notTouchingC(envelope));
      cluster.deliverAll();
      assertThat(cluster.result(request)).as("write %d while c is silent", i).isInstanceOf(ClientResult.Committed.class);
    }

    // c answers heartbeats again but has applied none of them yet: it catches up without pushing back.
    for (int i = 0; i < 5; i++) {
      cluster.tick(100);
      cluster.deliverAll(BacklogPushbackTest::allButBatchesToC);
      long request = cluster.put("a", "back" + i, "v");
      cluster.deliverAll(BacklogPushbackTest::allButBatchesToC);
      assertThat(cluster.result(request)).as("write %d after c answered again, %d changes behind", i,
          cluster.stores.get("a").lastSequence(D) - cluster.stores.get("c").lastSequence(D))
          .isInstanceOf(ClientResult.Committed.class);
    }
    assertThat(cluster.stores.get("a").lastSequence(D) - cluster.stores.get("c").lastSequence(D))
        .as("c's backlog when it answered again").isGreaterThan(BACKLOG_MAX);
    cluster.deliverAll(); // c catches up.
    assertThat(cluster.stores.get("c").lastSequence(D)).isEqualTo(cluster.stores.get("a").lastSequence(D));
  }

  @Test
  void aReplicaSilentForLessThanTheDetectionTimeoutStillStopsTheWritesWhenItReturnsBehind() {
    TestCluster cluster = cluster(); // c was keeping up.
    // c answers nothing for 800 ms, under the detection timeout, with no writes meanwhile.
    for (int i = 0; i < 8; i++) {
      cluster.tick(100);
      cluster.drop(envelope -> !notTouchingC(envelope));
      cluster.deliverAll();
    }
    cluster.tick(100);
    cluster.deliverAll(); // c answers the heartbeat sent 900 ms after the last one it answered.
    // It keeps answering but applies nothing: still keeping up as far as the primary knows, so it
    // stops the writes at the bound (ADR 0037, 0041).
    long[] accepted = new long[1];
    ClientResult refused = writeUntilRefused(cluster, BacklogPushbackTest::allButBatchesToC, accepted);
    assertThat(refused).isInstanceOf(ClientResult.Failed.class);
    assertThat(((ClientResult.Failed) refused).failure()).isEqualTo(Failure.RESOURCE_EXHAUSTED);
    assertThat(((ClientResult.Failed) refused).message()).contains("replica c", "nothing was written");
    assertThat(accepted[0]).isLessThanOrEqualTo(BACKLOG_MAX);
  }

  @Test
  void aReplicaThatIsDownOrReturnsWithABacklogNeverStopsTheWrites() {
    TestCluster cluster = cluster();
    cluster.disconnect("a", "c");
    int writes = (int) BACKLOG_MAX * 3;
    for (int i = 0; i < writes; i++) {
      long request = cluster.put("a", "k" + i, "v" + i);
      cluster.deliverAll();
      assertThat(cluster.result(request)).as("write %d while c is down", i).isInstanceOf(ClientResult.Committed.class);
    }
    // c returns three bounds behind and catches up while the primary keeps writing.
    cluster.connect("a", "c");
    for (int i = 0; i < 20; i++) {
      long request = cluster.put("a", "again" + i, "v");
      assertThat(cluster.result(request)).as("write %d while c catches up", i).isInstanceOf(ClientResult.Committed.class);
      // c applies one batch per write: still far behind.
      cluster.queued(PeerMessage.ChangeBatch.class).stream().filter(e -> e.to().equals("c")).findFirst()
          .ifPresent(cluster::deliver);
      cluster.deliverAll(envelope -> !(envelope.message() instanceof PeerMessage.ChangeBatch && envelope.to().equals("c")));
    }
    cluster.deliverAll();
    long head = cluster.stores.get("a").lastSequence(D);
    assertThat(cluster.stores.get("c").lastSequence(D)).isEqualTo(head);
    assertThat(head).isEqualTo(1 + writes + 20);
  }

  @Test
  void aReplicaFallingBehindInTimeStopsTheWritesBeforeTheChangeBoundAndTheyResumeAsItCatchesUp() {
    TestCluster cluster = cluster();
    long backlogMillisMax = io.meridian.agent.config.ReplicationBounds.BACKLOG_MILLIS_MAX;
    // One write every 10 ms: the change bound (64) would allow 640 ms; c applies nothing.
    ClientResult refused = null;
    int accepted = 0;
    for (int i = 0; i < 60 && refused == null; i++) {
      cluster.tick(10);
      long request = cluster.put("a", "k" + i, "v" + i);
      cluster.deliverAll(BacklogPushbackTest::allButBatchesToC);
      ClientResult result = cluster.result(request);
      if (result instanceof ClientResult.Committed) {
        accepted++;
      } else {
        refused = result;
      }
    }

    assertThat(refused).as("refusal within 60 writes 10 ms apart").isInstanceOf(ClientResult.Failed.class);
    // The first write c misses was committed 10 ms after the last one it applied. c's lag is judged
    // when it is heard (its heartbeat replies, every 100 ms here, answered at once: round trip 0),
    // so the refusal comes with the first reply at which that write is the bound old.
    assertThat(accepted).isBetween((int) (backlogMillisMax / 10), (int) (backlogMillisMax / 10) + 10);
    assertThat(accepted).isLessThan((int) BACKLOG_MAX);
    ClientResult.Failed failed = (ClientResult.Failed) refused;
    assertThat(failed.failure()).isEqualTo(Failure.RESOURCE_EXHAUSTED);
    assertThat(failed.message()).contains("replica c", " ms behind beyond its 0 ms round trip", "backlogMillisMax",
        accepted + " changes not yet applied", "nothing was written");

    // Writes refused in the same moment share one refusal, which the transport encodes once.
    long again = cluster.put("a", "again", "v");
    assertThat(cluster.result(again)).isSameAs(refused);

    cluster.deliverAll(); // c catches up.
    cluster.tick(10);
    long request = cluster.put("a", "after", "v");
    assertThat(cluster.result(request)).isInstanceOf(ClientResult.Committed.class);
    cluster.deliverAll();
    assertThat(cluster.stores.get("c").lastSequence(D)).isEqualTo(cluster.stores.get("a").lastSequence(D));
  }

  @Test
  void aReplicaBehindOnlyByItsRoundTripNeverStopsTheWrites() {
    // A window of 64 changes: c's round trip, not the window, limits how far behind it is.
    TestCluster cluster = cluster(64);
    long oneWayMillis = 150; // A round trip of 300 ms, three times the bound in time.
    java.util.Map<TestCluster.Envelope, Long> queuedAt = new java.util.IdentityHashMap<>();
    // Half a second without writes first: heartbeats measure the round trip.
    for (int i = -50; i < 100; i++) { // Then one second of writes, 10 ms apart.
      cluster.tick(10);
      long request = i < 0 ? -1 : cluster.put("a", "k" + i, "v" + i);
      long now = cluster.nowMillis;
      for (TestCluster.Envelope envelope : cluster.queue) {
        queuedAt.putIfAbsent(envelope, now);
      }
      // Messages to and from c travel oneWayMillis; messages sent while delivering wait for a later round.
      cluster.deliverAll(envelope -> notTouchingC(envelope)
          || (queuedAt.containsKey(envelope) && now - queuedAt.get(envelope) >= oneWayMillis));
      if (i >= 0) {
        assertThat(cluster.result(request)).as("write %d, c %d ms away", i, oneWayMillis)
            .isInstanceOf(ClientResult.Committed.class);
      }
    }
    assertThat(cluster.stores.get("c").lastSequence(D)).as("c kept applying")
        .isGreaterThan(cluster.stores.get("a").lastSequence(D) - 2 * oneWayMillis / 10);
  }
}

package io.meridian.agent.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReadPolicy;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

// Proves the read levels of ADR 0021 at the core, one promise at a time: a session read never
// returns anything older than its token (served locally once reached, after waiting through ticks,
// or by the primary), bounded-staleness is local only under the bound, strong reads are served by a
// primary only while it holds its write lease, and levels a mode cannot serve are refused with one
// that works.
class ReadLevelsTest {
  private static final FailoverPolicy LEASE = new FailoverPolicy(true, 1_000, 100);
  private static final Bytes KEY = Bytes.ofUtf8("k");

  private static TestCluster asyncCluster(FailoverPolicy failover, ReadPolicy reads) {
    TestCluster cluster = TestCluster.of(ReplicationMode.ASYNC, 0, TestCluster.bounds(8, 0, 64), failover, reads,
        "a", "b", "c");
    cluster.connectEveryPair();
    cluster.deliverAll();
    return cluster;
  }

  private static ClientOperation read(RequestOptions.ReadLevel level, Optional<SessionToken> token) {
    return new ClientOperation.Tuned(new ClientOperation.Get(KEY), RequestOptions.read(level, token));
  }

  private static SessionToken write(TestCluster cluster, String value) {
    ClientResult result = cluster.result(cluster.put("a", "k", value));
    assertThat(result).isInstanceOf(ClientResult.Committed.class);
    return SessionToken.forWrite(TestCluster.DATASET, ReplicationMode.ASYNC, ((ClientResult.Committed) result).version());
  }

  private static String value(ClientResult result) {
    assertThat(result).isInstanceOf(ClientResult.Read.class);
    return ((ClientResult.Read) result).value().map(v -> v.value().toUtf8()).orElse(null);
  }

  private static boolean isBatchTo(TestCluster.Envelope envelope, String region) {
    return envelope.to().equals(region) && envelope.message() instanceof PeerMessage.ChangeBatch;
  }

  @Test
  void sessionReadAtALaggingReplicaWaitsUntilTheReplicaHasTheWrite() {
    TestCluster cluster = asyncCluster(FailoverPolicy.MANUAL, ReadPolicy.DEFAULTS);
    SessionToken token = write(cluster, "v1");
    long eventual = cluster.request("b", read(RequestOptions.ReadLevel.EVENTUAL, Optional.empty()));
    long session = cluster.request("b", read(RequestOptions.ReadLevel.SESSION, Optional.of(token)));

    assertThat(value(cluster.result(eventual))).as("eventual does not wait").isNull();
    assertThat(cluster.result(session)).as("the session read waits for the write").isNull();
    cluster.deliverAll();
    assertThat(value(cluster.result(session))).isEqualTo("v1");
    assertThat(((ClientResult.Read) cluster.result(session)).servedBy()).isEqualTo("b");
  }

  @Test
  void sessionReadIsForwardedToThePrimaryWhenTheReplicaStaysBehind() {
    TestCluster cluster = asyncCluster(FailoverPolicy.MANUAL, ReadPolicy.DEFAULTS);
    SessionToken token = write(cluster, "v1");
    cluster.drop(envelope -> isBatchTo(envelope, "b"));
    long session = cluster.request("b", read(RequestOptions.ReadLevel.SESSION, Optional.of(token)));

    cluster.tick(ReadPolicy.SESSION_WAIT_MILLIS_DEFAULT - 1);
    assertThat(cluster.queued(PeerMessage.ForwardRequest.class)).isEmpty();
    cluster.tick(1);
    cluster.drop(envelope -> isBatchTo(envelope, "b")); // Retransmissions stay lost: b never catches up.
    cluster.deliverAll(envelope -> !isBatchTo(envelope, "b"));

    ClientResult result = cluster.result(session);
    assertThat(value(result)).isEqualTo("v1");
    assertThat(((ClientResult.Read) result).servedBy()).isEqualTo("a");
  }

  @Test
  void sessionReadAtAReplicaCutFromThePrimaryFailsWithTheReasonInsteadOfReturningOlderData() {
    TestCluster cluster = asyncCluster(FailoverPolicy.MANUAL, ReadPolicy.DEFAULTS);
    SessionToken token = write(cluster, "v1");
    cluster.disconnect("a", "b");
    long session = cluster.request("b", read(RequestOptions.ReadLevel.SESSION, Optional.of(token)));
    cluster.tick(ReadPolicy.SESSION_WAIT_MILLIS_DEFAULT);

    assertThat(cluster.result(session)).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.UNAVAILABLE);
      assertThat(failed.message()).contains("primary region a is unreachable").contains("read at a");
    });
  }

  @Test
  void aTokenOfAnotherDatasetOrModeIsAnInvalidArgument() {
    TestCluster cluster = asyncCluster(FailoverPolicy.MANUAL, ReadPolicy.DEFAULTS);
    SessionToken other = new SessionToken("other", new SessionToken.LogPosition(1, 1));
    SessionToken quorum = new SessionToken(TestCluster.DATASET, new SessionToken.ClockPosition(5, 0));
    ClientResult wrongDataset = cluster.result(cluster.request("b",
        read(RequestOptions.ReadLevel.SESSION, Optional.of(other))));
    ClientResult wrongMode = cluster.result(cluster.request("b",
        read(RequestOptions.ReadLevel.SESSION, Optional.of(quorum))));

    assertThat(wrongDataset).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.INVALID_ARGUMENT);
      assertThat(failed.message()).contains("belongs to dataset other, not d");
    });
    assertThat(wrongMode).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.INVALID_ARGUMENT);
      assertThat(failed.message()).contains("another replication mode");
    });
  }

  @Test
  void boundedStalenessIsLocalUnderTheBoundAndForwardedOverIt() {
    TestCluster cluster = asyncCluster(FailoverPolicy.MANUAL, ReadPolicy.bounded(500, 10));
    write(cluster, "v1");
    cluster.tick(100); // A heartbeat tells the replicas they are current.
    cluster.deliverAll();
    ClientResult fresh = cluster.result(cluster.request("b",
        read(RequestOptions.ReadLevel.BOUNDED_STALENESS, Optional.empty())));
    assertThat(value(fresh)).isEqualTo("v1");
    assertThat(((ClientResult.Read) fresh).servedBy()).isEqualTo("b");

    write(cluster, "v2");
    cluster.drop(envelope -> isBatchTo(envelope, "b") || envelope.to().equals("b"));
    cluster.tick(600);
    cluster.drop(envelope -> envelope.to().equals("b")); // b hears nothing: its lag grows past 500 ms.
    long stale = cluster.request("b", read(RequestOptions.ReadLevel.BOUNDED_STALENESS, Optional.empty()));
    cluster.deliverAll(envelope -> !envelope.to().equals("b") || envelope.message() instanceof PeerMessage.ForwardResponse);
    assertThat(value(cluster.result(stale))).as("forwarded to the primary").isEqualTo("v2");
    assertThat(((ClientResult.Read) cluster.result(stale)).servedBy()).isEqualTo("a");
  }

  @Test
  void boundedStalenessIsRefusedWithoutABoundOrOverItWhenTheDatasetSaysSo() {
    TestCluster unbounded = asyncCluster(FailoverPolicy.MANUAL, ReadPolicy.DEFAULTS);
    assertThat(unbounded.result(unbounded.request("b", read(RequestOptions.ReadLevel.BOUNDED_STALENESS,
        Optional.empty())))).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
          assertThat(failed.failure()).isEqualTo(Failure.FAILED_PRECONDITION);
          assertThat(failed.message()).contains("no staleness bound").contains("session");
        });

    TestCluster refusing = asyncCluster(FailoverPolicy.MANUAL, new ReadPolicy(500, 0, true, 300));
    refusing.disconnect("a", "b");
    refusing.tick(600);
    assertThat(refusing.result(refusing.request("b", read(RequestOptions.ReadLevel.BOUNDED_STALENESS,
        Optional.empty())))).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
          assertThat(failed.failure()).isEqualTo(Failure.UNAVAILABLE);
          assertThat(failed.message()).containsAnyOf("lags", "has not yet heard").contains("primary a");
        });
  }

  @Test
  void strongReadsAreServedByAPrimaryOnlyWhileItHoldsItsLease() {
    TestCluster cluster = asyncCluster(LEASE, ReadPolicy.DEFAULTS);
    cluster.tick(100);
    cluster.deliverAll();
    write(cluster, "v1");
    cluster.deliverAll();
    ClientResult atPrimary = cluster.result(cluster.request("a", read(RequestOptions.ReadLevel.STRONG,
        Optional.empty())));
    assertThat(value(atPrimary)).isEqualTo("v1");

    long atReplica = cluster.request("c", read(RequestOptions.ReadLevel.STRONG, Optional.empty()));
    cluster.deliverAll();
    assertThat(((ClientResult.Read) cluster.result(atReplica)).servedBy()).as("a replica forwards").isEqualTo("a");

    cluster.disconnect("a", "b");
    cluster.disconnect("a", "c");
    cluster.tick(1_000);
    ClientResult isolated = cluster.result(cluster.request("a", read(RequestOptions.ReadLevel.STRONG,
        Optional.empty())));
    assertThat(isolated).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.UNAVAILABLE);
      assertThat(failed.message()).contains("heard from 1 of the 2 regions").contains("strong read was not served");
    });
  }

  @Test
  void aPrimaryResumingFromAPauseChecksItsLeaseForTheReadsOwnTimeNotTheLastTick() {
    TestCluster cluster = asyncCluster(LEASE, ReadPolicy.DEFAULTS);
    cluster.tick(100);
    cluster.deliverAll();
    write(cluster, "v1");
    cluster.deliverAll();
    assertThat(value(cluster.result(cluster.request("a", read(RequestOptions.ReadLevel.STRONG, Optional.empty())))))
        .isEqualTo("v1");

    // Paused past its lease (no tick, no message), the primary's first work on resuming is a read.
    cluster.nowMillis += 2_000;
    ClientResult resumed = cluster.result(cluster.request("a", read(RequestOptions.ReadLevel.STRONG,
        Optional.empty())));
    assertThat(resumed).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.UNAVAILABLE);
      assertThat(failed.message()).contains("strong read was not served");
    });
  }

  @Test
  void strongReadsWithoutALeaseAndQuorumReadsOfASinglePrimaryDatasetAreRefusedWithALevelThatWorks() {
    TestCluster cluster = asyncCluster(FailoverPolicy.MANUAL, ReadPolicy.DEFAULTS);
    assertThat(cluster.result(cluster.request("a", read(RequestOptions.ReadLevel.STRONG, Optional.empty()))))
        .isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
          assertThat(failed.failure()).isEqualTo(Failure.FAILED_PRECONDITION);
          assertThat(failed.message()).contains("no write lease").contains("session");
        });
    assertThat(cluster.result(cluster.request("b", read(RequestOptions.ReadLevel.QUORUM, Optional.empty()))))
        .isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
          assertThat(failed.failure()).isEqualTo(Failure.FAILED_PRECONDITION);
          assertThat(failed.message()).contains("cannot serve quorum reads").contains("use strong");
        });
  }

  @Test
  void multiPrimarySessionReadsWaitForEveryOriginInTheTokenAndStrongIsRefused() {
    DatasetConfig dataset = DatasetConfig.multiPrimary("profiles", List.of("eu", "us"), ConflictResolution.LWW,
        FsyncPolicy.OPERATING_SYSTEM, List.of());
    AgentConfig config = new AgentConfig("eu", List.of(new PeerConfig("us", "localhost:0", LinkEmulation.NONE)),
        List.of(dataset), TestCluster.bounds(16, 0, 64));
    ReplicationNode node = new ReplicationNode(config, new InMemoryReplicaStore(), 1_000);
    Output written = node.step(1_001, new Input.ClientRequest(1, "profiles", new ClientOperation.Put(KEY, KEY)));
    ClientResult.Committed committed = (ClientResult.Committed) written.responses().get(0).result();
    SessionToken own = SessionToken.forWrite("profiles", ReplicationMode.MULTI_PRIMARY, committed.version());
    SessionToken fromUs = own.merge(new SessionToken("profiles", new SessionToken.OriginSequences(Map.of("us", 3L))));

    ClientResult ownRead = node.step(1_002, new Input.ClientRequest(2, "profiles", new ClientOperation.Tuned(
        new ClientOperation.Get(KEY), RequestOptions.read(RequestOptions.ReadLevel.SESSION, Optional.of(own)))))
        .responses().get(0).result();
    Output waiting = node.step(1_003, new Input.ClientRequest(3, "profiles", new ClientOperation.Tuned(
        new ClientOperation.Get(KEY), RequestOptions.read(RequestOptions.ReadLevel.SESSION, Optional.of(fromUs)))));
    assertThat(waiting.responses()).as("the read waits for us's writes").isEmpty();
    assertThat(node.nextTickAtMillis()).isLessThanOrEqualTo(1_003 + ReadPolicy.SESSION_WAIT_MILLIS_DEFAULT);
    assertThat(node.tick(1_002 + ReadPolicy.SESSION_WAIT_MILLIS_DEFAULT).responses()).isEmpty();
    ClientResult behind = node.tick(1_003 + ReadPolicy.SESSION_WAIT_MILLIS_DEFAULT).responses().get(0).result();
    ClientResult strong = node.step(1_004, new Input.ClientRequest(4, "profiles", new ClientOperation.Tuned(
        new ClientOperation.Get(KEY), RequestOptions.read(RequestOptions.ReadLevel.STRONG, Optional.empty()))))
        .responses().get(0).result();

    assertThat(ownRead).isInstanceOf(ClientResult.Read.class);
    assertThat(behind).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.UNAVAILABLE);
      assertThat(failed.message()).contains("us's writes through 0").contains("needs 3").contains("read at us");
    });
    assertThat(strong).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.FAILED_PRECONDITION);
      assertThat(failed.message()).contains("use session");
    });
  }
}

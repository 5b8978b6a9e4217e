package io.meridian.agent.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.QuorumPolicy;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.sim.QuorumCluster;
import io.meridian.agent.sim.QuorumCluster.Envelope;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

// Proves what a client of a quorum dataset relies on at the coordinator it reaches: a write is
// answered only once W replicas hold it, a read returns the newest of R answers and repairs the
// stale replicas it saw, a request that cannot reach its count fails (at once, or at its deadline
// with how many answered) and never hangs, unreachable replicas get durable hints delivered once
// when they return, and levels a dataset cannot honour are refused with one that works.
class QuorumCoordinatorTest {
  private static final List<String> REGIONS = List.of("a", "b", "c");
  private static final QuorumPolicy W2_R2 = new QuorumPolicy(2, 2, 1_000, 100);

  private static QuorumCluster cluster(QuorumPolicy policy) {
    QuorumCluster cluster = new QuorumCluster(policy, REGIONS);
    cluster.connectAll();
    cluster.deliverAll(); // hellos
    return cluster;
  }

  private static java.util.function.Predicate<Envelope> to(String region, Class<? extends PeerMessage> type) {
    return envelope -> envelope.to().equals(region) && type.isInstance(envelope.message());
  }

  private static java.util.function.Predicate<Envelope> from(String region, Class<? extends PeerMessage> type) {
    return envelope -> envelope.from().equals(region) && type.isInstance(envelope.message());
  }

  private static Optional<StoredValue> stored(QuorumCluster cluster, String region, String key) {
    return cluster.store(region).get(QuorumCluster.DATASET, Bytes.ofUtf8(key));
  }

  private static String value(ClientResult result) {
    return ((ClientResult.Read) result).value().map(v -> v.value().toUtf8()).orElse(null);
  }

  @Test
  void writeIsAnsweredOnlyOnceWReplicasHoldIt() {
    QuorumCluster cluster = cluster(W2_R2);
    long put = cluster.put("a", "k", "v1");
    assertThat(cluster.result(put)).as("the coordinator's own copy is one of the two").isNull();
    assertThat(cluster.deliverFirst(to("b", PeerMessage.QuorumWrite.class))).isTrue();
    assertThat(cluster.result(put)).isNull();
    assertThat(cluster.deliverFirst(from("b", PeerMessage.QuorumWriteAck.class))).isTrue();
    assertThat(cluster.result(put)).isInstanceOfSatisfying(ClientResult.Committed.class,
        committed -> assertThat(committed.version().committedBy()).isEqualTo("a"));
    assertThat(stored(cluster, "a", "k")).isPresent();
    assertThat(stored(cluster, "b", "k")).isPresent();
    assertThat(stored(cluster, "c", "k")).as("c's write is still in flight").isEmpty();
  }

  @Test
  void readReturnsTheNewestOfRAnswersAndRepairsTheStaleReplicasItSaw() {
    QuorumCluster cluster = cluster(W2_R2);
    long first = cluster.put("a", "k", "old");
    cluster.deliverAll();
    assertThat(cluster.result(first)).isInstanceOf(ClientResult.Committed.class);
    long second = cluster.put("a", "k", "new");
    cluster.deliverFirst(to("b", PeerMessage.QuorumWrite.class));
    cluster.deliverFirst(from("b", PeerMessage.QuorumWriteAck.class));
    cluster.drop(to("c", PeerMessage.QuorumWrite.class)); // c keeps "old"
    assertThat(cluster.result(second)).isInstanceOf(ClientResult.Committed.class);

    long read = cluster.get("c", "k");
    assertThat(cluster.result(read)).as("c's own answer is one of two").isNull();
    cluster.deliverAll();
    assertThat(value(cluster.result(read))).isEqualTo("new");
    assertThat(stored(cluster, "c", "k").orElseThrow().value().toUtf8())
        .as("c repaired itself from what the read saw").isEqualTo("new");
  }

  @Test
  void readRepairReachesAStaleRemoteReplica() {
    QuorumCluster cluster = cluster(new QuorumPolicy(2, 3, 1_000, 100));
    cluster.put("a", "k", "v");
    cluster.deliverFirst(to("b", PeerMessage.QuorumWrite.class));
    cluster.drop(to("c", PeerMessage.QuorumWrite.class));
    cluster.deliverAll();
    assertThat(stored(cluster, "c", "k")).isEmpty();
    long read = cluster.get("b", "k");
    cluster.deliverAll();
    assertThat(value(cluster.result(read))).isEqualTo("v");
    assertThat(stored(cluster, "c", "k").orElseThrow().value().toUtf8()).isEqualTo("v");
  }

  @Test
  void aWriteThatCannotReachWFailsAtOnceAndWritesNothing() {
    QuorumCluster cluster = cluster(new QuorumPolicy(3, 2, 1_000, 100));
    cluster.crash("c");
    long put = cluster.put("a", "k", "v");
    assertThat(cluster.result(put)).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.UNAVAILABLE);
      assertThat(failed.message()).contains("needs 3 of 3").contains("only 2 are reachable").contains("c unreachable")
          .contains("Nothing was written");
    });
    assertThat(cluster.store("a").lastSequence(QuorumCluster.DATASET)).isZero();
    assertThat(cluster.queued()).isEmpty();
  }

  @Test
  void aRequestWithoutEnoughAnswersFailsAtItsDeadlineSayingHowManyAnswered() {
    QuorumCluster cluster = cluster(W2_R2);
    long put = cluster.put("a", "k", "v");
    cluster.drop(envelope -> true); // b and c are up but their copies are lost
    cluster.tick(999);
    assertThat(cluster.result(put)).isNull();
    cluster.tick(1);
    assertThat(cluster.result(put)).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.OUTCOME_UNKNOWN);
      assertThat(failed.message()).contains("1 of 2 required replicas acknowledged");
    });
    assertThat(cluster.hints("a", "b")[3]).as("the silent replicas get hints").isEqualTo(1);
    assertThat(cluster.hints("a", "c")[3]).isEqualTo(1);

    long read = cluster.get("b", "k");
    cluster.drop(envelope -> true);
    cluster.tick(1_000);
    assertThat(cluster.result(read)).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.UNAVAILABLE);
      assertThat(failed.message()).contains("1 of 2 required replicas answered");
    });
  }

  @Test
  void aReplicaThatIsDownGetsItsHintsWhenItReturnsEvenAfterTheCoordinatorRestarted() {
    QuorumCluster cluster = cluster(W2_R2);
    cluster.crash("c");
    long put = cluster.put("a", "k", "v");
    cluster.deliverAll();
    assertThat(cluster.result(put)).isInstanceOf(ClientResult.Committed.class);
    assertThat(cluster.store("a").hints(QuorumCluster.DATASET).get("c")).hasSize(1);

    cluster.crash("a");
    cluster.restart("a");
    cluster.deliverAll();
    assertThat(cluster.store("a").hints(QuorumCluster.DATASET).get("c")).as("kept across the restart").hasSize(1);

    cluster.restart("c");
    cluster.deliverAll();
    assertThat(stored(cluster, "c", "k").orElseThrow().value().toUtf8()).isEqualTo("v");
    assertThat(cluster.store("a").hints(QuorumCluster.DATASET)).isEmpty();
    assertThat(cluster.hints("a", "c")).containsExactly(1, 1, 0, 0);
  }

  @Test
  void aHintDeliveredTwiceIsAppliedOnceAndCountedOnce() {
    QuorumCluster cluster = cluster(W2_R2);
    cluster.crash("c");
    cluster.put("a", "k", "v");
    cluster.deliverAll();
    cluster.restart("c");
    // The network duplicates the hint (as a resend after a lost acknowledgement would).
    assertThat(cluster.duplicate(to("c", PeerMessage.QuorumWrite.class))).isEqualTo(1);
    cluster.deliverAll();
    List<Change> log = cluster.store("c").log(QuorumCluster.DATASET);
    assertThat(log).hasSize(1);
    assertThat(log.get(0).value().toUtf8()).isEqualTo("v");
    assertThat(cluster.hints("a", "c")).containsExactly(1, 1, 0, 0);
  }

  @Test
  void hintsBeyondTheBoundAreDroppedAndCounted() {
    QuorumCluster cluster = cluster(new QuorumPolicy(2, 2, 1_000, 2));
    cluster.crash("c");
    for (int i = 0; i < 5; i++) {
      cluster.put("a", "k" + i, "v");
    }
    cluster.deliverAll();
    assertThat(cluster.hints("a", "c")).containsExactly(2, 0, 3, 2);
  }

  @Test
  void newestVersionWinsWhateverTheOrderWritesArrive() {
    QuorumCluster cluster = cluster(new QuorumPolicy(1, 3, 1_000, 100));
    long older = cluster.put("a", "k", "from-a");
    cluster.tick(5);
    long newer = cluster.put("b", "k", "from-b");
    // b's newer write reaches c before a's older one.
    cluster.deliverFirst(envelope -> envelope.from().equals("b") && envelope.to().equals("c"));
    cluster.deliverAll();
    assertThat(cluster.result(older)).isInstanceOf(ClientResult.Committed.class);
    assertThat(cluster.result(newer)).isInstanceOf(ClientResult.Committed.class);
    for (String region : REGIONS) {
      assertThat(stored(cluster, region, "k").orElseThrow().value().toUtf8()).as(region).isEqualTo("from-b");
    }
  }

  @Test
  void levelsAQuorumDatasetCannotHonourAreRefusedWithOnesThatWork() {
    QuorumCluster cluster = cluster(W2_R2);
    Bytes key = Bytes.ofUtf8("k");
    ClientResult localQuorum = answer(cluster, "a", new ClientOperation.Tuned(new ClientOperation.Put(key, key),
        new RequestOptions(RequestOptions.ReplicaCount.LOCAL_QUORUM, RequestOptions.ReadLevel.DEFAULT)));
    assertThat(localQuorum).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.FAILED_PRECONDITION);
      assertThat(failed.message()).contains("one replica per region").contains("use one");
    });
    ClientResult bounded = answer(cluster, "a", new ClientOperation.Tuned(new ClientOperation.Get(key),
        new RequestOptions(RequestOptions.ReplicaCount.DEFAULT, RequestOptions.ReadLevel.BOUNDED_STALENESS)));
    assertThat(bounded).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.FAILED_PRECONDITION);
      assertThat(failed.message()).contains("cannot serve bounded-staleness").contains("use quorum");
    });
    ClientResult cas = answer(cluster, "a", new ClientOperation.CompareAndSet(key, Optional.empty(), key));
    assertThat(cas).isInstanceOfSatisfying(ClientResult.Failed.class,
        failed -> assertThat(failed.message()).contains("compare-and-set").contains("consensus"));

    cluster.crash("c");
    ClientResult strong = answer(cluster, "a", new ClientOperation.Tuned(new ClientOperation.Get(key),
        new RequestOptions(RequestOptions.ReplicaCount.DEFAULT, RequestOptions.ReadLevel.STRONG)));
    assertThat(strong).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.UNAVAILABLE);
      assertThat(failed.message()).contains("strong reads of a quorum dataset ask every replica");
    });
    long one = cluster.request("a", new ClientOperation.Tuned(new ClientOperation.Put(key, key),
        new RequestOptions(RequestOptions.ReplicaCount.ONE, RequestOptions.ReadLevel.DEFAULT)));
    assertThat(cluster.result(one)).as("W=one is answered by the coordinator's own copy")
        .isInstanceOf(ClientResult.Committed.class);
  }

  private static ClientResult answer(QuorumCluster cluster, String region, ClientOperation operation) {
    return cluster.result(cluster.request(region, operation));
  }

  @Test
  void singlePrimaryAndMultiPrimaryDatasetsRefuseLevelsTheyCannotHonourAndNameOneThatWorks() {
    DatasetConfig async = new DatasetConfig("orders", ReplicationMode.ASYNC, List.of("a", "b"), "a", 0,
        FsyncPolicy.OPERATING_SYSTEM, 1);
    AgentConfig config = new AgentConfig("b", List.of(new PeerConfig("a", "localhost:0", LinkEmulation.NONE)),
        List.of(async), TestCluster.bounds(16, 0, 64));
    ReplicationNode node = new ReplicationNode(config, new InMemoryReplicaStore(), 1_000);
    Bytes key = Bytes.ofUtf8("k");
    // Session, bounded-staleness and strong are served by single-primary datasets now (ReadLevelsTest).
    for (RequestOptions.ReadLevel level : List.of(RequestOptions.ReadLevel.QUORUM)) {
      ClientResult result = node.step(1_001, new Input.ClientRequest(1, "orders", new ClientOperation.Tuned(
          new ClientOperation.Get(key), new RequestOptions(RequestOptions.ReplicaCount.DEFAULT, level))))
          .responses().get(0).result();
      assertThat(result).as(level.name()).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
        assertThat(failed.failure()).isEqualTo(Failure.FAILED_PRECONDITION);
        assertThat(failed.message()).contains("no read quorum").contains("use strong");
      });
    }
    ClientResult eventual = node.step(1_002, new Input.ClientRequest(2, "orders", new ClientOperation.Tuned(
        new ClientOperation.Get(key), new RequestOptions(RequestOptions.ReplicaCount.DEFAULT,
            RequestOptions.ReadLevel.EVENTUAL)))).responses().get(0).result();
    assertThat(eventual).isInstanceOf(ClientResult.Read.class);
    ClientResult count = node.step(1_003, new Input.ClientRequest(3, "orders", new ClientOperation.Tuned(
        new ClientOperation.Put(key, key), new RequestOptions(RequestOptions.ReplicaCount.ALL,
            RequestOptions.ReadLevel.DEFAULT)))).responses().get(0).result();
    assertThat(count).isInstanceOfSatisfying(ClientResult.Failed.class,
        failed -> assertThat(failed.message()).contains("applies to quorum datasets only"));
  }

  @Test
  void aQuorumDatasetRefusesConflictRulesItDoesNotImplement() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new DatasetConfig("carts", ReplicationMode.QUORUM,
        REGIONS, "a", 0, FsyncPolicy.OPERATING_SYSTEM, 1, io.meridian.agent.config.ConflictResolution.CRDT_COUNTER,
        List.of(), null, W2_R2)).hasMessageContaining("quorum mode resolves concurrent writes by lww")
        .hasMessageContaining("version-vector");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DatasetConfig.quorum("carts", REGIONS,
        new QuorumPolicy(4, 2, 1_000, 10), FsyncPolicy.OPERATING_SYSTEM)).hasMessageContaining("cannot exceed its 3");
  }

  private static ClientOperation sessionRead(String key, SessionToken token) {
    return new ClientOperation.Tuned(new ClientOperation.Get(Bytes.ofUtf8(key)),
        new RequestOptions(RequestOptions.ReplicaCount.DEFAULT, RequestOptions.ReadLevel.SESSION, Optional.of(token)));
  }

  // ADR 0030: a write acknowledged by one replica (replica count one) is covered by the session
  // token, which records W = 1, so a session read at another region asks all N and finds it.
  @Test
  void sessionReadSeesTheSessionsWriteMadeWithReplicaCountOne() {
    QuorumCluster cluster = cluster(W2_R2);
    long put = cluster.request("a", new ClientOperation.Tuned(new ClientOperation.Put(Bytes.ofUtf8("k"),
        Bytes.ofUtf8("mine")), new RequestOptions(RequestOptions.ReplicaCount.ONE, RequestOptions.ReadLevel.DEFAULT)));
    ClientResult.Committed committed = (ClientResult.Committed) cluster.result(put);
    cluster.drop(to("b", PeerMessage.QuorumWrite.class));
    cluster.drop(to("c", PeerMessage.QuorumWrite.class)); // only a holds the write
    int writeReplicas = ReadLevelRules.quorumWriteReplicas(3, W2_R2, RequestOptions.ReplicaCount.ONE);
    SessionToken token = SessionToken.forWrite(QuorumCluster.DATASET, ReplicationMode.QUORUM, committed.version(),
        writeReplicas);
    assertThat(writeReplicas).isEqualTo(1);

    long read = cluster.request("c", sessionRead("k", token));
    cluster.deliverAll();
    assertThat(value(cluster.result(read))).as("the read asked every replica, a included").isEqualTo("mine");
  }

  // The control for the test above: a token that does not say which W the write had is read with the
  // dataset's W (N - W + 1 = 2 replicas), which misses a write only one replica holds.
  @Test
  void aTokenWithoutTheWritesReplicaCountAsksOnlyNMinusWPlusOneAndCanMissAWriteOfOne() {
    QuorumCluster cluster = cluster(W2_R2);
    long put = cluster.request("a", new ClientOperation.Tuned(new ClientOperation.Put(Bytes.ofUtf8("k"),
        Bytes.ofUtf8("mine")), new RequestOptions(RequestOptions.ReplicaCount.ONE, RequestOptions.ReadLevel.DEFAULT)));
    ClientResult.Committed committed = (ClientResult.Committed) cluster.result(put);
    cluster.drop(to("b", PeerMessage.QuorumWrite.class));
    cluster.drop(to("c", PeerMessage.QuorumWrite.class));
    SessionToken unknownCount = SessionToken.forWrite(QuorumCluster.DATASET, ReplicationMode.QUORUM,
        committed.version());
    long read = cluster.request("c", sessionRead("k", unknownCount));
    cluster.deliverFirst(to("b", PeerMessage.class));
    cluster.deliverFirst(from("b", PeerMessage.class));
    assertThat(cluster.result(read)).as("two answers (c and b) are enough at W 2").isNotNull();
    assertThat(value(cluster.result(read))).isNull();
  }

  @Test
  void aSessionReadAfterAWriteOfOneFailsRatherThanReadStaleWhenAReplicaIsUnreachable() {
    QuorumCluster cluster = cluster(W2_R2);
    long put = cluster.request("a", new ClientOperation.Tuned(new ClientOperation.Put(Bytes.ofUtf8("k"),
        Bytes.ofUtf8("mine")), new RequestOptions(RequestOptions.ReplicaCount.ONE, RequestOptions.ReadLevel.DEFAULT)));
    SessionToken token = SessionToken.forWrite(QuorumCluster.DATASET, ReplicationMode.QUORUM,
        ((ClientResult.Committed) cluster.result(put)).version(), 1);
    cluster.drop(to("b", PeerMessage.QuorumWrite.class));
    cluster.drop(to("c", PeerMessage.QuorumWrite.class));
    cluster.crash("a");
    long read = cluster.request("c", sessionRead("k", token));
    assertThat(cluster.result(read)).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.UNAVAILABLE);
      assertThat(failed.message()).contains("needs 3 of 3");
    });
  }
}

package io.meridian.agent.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.MultiPrimaryBounds;
import io.meridian.agent.config.QuorumPolicy;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.clock.HlcTimestamp;
import io.meridian.agent.core.conflict.Dot;
import io.meridian.agent.core.conflict.Operation;
import io.meridian.agent.core.conflict.Siblings;
import io.meridian.agent.core.conflict.Stamp;
import io.meridian.agent.core.conflict.VersionVector;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.sim.QuorumCluster;
import io.meridian.agent.sim.QuorumCluster.Envelope;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

// Proves what a client of a quorum dataset under version-vector relies on (ADR 0034): the merge
// of sibling sets keeps every write no context covered and drops what one did; concurrent writes at
// two coordinators come back as siblings with one context, and are reported as a conflict; a write
// with that context resolves them; a delete leaves a tombstone that stops the old siblings coming
// back; a hint carries the sibling set to a replica that was down; read repair gives the stale
// replica the merged set; and levels keep their rules.
class QuorumSiblingsTest {
  private static final List<String> REGIONS = List.of("a", "b", "c");
  private static final QuorumPolicy W2_R2 = new QuorumPolicy(2, 2, 1_000, 100);
  private static final Bytes KEY = Bytes.ofUtf8("cart");

  private static QuorumCluster cluster() {
    QuorumCluster cluster = new QuorumCluster(W2_R2, REGIONS, ConflictResolution.VERSION_VECTOR);
    cluster.connectAll();
    cluster.deliverAll(); // hellos
    return cluster;
  }

  private static Predicate<Envelope> to(String region) {
    return envelope -> envelope.to().equals(region);
  }

  private static Stamp stamp(String region, long counter) {
    return new Stamp(new Dot(region, counter), new HlcTimestamp(1_000 + counter, 0));
  }

  private static Siblings written(Siblings start, String value, VersionVector context, Stamp stamp) {
    Siblings state = start.copy();
    state.apply(new Operation.VersionedWrite(Bytes.ofUtf8(value), false, context), stamp);
    return state;
  }

  private static List<String> values(Siblings state) {
    return state.entries().values().stream().map(s -> s.value().toUtf8()).sorted().toList();
  }

  private static List<String> values(ClientResult result) {
    assertThat(result).isInstanceOf(ClientResult.MergedRead.class);
    return ((ClientResult.MergedRead) result).values().stream().map(v -> v.value().toUtf8()).sorted().toList();
  }

  private static ClientResult.MergedRead read(QuorumCluster cluster, String region) {
    long id = cluster.request(region, new ClientOperation.Get(KEY));
    cluster.deliverAll();
    return (ClientResult.MergedRead) cluster.result(id);
  }

  private static long contextualPut(QuorumCluster cluster, String region, String value, VersionVector context) {
    return cluster.request(region, new ClientOperation.ContextualWrite(KEY, Optional.of(Bytes.ofUtf8(value)), context));
  }

  @Test
  void theMergeKeepsConcurrentSiblingsAndDropsTheOnesAContextCovered() {
    Siblings atA = written(new Siblings(), "apple", VersionVector.EMPTY, stamp("a", 1));
    Siblings atB = written(new Siblings(), "pear", VersionVector.EMPTY, stamp("b", 1));

    QuorumSiblings.Joined joined = QuorumSiblings.join(atA, atB);
    assertThat(values(joined.state())).containsExactly("apple", "pear");
    assertThat(joined.conflict()).as("neither write saw the other").isPresent();
    assertThat(joined.state().readContext()).isEqualTo(VersionVector.of(Map.of("a", 1L, "b", 1L)));
    assertThat(QuorumSiblings.join(atB, atA).state().toBytes()).as("commutative")
        .isEqualTo(joined.state().toBytes());

    // c resolves both; a replica that still holds only a's sibling merges to the resolution.
    Siblings resolved = written(joined.state(), "fruit salad", joined.state().readContext(), stamp("c", 1));
    QuorumSiblings.Joined stale = QuorumSiblings.join(atA, resolved);
    assertThat(values(stale.state())).containsExactly("fruit salad");
    assertThat(stale.conflict()).as("the resolution saw a's write").isEmpty();
    assertThat(QuorumSiblings.join(stale.state(), stale.state()).state().toBytes()).as("idempotent")
        .isEqualTo(stale.state().toBytes());
    assertThat(Siblings.fromBytes(stale.state().toBytes()).toBytes()).as("the stored bytes read back")
        .isEqualTo(stale.state().toBytes());
  }

  @Test
  void aBlindWriteBeyondTheSiblingBoundAlsoReplacesTheOldest() {
    Siblings state = new Siblings();
    int max = MultiPrimaryBounds.DEFAULTS.siblingsMax();
    for (int i = 1; i <= max; i++) {
      state = written(state, "v" + i, VersionVector.EMPTY, stamp("a", i));
    }
    int[] truncated = new int[1];
    Operation.VersionedWrite write = QuorumSiblings.writeFor(new ClientOperation.Put(KEY, Bytes.ofUtf8("next")),
        state, max, truncated).orElseThrow();
    assertThat(truncated[0]).isEqualTo(1);
    assertThat(write.context().covers(new Dot("a", 1))).as("the oldest sibling").isTrue();
    assertThat(write.context().covers(new Dot("a", 2))).isFalse();
  }

  @Test
  void concurrentWritesAtTwoCoordinatorsComeBackAsSiblingsAndAContextResolvesThem() {
    QuorumCluster cluster = cluster();
    long atA = cluster.put("a", "cart", "apple");
    long atB = cluster.put("b", "cart", "pear");
    cluster.deliverAll();
    assertThat(cluster.result(atA)).isInstanceOf(ClientResult.Committed.class);
    assertThat(cluster.result(atB)).isInstanceOf(ClientResult.Committed.class);

    ClientResult.MergedRead siblings = read(cluster, "c");
    assertThat(values(siblings)).containsExactly("apple", "pear");
    assertThat(siblings.values()).extracting(v -> v.version().committedBy()).containsExactlyInAnyOrder("a", "b");
    assertThat(cluster.events()).filteredOn(ReplicationEvent.Conflict.class::isInstance)
        .as("the concurrent writes are reported as a conflict").isNotEmpty()
        .allSatisfy(e -> assertThat(((ReplicationEvent.Conflict) e).rule()).isEqualTo(
            ConflictResolution.VERSION_VECTOR));

    long resolve = contextualPut(cluster, "c", "apple+pear", siblings.context());
    cluster.deliverAll();
    assertThat(cluster.result(resolve)).isInstanceOfSatisfying(ClientResult.Committed.class,
        committed -> assertThat(committed.existedBefore()).isTrue());
    for (String region : REGIONS) {
      assertThat(values(read(cluster, region))).as("read at " + region).containsExactly("apple+pear");
    }
  }

  @Test
  void aDeleteLeavesATombstoneSoAStaleReplicaCannotBringTheValueBack() {
    QuorumCluster cluster = cluster();
    cluster.put("a", "cart", "apple");
    cluster.deliverAll();
    long delete = cluster.request("a", new ClientOperation.Delete(KEY));
    cluster.deliverAll();
    assertThat(cluster.result(delete)).isInstanceOf(ClientResult.Committed.class);

    ClientResult.MergedRead gone = read(cluster, "c");
    assertThat(gone.found()).isFalse();
    assertThat(gone.context().covers(new Dot("a", 1))).as("the tombstone remembers what it removed").isTrue();
    assertThat(cluster.store("c").get(QuorumCluster.DATASET, KEY)).as("the tombstone is stored").isPresent();
  }

  @Test
  void aHintCarriesTheSiblingSetToAReplicaThatWasDown() {
    QuorumCluster cluster = cluster();
    cluster.crash("c");
    long atA = cluster.put("a", "cart", "apple");
    long atB = cluster.put("b", "cart", "pear");
    cluster.deliverAll();
    assertThat(cluster.result(atA)).isInstanceOf(ClientResult.Committed.class);
    assertThat(cluster.result(atB)).isInstanceOf(ClientResult.Committed.class);
    cluster.restart("c");
    cluster.deliverAll();

    assertThat(cluster.hints("a", "c")[1]).as("delivered").isEqualTo(1);
    assertThat(cluster.hints("b", "c")[1]).as("delivered").isEqualTo(1);
    Siblings atC = QuorumSiblings.stateOf(cluster.store("c").get(QuorumCluster.DATASET, KEY)
        .map(stored -> io.meridian.agent.core.storage.Change.of(KEY, stored)));
    assertThat(values(atC)).containsExactly("apple", "pear");
  }

  @Test
  void readRepairGivesAStaleReplicaTheMergedSiblingSet() {
    QuorumCluster cluster = cluster();
    cluster.put("a", "cart", "apple");
    cluster.drop(to("c"));
    cluster.deliverAll();
    // c missed "apple"; a second, concurrent write at c.
    long atC = cluster.request("c", new ClientOperation.Tuned(new ClientOperation.Put(KEY, Bytes.ofUtf8("pear")),
        new RequestOptions(RequestOptions.ReplicaCount.ONE, RequestOptions.ReadLevel.DEFAULT)));
    cluster.drop(envelope -> envelope.from().equals("c"));
    assertThat(cluster.result(atC)).isInstanceOf(ClientResult.Committed.class);
    assertThat(values(QuorumSiblings.stateOf(stored(cluster, "c")))).containsExactly("pear");

    long all = cluster.request("a", new ClientOperation.Tuned(new ClientOperation.Get(KEY),
        new RequestOptions(RequestOptions.ReplicaCount.ALL, RequestOptions.ReadLevel.DEFAULT)));
    cluster.deliverAll();
    assertThat(values(cluster.result(all))).containsExactly("apple", "pear");
    for (String region : REGIONS) {
      assertThat(values(QuorumSiblings.stateOf(stored(cluster, region)))).as("repaired " + region)
          .containsExactly("apple", "pear");
    }
  }

  @Test
  void levelsKeepTheirRulesAndLwwQuorumDatasetsRefuseAContext() {
    QuorumCluster cluster = cluster();
    long bounded = cluster.request("a", new ClientOperation.Tuned(new ClientOperation.Get(KEY),
        new RequestOptions(RequestOptions.ReplicaCount.DEFAULT, RequestOptions.ReadLevel.BOUNDED_STALENESS)));
    assertThat(cluster.result(bounded)).isInstanceOfSatisfying(ClientResult.Failed.class,
        failed -> assertThat(failed.message()).contains("bounded-staleness"));
    long increment = cluster.request("a", new ClientOperation.Increment(KEY, 1));
    assertThat(cluster.result(increment)).isInstanceOfSatisfying(ClientResult.Failed.class,
        failed -> assertThat(failed.message()).contains("version-vector").contains("put"));

    long forged = contextualPut(cluster, "a", "x", VersionVector.of(Map.of("a", 1_000L)));
    assertThat(cluster.result(forged)).as("a context naming a write region a never made").isInstanceOfSatisfying(
        ClientResult.Failed.class, failed -> assertThat(failed.message()).contains("a:1000", "unchanged"));

    QuorumCluster lww = new QuorumCluster(W2_R2, REGIONS);
    lww.connectAll();
    long contextual = lww.request("a", new ClientOperation.ContextualWrite(KEY, Optional.of(KEY), VersionVector.EMPTY));
    assertThat(lww.result(contextual)).isInstanceOfSatisfying(ClientResult.Failed.class,
        failed -> assertThat(failed.message()).contains("conflictResolution: version-vector"));
  }

  private static Optional<io.meridian.agent.core.storage.Change> stored(QuorumCluster cluster, String region) {
    Optional<StoredValue> stored = cluster.store(region).get(QuorumCluster.DATASET, KEY);
    return stored.map(value -> io.meridian.agent.core.storage.Change.of(KEY, value));
  }
}

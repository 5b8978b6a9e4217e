package io.meridian.agent.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.QuorumPolicy;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.antientropy.MerkleTrackingStore;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.PeerMessage;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.replication.RequestOptions;
import io.meridian.agent.core.storage.StoredValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Anti-entropy between two replicas of a quorum dataset (ADR 0035): after writes at W = one that
 * reached only one side of a cut link and whose hints were dropped, a repair sends exactly the
 * differing keys: a key only one side holds crosses once; a key both hold in different versions
 * at most twice (digests carry hashes, not versions, so one side's version is fetched to compare).
 * The newer version wins on both sides, and a second repair of the now equal pair exchanges one
 * root hash.
 */
class QuorumAntiEntropyTest {
  private static final int KEYS = 2_000;

  private static long write(QuorumCluster cluster, String region, String key, String value,
      RequestOptions.ReplicaCount count) {
    return cluster.request(region, new ClientOperation.Tuned(new ClientOperation.Put(Bytes.ofUtf8(key),
        Bytes.ofUtf8(value)), new RequestOptions(count, RequestOptions.ReadLevel.DEFAULT)));
  }

  private static Map<Bytes, StoredValue> state(QuorumCluster cluster, String region) {
    Map<Bytes, StoredValue> result = new TreeMap<>();
    cluster.store(region).snapshot(QuorumCluster.DATASET)
        .forEach((key, value) -> result.put(key, MerkleTrackingStore.canonical(value)));
    return result;
  }

  // Delivers everything queued, oldest first, returning what crossed.
  private static List<QuorumCluster.Envelope> deliverRecorded(QuorumCluster cluster) {
    List<QuorumCluster.Envelope> crossed = new ArrayList<>();
    while (!cluster.queued().isEmpty()) {
      QuorumCluster.Envelope next = cluster.queued().get(0);
      crossed.add(next);
      cluster.deliverFirst(envelope -> envelope == next);
    }
    return crossed;
  }

  @Test
  void onlyTheDifferingKeysCrossAndTheNewerVersionWinsOnBothSides() {
    // Hints bounded at zero: every write a cut replica misses is dropped, as past a full hint store.
    QuorumCluster cluster = new QuorumCluster(new QuorumPolicy(1, 1, 200, 0), List.of("eu", "us"));
    cluster.connectAll();
    for (int i = 0; i < KEYS; i++) {
      write(cluster, "eu", "key-" + i, "value-" + i, RequestOptions.ReplicaCount.ALL);
      if (i % 100 == 99) {
        cluster.deliverAll(); // stay under the bound on writes waiting for acknowledgements
      }
    }
    cluster.deliverAll();
    assertThat(state(cluster, "us")).isEqualTo(state(cluster, "eu")).hasSize(KEYS);

    cluster.cut("eu", "us");
    Set<Bytes> onlyEu = new TreeSet<>(); // overwrites of keys both held
    Set<Bytes> onlyUs = new TreeSet<>(); // keys new to us
    Set<Bytes> both = new TreeSet<>();
    for (int i = 0; i < 20; i++) {
      long id = write(cluster, "eu", "key-" + (i * 37), "eu-" + i, RequestOptions.ReplicaCount.ONE);
      assertThat(cluster.result(id)).isInstanceOf(ClientResult.Committed.class);
      onlyEu.add(Bytes.ofUtf8("key-" + (i * 37)));
    }
    for (int i = 0; i < 10; i++) {
      write(cluster, "us", "new-" + i, "us-" + i, RequestOptions.ReplicaCount.ONE);
      onlyUs.add(Bytes.ofUtf8("new-" + i));
    }
    cluster.tick(1);
    for (int i = 0; i < 5; i++) {
      // Both sides write: us later, so its version is the newer one.
      write(cluster, "eu", "key-" + (1000 + i), "eu-both-" + i, RequestOptions.ReplicaCount.ONE);
      cluster.tick(1);
      write(cluster, "us", "key-" + (1000 + i), "us-both-" + i, RequestOptions.ReplicaCount.ONE);
      both.add(Bytes.ofUtf8("key-" + (1000 + i)));
    }
    cluster.heal("eu", "us");
    cluster.tick(1_000);
    cluster.deliverAll();
    Map<Bytes, StoredValue> usBefore = state(cluster, "us");
    assertThat(state(cluster, "eu")).isNotEqualTo(usBefore);
    int eventsBefore = cluster.events().size();

    cluster.repair("eu", List.of("us"));
    List<QuorumCluster.Envelope> crossed = deliverRecorded(cluster);

    Map<Bytes, Integer> entriesPerKey = new HashMap<>();
    int digests = 0;
    for (QuorumCluster.Envelope envelope : crossed) {
      if (envelope.message() instanceof PeerMessage.RepairEntries entries) {
        entries.keys().forEach(key -> entriesPerKey.merge(key, 1, Integer::sum));
      } else if (envelope.message() instanceof PeerMessage.KeyDigests keyDigests) {
        digests += keyDigests.keys().size();
      }
    }
    Set<Bytes> differing = new TreeSet<>(onlyEu);
    differing.addAll(onlyUs);
    differing.addAll(both);
    assertThat(entriesPerKey.keySet()).isEqualTo(differing);
    // The new keys once; a key both held at most twice (the side comparing the digests fetches the
    // other's version and sends back its own only if that one is newer).
    entriesPerKey.forEach((key, times) -> assertThat(times).as("entries of %s sent", key)
        .isBetween(1, onlyUs.contains(key) ? 1 : 2));
    // Digests list the keys of differing leaves only: about one key per leaf at this depth.
    assertThat(digests).isLessThan(3 * differing.size());

    Map<Bytes, StoredValue> eu = state(cluster, "eu");
    assertThat(state(cluster, "us")).isEqualTo(eu);
    for (Bytes key : both) {
      assertThat(eu.get(key).value().toUtf8()).startsWith("us-both-");
    }
    List<ReplicationEvent> events = cluster.events().subList(eventsBefore, cluster.events().size());
    assertThat(events).filteredOn(ReplicationEvent.RepairStarted.class::isInstance).hasSize(1);
    ReplicationEvent.RepairFinished finished = events.stream()
        .filter(ReplicationEvent.RepairFinished.class::isInstance).map(ReplicationEvent.RepairFinished.class::cast)
        .findFirst().orElseThrow();
    assertThat(finished.error()).isEmpty();
    assertThat(finished.peer()).isEqualTo("us");
    // eu took the 10 keys only us held and the 5 us wrote last; us took the 20 only eu held.
    assertThat(finished.keysRepaired()).isEqualTo(onlyEu.size() + onlyUs.size() + both.size());

    cluster.repair("eu", List.of("us"));
    List<QuorumCluster.Envelope> second = deliverRecorded(cluster);
    assertThat(second).extracting(envelope -> envelope.message().getClass().getSimpleName())
        .containsExactly("TreeCompare", "RepairDone");
  }

  @Test
  void aRepairOfAQuorumDatasetWithARegionThatHoldsNoReplicaSaysWhichItRepairsWith() {
    QuorumCluster cluster = new QuorumCluster(new QuorumPolicy(1, 1, 200, 0), List.of("eu", "us", "ap"));
    cluster.connectAll();
    cluster.repair("eu", List.of("mars"));
    ReplicationEvent.RepairFinished finished = cluster.events().stream()
        .filter(ReplicationEvent.RepairFinished.class::isInstance).map(ReplicationEvent.RepairFinished.class::cast)
        .findFirst().orElseThrow();
    assertThat(finished.error()).contains("mars").contains("[ap, us]");
  }

  // CI (session 10): a repair's first comparison went out on a stream that closed right after, and
  // the session waited out its 30 s timeout. The closing stream now ends it at once, with the reason.
  @Test
  void aRepairWhoseStreamClosesEndsAtOnceWithTheReasonAndTheNextOneConverges() {
    QuorumCluster cluster = new QuorumCluster(new QuorumPolicy(1, 1, 200, 0), List.of("eu", "us"));
    cluster.connectAll();
    for (int i = 0; i < 50; i++) {
      write(cluster, "eu", "key-" + i, "value-" + i, RequestOptions.ReplicaCount.ALL);
    }
    cluster.deliverAll();
    cluster.cut("eu", "us");
    for (int i = 0; i < 5; i++) {
      write(cluster, "eu", "cut-" + i, "eu-" + i, RequestOptions.ReplicaCount.ONE);
    }
    cluster.heal("eu", "us");
    cluster.deliverAll();
    int eventsBefore = cluster.events().size();

    cluster.repair("us", List.of("eu"));
    assertThat(cluster.queued()).singleElement()
        .satisfies(envelope -> assertThat(envelope.message()).isInstanceOf(PeerMessage.TreeCompare.class));
    cluster.cut("eu", "us"); // the comparison is lost with its stream

    List<ReplicationEvent.RepairFinished> finished = cluster.events().subList(eventsBefore, cluster.events().size())
        .stream().filter(ReplicationEvent.RepairFinished.class::isInstance)
        .map(ReplicationEvent.RepairFinished.class::cast).toList();
    assertThat(finished).as("outcome without any time passing").singleElement().satisfies(done -> {
      assertThat(done.peer()).isEqualTo("eu");
      assertThat(done.error()).contains("stream to region eu closed").contains("link cut")
          .endsWith("the next repair starts afresh.");
      assertThat(done.durationMillis()).isZero();
    });

    cluster.heal("eu", "us");
    cluster.repair("us", List.of("eu"));
    cluster.deliverAll();
    assertThat(state(cluster, "us")).isEqualTo(state(cluster, "eu"));
    ReplicationEvent.RepairFinished again = (ReplicationEvent.RepairFinished) cluster.events().stream()
        .filter(ReplicationEvent.RepairFinished.class::isInstance).reduce((first, second) -> second).orElseThrow();
    assertThat(again.error()).isEmpty();
    assertThat(again.keysRepaired()).isEqualTo(5);
  }
}

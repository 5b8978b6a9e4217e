package io.meridian.agent.core.antientropy;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.clock.HlcTimestamp;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.ChangeKind;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import io.meridian.agent.core.storage.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A tracking store's tree, kept up to date change by change as writes are appended, is the tree a
 * restarted agent builds from the same store's keys: otherwise a replica that restarted would
 * disagree with itself and repair sessions would exchange keys that do not differ. Checked for a
 * leaderless dataset (hashed at its canonical position, ADR 0035) and a single-primary one.
 */
class MerkleTrackingStoreTest {
  private static final int SEEDS = 20;
  private static final int DEPTH = 6;

  @Test
  void appendedChangesHashAsTheTreeRebuiltFromTheStore() {
    for (int seed = 0; seed < SEEDS; seed++) {
      Random random = new Random(seed);
      InMemoryReplicaStore store = new InMemoryReplicaStore();
      MerkleTrackingStore tracking = new MerkleTrackingStore(store, Set.of("primary"), Set.of("leaderless"), DEPTH);
      for (String dataset : List.of("primary", "leaderless")) {
        long sequence = 1;
        for (int batch = 0; batch < 1 + random.nextInt(10); batch++) {
          List<Change> changes = new ArrayList<>();
          for (int i = 0; i < 1 + random.nextInt(30); i++) {
            boolean delete = random.nextInt(5) == 0;
            String origin = random.nextBoolean() ? "ohio" : "oregon";
            // Epochs above 1 too: the canonical position must replace the epoch, not only the sequence.
            Version version = new Version(new HlcTimestamp(1_000 + random.nextInt(1_000), random.nextInt(3)),
                origin, sequence++, random.nextBoolean() ? origin : "virginia", 1 + random.nextInt(3));
            changes.add(new Change(delete ? ChangeKind.DELETE : ChangeKind.PUT,
                Bytes.ofUtf8("key-" + random.nextInt(40)),
                delete ? Bytes.EMPTY : Bytes.ofUtf8("value-" + random.nextInt()), version));
          }
          tracking.append(dataset, changes);
        }
      }

      MerkleTrackingStore rebuilt = new MerkleTrackingStore(store, Set.of("primary"), Set.of("leaderless"), DEPTH);

      for (String dataset : List.of("primary", "leaderless")) {
        MerkleTree kept = tracking.tree(dataset).orElseThrow();
        MerkleTree fresh = rebuilt.tree(dataset).orElseThrow();
        assertThat(kept.size()).as("seed %d, %s: keys", seed, dataset).isEqualTo(fresh.size()).isPositive();
        assertThat(kept.root()).as("seed %d, %s: root", seed, dataset).isEqualTo(fresh.root());
        for (int leaf = 0; leaf < kept.leafCount(); leaf++) {
          assertThat(kept.keysIn(leaf)).as("seed %d, %s: leaf %d", seed, dataset, leaf).isEqualTo(fresh.keysIn(leaf));
        }
      }
    }
  }

  @Test
  void aLeaderlessTreeIgnoresWhereEachReplicaLoggedAWrite() {
    // The same write held at two replicas, at different log positions: equal trees (ADR 0035).
    Version atOhio = new Version(new HlcTimestamp(5_000, 2), "ohio", 7, "ohio", 1);
    Version atOregon = new Version(new HlcTimestamp(5_000, 2), "ohio", 1, "ohio", 1);
    InMemoryReplicaStore ohioStore = new InMemoryReplicaStore();
    MerkleTrackingStore ohio = new MerkleTrackingStore(ohioStore, Set.of(), Set.of("carts"), DEPTH);
    List<Change> earlier = new ArrayList<>();
    for (long sequence = 1; sequence < 7; sequence++) {
      earlier.add(new Change(ChangeKind.PUT, Bytes.ofUtf8("other-" + sequence), Bytes.ofUtf8("x"),
          new Version(new HlcTimestamp(4_000, 0), "ohio", sequence, "ohio", 1)));
    }
    ohio.append("carts", earlier);
    ohio.append("carts", List.of(new Change(ChangeKind.PUT, Bytes.ofUtf8("k"), Bytes.ofUtf8("v"), atOhio)));
    MerkleTrackingStore oregon = new MerkleTrackingStore(new InMemoryReplicaStore(), Set.of(), Set.of("carts"), DEPTH);
    oregon.append("carts", List.of(new Change(ChangeKind.PUT, Bytes.ofUtf8("k"), Bytes.ofUtf8("v"), atOregon)));

    MerkleTree ohioTree = ohio.tree("carts").orElseThrow();
    MerkleTree oregonTree = oregon.tree("carts").orElseThrow();
    int leaf = ohioTree.leafOf(Bytes.ofUtf8("k"));
    assertThat(ohioTree.keysIn(leaf).stream().filter(digest -> digest.key().equals(Bytes.ofUtf8("k"))).toList())
        .isEqualTo(oregonTree.keysIn(leaf));
  }
}

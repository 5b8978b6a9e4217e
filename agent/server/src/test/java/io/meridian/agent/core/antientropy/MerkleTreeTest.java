package io.meridian.agent.core.antientropy;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.clock.HlcTimestamp;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.storage.Version;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The Merkle tree's promises: equal content gives equal roots whatever the order of the writes,
 * any difference in a key's value, version or presence changes the root and exactly the path to
 * that key's leaf, and the keys of a leaf can be listed without the store.
 */
class MerkleTreeTest {
  private static final int SEEDS = 50;

  private static StoredValue state(long sequence, String value, boolean tombstone) {
    return new StoredValue(tombstone ? Bytes.EMPTY : Bytes.ofUtf8(value),
        new Version(new HlcTimestamp(1_000 + sequence, 0), "eu", sequence, "eu", 1), tombstone);
  }

  private static Map<Bytes, StoredValue> randomContent(Random random, int keys) {
    Map<Bytes, StoredValue> content = new TreeMap<>();
    for (int i = 0; i < keys; i++) {
      content.put(Bytes.ofUtf8("key-" + random.nextInt(keys * 4)),
          state(1 + random.nextInt(1_000), "v" + random.nextInt(), random.nextInt(10) == 0));
    }
    return content;
  }

  // ADR 0022: probe keys change every second at the primary; repair leaves them to the probes.
  @Test
  void consistencyProbeKeysAreNotInTheTree() {
    MerkleTree tree = new MerkleTree(8);
    tree.update(Bytes.ofUtf8("user-key"), Optional.of(state(1, "v", false)));
    long root = tree.root();

    tree.update(Bytes.copyOf(io.meridian.agent.core.probe.ProbeKeys.keyOf("eu")), Optional.of(state(2, "7/1", false)));

    assertThat(tree.root()).isEqualTo(root);
    assertThat(tree.size()).isEqualTo(1);
  }

  @Test
  void storesWithTheSameContentHaveEqualRootsWhateverTheWriteOrder() {
    for (int seed = 0; seed < SEEDS; seed++) {
      Random random = new Random(seed);
      Map<Bytes, StoredValue> content = randomContent(random, 1 + random.nextInt(500));
      MerkleTree inOrder = new MerkleTree(8);
      content.forEach((key, value) -> inOrder.update(key, Optional.of(value)));
      // The other replica saw older states and keys that were later removed before the final ones.
      MerkleTree shuffled = new MerkleTree(8);
      List<Bytes> keys = new ArrayList<>(content.keySet());
      Collections.shuffle(keys, random);
      for (Bytes key : keys) {
        shuffled.update(key, Optional.of(state(5_000, "older", false)));
        shuffled.update(Bytes.ofUtf8("gone-" + key.toUtf8()), Optional.of(state(7, "x", false)));
      }
      Collections.shuffle(keys, random);
      for (Bytes key : keys) {
        shuffled.update(key, Optional.of(content.get(key)));
        shuffled.update(Bytes.ofUtf8("gone-" + key.toUtf8()), Optional.empty());
      }
      assertThat(shuffled.root()).as("seed %d", seed).isEqualTo(inOrder.root());
      assertThat(shuffled.size()).as("seed %d", seed).isEqualTo(content.size());
    }
  }

  @Test
  void anyDivergenceChangesTheRootAndOnlyThePathToItsLeaf() {
    for (int seed = 0; seed < SEEDS; seed++) {
      Random random = new Random(seed);
      Map<Bytes, StoredValue> content = randomContent(random, 1 + random.nextInt(300));
      MerkleTree left = new MerkleTree(10);
      MerkleTree right = new MerkleTree(10);
      content.forEach((key, value) -> {
        left.update(key, Optional.of(value));
        right.update(key, Optional.of(value));
      });
      List<Bytes> keys = new ArrayList<>(content.keySet());
      Bytes victim = keys.get(random.nextInt(keys.size()));
      StoredValue original = content.get(victim);
      switch (random.nextInt(4)) {
        case 0 -> right.update(victim, Optional.empty());
        case 1 -> right.update(victim, Optional.of(new StoredValue(Bytes.ofUtf8("corrupt"), original.version(),
            false)));
        case 2 -> right.update(victim, Optional.of(state(original.version().sequence() + 1,
            original.value().toUtf8(), original.tombstone())));
        default -> right.update(victim, Optional.of(new StoredValue(Bytes.EMPTY, original.version(),
            !original.tombstone())));
      }
      assertThat(right.root()).as("seed %d", seed).isNotEqualTo(left.root());
      int leaf = left.leafOf(victim);
      for (int level = 0; level <= left.depth(); level++) {
        for (int node = 0; node < (1 << level); node++) {
          boolean onPath = node == leaf >>> (left.depth() - level);
          assertThat(right.hash(level, node) != left.hash(level, node))
              .as("seed %d level %d node %d on path %s", seed, level, node, onPath).isEqualTo(onPath);
        }
      }
    }
  }

  @Test
  void aLeafListsExactlyTheKeysThatHashIntoIt() {
    Random random = new Random(7);
    Map<Bytes, StoredValue> content = randomContent(random, 2_000);
    MerkleTree tree = new MerkleTree(6);
    content.forEach((key, value) -> tree.update(key, Optional.of(value)));
    int listed = 0;
    for (int leaf = 0; leaf < tree.leafCount(); leaf++) {
      for (MerkleTree.KeyDigest digest : tree.keysIn(leaf)) {
        assertThat(tree.leafOf(digest.key())).isEqualTo(leaf);
        assertThat(content).containsKey(digest.key());
        listed++;
      }
    }
    assertThat(listed).isEqualTo(content.size());
  }

  @Test
  void removingEverythingLeavesTheEmptyTree() {
    MerkleTree tree = new MerkleTree(4);
    Bytes key = Bytes.ofUtf8("k");
    tree.update(key, Optional.of(state(1, "v", false)));
    assertThat(tree.root()).isNotZero();
    tree.update(key, Optional.empty());
    assertThat(tree.root()).isZero();
    assertThat(tree.size()).isZero();
  }
  // The inner nodes are recomputed lazily, when a hash is read: whatever the interleaving of
  // writes and reads, every hash read must be the one a tree holding the same content gives.
  @Test
  void hashesReadBetweenWritesAreThoseOfTheContentSoFar() {
    for (int seed = 0; seed < SEEDS; seed++) {
      Random random = new Random(seed);
      int depth = 1 + random.nextInt(9);
      MerkleTree tree = new MerkleTree(depth);
      Map<Bytes, StoredValue> content = new TreeMap<>();
      for (int write = 0; write < 300; write++) {
        Bytes key = Bytes.ofUtf8("key-" + random.nextInt(100));
        if (random.nextInt(5) == 0) {
          content.remove(key);
          tree.update(key, Optional.empty());
        } else {
          StoredValue state = state(1 + write, "v" + random.nextInt(), random.nextInt(10) == 0);
          content.put(key, state);
          tree.update(key, Optional.of(state));
        }
        if (random.nextInt(7) == 0) {
          MerkleTree fresh = new MerkleTree(depth);
          content.forEach((k, v) -> fresh.update(k, Optional.of(v)));
          int level = random.nextInt(depth + 1);
          int index = random.nextInt(1 << level);
          assertThat(tree.hash(level, index)).as("seed %d, write %d, level %d node %d", seed, write, level, index)
              .isEqualTo(fresh.hash(level, index));
          if (random.nextBoolean()) {
            assertThat(tree.root()).as("seed %d, write %d", seed, write).isEqualTo(fresh.root());
          }
        }
      }
      MerkleTree fresh = new MerkleTree(depth);
      content.forEach((k, v) -> fresh.update(k, Optional.of(v)));
      for (int level = 0; level <= depth; level++) {
        for (int index = 0; index < (1 << level); index++) {
          assertThat(tree.hash(level, index)).as("seed %d, level %d node %d", seed, level, index)
              .isEqualTo(fresh.hash(level, index));
        }
      }
    }
  }
}

package io.meridian.agent.core.antientropy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.InvariantViolation;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The tree's primitive key index behaves as a map from key to entry hash under any mix of puts,
 * overwrites and removals, including keys whose 64-bit hashes collide (told apart by their check
 * hashes, ADR 0050) and runs that wrap around the end of the table, and lists exactly the keys of
 * a leaf.
 */
class KeyIndexTest {
  private static final int SEEDS = 40;
  private static final int OPERATIONS = 4_000;

  @Test
  void behavesAsAMapUnderRandomPutsAndRemovalsWithCollidingHashes() {
    for (int seed = 1; seed <= SEEDS; seed++) {
      Random random = new Random(seed);
      KeyIndex index = new KeyIndex();
      Map<Bytes, Long> model = new HashMap<>();
      Map<Bytes, Long> hashOf = new HashMap<>();
      Map<Bytes, Long> checkOf = new HashMap<>();
      // Few distinct hashes for many keys (collisions), some at the very top of the hash space so
      // their home slots are the table's last and their runs wrap to slot 0.
      long[] hashes = new long[64];
      for (int i = 0; i < hashes.length; i++) {
        hashes[i] = i % 8 == 0 ? -1L - random.nextInt(4) : random.nextLong();
      }
      int keySpace = 20 + random.nextInt(600);
      for (int op = 0; op < OPERATIONS; op++) {
        Bytes key = Bytes.ofUtf8("k" + random.nextInt(keySpace));
        long keyHash = hashOf.computeIfAbsent(key, k -> hashes[random.nextInt(hashes.length)]);
        long keyCheck = checkOf.computeIfAbsent(key, KeyIndexTest::check);
        if (random.nextInt(3) == 0) {
          Long expected = model.remove(key);
          assertThat(index.remove(keyHash, keyCheck)).as("seed %d op %d remove %s", seed, op, key)
              .isEqualTo(expected == null ? 0 : expected);
        } else {
          long entryHash = random.nextLong() | 1;
          Long expected = model.put(key, entryHash);
          assertThat(index.put(keyHash, keyCheck, key, entryHash)).as("seed %d op %d put %s", seed, op, key)
              .isEqualTo(expected == null ? 0 : expected);
        }
        assertThat(index.size()).as("seed %d op %d", seed, op).isEqualTo(model.size());
      }
      for (Map.Entry<Bytes, Long> held : hashOf.entrySet()) {
        Long expected = model.get(held.getKey());
        assertThat(index.get(held.getValue(), checkOf.get(held.getKey()))).as("seed %d key %s", seed, held.getKey())
            .isEqualTo(expected == null ? 0 : expected);
      }
      for (int depth : new int[] {1, 3, 17}) {
        assertLeavesListExactlyTheirKeys(index, model, hashOf, depth, seed);
      }
    }
  }

  @Test
  void leavesListTheirKeysWhetherTheTableIsSmallerOrLargerThanTheTree() {
    Random random = new Random(7);
    KeyIndex index = new KeyIndex();
    Map<Bytes, Long> model = new HashMap<>();
    Map<Bytes, Long> hashOf = new HashMap<>();
    for (int i = 0; i < 5_000; i++) {
      Bytes key = Bytes.ofUtf8("key-" + i);
      long keyHash = random.nextLong();
      hashOf.put(key, keyHash);
      model.put(key, (long) i + 1);
      index.put(keyHash, check(key), key, i + 1);
      if (i == 5 || i == 4_999) {
        // A small table (fewer slot bits than tree levels) and a large one (more).
        for (int depth : new int[] {2, 10, 17}) {
          assertLeavesListExactlyTheirKeys(index, model, hashOf, depth, 7);
        }
      }
    }
  }

  @Test
  void refusesTheZeroEntryHashThatMeansAbsent() {
    assertThatThrownBy(() -> new KeyIndex().put(1, 2, Bytes.ofUtf8("k"), 0)).isInstanceOf(InvariantViolation.class);
  }

  @Test
  void aKeyIsOneEntryExactlyWhenBothItsHashesMatch() {
    KeyIndex index = new KeyIndex();
    Bytes key = Bytes.ofUtf8("order-1");
    assertThat(index.put(42, 7, key, 100)).isZero();
    // The same bytes in another object (as every decoded write brings): the same entry.
    assertThat(index.put(42, 7, Bytes.ofUtf8("order-1"), 101)).isEqualTo(100);
    // The same placing hash with another check hash: another key.
    assertThat(index.put(42, 8, Bytes.ofUtf8("order-2"), 200)).isZero();
    assertThat(index.size()).isEqualTo(2);
    assertThat(index.get(42, 7)).isEqualTo(101);
    assertThat(index.remove(42, 8)).isEqualTo(200);
    assertThat(index.get(42, 8)).isZero();
    Map<Bytes, Long> listed = new HashMap<>();
    index.forEachInLeaf(1, (int) (42L >>> 63), listed::put);
    assertThat(listed).containsExactly(Map.entry(key, 101L));
  }

  @Test
  void theCheckHashTellsApartKeysOfOneLoadKeySpace() {
    // The load generator's key names and their near neighbours: no two share a check hash (a
    // weak second hash, say a sum of bytes, would make "load-12" and "load-21" one entry).
    Map<Long, Bytes> byCheck = new HashMap<>();
    for (int i = 0; i < 200_000; i++) {
      Bytes key = Bytes.ofUtf8("load-us-east-" + i);
      assertThat(byCheck.put(Hashing.keyCheck(key), key)).as("check hash of %s", key).isNull();
    }
    assertThat(Hashing.keyCheck(Bytes.ofUtf8("ab"))).isNotEqualTo(Hashing.keyCheck(Bytes.ofUtf8("ba")));
    assertThat(Hashing.keyCheck(Bytes.EMPTY)).isNotEqualTo(Hashing.keyCheck(Bytes.copyOf(new byte[1])));
  }

  // A check hash unique per key in these tests, so colliding placing hashes still tell keys apart.
  private static long check(Bytes key) {
    return Hashing.keyCheck(key);
  }

  private static void assertLeavesListExactlyTheirKeys(KeyIndex index, Map<Bytes, Long> model,
      Map<Bytes, Long> hashOf, int depth, int seed) {
    Map<Integer, Map<Bytes, Long>> expected = new HashMap<>();
    model.forEach((key, entryHash) -> expected
        .computeIfAbsent((int) (hashOf.get(key) >>> (64 - depth)), leaf -> new HashMap<>()).put(key, entryHash));
    for (int leaf = 0; leaf < Math.min(1 << depth, 4096); leaf++) {
      Map<Bytes, Long> listed = new HashMap<>();
      index.forEachInLeaf(depth, leaf, (key, entryHash) ->
          assertThat(listed.put(key, entryHash)).as("seed %d: %s listed twice", seed, key).isNull());
      assertThat(listed).as("seed %d depth %d leaf %d", seed, depth, leaf)
          .isEqualTo(expected.getOrDefault(leaf, Map.of()));
    }
    if (depth == 17) {
      // Every leaf holding a key, not only the first 4,096.
      expected.forEach((leaf, keys) -> {
        Map<Bytes, Long> listed = new HashMap<>();
        index.forEachInLeaf(depth, leaf, listed::put);
        assertThat(listed).as("seed %d depth %d leaf %d", seed, depth, leaf).isEqualTo(keys);
      });
    }
  }
}

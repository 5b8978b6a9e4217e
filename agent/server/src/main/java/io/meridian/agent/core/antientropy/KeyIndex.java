package io.meridian.agent.core.antientropy;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.Invariants;
import java.util.function.ObjLongConsumer;

/**
 * The keys of one tree with their entry hashes, in an open-addressing table of primitive arrays
 * keyed by the key's 64-bit hash (ADR 0037). A look-up allocates nothing: the {@code
 * HashMap<Bytes, Long>} it replaces cost a node and a boxed {@code Long} per new key, {@code
 * Bytes.hashCode}, and was most of the tree's cost per write on every agent.
 *
 * <p>A key is identified by two independent 64-bit hashes of its bytes, its hash (which places it)
 * and its check hash (ADR 0050): two keys are the same entry when both match. Comparing the key's
 * bytes instead cost two cache misses per write to a held key (the held {@code Bytes} and its
 * array, written long ago; ~15 % of a replica's samples), while the tree itself is a sum of 64-bit
 * hashes already: a 2^-128 chance that two keys of a dataset share an entry changes what the tree
 * can tell apart by far less than its own hash sums do, and never what the store holds. The two
 * hashes and the entry hash of a slot sit next to each other in one array, so a write to a held
 * key touches one place in memory; the keys themselves are read only to list a leaf.
 *
 * <p>A key's home slot is the top bits of its hash, the same bits that pick its leaf, so the keys
 * of one leaf sit in one run of slots: {@link #forEachInLeaf} visits a leaf by scanning that run
 * instead of keeping a second map from leaves to keys. Linear probing, removal by shifting later
 * entries back (no tombstones), doubling when half full.
 *
 * <p>Entry hashes are never 0 ({@link Hashing#entry} avoids it), so 0 means "absent" in results
 * and marks an empty slot.
 */
final class KeyIndex {
  /** Slots of a new table; grows by doubling. */
  private static final int CAPACITY_BITS_MIN = 4;
  /** Largest table: 2^28 slots, far beyond the keys a tree of {@link MerkleTree#DEPTH_MAX} is meant for. */
  private static final int CAPACITY_BITS_MAX = 28;
  /** Longs per slot in {@link #slots}: the key's hash, its check hash, its entry hash (0: empty). */
  private static final int STRIDE = 3;

  private int capacityBits = CAPACITY_BITS_MIN;
  private long[] slots = new long[STRIDE << CAPACITY_BITS_MIN];
  // The key of each occupied slot, for listing a leaf; null in an empty slot.
  private Bytes[] keys = new Bytes[1 << CAPACITY_BITS_MIN];
  private int size;

  /** Number of keys held. */
  int size() {
    return size;
  }

  /** The entry hash of the key whose hashes are {@code keyHash} and {@code keyCheck}, or 0 when absent. */
  long get(long keyHash, long keyCheck) {
    int slot = find(keyHash, keyCheck);
    return slot < 0 ? 0 : slots[slot * STRIDE + 2];
  }

  /**
   * Sets the entry hash (not 0) of {@code key}, whose hashes are {@code keyHash} and {@code
   * keyCheck}; returns the previous one, or 0 when the key is new.
   */
  long put(long keyHash, long keyCheck, Bytes key, long entryHash) {
    Invariants.check(entryHash != 0, "an entry hash of 0 means absent and cannot be stored");
    int mask = keys.length - 1;
    for (int slot = home(keyHash); ; slot = (slot + 1) & mask) {
      int at = slot * STRIDE;
      long previous = slots[at + 2];
      if (previous == 0) {
        slots[at] = keyHash;
        slots[at + 1] = keyCheck;
        slots[at + 2] = entryHash;
        keys[slot] = key;
        size++;
        if (size * 2 > keys.length) {
          grow();
        }
        return 0;
      }
      if (slots[at] == keyHash && slots[at + 1] == keyCheck) {
        slots[at + 2] = entryHash;
        return previous;
      }
    }
  }

  /** Removes the key whose hashes are {@code keyHash} and {@code keyCheck}; returns its entry hash, or 0 when absent. */
  long remove(long keyHash, long keyCheck) {
    int slot = find(keyHash, keyCheck);
    if (slot < 0) {
      return 0;
    }
    long previous = slots[slot * STRIDE + 2];
    size--;
    // Backward-shift deletion: move each later entry of the run into the hole when its home slot
    // does not lie cyclically in (hole, its slot], so every entry stays reachable from its home.
    int mask = keys.length - 1;
    int hole = slot;
    for (int next = (hole + 1) & mask; slots[next * STRIDE + 2] != 0; next = (next + 1) & mask) {
      int home = home(slots[next * STRIDE]);
      boolean homeInRange = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (!homeInRange) {
        System.arraycopy(slots, next * STRIDE, slots, hole * STRIDE, STRIDE);
        keys[hole] = keys[next];
        hole = next;
      }
    }
    slots[hole * STRIDE] = 0;
    slots[hole * STRIDE + 1] = 0;
    slots[hole * STRIDE + 2] = 0;
    keys[hole] = null;
    return previous;
  }

  /**
   * Visits the keys whose hash has {@code leaf} as its top {@code depth} bits, in no particular
   * order. Costs the length of the run of occupied slots the leaf's home slots start.
   */
  void forEachInLeaf(int depth, int leaf, ObjLongConsumer<Bytes> visitor) {
    int mask = keys.length - 1;
    int first;
    int homes; // Home slots that belong to the leaf.
    if (capacityBits >= depth) {
      first = leaf << (capacityBits - depth);
      homes = 1 << (capacityBits - depth);
    } else {
      first = leaf >>> (depth - capacityBits);
      homes = 1;
    }
    // Entries whose home is one of the leaf's slots lie between the first of them and the first
    // empty slot after the last of them (linear probing leaves no hole between home and entry).
    int slot = first;
    for (int scanned = 0; scanned < keys.length; scanned++, slot = (slot + 1) & mask) {
      int at = slot * STRIDE;
      if (slots[at + 2] == 0) {
        if (scanned >= homes) {
          return;
        }
        continue;
      }
      if ((int) (slots[at] >>> (64 - depth)) == leaf) {
        visitor.accept(keys[slot], slots[at + 2]);
      }
    }
  }

  private int find(long keyHash, long keyCheck) {
    int mask = keys.length - 1;
    for (int slot = home(keyHash); ; slot = (slot + 1) & mask) {
      int at = slot * STRIDE;
      if (slots[at + 2] == 0) {
        return -1;
      }
      if (slots[at] == keyHash && slots[at + 1] == keyCheck) {
        return slot;
      }
    }
  }

  private int home(long keyHash) {
    return (int) (keyHash >>> (64 - capacityBits));
  }

  private void grow() {
    Invariants.check(capacityBits < CAPACITY_BITS_MAX, "key index full at 2^%d slots", CAPACITY_BITS_MAX);
    long[] oldSlots = slots;
    Bytes[] oldKeys = keys;
    capacityBits++;
    slots = new long[STRIDE << capacityBits];
    keys = new Bytes[1 << capacityBits];
    int mask = keys.length - 1;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldSlots[i * STRIDE + 2] != 0) {
        int slot = home(oldSlots[i * STRIDE]);
        while (slots[slot * STRIDE + 2] != 0) {
          slot = (slot + 1) & mask;
        }
        System.arraycopy(oldSlots, i * STRIDE, slots, slot * STRIDE, STRIDE);
        keys[slot] = oldKeys[i];
      }
    }
  }
}

package io.meridian.agent.core.antientropy;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.Invariants;
import io.meridian.agent.core.storage.StoredValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;

/**
 * A fixed-depth binary hash tree over the 64-bit key-hash space of one dataset replica. Leaf
 * {@code i} covers the keys whose hash has {@code i} as its top {@code depth} bits; a leaf's hash
 * is the sum (mod 2^64) of its entries' hashes, so a write changes it in O(1) without reading the
 * range. The inner nodes above it are only marked stale (stopping at the first ancestor already
 * marked) and recomputed, bottom-up and each once, when a hash is next read: a write costs O(1)
 * amortised instead of {@code depth} hash combinations, and a comparison still sees a tree that
 * is correct for every write made before it. Two replicas with the same keys, versions and values
 * have equal trees whatever the order their writes arrived in.
 *
 * <p>The tree also indexes its keys by hash, so the keys of a differing range are found without
 * scanning the store.
 */
public final class MerkleTree {
  /** Deepest tree allowed: 2^22 leaves, 64 MiB of node hashes. */
  public static final int DEPTH_MAX = 22;

  private final int depth;
  // Heap layout: node 1 is the root; node n has children 2n and 2n+1; level l starts at 2^l.
  // Allocated on the first key, so a node restarted many times over an empty dataset costs nothing.
  private long[] nodes;
  // One bit per inner node (index 1 .. 2^depth - 1): its hash is stale. Marking stops at the first
  // ancestor already marked, so every marked node's ancestors are marked too; settle() recomputes
  // the marked nodes from the highest index down (children before parents) and clears them.
  // Allocated with the nodes: 2^depth / 8 bytes (16 KiB at depth 17).
  private long[] staleInner;
  private boolean anyStale;
  // Each key's entry hash, in a table of primitive arrays keyed by the key hash, whose runs of slots
  // also give each leaf's keys (ADR 0037). A write to an existing key costs a probe and no
  // allocation; the HashMap<Bytes, Long> (and a second map from leaves to keys) used before were
  // most of the tree's cost per write on every agent. Ranges are sorted by hash only when asked for
  // (repair sessions).
  private final KeyIndex byKey = new KeyIndex();

  // Hashes of region names: every entry hash covers two, and encoding and hashing them afresh for
  // every write showed in profiles. A pure memo, bounded (region names are a handful).
  private static final int TEXT_HASHES_MAX = 1024;
  private final HashMap<String, Long> textHashes = new HashMap<>();

  // One instance, not a method reference per write (C1-compiled agents allocate each one).
  private final java.util.function.ToLongFunction<String> textHasher = this::textHash;

  private long textHash(String text) {
    Long cached = textHashes.get(text);
    if (cached != null) {
      return cached;
    }
    long hash = Hashing.text(text);
    if (textHashes.size() < TEXT_HASHES_MAX) {
      textHashes.put(text, hash);
    }
    return hash;
  }

  // Range order: key hash (unsigned), ties (distinct keys with one hash) broken by the key's bytes.
  private static final Comparator<KeyDigest> RANGE_ORDER = (a, b) -> {
    int byHash = Long.compareUnsigned(Hashing.key(a.key()), Hashing.key(b.key()));
    return byHash != 0 ? byHash : a.key().compareTo(b.key());
  };

  /** One key of a range and the hash of its state. */
  public record KeyDigest(Bytes key, long entryHash) {}

  /** An empty tree with {@code 2^depth} leaves. */
  public MerkleTree(int depth) {
    Invariants.check(depth >= 1 && depth <= DEPTH_MAX, "tree depth must be 1..%d, got %d", DEPTH_MAX, depth);
    this.depth = depth;
  }

  /** Levels below the root; the leaves are at this level. */
  public int depth() {
    return depth;
  }

  /** Number of leaves. */
  public int leafCount() {
    return 1 << depth;
  }

  /** Number of keys held (tombstones included). */
  public int size() {
    return byKey.size();
  }

  /** The root hash: equal for two replicas exactly when (up to hash collisions) their states are. */
  public long root() {
    settle();
    return nodes == null ? 0 : nodes[1];
  }

  /** The hash of node {@code index} (0-based) at {@code level} (0 = root). */
  public long hash(int level, int index) {
    Invariants.check(level >= 0 && level <= depth, "level %d outside 0..%d", level, depth);
    Invariants.check(index >= 0 && index < (1 << level), "node %d outside level %d", index, level);
    settle();
    return nodes == null ? 0 : nodes[(1 << level) + index];
  }

  /** Records the key's new state, or its removal. */
  public void update(Bytes key, Optional<StoredValue> state) {
    if (key.startsWith(io.meridian.agent.core.probe.ProbeKeys.PREFIX)) {
      // Consistency probe keys (ADR 0022) change every second and are the probes' own business: a
      // repair neither compares nor counts them.
      return;
    }
    long keyHash = Hashing.key(key);
    long newHash = state.isPresent() ? Hashing.entry(keyHash, state.get(), textHasher) : 0L;
    apply(keyHash, key, newHash);
  }

  /**
   * Records the state {@code change} leaves its key in, as {@link #update(Bytes, Optional)} with
   * {@code StoredValue.of(change)} does; with {@code canonicalPosition}, as if its version's log
   * sequence and epoch were 1 (a leaderless replica's canonical state, ADR 0035). Builds no
   * intermediate state: this runs for every change a replica appends (ADR 0053).
   */
  public void update(io.meridian.agent.core.storage.Change change, boolean canonicalPosition) {
    Bytes key = change.key();
    if (key.startsWith(io.meridian.agent.core.probe.ProbeKeys.PREFIX)) {
      return; // As in update(key, state).
    }
    long keyHash = Hashing.key(key);
    io.meridian.agent.core.storage.Version version = change.version();
    long newHash = Hashing.entry(keyHash, version, canonicalPosition ? 1 : version.sequence(),
        canonicalPosition ? 1 : version.epoch(), change.kind() == io.meridian.agent.core.storage.ChangeKind.DELETE,
        change.value(), textHasher);
    apply(keyHash, key, newHash);
  }

  private void apply(long keyHash, Bytes key, long newHash) {
    long keyCheck = Hashing.keyCheck(key);
    long oldHash = newHash == 0 ? byKey.remove(keyHash, keyCheck) : byKey.put(keyHash, keyCheck, key, newHash);
    long delta = newHash - oldHash;
    if (delta == 0) {
      return;
    }
    if (nodes == null) {
      nodes = new long[1 << (depth + 1)];
      staleInner = new long[Math.max(1, (1 << depth) >>> 6)];
    }
    int node = (1 << depth) + leafOf(keyHash);
    nodes[node] += delta;
    // Only mark the path stale: profiles of a replica under load put the per-write recomputation
    // of all depth ancestors (two 64-bit mixes each) in a third of the tree's cost.
    for (int parent = node >>> 1; parent >= 1; parent >>>= 1) {
      long bit = 1L << (parent & 63);
      int word = parent >>> 6;
      if ((staleInner[word] & bit) != 0) {
        break; // Its ancestors are marked already.
      }
      staleInner[word] |= bit;
    }
    anyStale = true;
  }

  /**
   * Recomputes the stale inner nodes, each once: a node's children have higher indexes, so going
   * from the highest marked index down recomputes children before their parents. Bounded by the
   * number of inner nodes, 2^depth - 1, whatever the number of writes since the last read.
   */
  private void settle() {
    if (!anyStale) {
      return;
    }
    for (int word = staleInner.length - 1; word >= 0; word--) {
      long bits = staleInner[word];
      while (bits != 0) {
        int bit = 63 - Long.numberOfLeadingZeros(bits);
        int node = (word << 6) + bit;
        nodes[node] = parentHash(nodes[2 * node], nodes[2 * node + 1]);
        bits &= ~(1L << bit);
      }
      staleInner[word] = 0;
    }
    anyStale = false;
  }

  /** The leaf holding {@code key}. */
  public int leafOf(Bytes key) {
    return leafOf(Hashing.key(key));
  }

  private int leafOf(long keyHash) {
    return (int) (keyHash >>> (64 - depth));
  }

  // An empty subtree hashes to 0 so that empty ranges compare equal cheaply.
  private static long parentHash(long left, long right) {
    return left == 0 && right == 0 ? 0 : Hashing.combine(left, right);
  }

  /** The keys of leaf {@code leaf} with their entry hashes, in hash order. */
  public List<KeyDigest> keysIn(int leaf) {
    Invariants.check(leaf >= 0 && leaf < leafCount(), "leaf %d outside 0..%d", leaf, leafCount() - 1);
    List<KeyDigest> result = new ArrayList<>();
    byKey.forEachInLeaf(depth, leaf, (key, entryHash) -> result.add(new KeyDigest(key, entryHash)));
    result.sort(RANGE_ORDER);
    return result;
  }
}

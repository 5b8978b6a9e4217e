package io.meridian.agent.core.antientropy;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.storage.Version;
import java.nio.charset.StandardCharsets;

/**
 * The 64-bit hashes the trees are made of. Deterministic across processes and JVMs (two agents
 * must agree on every hash), so nothing here uses {@code Object.hashCode} of a JDK type.
 */
final class Hashing {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private Hashing() {}

  /** Murmur3's 64-bit finalizer: spreads every input bit over the whole result. */
  static long mix(long value) {
    long h = value;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /** Combines two hashes, order-sensitive. */
  static long combine(long left, long right) {
    return mix(left * 31 + mix(right + 0x9e3779b97f4a7c15L));
  }

  static long bytes(Bytes bytes) {
    return bytes(bytes.sharedArray()); // Only read: no copy.
  }

  static long bytes(byte[] data) {
    long h = FNV_OFFSET;
    for (byte b : data) {
      h ^= b & 0xff;
      h *= FNV_PRIME;
    }
    return mix(h ^ data.length);
  }

  static long text(String text) {
    return bytes(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Where a key sits in the hash space: its leaf is the top bits of this. */
  static long key(Bytes key) {
    return bytes(key.sharedArray());
  }

  /**
   * A second 64-bit hash of a key, independent of {@link #key}: another function (add, then
   * multiply by another odd constant, rotate) from another start, so two keys that share one hash
   * share this one only by a separate chance. {@link KeyIndex} identifies a key by both (ADR 0050).
   */
  static long keyCheck(Bytes key) {
    byte[] data = key.sharedArray();
    long h = CHECK_OFFSET;
    for (byte b : data) {
      h = Long.rotateLeft((h + (b & 0xff)) * CHECK_MULTIPLIER, 29);
    }
    return mix(h + data.length * CHECK_MULTIPLIER);
  }

  private static final long CHECK_OFFSET = 0x6a09e667f3bcc908L; // sqrt(2)'s fraction, as SHA-512's first word.
  private static final long CHECK_MULTIPLIER = 0x9e3779b97f4a7c15L; // 2^64 / golden ratio, odd.

  /** The hash of one (key, state) pair: equal exactly when key, version, value and tombstone are. */
  static long entry(long keyHash, StoredValue state) {
    return entry(keyHash, state, Hashing::text);
  }

  /** {@link #entry(long, StoredValue)} with region names hashed by {@code textHash} (a memo of {@link #text}). */
  static long entry(long keyHash, StoredValue state, java.util.function.ToLongFunction<String> textHash) {
    Version version = state.version();
    return entry(keyHash, version, version.sequence(), version.epoch(), state.tombstone(), state.value(), textHash);
  }

  /**
   * {@link #entry(long, StoredValue, java.util.function.ToLongFunction)} of a state with this
   * {@code version}, except that {@code sequence} and {@code epoch} stand for the version's: a
   * leaderless replica's canonical state (sequence and epoch 1) hashes without building it.
   */
  static long entry(long keyHash, Version version, long sequence, long epoch, boolean tombstone, Bytes value,
      java.util.function.ToLongFunction<String> textHash) {
    long h = combine(keyHash, version.timestamp().pack());
    h = combine(h, textHash.applyAsLong(version.originRegion()));
    h = combine(h, sequence);
    h = combine(h, textHash.applyAsLong(version.committedBy()));
    h = combine(h, epoch);
    h = combine(h, tombstone ? 1 : 2);
    h = combine(h, bytes(value.sharedArray()));
    // Zero is what an empty range sums to; keep entries away from it.
    return h == 0 ? 1 : h;
  }
}

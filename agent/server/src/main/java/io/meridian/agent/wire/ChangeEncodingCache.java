package io.meridian.agent.wire;

import io.meridian.agent.core.storage.Change;

/**
 * Remembers the protobuf form of recently sent changes, so a primary that ships the same change
 * to several replicas encodes it once: the batches for each replica are read from the same log
 * tail and hold the same {@link Change} objects (and a quorum coordinator sends the same change
 * objects to every replica). Direct-mapped by log sequence and checked by
 * identity, so a stale slot (another dataset's change, or a change read back from the store) is
 * simply encoded again. A protobuf message also keeps its serialized size, so sharing it saves
 * that computation for the second and later replicas too. Not thread-safe: one per transport,
 * used on the runtime's logical thread.
 */
public final class ChangeEncodingCache {
  /** Slots; a power of two. Covers a few batches per replica at the default batch size. */
  public static final int SLOTS = 4096;

  private final Change[] changes = new Change[SLOTS];
  private final io.meridian.agent.api.v1.Change[] encoded = new io.meridian.agent.api.v1.Change[SLOTS];

  /** The protobuf form of {@code change}, encoded now or reused. */
  public io.meridian.agent.api.v1.Change encode(Change change) {
    int slot = (int) (change.version().sequence() & (SLOTS - 1));
    if (changes[slot] == change) {
      return encoded[slot];
    }
    io.meridian.agent.api.v1.Change proto = WireMapping.toProto(change);
    changes[slot] = change;
    encoded[slot] = proto;
    return proto;
  }
}

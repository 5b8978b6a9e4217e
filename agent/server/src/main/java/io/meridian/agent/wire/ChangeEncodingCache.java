package io.meridian.agent.wire;

import io.meridian.agent.core.storage.Change;

/**
 * Remembers the protobuf form of recently encoded changes, so a change is built into protobuf
 * once whether it is appended to the store's log, sent to one replica or to several: the batches
 * for each replica are read from the same log tail and hold the same {@link Change} objects the
 * store appended (and a quorum coordinator sends the same change objects to every replica).
 * Direct-mapped by log sequence and checked by identity, so a stale slot (another dataset's
 * change, or a change read back from the store) is simply encoded again. A protobuf message also
 * keeps its serialized size, so sharing it saves that computation for later users too.
 *
 * <p>Safe to share between threads without locks (ADR 0037): each slot holds one immutable entry
 * pairing a change with its encoding, replaced by a single reference write, so a reader sees a
 * matching pair or a miss, never one change's slot with another's encoding. {@link #shared()} is
 * the process's instance, used by the RocksDB store and the peer transport.
 */
public final class ChangeEncodingCache {
  /**
   * Slots; a power of two. Covers a few batches per replica at the default batch size, and at a
   * replica the batches received and not yet applied (ADR 0041).
   */
  public static final int SLOTS = 8192;

  private static final ChangeEncodingCache SHARED = new ChangeEncodingCache();

  /** A change and its protobuf form; final fields, so safely published through a data race. */
  private record Entry(Change change, io.meridian.agent.api.v1.Change encoded) {}

  private final Entry[] entries = new Entry[SLOTS];

  /** The instance shared by the store and the transport of this process. */
  public static ChangeEncodingCache shared() {
    return SHARED;
  }

  /** The protobuf form of {@code change}, encoded now or reused. */
  public io.meridian.agent.api.v1.Change encode(Change change) {
    int slot = (int) (change.version().sequence() & (SLOTS - 1));
    Entry entry = entries[slot];
    if (entry != null && entry.change() == change) {
      return entry.encoded();
    }
    io.meridian.agent.api.v1.Change proto = WireMapping.toProto(change);
    entries[slot] = new Entry(change, proto);
    return proto;
  }

  /**
   * Remembers {@code received} as the encoding of {@code change}, which was just decoded from it,
   * so a replica stores the encoding it received instead of building the same message again
   * (ADR 0041). Only a message without unknown fields (none in it, its version or its timestamp)
   * is remembered: the mapping is lossless for every field this build knows, so such a message
   * is exactly what {@link WireMapping#toProto(Change)} would build, while fields a newer peer
   * added would otherwise be persisted unread. Returns whether it was remembered.
   */
  public boolean remember(Change change, io.meridian.agent.api.v1.Change received) {
    if (!received.getUnknownFields().asMap().isEmpty()
        || !received.getVersion().getUnknownFields().asMap().isEmpty()
        || !received.getVersion().getTimestamp().getUnknownFields().asMap().isEmpty()) {
      return false;
    }
    entries[(int) (change.version().sequence() & (SLOTS - 1))] = new Entry(change, received);
    return true;
  }
}

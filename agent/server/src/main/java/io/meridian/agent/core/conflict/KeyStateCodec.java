package io.meridian.agent.core.conflict;

import io.meridian.agent.config.ConflictResolution;

/**
 * The durable bytes of a key's merged state (ADR 0033): the canonical bytes ({@link
 * KeyState#encode}) followed by what they leave out but later operations need (a
 * last-writer-wins value's seen writes, a multi-value register's stamps), so that a state read
 * back from the store behaves exactly like the one written. The first byte is a format version.
 */
public final class KeyStateCodec {
  private static final int FORMAT = 1;

  private KeyStateCodec() {}

  /** The durable bytes of {@code state}. */
  public static byte[] toBytes(KeyState state) {
    ByteWriter out = new ByteWriter();
    out.writeByte(FORMAT);
    if (state instanceof LwwValue) {
      ((LwwValue) state).encodeDurable(out);
    } else if (state instanceof MvRegister) {
      ((MvRegister) state).encodeDurable(out);
    } else {
      state.encode(out);
    }
    return out.toByteArray();
  }

  /**
   * The state {@link #toBytes} wrote, for a dataset resolving conflicts by {@code rule}.
   *
   * @throws IllegalArgumentException when the bytes are not such a state (corrupt, or written for
   *     another rule)
   */
  public static KeyState fromBytes(ConflictResolution rule, byte[] bytes) {
    ByteReader in = new ByteReader(bytes);
    int format = in.readByte();
    if (format != FORMAT) {
      throw new IllegalArgumentException("merged state in format " + format + ", this agent reads " + FORMAT);
    }
    KeyState state;
    switch (rule) {
      case LWW:
      case CRDT_LWW_REGISTER:
        state = LwwValue.decodeDurable(in);
        break;
      case VERSION_VECTOR:
        state = Siblings.decodeDurable(in);
        break;
      case CRDT_COUNTER:
      case CRDT_PN_COUNTER:
        state = Counter.decodeDurable(in);
        break;
      case CRDT_OR_SET:
        state = OrSet.decodeDurable(in);
        break;
      case CRDT_MV_REGISTER:
        state = MvRegister.decodeDurable(in);
        break;
      case CRDT_LWW_MAP:
        state = LwwMap.decodeDurable(in);
        break;
      default:
        throw new IllegalArgumentException("no merged state for " + rule);
    }
    in.requireEnd("merged state of a " + rule.policyName() + " key");
    return state;
  }

  /**
   * Whether collection could change the state {@code stored} holds, judged from its first bytes
   * without decoding it (ADR 0040): a last-writer-wins value can only be collected when it is a
   * tombstone, a counter never. Collection walks every stored key, most of them live values.
   */
  public static boolean mayCollect(ConflictResolution rule, byte[] stored) {
    switch (rule) {
      case LWW:
      case CRDT_LWW_REGISTER:
        return stored.length < 2 || stored[0] != FORMAT || stored[1] == LwwValue.TOMBSTONE_KIND;
      case CRDT_COUNTER:
      case CRDT_PN_COUNTER:
        return false;
      default:
        return true;
    }
  }

  /**
   * Whether collection against {@code frontier} could change the state {@code stored} holds: as
   * {@link #mayCollect(ConflictResolution, byte[])}, and for a version-vector key read far enough
   * to tell without decoding it (ADR 0056). Such a key changes only when its causal context holds
   * an entry the frontier covers, or when it has no sibling left. After a key's writes are applied
   * everywhere its context is empty, so a collection pass over mostly settled keys decoded and
   * re-encoded each of them (siblings and all) only to find the same bytes; it now skips them.
   * Bytes it cannot read are left to the decoder to report.
   */
  public static boolean mayChange(ConflictResolution rule, byte[] stored, Frontier frontier) {
    if (rule != ConflictResolution.VERSION_VECTOR) {
      return mayCollect(rule, stored);
    }
    try {
      ByteReader in = new ByteReader(stored);
      if (in.readByte() != FORMAT) {
        return true;
      }
      int siblings = in.readCount();
      if (siblings == 0) {
        return true;
      }
      for (int i = 0; i < siblings; i++) {
        in.skipBytes(); // the region of the sibling's stamp
        in.readVarint(); // its counter
        in.skip(Long.BYTES); // its timestamp
        in.skipBytes(); // its value
      }
      int contextEntries = in.readCount();
      for (int i = 0; i < contextEntries; i++) {
        String region = in.readRegion();
        if (in.readVarint() <= frontier.sequence(region)) {
          return true;
        }
      }
      return !in.atEnd();
    } catch (IllegalArgumentException malformed) {
      return true;
    }
  }

  /** The durable bytes of {@code frontier}: per region, the applied sequence and newest timestamp. */
  public static byte[] toBytes(Frontier frontier) {
    ByteWriter out = new ByteWriter();
    out.writeByte(FORMAT);
    frontier.encode(out);
    return out.toByteArray();
  }

  /** Restores into {@code frontier} (fresh, over the dataset's regions) what {@link #toBytes(Frontier)} wrote. */
  public static void restore(Frontier frontier, byte[] bytes) {
    ByteReader in = new ByteReader(bytes);
    int format = in.readByte();
    if (format != FORMAT) {
      throw new IllegalArgumentException("merged-state frontier in format " + format + ", this agent reads " + FORMAT);
    }
    frontier.decodeInto(in);
    in.requireEnd("merged-state frontier");
  }
}

package io.meridian.agent.core.conflict;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.conflict.ConflictDetail.VersionInfo;
import java.util.List;
import java.util.Optional;

/**
 * A last-writer-wins value (datasets under {@code lww}, and {@code crdt:lww-register}): the write
 * with the greatest {@link Stamp} (hybrid clock timestamp, then region id) wins. Each write
 * carries what its writer had seen of the key, so a write that overwrites a value it never saw is
 * reported as a conflict with the lost value, while an ordinary overwrite is not.
 */
public final class LwwValue implements KeyState {
  /** The kind byte that starts a delete's encoding (0: no write yet, 1: a value). */
  static final int TOMBSTONE_KIND = 2;

  private Bytes value = Bytes.EMPTY;
  private boolean tombstone;
  private Stamp stamp;
  // Every write applied to the key, as a version vector: at most one entry per region. Kept in
  // full to tell causal overwrites from conflicts; not part of the canonical bytes.
  private VersionVector seen = VersionVector.EMPTY;

  /** The winning write's stamp; empty before any write. */
  public Optional<Stamp> stamp() {
    return Optional.ofNullable(stamp);
  }

  /** The winning value; empty for a delete or before any write. */
  public Optional<Bytes> value() {
    return stamp == null || tombstone ? Optional.empty() : Optional.of(value);
  }

  /** Every write this replica has applied to the key: the context for a new write. */
  public VersionVector seen() {
    return seen;
  }

  @Override
  public Optional<ConflictDetail> apply(Operation operation, Stamp incoming) {
    Operation.Write write = KeyState.expect(Operation.Write.class, operation, "a last-writer-wins value");
    if (stamp != null && stamp.equals(incoming)) {
      return Optional.empty();
    }
    Optional<ConflictDetail> conflict = Optional.empty();
    boolean incomingWins = stamp == null || incoming.compareTo(stamp) > 0;
    if (stamp != null) {
      boolean overwritesSeen = write.context().covers(stamp.dot());
      boolean alreadySeen = seen.covers(incoming.dot());
      if (!overwritesSeen && !alreadySeen) {
        VersionInfo current = new VersionInfo(stamp, value, tombstone);
        VersionInfo arriving = new VersionInfo(incoming, write.value(), write.delete());
        VersionInfo winner = incomingWins ? arriving : current;
        VersionInfo loser = incomingWins ? current : arriving;
        conflict = Optional.of(new ConflictDetail(List.of(current, arriving), Optional.of(winner), List.of(loser)));
      }
    }
    if (incomingWins) {
      value = write.value();
      tombstone = write.delete();
      stamp = incoming;
    }
    seen = seen.merge(write.context()).with(incoming.dot());
    return conflict;
  }

  @Override
  public void merge(KeyState other) {
    LwwValue that = (LwwValue) other;
    if (that.stamp != null && (stamp == null || that.stamp.compareTo(stamp) > 0)) {
      value = that.value;
      tombstone = that.tombstone;
      stamp = that.stamp;
    }
    seen = seen.merge(that.seen);
  }

  @Override
  public LwwValue copy() {
    LwwValue copy = new LwwValue();
    copy.value = value;
    copy.tombstone = tombstone;
    copy.stamp = stamp;
    copy.seen = seen;
    return copy;
  }

  @Override
  public boolean collect(Frontier frontier) {
    // A tombstone can go once every region has applied something at least as new: any later
    // write carries a greater timestamp, so forgetting the delete cannot resurrect an older value.
    return stamp != null && tombstone && frontier.allAfter(stamp.timestamp());
  }

  @Override
  public void encode(ByteWriter out) {
    if (stamp == null) {
      out.writeByte(0);
      return;
    }
    out.writeByte(tombstone ? TOMBSTONE_KIND : 1);
    writeStamp(out, stamp);
    out.writeBytes(value.sharedArray());
  }

  static void writeStamp(ByteWriter out, Stamp stamp) {
    out.writeString(stamp.dot().region());
    out.writeVarint(stamp.dot().counter());
    out.writeLong(stamp.timestamp().pack());
  }

  static Stamp readStamp(ByteReader in) {
    String region = in.readRegion();
    long counter = in.readVarint();
    return new Stamp(new Dot(region, counter), io.meridian.agent.core.clock.HlcTimestamp.unpack(in.readLong()));
  }

  /** The canonical bytes and what they leave out ({@link #seen}), for the durable merged state. */
  void encodeDurable(ByteWriter out) {
    encode(out);
    seen.encode(out);
  }

  static LwwValue decodeDurable(ByteReader in) {
    LwwValue result = new LwwValue();
    int kind = in.readByte();
    if (kind != 0) {
      if (kind != 1 && kind != 2) {
        throw new IllegalArgumentException("last-writer-wins value of unknown kind " + kind);
      }
      result.tombstone = kind == TOMBSTONE_KIND;
      result.stamp = readStamp(in);
      result.value = Bytes.wrapOwned(in.readBytes());
    }
    result.seen = VersionVector.decode(in);
    return result;
  }
}

package io.meridian.agent.core.conflict;

import io.meridian.agent.core.Bytes;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A map whose entries are last-writer-wins registers: per field, the put or remove with the
 * greatest {@link Stamp} wins. Removed fields keep a tombstone until no older write can arrive.
 */
public final class LwwMap implements KeyState {
  private final TreeMap<Bytes, Entry> entries = new TreeMap<>();

  private record Entry(Bytes value, boolean removed, Stamp stamp) {}

  /** The live entries. */
  public NavigableMap<Bytes, Bytes> entries() {
    TreeMap<Bytes, Bytes> live = new TreeMap<>();
    entries.forEach((field, entry) -> {
      if (!entry.removed()) {
        live.put(field, entry.value());
      }
    });
    return live;
  }

  @Override
  public Optional<ConflictDetail> apply(Operation operation, Stamp stamp) {
    Operation.MapEntry write = KeyState.expect(Operation.MapEntry.class, operation, "a last-writer-wins map");
    offer(write.field(), new Entry(write.value(), write.remove(), stamp));
    return Optional.empty();
  }

  private void offer(Bytes field, Entry entry) {
    entries.merge(field, entry, (current, incoming) ->
        incoming.stamp().compareTo(current.stamp()) > 0 ? incoming : current);
  }

  @Override
  public void merge(KeyState other) {
    ((LwwMap) other).entries.forEach(this::offer);
  }

  @Override
  public LwwMap copy() {
    LwwMap copy = new LwwMap();
    copy.entries.putAll(entries);
    return copy;
  }

  @Override
  public boolean collect(Frontier frontier) {
    entries.values().removeIf(entry -> entry.removed() && frontier.allAfter(entry.stamp().timestamp()));
    return entries.isEmpty();
  }

  @Override
  public void encode(ByteWriter out) {
    out.writeVarint(entries.size());
    for (Map.Entry<Bytes, Entry> entry : entries.entrySet()) {
      out.writeBytes(entry.getKey().sharedArray());
      out.writeByte(entry.getValue().removed() ? 1 : 0);
      LwwValue.writeStamp(out, entry.getValue().stamp());
      out.writeBytes(entry.getValue().value().sharedArray());
    }
  }

  static LwwMap decodeDurable(ByteReader in) {
    LwwMap result = new LwwMap();
    int size = in.readCount();
    for (int i = 0; i < size; i++) {
      Bytes field = Bytes.wrapOwned(in.readBytes());
      boolean removed = in.readByte() == 1;
      Stamp stamp = LwwValue.readStamp(in);
      result.entries.put(field, new Entry(Bytes.wrapOwned(in.readBytes()), removed, stamp));
    }
    return result;
  }
}

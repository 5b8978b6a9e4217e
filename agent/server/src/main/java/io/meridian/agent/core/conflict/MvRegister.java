package io.meridian.agent.core.conflict;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.conflict.ConflictDetail.VersionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A multi-value register: a set replaces the values its writer had seen; concurrent sets are all
 * kept, and reported as a conflict, until a later set replaces them.
 */
public final class MvRegister implements KeyState {
  private final DottedValues<Bytes> values = new DottedValues<>();
  private final TreeMap<Dot, Stamp> stamps = new TreeMap<>();

  /** The concurrent values by the dot of their write. */
  public NavigableMap<Dot, Bytes> values() {
    return java.util.Collections.unmodifiableNavigableMap(values.entries);
  }

  /** The stamp of the write that set the value tagged {@code dot}. */
  public Stamp stampOf(Dot dot) {
    return stamps.get(dot);
  }

  /** The dots of the values seen here: the context of a set written here. */
  public SortedSet<Dot> observed() {
    return new TreeSet<>(values.entries.keySet());
  }

  @Override
  public Optional<ConflictDetail> apply(Operation operation, Stamp stamp) {
    Operation.SetValue set = KeyState.expect(Operation.SetValue.class, operation, "a multi-value register");
    boolean added = !values.context.contains(stamp.dot());
    values.write(stamp.dot(), set.value(), set.observed());
    stamps.put(stamp.dot(), stamp);
    stamps.keySet().retainAll(values.entries.keySet());
    if (added && values.entries.size() > 1) {
      List<VersionInfo> versions = new ArrayList<>();
      for (Map.Entry<Dot, Bytes> entry : values.entries.entrySet()) {
        versions.add(new VersionInfo(stamps.get(entry.getKey()), entry.getValue(), false));
      }
      return Optional.of(new ConflictDetail(versions, Optional.empty(), List.of()));
    }
    return Optional.empty();
  }

  @Override
  public void merge(KeyState other) {
    MvRegister that = (MvRegister) other;
    values.merge(that.values);
    stamps.putAll(that.stamps);
    stamps.keySet().retainAll(values.entries.keySet());
  }

  @Override
  public MvRegister copy() {
    MvRegister copy = new MvRegister();
    values.copyInto(copy.values);
    copy.stamps.putAll(stamps);
    return copy;
  }

  @Override
  public boolean collect(Frontier frontier) {
    return values.collect(frontier);
  }

  @Override
  public void encode(ByteWriter out) {
    values.encode(out, (writer, value) -> writer.writeBytes(value.sharedArray()));
  }

  /** The canonical bytes and the stamps of the values, which they leave out. */
  void encodeDurable(ByteWriter out) {
    encode(out);
    out.writeVarint(stamps.size());
    stamps.values().forEach(stamp -> LwwValue.writeStamp(out, stamp));
  }

  static MvRegister decodeDurable(ByteReader in) {
    MvRegister result = new MvRegister();
    DottedValues.decodeInto(in, result.values, reader -> Bytes.wrapOwned(reader.readBytes()));
    int size = in.readCount();
    for (int i = 0; i < size; i++) {
      Stamp stamp = LwwValue.readStamp(in);
      result.stamps.put(stamp.dot(), stamp);
    }
    return result;
  }
}

package io.meridian.agent.core.conflict;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.conflict.ConflictDetail.VersionInfo;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A key under {@code version-vector}: the concurrent values (siblings), each tagged with the dot
 * of its write, and a causal context. A write removes the siblings its context covers and adds
 * itself unless something already applied had seen it; a delete only removes. Dotted version
 * vectors, as in Riak.
 */
public final class Siblings implements KeyState {
  private final TreeMap<Dot, Sibling> entries = new TreeMap<>();
  private VersionVector context = VersionVector.EMPTY;

  /**
   * One concurrent value.
   *
   * @param value the value
   * @param stamp its write
   */
  public record Sibling(Bytes value, Stamp stamp) {}

  /** The siblings by dot. */
  public NavigableMap<Dot, Sibling> entries() {
    return java.util.Collections.unmodifiableNavigableMap(entries);
  }

  /**
   * The causal context to hand a reader: a write back with it replaces every sibling returned.
   */
  public VersionVector readContext() {
    VersionVector result = context;
    for (Dot dot : entries.keySet()) {
      result = result.with(dot);
    }
    return result;
  }

  @Override
  public Optional<ConflictDetail> apply(Operation operation, Stamp stamp) {
    Operation.VersionedWrite write =
        KeyState.expect(Operation.VersionedWrite.class, operation, "a version-vector key");
    boolean alreadySeen = context.covers(stamp.dot()) || entries.containsKey(stamp.dot());
    entries.keySet().removeIf(write.context()::covers);
    boolean added = false;
    if (!alreadySeen && !write.delete()) {
      entries.put(stamp.dot(), new Sibling(write.value(), stamp));
      added = true;
    }
    context = context.merge(write.context()).with(stamp.dot());
    if (added && entries.size() > 1) {
      List<VersionInfo> versions = new ArrayList<>();
      for (Sibling sibling : entries.values()) {
        versions.add(new VersionInfo(sibling.stamp(), sibling.value(), false));
      }
      return Optional.of(new ConflictDetail(versions, Optional.empty(), List.of()));
    }
    return Optional.empty();
  }

  @Override
  public void merge(KeyState other) {
    Siblings that = (Siblings) other;
    TreeMap<Dot, Sibling> merged = new TreeMap<>();
    for (Map.Entry<Dot, Sibling> entry : entries.entrySet()) {
      if (that.entries.containsKey(entry.getKey()) || !that.context.covers(entry.getKey())) {
        merged.put(entry.getKey(), entry.getValue());
      }
    }
    for (Map.Entry<Dot, Sibling> entry : that.entries.entrySet()) {
      if (!context.covers(entry.getKey()) && !entries.containsKey(entry.getKey())) {
        merged.put(entry.getKey(), entry.getValue());
      }
    }
    entries.clear();
    entries.putAll(merged);
    context = context.merge(that.context);
  }

  @Override
  public Siblings copy() {
    Siblings copy = new Siblings();
    copy.entries.putAll(entries);
    copy.context = context;
    return copy;
  }

  @Override
  public boolean collect(Frontier frontier) {
    // Later writes from a region carry greater counters than the frontier, so entries the
    // frontier covers suppress nothing any more. Sibling dots stay in the read context anyway.
    context = context.beyond(frontier);
    return entries.isEmpty() && context.isEmpty();
  }

  @Override
  public void encode(ByteWriter out) {
    out.writeVarint(entries.size());
    for (Sibling sibling : entries.values()) {
      LwwValue.writeStamp(out, sibling.stamp());
      out.writeBytes(sibling.value().sharedArray());
    }
    context.encode(out);
  }

  /**
   * The dots of the oldest siblings beyond {@code keep}, by timestamp: what a write must also
   * cover to leave at most {@code keep} siblings besides itself.
   */
  public List<Dot> oldestBeyond(int keep) {
    List<Sibling> byAge = new ArrayList<>(entries.values());
    byAge.sort((a, b) -> a.stamp().compareTo(b.stamp()));
    List<Dot> result = new ArrayList<>();
    Iterator<Sibling> iterator = byAge.iterator();
    for (int excess = byAge.size() - keep; excess > 0 && iterator.hasNext(); excess--) {
      result.add(iterator.next().stamp().dot());
    }
    return result;
  }

  /**
   * The state {@link #toBytes()} produced: how a quorum replica keeps a version-vector key as one
   * stored value and ships it in writes, hints and read repairs (ADR 0034).
   *
   * @throws IllegalArgumentException when the bytes are not a sibling set
   */
  public static Siblings fromBytes(byte[] bytes) {
    ByteReader in = new ByteReader(bytes);
    Siblings siblings = new Siblings();
    int size = in.readCount();
    for (int i = 0; i < size; i++) {
      Dot dot = new Dot(in.readRegion(), in.readVarint());
      Stamp stamp = new Stamp(dot, io.meridian.agent.core.clock.HlcTimestamp.unpack(in.readLong()));
      Bytes value = Bytes.wrapOwned(in.readBytes());
      if (siblings.entries.put(dot, new Sibling(value, stamp)) != null) {
        throw new IllegalArgumentException("sibling set: dot " + dot + " appears twice");
      }
    }
    siblings.context = VersionVector.decode(in);
    in.requireEnd("sibling set");
    return siblings;
  }

  static Siblings decodeDurable(ByteReader in) {
    Siblings result = new Siblings();
    int size = in.readCount();
    for (int i = 0; i < size; i++) {
      Stamp stamp = LwwValue.readStamp(in);
      result.entries.put(stamp.dot(), new Sibling(Bytes.wrapOwned(in.readBytes()), stamp));
    }
    result.context = VersionVector.decode(in);
    return result;
  }

  /**
   * A copy without the siblings whose dots {@code drop} accepts; the context is unchanged. How a
   * version-vector quorum replica filters an incoming state against its tombstone-collection floor
   * (ADR 0044).
   */
  public Siblings without(java.util.function.Predicate<Dot> drop) {
    Siblings copy = copy();
    copy.entries.keySet().removeIf(drop);
    return copy;
  }
}

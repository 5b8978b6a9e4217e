package io.meridian.agent.core.conflict;

import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * Values tagged with the dots of the writes that produced them, plus the set of dots whose
 * effect is known (a causal context kept as an explicit set). The causal join shared by the
 * add-wins set and the multi-value register: a tagged value survives a join unless the other side
 * knows its dot and no longer holds it.
 */
final class DottedValues<V extends Comparable<V>> {
  final TreeMap<Dot, V> entries = new TreeMap<>();
  final TreeSet<Dot> context = new TreeSet<>();

  /** Removes the values tagged by {@code observed}, and adds {@code value} under {@code dot} if new. */
  void write(Dot dot, V value, SortedSet<Dot> observed) {
    entries.keySet().removeAll(observed);
    context.addAll(observed);
    if (value != null && !context.contains(dot)) {
      entries.put(dot, value);
    }
    context.add(dot);
  }

  void merge(DottedValues<V> that) {
    TreeMap<Dot, V> merged = new TreeMap<>();
    for (Map.Entry<Dot, V> entry : entries.entrySet()) {
      if (that.entries.containsKey(entry.getKey()) || !that.context.contains(entry.getKey())) {
        merged.put(entry.getKey(), entry.getValue());
      }
    }
    for (Map.Entry<Dot, V> entry : that.entries.entrySet()) {
      if (!context.contains(entry.getKey())) {
        merged.put(entry.getKey(), entry.getValue());
      }
    }
    entries.clear();
    entries.putAll(merged);
    context.addAll(that.context);
  }

  void copyInto(DottedValues<V> copy) {
    copy.entries.putAll(entries);
    copy.context.addAll(context);
  }

  /** Keeps in the context only dots still tagging a value or not yet applied here. */
  boolean collect(Frontier frontier) {
    context.removeIf(dot -> frontier.covers(dot) && !entries.containsKey(dot));
    return entries.isEmpty() && context.isEmpty();
  }

  void encode(ByteWriter out, BiConsumer<ByteWriter, V> valueWriter) {
    out.writeVarint(entries.size());
    entries.forEach((dot, value) -> {
      out.writeString(dot.region());
      out.writeVarint(dot.counter());
      valueWriter.accept(out, value);
    });
    out.writeVarint(context.size());
    for (Dot dot : context) {
      out.writeString(dot.region());
      out.writeVarint(dot.counter());
    }
  }

  static <V extends Comparable<V>> void decodeInto(ByteReader in, DottedValues<V> into,
      java.util.function.Function<ByteReader, V> valueReader) {
    int size = in.readCount();
    for (int i = 0; i < size; i++) {
      Dot dot = new Dot(in.readRegion(), in.readVarint());
      into.entries.put(dot, valueReader.apply(in));
    }
    int contextSize = in.readCount();
    for (int i = 0; i < contextSize; i++) {
      into.context.add(new Dot(in.readRegion(), in.readVarint()));
    }
  }
}

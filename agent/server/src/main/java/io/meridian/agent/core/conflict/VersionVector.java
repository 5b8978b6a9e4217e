package io.meridian.agent.core.conflict;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A version vector: per region, the highest counter covered. Immutable; regions absent count as
 * zero and are never stored with zero, so equal vectors are equal objects.
 */
public final class VersionVector {
  /** Covers nothing. */
  public static final VersionVector EMPTY = new VersionVector(new TreeMap<>());

  private final NavigableMap<String, Long> counters;

  private VersionVector(NavigableMap<String, Long> counters) {
    this.counters = counters;
  }

  /** A vector with the given entries; zero entries are dropped, negative ones refused. */
  public static VersionVector of(Map<String, Long> entries) {
    TreeMap<String, Long> copy = new TreeMap<>();
    for (Map.Entry<String, Long> entry : entries.entrySet()) {
      Objects.requireNonNull(entry.getKey(), "region");
      if (entry.getValue() < 0) {
        throw new IllegalArgumentException("version vector counters are not negative: " + entries);
      }
      if (entry.getValue() > 0) {
        copy.put(entry.getKey(), entry.getValue());
      }
    }
    return copy.isEmpty() ? EMPTY : new VersionVector(copy);
  }

  /** The counter of {@code region}; zero if absent. */
  public long get(String region) {
    return counters.getOrDefault(region, 0L);
  }

  /** The entries, ordered by region. */
  public NavigableMap<String, Long> entries() {
    return Collections.unmodifiableNavigableMap(counters);
  }

  /** Whether the event {@code dot} is in this vector's past. */
  public boolean covers(Dot dot) {
    return get(dot.region()) >= dot.counter();
  }

  /** Whether every entry of {@code other} is at most this one's. */
  public boolean dominates(VersionVector other) {
    for (Map.Entry<String, Long> entry : other.counters.entrySet()) {
      if (get(entry.getKey()) < entry.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Whether neither vector dominates the other. */
  public boolean concurrentWith(VersionVector other) {
    return !dominates(other) && !other.dominates(this);
  }

  /** The least vector dominating both (pointwise maximum). */
  public VersionVector merge(VersionVector other) {
    if (dominates(other)) {
      return this;
    }
    if (other.dominates(this)) {
      return other;
    }
    TreeMap<String, Long> merged = new TreeMap<>(counters);
    other.counters.forEach((region, counter) -> merged.merge(region, counter, Math::max));
    return new VersionVector(merged);
  }

  /** This vector extended to cover {@code dot}. */
  public VersionVector with(Dot dot) {
    if (covers(dot)) {
      return this;
    }
    TreeMap<String, Long> extended = new TreeMap<>(counters);
    extended.put(dot.region(), dot.counter());
    return new VersionVector(extended);
  }

  /** This vector without the entries {@code frontier} already covers (they suppress nothing more). */
  public VersionVector beyond(Frontier frontier) {
    TreeMap<String, Long> kept = new TreeMap<>();
    counters.forEach((region, counter) -> {
      if (counter > frontier.sequence(region)) {
        kept.put(region, counter);
      }
    });
    return kept.size() == counters.size() ? this : of(kept);
  }

  /** Whether nothing is covered. */
  public boolean isEmpty() {
    return counters.isEmpty();
  }

  void encode(ByteWriter out) {
    out.writeVarint(counters.size());
    counters.forEach((region, counter) -> {
      out.writeString(region);
      out.writeVarint(counter);
    });
  }

  static VersionVector decode(ByteReader in) {
    int size = in.readCount();
    TreeMap<String, Long> entries = new TreeMap<>();
    for (int i = 0; i < size; i++) {
      entries.put(in.readRegion(), in.readVarint());
    }
    return of(entries);
  }

  /** The vector as bytes, for a causal context handed to clients. */
  public byte[] toBytes() {
    ByteWriter out = new ByteWriter();
    encode(out);
    return out.toByteArray();
  }

  /**
   * The vector {@link #toBytes()} produced.
   *
   * @throws IllegalArgumentException when the bytes are not a version vector
   */
  public static VersionVector fromBytes(byte[] bytes) {
    if (bytes.length == 0) {
      return EMPTY;
    }
    ByteReader in = new ByteReader(bytes);
    VersionVector vector = decode(in);
    in.requireEnd("causal context");
    return vector;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof VersionVector && counters.equals(((VersionVector) other).counters);
  }

  @Override
  public int hashCode() {
    return counters.hashCode();
  }

  @Override
  public String toString() {
    return counters.toString();
  }
}

package io.meridian.agent.core.conflict;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A version vector: per region, the highest counter covered. Immutable; regions absent count as
 * zero and are never stored with zero, so equal vectors are equal objects.
 *
 * <p>Held as two parallel arrays sorted by region (ADR 0056): every multi-primary write carries
 * one (a last-writer-wins write's context is the writer's whole frontier) and every applied write
 * merges one, so the vectors are built, compared and encoded once per write at every replica. A
 * tree map of boxed counters cost an allocation per entry for each of those.
 */
public final class VersionVector {
  /** Covers nothing. */
  public static final VersionVector EMPTY = new VersionVector(new String[0], new long[0]);

  /** Above this many entries a lookup searches by halves; below, a scan is cheaper. */
  private static final int SCAN_ENTRIES_MAX = 8;

  // Sorted by region (String natural order), distinct, every counter positive.
  private final String[] regions;
  private final long[] counters;

  private VersionVector(String[] regions, long[] counters) {
    this.regions = regions;
    this.counters = counters;
  }

  /** A vector with the given entries; zero entries are dropped, negative ones refused. */
  public static VersionVector of(Map<String, Long> entries) {
    String[] regions = new String[entries.size()];
    long[] counters = new long[entries.size()];
    int size = 0;
    for (Map.Entry<String, Long> entry : entries.entrySet()) {
      Objects.requireNonNull(entry.getKey(), "region");
      if (entry.getValue() < 0) {
        throw new IllegalArgumentException("version vector counters are not negative: " + entries);
      }
      if (entry.getValue() > 0) {
        regions[size] = entry.getKey();
        counters[size] = entry.getValue();
        size++;
      }
    }
    if (size == 0) {
      return EMPTY;
    }
    boolean sorted = entries instanceof SortedMap && ((SortedMap<String, Long>) entries).comparator() == null;
    if (!sorted) {
      return sortedOf(regions, counters, size);
    }
    return new VersionVector(Arrays.copyOf(regions, size), Arrays.copyOf(counters, size));
  }

  private static VersionVector sortedOf(String[] regions, long[] counters, int size) {
    TreeMap<String, Long> sorted = new TreeMap<>();
    for (int i = 0; i < size; i++) {
      sorted.put(regions[i], counters[i]);
    }
    return of(sorted);
  }

  /** The counter of {@code region}; zero if absent. */
  public long get(String region) {
    int index = indexOf(region);
    return index < 0 ? 0 : counters[index];
  }

  private int indexOf(String region) {
    if (regions.length > SCAN_ENTRIES_MAX) {
      int found = Arrays.binarySearch(regions, region);
      return found < 0 ? -1 : found;
    }
    for (int i = 0; i < regions.length; i++) {
      // Decoded region names are interned (RegionNames), so identity usually answers first.
      if (regions[i] == region || regions[i].equals(region)) {
        return i;
      }
    }
    return -1;
  }

  /** The entries, ordered by region. */
  public NavigableMap<String, Long> entries() {
    TreeMap<String, Long> entries = new TreeMap<>();
    for (int i = 0; i < regions.length; i++) {
      entries.put(regions[i], counters[i]);
    }
    return Collections.unmodifiableNavigableMap(entries);
  }

  /** Whether the event {@code dot} is in this vector's past. */
  public boolean covers(Dot dot) {
    return get(dot.region()) >= dot.counter();
  }

  /** Whether every entry of {@code other} is at most this one's. */
  public boolean dominates(VersionVector other) {
    if (other == this) {
      return true;
    }
    int i = 0;
    for (int j = 0; j < other.regions.length; j++) {
      String region = other.regions[j];
      while (i < regions.length && regions[i] != region && regions[i].compareTo(region) < 0) {
        i++;
      }
      if (i == regions.length || !regions[i].equals(region) || counters[i] < other.counters[j]) {
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
    String[] mergedRegions = new String[regions.length + other.regions.length];
    long[] mergedCounters = new long[mergedRegions.length];
    int i = 0;
    int j = 0;
    int size = 0;
    while (i < regions.length || j < other.regions.length) {
      int order = i == regions.length ? 1
          : j == other.regions.length ? -1
          : regions[i] == other.regions[j] ? 0 : regions[i].compareTo(other.regions[j]);
      if (order < 0) {
        mergedRegions[size] = regions[i];
        mergedCounters[size++] = counters[i++];
      } else if (order > 0) {
        mergedRegions[size] = other.regions[j];
        mergedCounters[size++] = other.counters[j++];
      } else {
        mergedRegions[size] = regions[i];
        mergedCounters[size++] = Math.max(counters[i++], other.counters[j++]);
      }
    }
    return new VersionVector(Arrays.copyOf(mergedRegions, size), Arrays.copyOf(mergedCounters, size));
  }

  /** This vector extended to cover {@code dot}. */
  public VersionVector with(Dot dot) {
    int index = indexOf(dot.region());
    if (index >= 0) {
      if (counters[index] >= dot.counter()) {
        return this;
      }
      long[] raised = counters.clone();
      raised[index] = dot.counter();
      return new VersionVector(regions, raised);
    }
    if (dot.counter() <= 0) {
      return this;
    }
    int at = 0;
    while (at < regions.length && regions[at].compareTo(dot.region()) < 0) {
      at++;
    }
    String[] extendedRegions = new String[regions.length + 1];
    long[] extendedCounters = new long[regions.length + 1];
    System.arraycopy(regions, 0, extendedRegions, 0, at);
    System.arraycopy(counters, 0, extendedCounters, 0, at);
    extendedRegions[at] = dot.region();
    extendedCounters[at] = dot.counter();
    System.arraycopy(regions, at, extendedRegions, at + 1, regions.length - at);
    System.arraycopy(counters, at, extendedCounters, at + 1, regions.length - at);
    return new VersionVector(extendedRegions, extendedCounters);
  }

  /** This vector without the entries {@code frontier} already covers (they suppress nothing more). */
  public VersionVector beyond(Frontier frontier) {
    String[] keptRegions = new String[regions.length];
    long[] keptCounters = new long[regions.length];
    int size = 0;
    for (int i = 0; i < regions.length; i++) {
      if (counters[i] > frontier.sequence(regions[i])) {
        keptRegions[size] = regions[i];
        keptCounters[size++] = counters[i];
      }
    }
    if (size == regions.length) {
      return this;
    }
    return size == 0 ? EMPTY : new VersionVector(Arrays.copyOf(keptRegions, size), Arrays.copyOf(keptCounters, size));
  }

  /** Whether nothing is covered. */
  public boolean isEmpty() {
    return regions.length == 0;
  }

  void encode(ByteWriter out) {
    out.writeVarint(regions.length);
    for (int i = 0; i < regions.length; i++) {
      out.writeString(regions[i]);
      out.writeVarint(counters[i]);
    }
  }

  static VersionVector decode(ByteReader in) {
    int size = in.readCount();
    if (size == 0) {
      return EMPTY;
    }
    String[] regions = new String[size];
    long[] counters = new long[size];
    boolean canonical = true;
    for (int i = 0; i < size; i++) {
      regions[i] = in.readRegion();
      counters[i] = in.readVarint();
      canonical &= counters[i] > 0 && (i == 0 || regions[i - 1].compareTo(regions[i]) < 0);
    }
    if (canonical) {
      return new VersionVector(regions, counters);
    }
    // Not as encode writes it (a hand-made causal context): the map's rules decide, as before
    // (the last of a repeated region counts, zeros are dropped, negatives refused).
    TreeMap<String, Long> entries = new TreeMap<>();
    for (int i = 0; i < size; i++) {
      entries.put(regions[i], counters[i]);
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
    return other instanceof VersionVector
        && Arrays.equals(regions, ((VersionVector) other).regions)
        && Arrays.equals(counters, ((VersionVector) other).counters);
  }

  @Override
  public int hashCode() {
    // As a map of the same entries would hash.
    int hash = 0;
    for (int i = 0; i < regions.length; i++) {
      hash += regions[i].hashCode() ^ Long.hashCode(counters[i]);
    }
    return hash;
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("{");
    for (int i = 0; i < regions.length; i++) {
      text.append(i == 0 ? "" : ", ").append(regions[i]).append('=').append(counters[i]);
    }
    return text.append('}').toString();
  }
}

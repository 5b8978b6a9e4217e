package io.meridian.agent.core.conflict;

import io.meridian.agent.core.clock.HlcTimestamp;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far this replica has applied each region's log: the newest sequence and timestamp. Every
 * later operation from a region has a greater counter and a greater timestamp (its log is applied
 * in order and its hybrid clock only grows), which is what makes collecting tombstones and
 * compacting causal contexts safe.
 */
public final class Frontier {
  private final Map<String, Long> sequences = new TreeMap<>();
  private final Map<String, HlcTimestamp> timestamps = new TreeMap<>();

  /** A frontier over {@code regions}, nothing applied yet. */
  public Frontier(Iterable<String> regions) {
    for (String region : regions) {
      sequences.put(region, 0L);
      timestamps.put(region, HlcTimestamp.ZERO);
    }
  }

  /** Records that {@code stamp}'s operation was applied. */
  public void advance(Stamp stamp) {
    sequences.merge(stamp.region(), stamp.dot().counter(), Math::max);
    timestamps.merge(stamp.region(), stamp.timestamp(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
  }

  /** Whether the operation with {@code dot} has been applied (regions apply in order). */
  public boolean covers(Dot dot) {
    return sequences.getOrDefault(dot.region(), 0L) >= dot.counter();
  }

  /**
   * Whether every region's later operations are certain to carry a timestamp after {@code
   * timestamp}: each has applied an operation at or after it.
   */
  public boolean allAfter(HlcTimestamp timestamp) {
    for (HlcTimestamp newest : timestamps.values()) {
      if (newest.compareTo(timestamp) < 0) {
        return false;
      }
    }
    return true;
  }

  /** The applied sequence of {@code region}. */
  public long sequence(String region) {
    return sequences.getOrDefault(region, 0L);
  }

  /**
   * Every operation applied here, as a version vector: the context of a last-writer-wins write,
   * so that a write after a collected tombstone still counts as having seen the delete.
   */
  public VersionVector toVersionVector() {
    return VersionVector.of(sequences);
  }

  void encode(ByteWriter out) {
    out.writeVarint(sequences.size());
    sequences.forEach((region, sequence) -> {
      out.writeString(region);
      out.writeVarint(sequence);
      out.writeLong(timestamps.getOrDefault(region, HlcTimestamp.ZERO).pack());
    });
  }

  void decodeInto(ByteReader in) {
    int size = in.readCount();
    for (int i = 0; i < size; i++) {
      String region = in.readRegion();
      long sequence = in.readVarint();
      HlcTimestamp timestamp = HlcTimestamp.unpack(in.readLong());
      sequences.merge(region, sequence, Math::max);
      timestamps.merge(region, timestamp, (a, b) -> a.compareTo(b) >= 0 ? a : b);
    }
  }
}

package io.meridian.agent.core.conflict;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A counter (grow-only or positive-negative): per region, the running totals of its increments
 * and decrements. Each region only raises its own totals, so the pointwise maximum merges, and
 * the value is the sum of increments minus the sum of decrements.
 */
public final class Counter implements KeyState {
  private final TreeMap<String, Long> incremented = new TreeMap<>();
  private final TreeMap<String, Long> decremented = new TreeMap<>();

  /** The counter's value. */
  public long value() {
    return sum(incremented) - sum(decremented);
  }

  /** {@code region}'s running total of increments. */
  public long incrementedBy(String region) {
    return incremented.getOrDefault(region, 0L);
  }

  /** {@code region}'s running total of decrements. */
  public long decrementedBy(String region) {
    return decremented.getOrDefault(region, 0L);
  }

  /** The operation that adds {@code delta} (negative to decrement) at {@code region}. */
  public Operation.CounterTotals add(String region, long delta) {
    long up = incrementedBy(region);
    long down = decrementedBy(region);
    return delta >= 0
        ? new Operation.CounterTotals(Math.addExact(up, delta), down)
        : new Operation.CounterTotals(up, Math.addExact(down, -delta));
  }

  @Override
  public Optional<ConflictDetail> apply(Operation operation, Stamp stamp) {
    Operation.CounterTotals totals = KeyState.expect(Operation.CounterTotals.class, operation, "a counter");
    raise(incremented, stamp.region(), totals.incremented());
    raise(decremented, stamp.region(), totals.decremented());
    return Optional.empty();
  }

  @Override
  public void merge(KeyState other) {
    Counter that = (Counter) other;
    that.incremented.forEach((region, total) -> raise(incremented, region, total));
    that.decremented.forEach((region, total) -> raise(decremented, region, total));
  }

  @Override
  public Counter copy() {
    Counter copy = new Counter();
    copy.incremented.putAll(incremented);
    copy.decremented.putAll(decremented);
    return copy;
  }

  @Override
  public boolean collect(Frontier frontier) {
    return false;
  }

  @Override
  public void encode(ByteWriter out) {
    writeTotals(out, incremented);
    writeTotals(out, decremented);
  }

  private static void raise(Map<String, Long> totals, String region, long total) {
    if (total > 0) {
      totals.merge(region, total, Math::max);
    }
  }

  private static long sum(Map<String, Long> totals) {
    long sum = 0;
    for (long total : totals.values()) {
      sum = Math.addExact(sum, total);
    }
    return sum;
  }

  private static void writeTotals(ByteWriter out, Map<String, Long> totals) {
    out.writeVarint(totals.size());
    totals.forEach((region, total) -> {
      out.writeString(region);
      out.writeVarint(total);
    });
  }

  static Counter decodeDurable(ByteReader in) {
    Counter result = new Counter();
    readTotals(in, result.incremented);
    readTotals(in, result.decremented);
    return result;
  }

  private static void readTotals(ByteReader in, Map<String, Long> totals) {
    int size = in.readCount();
    for (int i = 0; i < size; i++) {
      totals.put(in.readRegion(), in.readVarint());
    }
  }
}

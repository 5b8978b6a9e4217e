package io.meridian.agent.core.conflict;

import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.clock.HybridLogicalClock;
import io.meridian.agent.core.clock.HlcTimestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Seeded histories of one key written concurrently at three regions: each region writes from
 * what it has seen (as an agent does) and receives the others' operations in their order.
 */
final class Histories {
  static final List<String> REGIONS = List.of("a", "b", "c");

  /** One committed operation. */
  record Entry(Operation operation, Stamp stamp) {}

  private Histories() {}

  /** A history of up to {@code steps} steps for a key under {@code rule}. */
  static List<Entry> generate(ConflictResolution rule, long seed, int steps) {
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, KeyState> local = new TreeMap<>();
    Map<String, HybridLogicalClock> clocks = new TreeMap<>();
    Map<String, Integer> delivered = new TreeMap<>();
    Map<String, List<Entry>> logs = new TreeMap<>();
    for (String region : REGIONS) {
      local.put(region, KeyState.empty(rule));
      clocks.put(region, new HybridLogicalClock(HlcTimestamp.ZERO));
      logs.put(region, new ArrayList<>());
    }
    long wall = 1_000;
    List<Entry> history = new ArrayList<>();
    for (int step = 0; step < steps; step++) {
      wall += random.nextInt(3);
      String region = REGIONS.get(random.nextInt(REGIONS.size()));
      if (random.nextInt(3) > 0) {
        // Skewed clocks: each region's wall clock is off by a fixed amount.
        long skew = (region.charAt(0) - 'a') * 2L;
        Operation operation = localOperation(rule, local.get(region), region, random);
        List<Entry> log = logs.get(region);
        Stamp stamp = new Stamp(new Dot(region, log.size() + 1), clocks.get(region).now(wall + skew));
        Entry entry = new Entry(operation, stamp);
        log.add(entry);
        history.add(entry);
        local.get(region).apply(operation, stamp);
      } else {
        String origin = REGIONS.get(random.nextInt(REGIONS.size()));
        String key = region + "<" + origin;
        int next = delivered.getOrDefault(key, 0);
        if (!origin.equals(region) && next < logs.get(origin).size()) {
          Entry entry = logs.get(origin).get(next);
          delivered.put(key, next + 1);
          clocks.get(region).observe(entry.stamp().timestamp(), wall);
          local.get(region).apply(entry.operation(), entry.stamp());
        }
      }
    }
    return history;
  }

  private static Operation localOperation(ConflictResolution rule, KeyState state, String region,
      SplittableRandom random) {
    Bytes value = Bytes.ofUtf8(region + random.nextInt(1000));
    switch (rule) {
      case LWW:
      case CRDT_LWW_REGISTER:
      {
        VersionVector seen = ((LwwValue) state).seen();
        return random.nextInt(5) == 0
            ? new Operation.Write(Bytes.EMPTY, true, seen)
            : new Operation.Write(value, false, seen);
      }
      case VERSION_VECTOR: {
        Siblings siblings = (Siblings) state;
        VersionVector context = random.nextBoolean() ? siblings.readContext() : VersionVector.EMPTY;
        boolean delete = random.nextInt(5) == 0;
        return new Operation.VersionedWrite(delete ? Bytes.EMPTY : value, delete, context);
      }
      case CRDT_COUNTER:
        return ((Counter) state).add(region, random.nextInt(5));
      case CRDT_PN_COUNTER:
        return ((Counter) state).add(region, random.nextInt(9) - 4);
      case CRDT_OR_SET: {
        Bytes element = Bytes.ofUtf8("e" + random.nextInt(3));
        OrSet set = (OrSet) state;
        return random.nextInt(3) == 0
            ? new Operation.RemoveElement(element, set.tagsOf(element))
            : new Operation.AddElement(element, set.tagsOf(element));
      }
      case CRDT_MV_REGISTER:
        return new Operation.SetValue(value, ((MvRegister) state).observed());
      case CRDT_LWW_MAP:
        return new Operation.MapEntry(Bytes.ofUtf8("f" + random.nextInt(3)), value, random.nextInt(4) == 0);
      default:
        throw new IllegalArgumentException(rule.toString());
    }
  }

  /**
   * The history reordered and with duplicates. Under {@code version-vector} each region's own
   * operations keep their order, as its log delivers them (a version vector entry covers all of a
   * region's earlier dots); every other state accepts any order.
   */
  static List<Entry> shuffled(ConflictResolution rule, List<Entry> history, SplittableRandom random) {
    List<Entry> withDuplicates = new ArrayList<>(history);
    for (Entry entry : history) {
      if (random.nextInt(4) == 0) {
        withDuplicates.add(entry);
      }
    }
    if (rule != ConflictResolution.VERSION_VECTOR) {
      for (int i = withDuplicates.size() - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        Entry swap = withDuplicates.get(i);
        withDuplicates.set(i, withDuplicates.get(j));
        withDuplicates.set(j, swap);
      }
      return withDuplicates;
    }
    // Interleave the regions' logs at random, each in order, duplicates placed after the original.
    Map<String, List<Entry>> perOrigin = new TreeMap<>();
    for (Entry entry : history) {
      perOrigin.computeIfAbsent(entry.stamp().region(), r -> new ArrayList<>()).add(entry);
    }
    List<Entry> result = new ArrayList<>();
    Map<String, Integer> next = new TreeMap<>();
    int remaining = history.size();
    while (remaining > 0) {
      List<String> origins = new ArrayList<>(perOrigin.keySet());
      String origin = origins.get(random.nextInt(origins.size()));
      int index = next.getOrDefault(origin, 0);
      if (index < perOrigin.get(origin).size()) {
        Entry entry = perOrigin.get(origin).get(index);
        result.add(entry);
        remaining--;
        next.put(origin, index + 1);
        if (random.nextInt(4) == 0) {
          result.add(entry);
        }
      }
    }
    return result;
  }

  /** A fresh state with {@code entries} applied in order. */
  static KeyState applied(ConflictResolution rule, List<Entry> entries) {
    KeyState state = KeyState.empty(rule);
    for (Entry entry : entries) {
      state.apply(entry.operation(), entry.stamp());
    }
    return state;
  }

  /** The state of a replica that applied a random prefix of each region's operations. */
  static List<Entry> randomPrefixes(List<Entry> history, SplittableRandom random) {
    Map<String, Long> limit = new TreeMap<>();
    for (String region : REGIONS) {
      limit.put(region, (long) random.nextInt(history.size() + 1));
    }
    List<Entry> result = new ArrayList<>();
    for (Entry entry : history) {
      if (entry.stamp().dot().counter() <= limit.get(entry.stamp().region())) {
        result.add(entry);
      }
    }
    return result;
  }
}

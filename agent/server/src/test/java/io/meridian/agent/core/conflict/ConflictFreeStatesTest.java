package io.meridian.agent.core.conflict;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.clock.HlcTimestamp;
import io.meridian.agent.core.conflict.Histories.Entry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

// Proves the lattice laws every multi-primary key state relies on, for every conflict resolution
// rule (each CRDT, last-writer-wins and version vectors): merge is commutative, associative and
// idempotent, agrees with applying the union of operations, and applying the same operations in
// any delivered order, duplicates included, gives the same bytes.
class ConflictFreeStatesTest {

  @Property(tries = 300)
  void anyDeliveryOrderWithDuplicatesGivesTheSameState(@ForAll ConflictResolution rule, @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 60) int steps) {
    List<Entry> history = Histories.generate(rule, seed, steps);
    SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    byte[] inOrder = Histories.applied(rule, history).toBytes();
    for (int i = 0; i < 3; i++) {
      assertThat(Histories.applied(rule, Histories.shuffled(rule, history, random)).toBytes())
          .as("seed %d, rule %s", seed, rule).isEqualTo(inOrder);
    }
  }

  @Property(tries = 300)
  void mergeIsCommutativeAssociativeAndIdempotent(@ForAll ConflictResolution rule, @ForAll long seed) {
    List<Entry> history = Histories.generate(rule, seed, 40);
    SplittableRandom random = new SplittableRandom(seed);
    KeyState a = Histories.applied(rule, Histories.randomPrefixes(history, random));
    KeyState b = Histories.applied(rule, Histories.randomPrefixes(history, random));
    KeyState c = Histories.applied(rule, Histories.randomPrefixes(history, random));

    assertThat(merged(a, b).toBytes()).as("commutative").isEqualTo(merged(b, a).toBytes());
    assertThat(merged(merged(a, b), c).toBytes()).as("associative").isEqualTo(merged(a, merged(b, c)).toBytes());
    assertThat(merged(a, a).toBytes()).as("idempotent").isEqualTo(a.toBytes());
  }

  @Property(tries = 300)
  void mergeEqualsApplyingTheUnionOfOperations(@ForAll ConflictResolution rule, @ForAll long seed) {
    List<Entry> history = Histories.generate(rule, seed, 40);
    SplittableRandom random = new SplittableRandom(seed);
    List<Entry> left = Histories.randomPrefixes(history, random);
    List<Entry> right = Histories.randomPrefixes(history, random);
    List<Entry> union = new ArrayList<>();
    for (Entry entry : history) {
      if (left.contains(entry) || right.contains(entry)) {
        union.add(entry);
      }
    }
    KeyState merged = merged(Histories.applied(rule, left), Histories.applied(rule, right));
    assertThat(merged.toBytes()).isEqualTo(Histories.applied(rule, union).toBytes());
  }

  @Property(tries = 200)
  void counterEqualsTheSumOfAppliedIncrements(@ForAll long seed, @ForAll boolean positiveNegative) {
    ConflictResolution rule = positiveNegative ? ConflictResolution.CRDT_PN_COUNTER : ConflictResolution.CRDT_COUNTER;
    List<Entry> history = Histories.generate(rule, seed, 60);
    // Each operation carries its region's running totals; the increments are their differences.
    Map<String, long[]> previous = new TreeMap<>();
    long sum = 0;
    for (Entry entry : history) {
      Operation.CounterTotals totals = (Operation.CounterTotals) entry.operation();
      long[] before = previous.getOrDefault(entry.stamp().region(), new long[2]);
      sum += (totals.incremented() - before[0]) - (totals.decremented() - before[1]);
      previous.put(entry.stamp().region(), new long[] {totals.incremented(), totals.decremented()});
    }
    Counter counter = (Counter) Histories.applied(rule, Histories.shuffled(rule, history, new SplittableRandom(seed)));
    assertThat(counter.value()).isEqualTo(sum);
    if (!positiveNegative) {
      assertThat(counter.value()).isNotNegative();
    }
  }

  @Property(tries = 200)
  void versionVectorsKeepEveryWriteNoLaterWriteHadSeen(@ForAll long seed) {
    List<Entry> history = Histories.generate(ConflictResolution.VERSION_VECTOR, seed, 60);
    Set<Dot> expected = new TreeSet<>();
    for (Entry entry : history) {
      Operation.VersionedWrite write = (Operation.VersionedWrite) entry.operation();
      boolean superseded = history.stream().anyMatch(other -> other != entry
          && ((Operation.VersionedWrite) other.operation()).context().covers(entry.stamp().dot()));
      if (!write.delete() && !superseded) {
        expected.add(entry.stamp().dot());
      }
    }
    Siblings siblings = (Siblings) Histories.applied(ConflictResolution.VERSION_VECTOR,
        Histories.shuffled(ConflictResolution.VERSION_VECTOR, history, new SplittableRandom(seed)));
    assertThat(siblings.entries().keySet()).isEqualTo(expected);
  }

  @Property(tries = 200)
  void lastWriterWinsKeepsTheGreatestStamp(@ForAll long seed) {
    List<Entry> history = Histories.generate(ConflictResolution.LWW, seed, 60);
    LwwValue value = (LwwValue) Histories.applied(ConflictResolution.LWW,
        Histories.shuffled(ConflictResolution.LWW, history, new SplittableRandom(seed)));
    Stamp greatest = history.stream().map(Entry::stamp).max(Stamp::compareTo).orElseThrow();
    assertThat(value.stamp()).contains(greatest);
  }

  @Property(tries = 200)
  void orSetAddWinsOverAConcurrentRemove(@ForAll long seed) {
    Bytes element = Bytes.ofUtf8("x");
    Stamp first = stamp("a", 1, 10);
    OrSet seenByBoth = new OrSet();
    seenByBoth.apply(new Operation.AddElement(element, new TreeSet<>()), first);
    // Region b removes what it saw while region a adds the element again.
    Entry remove = new Entry(new Operation.RemoveElement(element, seenByBoth.tagsOf(element)), stamp("b", 1, 20));
    Entry add = new Entry(new Operation.AddElement(element, seenByBoth.tagsOf(element)), stamp("a", 2, 15));
    List<Entry> entries = new ArrayList<>(List.of(new Entry(new Operation.AddElement(element, new TreeSet<>()), first),
        remove, add));
    java.util.Collections.shuffle(entries, new java.util.Random(seed));
    OrSet set = (OrSet) Histories.applied(ConflictResolution.CRDT_OR_SET, entries);
    assertThat(set.contains(element)).isTrue();
  }

  @Property(tries = 100)
  void causalContextSurvivesTheBytesRoundTrip(@ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, Long> entries = new TreeMap<>();
    for (String region : Histories.REGIONS) {
      entries.put(region, (long) random.nextInt(1 << 20));
    }
    VersionVector vector = VersionVector.of(entries);
    assertThat(VersionVector.fromBytes(vector.toBytes())).isEqualTo(vector);
  }

  private static KeyState merged(KeyState left, KeyState right) {
    KeyState copy = left.copy();
    copy.merge(right);
    return copy;
  }

  private static Stamp stamp(String region, long counter, long millis) {
    return new Stamp(new Dot(region, counter), new HlcTimestamp(millis, 0));
  }
}

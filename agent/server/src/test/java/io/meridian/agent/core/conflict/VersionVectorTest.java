package io.meridian.agent.core.conflict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.agent.core.clock.HlcTimestamp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

// Proves that version vectors (held as sorted arrays, ADR 0056) answer every question exactly as
// the plain per-region maximum they stand for: coverage, dominance, merge, extension, trimming by
// a frontier, equality and their bytes, for vectors over up to twelve regions (past the size where
// a lookup switches from a scan to a search by halves).
class VersionVectorTest {

  private static final List<String> REGIONS = List.of("virginia", "iowa", "montreal", "eu-west", "ap-south",
      "sa-east", "us-west", "ca-central", "eu-north", "ap-east", "me-central", "af-south");

  @Property(tries = 500)
  void answersAsThePerRegionMaximumItStandsFor(@ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, Long> left = randomEntries(random);
    Map<String, Long> right = randomEntries(random);
    VersionVector a = VersionVector.of(left);
    VersionVector b = VersionVector.of(right);

    for (String region : REGIONS) {
      assertThat(a.get(region)).as("seed %d, %s", seed, region).isEqualTo(left.getOrDefault(region, 0L));
    }
    assertThat(a.dominates(b)).as("seed %d", seed).isEqualTo(dominates(left, right));
    assertThat(a.concurrentWith(b)).as("seed %d", seed)
        .isEqualTo(!dominates(left, right) && !dominates(right, left));

    Map<String, Long> maximum = new TreeMap<>(left);
    right.forEach((region, counter) -> maximum.merge(region, counter, Math::max));
    assertThat(a.merge(b)).as("seed %d", seed).isEqualTo(VersionVector.of(maximum));
    assertThat(a.merge(b).entries()).as("seed %d", seed).isEqualTo(positive(maximum));

    String region = REGIONS.get(random.nextInt(REGIONS.size()));
    long counter = random.nextLong(1, 12);
    Map<String, Long> extended = new TreeMap<>(left);
    extended.merge(region, counter, Math::max);
    assertThat(a.with(new Dot(region, counter))).as("seed %d", seed).isEqualTo(VersionVector.of(extended));
    assertThat(a.covers(new Dot(region, counter))).as("seed %d", seed)
        .isEqualTo(left.getOrDefault(region, 0L) >= counter);

    Frontier frontier = new Frontier(REGIONS);
    for (String applied : REGIONS) {
      long sequence = random.nextLong(0, 8);
      if (sequence > 0) {
        frontier.advance(new Stamp(new Dot(applied, sequence), HlcTimestamp.ZERO));
      }
    }
    Map<String, Long> beyond = new TreeMap<>();
    left.forEach((r, c) -> {
      if (c > frontier.sequence(r)) {
        beyond.put(r, c);
      }
    });
    assertThat(a.beyond(frontier)).as("seed %d", seed).isEqualTo(VersionVector.of(beyond));

    assertThat(VersionVector.fromBytes(a.toBytes())).as("seed %d", seed).isEqualTo(a);
    assertThat(VersionVector.of(new HashMap<>(left))).as("seed %d: the order of the given map does not matter", seed)
        .isEqualTo(a).hasSameHashCodeAs(a);
    assertThat(a.hashCode()).as("seed %d", seed).isEqualTo(positive(left).hashCode());
  }

  @Test
  void aHandMadeContextIsReadByTheMapRules() {
    // Out of order, a zero and a repeated region: the last of a region counts, zeros are dropped.
    ByteWriter out = new ByteWriter();
    out.writeVarint(4);
    out.writeString("montreal");
    out.writeVarint(3);
    out.writeString("iowa");
    out.writeVarint(0);
    out.writeString("montreal");
    out.writeVarint(5);
    out.writeString("virginia");
    out.writeVarint(2);

    VersionVector read = VersionVector.fromBytes(out.toByteArray());

    assertThat(read.entries()).containsExactly(Map.entry("montreal", 5L), Map.entry("virginia", 2L));
    assertThat(read.toString()).isEqualTo("{montreal=5, virginia=2}");
  }

  @Test
  void negativeCountersAreRefused() {
    assertThatThrownBy(() -> VersionVector.of(Map.of("iowa", -1L))).isInstanceOf(IllegalArgumentException.class);
  }

  private static Map<String, Long> randomEntries(SplittableRandom random) {
    Map<String, Long> entries = new TreeMap<>();
    int size = random.nextInt(REGIONS.size() + 1);
    for (int i = 0; i < size; i++) {
      entries.put(REGIONS.get(random.nextInt(REGIONS.size())), random.nextLong(0, 10));
    }
    return entries;
  }

  private static Map<String, Long> positive(Map<String, Long> entries) {
    Map<String, Long> kept = new TreeMap<>();
    entries.forEach((region, counter) -> {
      if (counter > 0) {
        kept.put(region, counter);
      }
    });
    return kept;
  }

  private static boolean dominates(Map<String, Long> left, Map<String, Long> right) {
    for (Map.Entry<String, Long> entry : right.entrySet()) {
      if (left.getOrDefault(entry.getKey(), 0L) < entry.getValue()) {
        return false;
      }
    }
    return true;
  }
}

package io.meridian.model.format;

import io.meridian.model.ConflictResolution;
import io.meridian.model.CrdtType;
import io.meridian.model.Dataset;
import io.meridian.model.FailoverSettings;
import io.meridian.model.Jurisdiction;
import io.meridian.model.Link;
import io.meridian.model.Policy;
import io.meridian.model.QuorumSpec;
import io.meridian.model.ReadConsistency;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.RegionRole;
import io.meridian.model.ReplicationMode;
import io.meridian.model.StalenessBound;
import io.meridian.model.Topology;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Arbitrary topologies that the domain accepts and the file format's ranges allow, biased towards
 * what breaks YAML: text that looks like booleans, nulls or numbers ({@code NO}, {@code yes},
 * {@code 123}, {@code 1e3}), quotes, colons, comment and flow characters, leading and trailing
 * blanks, line breaks and non-ASCII letters; ids and jurisdiction codes of the same kinds; and
 * awkward doubles (negative zero, tiny and long fractions).
 */
public final class TopologyArbitraries {
  /** Text that YAML reads as something else unless it is quoted. */
  private static final List<String> AWKWARD_TEXT = List.of(
      "NO", "no", "yes", "Yes", "ON", "off", "y", "n", "true", "False", "null", "Null", "~",
      "123", "-7", "1.50", "012", "0x1F", "1e3", "1_000", ".inf", "-.Inf", ".NaN", "2026-11-27",
      "12:30", "a: b", "key:value", "#hash", "x #comment", "- dash", "? question", "[list]",
      "{map}", "&anchor", "*alias", "!tag", "|pipe", ">fold", "%directive", "@at", "`tick",
      "'single'", "\"double\"", "it's", "back\\slash", " leading", "trailing ", "two  spaces",
      "line\nbreak", "trailing newline\n", "tab\there", "---", "...", "Zürich", "東京",
      "São Paulo", "Ελλάδα", "🚀 launch", "é", "ß");

  private static final List<String> AWKWARD_IDS = List.of(
      "no", "yes", "y", "n", "on", "off", "true", "false", "null", "123", "0", "012", "1e3",
      "0x1f", "1-2", "eu-west", "a", "9-lives");

  private static final List<String> AWKWARD_JURISDICTIONS = List.of(
      "NO", "ON", "OFF", "YES", "NULL", "TRUE", "FALSE", "EU", "US", "E1", "A-1", "UK");

  private TopologyArbitraries() {}

  /** Text of every awkward kind, never null. */
  static Arbitrary<String> text() {
    Arbitrary<String> random = Arbitraries.strings()
        .withCharRange('a', 'z').withCharRange('A', 'Z').withCharRange('0', '9')
        .withChars(" :#-?[]{},&*!|>%@`'\"\\\t\n.é中ß~")
        .ofMinLength(1).ofMaxLength(20);
    return Arbitraries.oneOf(Arbitraries.of(AWKWARD_TEXT), random);
  }

  /** Text with something other than blanks in it, for names. */
  static Arbitrary<String> name() {
    return text().filter(value -> !value.isBlank());
  }

  static Arbitrary<RegionId> regionId() {
    Arbitrary<String> random = Arbitraries.strings().withCharRange('a', 'z')
        .withCharRange('0', '9').withChars('-').ofMinLength(1).ofMaxLength(12)
        .filter(RegionId::isValid);
    return Arbitraries.oneOf(Arbitraries.of(AWKWARD_IDS), random).map(RegionId::of);
  }

  static Arbitrary<Jurisdiction> jurisdiction() {
    Arbitrary<String> random = Arbitraries.strings().withCharRange('A', 'Z').ofMinLength(2)
        .ofMaxLength(5);
    return Arbitraries.oneOf(Arbitraries.of(AWKWARD_JURISDICTIONS), random)
        .map(Jurisdiction::of);
  }

  /** Doubles in a range, with the edges, negative zero and long fractions well represented. */
  static Arbitrary<Double> number(double min, double max) {
    Arbitrary<Double> any = Arbitraries.doubles().between(min, max).ofScale(12);
    Arbitrary<Double> awkward = Arbitraries.of(min, max, 0.1 + 0.2, 1e-7, 12345.678901234567)
        .filter(value -> value >= min && value <= max);
    Arbitrary<Double> numbers = Arbitraries.oneOf(any, awkward);
    return min <= 0 ? Arbitraries.oneOf(numbers, Arbitraries.just(-0.0)) : numbers;
  }

  static Arbitrary<Region> region() {
    return Combinators.combine(regionId(), text().injectNull(0.2), number(-90, 90),
            number(-180, 180), jurisdiction(), text().injectNull(0.5),
            Arbitraries.of(RegionRole.class))
        .as(Region::new);
  }

  static Arbitrary<Link> link(List<RegionId> ids) {
    Arbitrary<RegionId> end = Arbitraries.of(ids);
    return Combinators.combine(end, end, number(0, 600_000), number(0, 600_000),
            number(1e-6, 1e9), number(0, 100), Arbitraries.of(true, false))
        .filter((a, b, rtt, jitter, bandwidth, loss, encrypted) -> !a.equals(b))
        .as(Link::new);
  }

  static Arbitrary<ConflictResolution> conflictResolution() {
    return Arbitraries.oneOf(Arbitraries.of(ConflictResolution.LWW,
        ConflictResolution.VERSION_VECTOR),
        Arbitraries.of(CrdtType.class).map(ConflictResolution::crdt));
  }

  static Arbitrary<QuorumSpec> quorum() {
    return Arbitraries.integers().between(1, 9).flatMap(n -> Combinators.combine(
        Arbitraries.integers().between(1, n), Arbitraries.integers().between(1, n))
        .as((w, r) -> new QuorumSpec(n, w, r)));
  }

  static Arbitrary<Policy> policy(Arbitrary<RegionId> ids) {
    Arbitrary<Long> positive = Arbitraries.longs().between(1, Long.MAX_VALUE);
    Arbitrary<Long> nonNegative = Arbitraries.longs().between(0, Long.MAX_VALUE);
    Arbitrary<Policy> shape = Combinators.combine(name(), Arbitraries.of(ReplicationMode.class),
            ids.injectNull(0.3), ids.list().ofMaxSize(4), quorum().injectNull(0.5),
            Arbitraries.integers().between(0, Integer.MAX_VALUE).injectNull(0.5),
            Arbitraries.of(ReadConsistency.class))
        .as((name, mode, primary, priority, quorum, syncAcks, read) -> new Policy(name, mode,
            primary, priority, quorum, syncAcks, read, null, null, null, null, null));
    return Combinators.combine(shape,
            Combinators.combine(positive, positive).as(StalenessBound::new).injectNull(0.5),
            conflictResolution(),
            Combinators.combine(Arbitraries.of(true, false), positive).as(FailoverSettings::new),
            nonNegative.injectNull(0.4), nonNegative.injectNull(0.4))
        .as((policy, staleness, resolution, failover, rpo, rto) -> policy.withStaleness(staleness)
            .withConflictResolution(resolution).withFailover(failover).withRpoTargetMs(rpo)
            .withRtoTargetMs(rto));
  }

  static Arbitrary<Dataset> dataset(Arbitrary<RegionId> ids) {
    return Combinators.combine(name(), ids.list().ofMaxSize(5),
            jurisdiction().list().ofMaxSize(3), name())
        .as(Dataset::new);
  }

  /** Whole topologies: one to eight regions, links between them, policies and datasets. */
  public static Arbitrary<Topology> topology() {
    return region().list().ofMinSize(1).ofMaxSize(8).flatMap(regions -> {
      List<RegionId> ids = regions.stream().map(Region::id).toList();
      Arbitrary<RegionId> known = Arbitraries.oneOf(Arbitraries.of(ids), regionId());
      Arbitrary<List<Link>> links = ids.stream().distinct().count() < 2
          ? Arbitraries.just(List.of()) : link(ids).list().ofMaxSize(8);
      return Combinators.combine(name(), text(), links, policy(known).list().ofMaxSize(4),
              dataset(known).list().ofMaxSize(4))
          .as((name, description, linkList, policies, datasets) -> new Topology(name,
              description, regions, linkList, policies, datasets));
    });
  }
}

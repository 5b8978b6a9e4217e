package io.meridian.model.catalogue;

import io.meridian.model.Geo;
import io.meridian.model.Invariants;
import io.meridian.model.Jurisdiction;
import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.RegionRole;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Well-known public cloud regions with their coordinates and jurisdictions, looked up by code and
 * searched by free text, so a designer can add {@code eu-west-1} without typing coordinates.
 *
 * <p>Immutable and safe to share between threads. {@link #builtIn()} is read once from the bundled
 * {@code cloud-regions.csv}; every line is checked when it loads (unique codes, coordinates on the
 * globe, a valid jurisdiction, EU member states in the {@code EU} jurisdiction) and a broken line
 * stops the load with its line number.
 */
public final class RegionCatalogue {
  /** The bundled resource, next to this class. */
  public static final String RESOURCE = "cloud-regions.csv";

  /** The header line the catalogue file must start with (after comments). */
  public static final String HEADER =
      "provider,code,display name,city,latitude,longitude,jurisdiction,country";

  /** A default link's jitter as a fraction of its round-trip time. */
  public static final double DEFAULT_JITTER_FRACTION_OF_RTT = 0.02;

  /** The smallest jitter a default link gets, in milliseconds: no real WAN path is steadier. */
  public static final double DEFAULT_JITTER_MIN_MS = 0.5;

  /**
   * A default link's bandwidth in megabits per second: what a replication path between two cloud
   * regions is typically provisioned with before anyone measures it.
   */
  public static final double DEFAULT_BANDWIDTH_MBPS = Link.DEFAULT_BANDWIDTH_MBPS;

  /** Countries whose regions must carry the {@code EU} jurisdiction, and only they. */
  private static final Set<String> EU_MEMBER_STATES = Set.of(
      "Austria", "Belgium", "Bulgaria", "Croatia", "Cyprus", "Czechia", "Denmark", "Estonia",
      "Finland", "France", "Germany", "Greece", "Hungary", "Ireland", "Italy", "Latvia",
      "Lithuania", "Luxembourg", "Malta", "Netherlands", "Poland", "Portugal", "Romania",
      "Slovakia", "Slovenia", "Spain", "Sweden");

  private static final Jurisdiction EU = Jurisdiction.of("EU");
  private static final int COLUMNS = 8;

  /** Search ranks, best first. */
  private static final int EXACT = 0;
  private static final int PREFIX = 1;
  private static final int CONTAINS = 2;
  private static final int NO_MATCH = 3;

  /** Read on first use of {@link #builtIn()}; immutable afterwards. */
  private static volatile RegionCatalogue builtIn;

  private final List<CatalogueEntry> entries;
  private final Map<String, CatalogueEntry> byQualifiedCode;
  private final Map<String, List<CatalogueEntry>> byCode;
  private final List<String> providers;
  private final List<SearchKey> searchKeys;

  private RegionCatalogue(List<CatalogueEntry> entries) {
    this.entries = List.copyOf(entries);
    Map<String, CatalogueEntry> qualified = new HashMap<>();
    Map<String, List<CatalogueEntry>> bare = new HashMap<>();
    Set<String> providerSet = new LinkedHashSet<>();
    for (CatalogueEntry entry : this.entries) {
      CatalogueEntry previous = qualified.put(entry.qualifiedCode(), entry);
      Invariants.require(previous == null, "region %s appears twice in the catalogue",
          entry.qualifiedCode());
      bare.computeIfAbsent(entry.code(), code -> new ArrayList<>()).add(entry);
      providerSet.add(entry.provider());
    }
    bare.replaceAll((code, list) -> List.copyOf(list));
    this.byQualifiedCode = Map.copyOf(qualified);
    this.byCode = Map.copyOf(bare);
    this.providers = List.copyOf(providerSet);
    this.searchKeys = this.entries.stream().map(SearchKey::of).toList();
  }

  /**
   * The catalogue bundled with Meridian, read and checked on first use and shared afterwards.
   *
   * @throws IllegalStateException when the bundled file is missing or broken (a build defect)
   */
  public static RegionCatalogue builtIn() {
    RegionCatalogue catalogue = builtIn;
    if (catalogue == null) {
      synchronized (RegionCatalogue.class) {
        catalogue = builtIn;
        if (catalogue == null) {
          catalogue = loadBuiltIn();
          builtIn = catalogue;
        }
      }
    }
    return catalogue;
  }

  /**
   * A catalogue of the given entries.
   *
   * @throws IllegalArgumentException when two entries share a qualified code
   */
  public static RegionCatalogue of(List<CatalogueEntry> entries) {
    return new RegionCatalogue(Invariants.notNull(entries, "catalogue entries"));
  }

  /**
   * Reads a catalogue in the format of the bundled {@value #RESOURCE}: lines starting with
   * {@code #} and blank lines are skipped, then the {@link #HEADER}, then one region a line.
   *
   * @param text the file's content
   * @param source a name for messages, e.g. the file name
   * @throws IllegalArgumentException listing every broken line as {@code source:line: problem}
   */
  public static RegionCatalogue parse(String text, String source) {
    Invariants.notNull(text, "catalogue text");
    List<String> problems = new ArrayList<>();
    List<CatalogueEntry> entries = new ArrayList<>();
    Map<String, Integer> lineOfCode = new HashMap<>();
    boolean headerSeen = false;
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
    String[] lines = body.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNumber = i + 1;
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (!headerSeen) {
        if (!line.equals(HEADER)) {
          problems.add(source + ":" + lineNumber + ": expected the header '" + HEADER + "'");
        }
        headerSeen = true;
        continue;
      }
      try {
        CatalogueEntry entry = entry(line);
        Integer earlier = lineOfCode.putIfAbsent(entry.qualifiedCode(), lineNumber);
        if (earlier != null) {
          problems.add(source + ":" + lineNumber + ": region " + entry.qualifiedCode()
              + " already appears on line " + earlier);
        } else {
          entries.add(entry);
        }
      } catch (IllegalArgumentException e) {
        problems.add(source + ":" + lineNumber + ": " + e.getMessage());
      }
    }
    if (!headerSeen) {
      problems.add(source + ":1: the catalogue is empty; expected the header '" + HEADER + "'");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("the region catalogue has " + problems.size()
          + " problem(s):\n" + String.join("\n", problems));
    }
    return new RegionCatalogue(entries);
  }

  private static CatalogueEntry entry(String line) {
    String[] fields = line.split(",", -1);
    Invariants.require(fields.length == COLUMNS,
        "expected %d comma-separated fields (%s), found %d", COLUMNS, HEADER, fields.length);
    for (int f = 0; f < fields.length; f++) {
      fields[f] = fields[f].strip();
    }
    CatalogueEntry entry = new CatalogueEntry(fields[0], fields[1], fields[2], fields[3],
        coordinate(fields[4], "latitude"), coordinate(fields[5], "longitude"),
        Jurisdiction.of(fields[6]), fields[7]);
    boolean member = EU_MEMBER_STATES.contains(entry.country());
    Invariants.require(member == entry.jurisdiction().equals(EU),
        member ? "%s lies in %s, an EU member state, so its jurisdiction must be EU, not %s"
            : "%s lies in %s, which is not an EU member state, so its jurisdiction cannot be %s",
        entry.qualifiedCode(), entry.country(), entry.jurisdiction());
    return entry;
  }

  private static double coordinate(String text, String what) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " '" + text + "' is not a number", e);
    }
  }

  /** Every entry, in file order (grouped by provider). */
  public List<CatalogueEntry> entries() {
    return entries;
  }

  /** How many regions the catalogue holds. */
  public int size() {
    return entries.size();
  }

  /** The providers, in the order they first appear. */
  public List<String> providers() {
    return providers;
  }

  /** The regions of one provider (e.g. {@code gcp}), in file order; empty when unknown. */
  public List<CatalogueEntry> byProvider(String provider) {
    String wanted = normalisedCode(provider);
    return entries.stream().filter(e -> e.provider().equals(wanted)).toList();
  }

  /**
   * The region with this qualified code, e.g. {@code aws:eu-west-1}; case and surrounding spaces
   * do not matter.
   */
  public Optional<CatalogueEntry> byQualifiedCode(String qualifiedCode) {
    return Optional.ofNullable(byQualifiedCode.get(normalisedCode(qualifiedCode)));
  }

  /**
   * Every region whose provider code is {@code code}, e.g. {@code eu-west-1}: one entry for most
   * codes, several when providers share a code (AWS and Alibaba Cloud both have an
   * {@code eu-west-1}, in Dublin and London), empty when none has it. Case and surrounding spaces
   * do not matter.
   */
  public List<CatalogueEntry> byCode(String code) {
    return byCode.getOrDefault(normalisedCode(code), List.of());
  }

  /**
   * Resolves what a person typed as a code: a qualified code ({@code aws:eu-west-1}) gives at most
   * one entry, a bare code ({@code eu-west-1}) every provider's match.
   */
  public List<CatalogueEntry> lookup(String code) {
    String text = normalisedCode(code);
    return text.contains(":") ? byQualifiedCode(text).stream().toList() : byCode(text);
  }

  /**
   * Free-text search for the studio's palette over code, qualified code, display name, city and
   * country, ignoring case and accents ({@code sao} finds São Paulo).
   *
   * <p>Ranked: exact code matches first, then prefix matches (of a code, or of a word of the
   * name, city or country), then matches anywhere; within a rank, catalogue order. A blank query
   * gives every entry.
   */
  public List<CatalogueEntry> search(String query) {
    return search(query, Integer.MAX_VALUE);
  }

  /** Like {@link #search(String)}, keeping at most {@code limit} results. */
  public List<CatalogueEntry> search(String query, int limit) {
    Invariants.require(limit >= 0, "search limit must be zero or more, was %d", limit);
    String wanted = fold(query == null ? "" : query);
    if (wanted.isEmpty()) {
      return entries.stream().limit(limit).toList();
    }
    List<List<CatalogueEntry>> byRank = List.of(new ArrayList<>(), new ArrayList<>(),
        new ArrayList<>());
    for (SearchKey key : searchKeys) {
      int rank = key.rank(wanted);
      if (rank < byRank.size()) {
        byRank.get(rank).add(key.entry());
      }
    }
    return byRank.stream().flatMap(List::stream).limit(limit).toList();
  }

  /**
   * An entry's text as search compares it, folded once when the catalogue is built rather than on
   * every keystroke in the palette.
   */
  private record SearchKey(CatalogueEntry entry, List<String> words) {
    static SearchKey of(CatalogueEntry entry) {
      return new SearchKey(entry,
          List.of(fold(entry.displayName()), fold(entry.city()), fold(entry.country())));
    }

    /** The best rank this entry reaches for the query, from EXACT down to NO_MATCH. */
    int rank(String wanted) {
      String code = entry.code();
      String qualified = entry.qualifiedCode();
      if (code.equals(wanted) || qualified.equals(wanted)) {
        return EXACT;
      }
      if (code.startsWith(wanted) || qualified.startsWith(wanted)
          || words.stream().anyMatch(text -> hasWordStartingWith(text, wanted))) {
        return PREFIX;
      }
      if (code.contains(wanted) || qualified.contains(wanted)
          || words.stream().anyMatch(text -> text.contains(wanted))) {
        return CONTAINS;
      }
      return NO_MATCH;
    }
  }

  private static boolean hasWordStartingWith(String text, String prefix) {
    for (int at = text.indexOf(prefix); at >= 0; at = text.indexOf(prefix, at + 1)) {
      if (at == 0 || !Character.isLetterOrDigit(text.charAt(at - 1))) {
        return true;
      }
    }
    return false;
  }

  /** Lower case without accents, trimmed: how search compares text. */
  private static String fold(String text) {
    String decomposed = Normalizer.normalize(text.strip(), Normalizer.Form.NFD);
    return decomposed.replaceAll("\\p{M}", "").toLowerCase(Locale.ROOT);
  }

  private static String normalisedCode(String code) {
    return code == null ? "" : code.strip().toLowerCase(Locale.ROOT);
  }

  /**
   * A model region for a catalogue entry: same as {@link CatalogueEntry#toRegion(RegionId)}.
   *
   * @param entry the catalogue region
   * @param id the id the region gets in the topology, e.g. {@link CatalogueEntry#suggestedId()}
   */
  public static Region toRegion(CatalogueEntry entry, RegionId id) {
    return Invariants.notNull(entry, "catalogue entry").toRegion(id);
  }

  /** A model region of the given role (data or witness) for a catalogue entry. */
  public static Region toRegion(CatalogueEntry entry, RegionId id, RegionRole role) {
    return Invariants.notNull(entry, "catalogue entry").toRegion(id, role);
  }

  /**
   * A link as a designer would first draw it between two regions: round-trip time from
   * {@link Geo#estimatedRttMs(Region, Region)} (the fibre floor over the great circle times the
   * route factor, plus overhead), jitter of {@value #DEFAULT_JITTER_FRACTION_OF_RTT} of that but
   * at least {@value #DEFAULT_JITTER_MIN_MS} ms, {@link #DEFAULT_BANDWIDTH_MBPS} Mbps, no loss,
   * encrypted. Never faster than light in fibre.
   *
   * @throws IllegalArgumentException when {@code a} and {@code b} have the same id
   */
  public static Link defaultLink(Region a, Region b) {
    Invariants.notNull(a, "region a");
    Invariants.notNull(b, "region b");
    double rttMs = Geo.estimatedRttMs(a, b);
    double jitterMs = Math.max(DEFAULT_JITTER_MIN_MS,
        Math.round(rttMs * DEFAULT_JITTER_FRACTION_OF_RTT * 10) / 10.0);
    Link link = new Link(a.id(), b.id(), rttMs, jitterMs, DEFAULT_BANDWIDTH_MBPS, 0, true);
    Invariants.require(link.rttMs() >= Geo.fibreRttFloorMs(a, b),
        "default link %s of %s ms would be faster than light", link.name(), link.rttMs());
    return link;
  }

  private static RegionCatalogue loadBuiltIn() {
    try (InputStream in = RegionCatalogue.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the built-in region catalogue " + RESOURCE
            + " is missing from the class path next to " + RegionCatalogue.class.getName());
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the built-in region catalogue " + RESOURCE, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("the built-in region catalogue is broken: "
          + e.getMessage(), e);
    }
  }
}

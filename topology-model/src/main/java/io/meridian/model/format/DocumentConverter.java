package io.meridian.model.format;

import io.meridian.model.ConflictResolution;
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
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import io.meridian.model.diagnostics.Suggestions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Turns the file's shape into domain values, reporting every missing or out-of-range field with
 * the pointer of its node instead of stopping at the first.
 */
final class DocumentConverter {
  private final List<Problem> problems;

  DocumentConverter(List<Problem> problems) {
    this.problems = problems;
  }

  Topology toTopology(Documents.TopologyDoc doc) {
    String name = doc.metadata() == null ? null : doc.metadata().name();
    if (name == null || name.isBlank()) {
      missing("/metadata", "metadata.name", "give the design a short name under metadata: name:");
      name = "unnamed";
    }
    String description = doc.metadata() == null ? "" : doc.metadata().description();
    List<Region> regions = convertAll(doc.regions(), "/regions", this::region);
    List<Link> links = convertAll(doc.links(), "/links", this::link);
    List<Policy> policies = convertAll(doc.policies(), "/policies", this::policy);
    List<Dataset> datasets = convertAll(doc.datasets(), "/datasets", this::dataset);
    if (doc.regions() == null || doc.regions().isEmpty()) {
      missing("", "regions", "list at least one region under regions:");
    }
    return new Topology(name, description, regions, links, policies, datasets);
  }

  private interface ElementConverter<D, T> {
    T convert(D doc, String pointer);
  }

  private <D, T> List<T> convertAll(List<D> docs, String pointer, ElementConverter<D, T> convert) {
    List<T> result = new ArrayList<>();
    if (docs == null) {
      return result;
    }
    for (int i = 0; i < docs.size(); i++) {
      String at = pointer + "/" + i;
      D doc = docs.get(i);
      if (doc == null) {
        problems.add(Problem.at("missing-field", Severity.ERROR, at, "empty list entry",
            "remove the lone '-' or fill in the entry"));
        continue;
      }
      try {
        T value = convert.convert(doc, at);
        if (value != null) {
          result.add(value);
        }
      } catch (IllegalArgumentException e) {
        problems.add(Problem.at("invalid-value", Severity.ERROR, at, e.getMessage(), ""));
      }
    }
    return result;
  }

  private Region region(Documents.RegionDoc doc, String at) {
    RegionId id = regionId(doc.id(), at + "/id", "id");
    Double latitude = number(doc.latitude(), at + "/latitude", "latitude", -90, 90);
    Double longitude = number(doc.longitude(), at + "/longitude", "longitude", -180, 180);
    Jurisdiction jurisdiction = jurisdiction(doc.jurisdiction(), at + "/jurisdiction");
    RegionRole role = RegionRole.DATA;
    if (doc.role() != null) {
      role = choice(doc.role(), at + "/role", "role", RegionRole::fromFileName,
          Arrays.stream(RegionRole.values()).map(RegionRole::fileName).toList());
    }
    if (id == null || latitude == null || longitude == null || jurisdiction == null
        || role == null) {
      return null;
    }
    return new Region(id, doc.name(), latitude, longitude, jurisdiction, doc.provider(), role);
  }

  private Link link(Documents.LinkDoc doc, String at) {
    if (doc.between() == null || doc.between().size() != 2) {
      problems.add(Problem.at(doc.between() == null ? "missing-field" : "invalid-value",
          Severity.ERROR, doc.between() == null ? at : at + "/between",
          "a link needs 'between: [region-a, region-b]' with exactly two regions",
          "write between: [us-east, eu-west]"));
      return null;
    }
    RegionId a = regionId(doc.between().get(0), at + "/between/0", "between");
    RegionId b = regionId(doc.between().get(1), at + "/between/1", "between");
    Double rtt = number(doc.rttMs(), at + "/rttMs", "rttMs", 0, 600_000);
    Double jitter = optionalNumber(doc.jitterMs(), at + "/jitterMs", "jitterMs", 0, 600_000, 0);
    Double bandwidth = optionalNumber(doc.bandwidthMbps(), at + "/bandwidthMbps", "bandwidthMbps",
        Double.MIN_VALUE, 1e9, Link.DEFAULT_BANDWIDTH_MBPS);
    Double loss = optionalNumber(doc.lossPercent(), at + "/lossPercent", "lossPercent", 0, 100, 0);
    if (a == null || b == null || rtt == null || jitter == null || bandwidth == null
        || loss == null) {
      return null;
    }
    if (a.equals(b)) {
      problems.add(Problem.at("invalid-value", Severity.ERROR, at + "/between/1",
          "a link joins two different regions, both ends are " + a,
          "name the region at the other end"));
      return null;
    }
    return new Link(a, b, rtt, jitter, bandwidth, loss,
        doc.encrypted() == null || doc.encrypted());
  }

  private Policy policy(Documents.PolicyDoc doc, String at) {
    if (doc.name() == null || doc.name().isBlank()) {
      missing(at, "name", "give the policy a name");
      return null;
    }
    ReplicationMode mode = null;
    if (doc.mode() == null) {
      missing(at, "mode", "one of " + names(ReplicationMode.values(), ReplicationMode::fileName));
    } else {
      mode = choice(doc.mode(), at + "/mode", "mode", ReplicationMode::fromFileName,
          Arrays.stream(ReplicationMode.values()).map(ReplicationMode::fileName).toList());
    }
    RegionId primary = doc.primary() == null ? null
        : regionId(doc.primary(), at + "/primary", "primary");
    List<RegionId> priority = new ArrayList<>();
    if (doc.failoverPriority() != null) {
      for (int i = 0; i < doc.failoverPriority().size(); i++) {
        RegionId id = regionId(doc.failoverPriority().get(i), at + "/failoverPriority/" + i,
            "failoverPriority");
        if (id != null) {
          priority.add(id);
        }
      }
    }
    QuorumSpec quorum = doc.quorum() == null ? null : quorum(doc.quorum(), at + "/quorum");
    ReadConsistency read = doc.readConsistency() == null ? null
        : choice(doc.readConsistency(), at + "/readConsistency", "readConsistency",
            ReadConsistency::fromFileName,
            Arrays.stream(ReadConsistency.values()).map(ReadConsistency::fileName).toList());
    StalenessBound staleness = null;
    if (doc.staleness() != null) {
      Long ms = positiveLong(doc.staleness().maxLagMs(), at + "/staleness/maxLagMs", "maxLagMs");
      Long versions = positiveLong(doc.staleness().maxLagVersions(),
          at + "/staleness/maxLagVersions", "maxLagVersions");
      if (ms != null && versions != null) {
        staleness = new StalenessBound(ms, versions);
      }
    }
    ConflictResolution resolution = null;
    if (doc.conflictResolution() != null) {
      try {
        resolution = ConflictResolution.parse(doc.conflictResolution());
      } catch (IllegalArgumentException e) {
        problems.add(Problem.at("invalid-value", Severity.ERROR, at + "/conflictResolution",
            "unknown conflictResolution '" + doc.conflictResolution() + "'",
            Suggestions.closest(doc.conflictResolution(), ConflictResolution.spellings())
                .map(s -> "did you mean '" + s + "'?")
                .orElse("use one of " + String.join(", ", ConflictResolution.spellings()))));
      }
    }
    FailoverSettings failover = null;
    if (doc.failover() != null) {
      Long timeout = doc.failover().detectionTimeoutMs() == null
          ? Long.valueOf(FailoverSettings.DEFAULT_DETECTION_TIMEOUT_MS)
          : positiveLong(doc.failover().detectionTimeoutMs(),
              at + "/failover/detectionTimeoutMs", "detectionTimeoutMs");
      if (timeout != null) {
        failover = new FailoverSettings(Boolean.TRUE.equals(doc.failover().automatic()), timeout);
      }
    }
    if (doc.syncAcks() != null && doc.syncAcks() < 0) {
      problems.add(Problem.at("invalid-value", Severity.ERROR, at + "/syncAcks",
          "syncAcks must be zero or more, was " + doc.syncAcks(),
          "leave it out to wait for every replica"));
      return null;
    }
    Long rpo = nonNegativeLong(doc.rpoTargetMs(), at + "/rpoTargetMs", "rpoTargetMs");
    Long rto = nonNegativeLong(doc.rtoTargetMs(), at + "/rtoTargetMs", "rtoTargetMs");
    if (mode == null) {
      return null;
    }
    return new Policy(doc.name(), mode, primary, priority, quorum, doc.syncAcks(), read, staleness,
        resolution, failover, rpo, rto);
  }

  private QuorumSpec quorum(Documents.QuorumDoc doc, String at) {
    if (doc.n() == null || doc.w() == null || doc.r() == null) {
      problems.add(Problem.at("missing-field", Severity.ERROR, at,
          "quorum needs n, w and r", "write quorum: {n: 3, w: 2, r: 2}"));
      return null;
    }
    if (doc.n() < 1) {
      problems.add(Problem.at("invalid-value", Severity.ERROR, at + "/n",
          "quorum n must be at least 1, was " + doc.n(), "set n to the number of replicas"));
      return null;
    }
    if (doc.w() < 1 || doc.w() > doc.n()) {
      problems.add(Problem.at("invalid-value", Severity.ERROR, at + "/w",
          "quorum w must be between 1 and n=" + doc.n() + ", was " + doc.w(),
          "a majority, w=" + (doc.n() / 2 + 1) + ", is the usual choice"));
      return null;
    }
    if (doc.r() < 1 || doc.r() > doc.n()) {
      problems.add(Problem.at("invalid-value", Severity.ERROR, at + "/r",
          "quorum r must be between 1 and n=" + doc.n() + ", was " + doc.r(),
          "a majority, r=" + (doc.n() / 2 + 1) + ", is the usual choice"));
      return null;
    }
    return new QuorumSpec(doc.n(), doc.w(), doc.r());
  }

  private Dataset dataset(Documents.DatasetDoc doc, String at) {
    boolean ok = true;
    if (doc.name() == null || doc.name().isBlank()) {
      missing(at, "name", "give the dataset a name");
      ok = false;
    }
    if (doc.policy() == null || doc.policy().isBlank()) {
      missing(at, "policy", "name one of the policies");
      ok = false;
    }
    if (doc.replicas() == null) {
      missing(at, "replicas", "list the regions that hold replicas: replicas: [us-east, eu-west]");
      ok = false;
    }
    List<RegionId> replicas = new ArrayList<>();
    if (doc.replicas() != null) {
      for (int i = 0; i < doc.replicas().size(); i++) {
        RegionId id = regionId(doc.replicas().get(i), at + "/replicas/" + i, "replicas");
        if (id == null) {
          ok = false;
        } else {
          replicas.add(id);
        }
      }
    }
    List<Jurisdiction> allowed = new ArrayList<>();
    if (doc.allowedJurisdictions() != null) {
      for (int i = 0; i < doc.allowedJurisdictions().size(); i++) {
        Jurisdiction j = jurisdiction(doc.allowedJurisdictions().get(i),
            at + "/allowedJurisdictions/" + i);
        if (j == null) {
          ok = false;
        } else {
          allowed.add(j);
        }
      }
    }
    return ok ? new Dataset(doc.name(), replicas, allowed, doc.policy()) : null;
  }

  private RegionId regionId(String text, String pointer, String field) {
    if (text == null) {
      problems.add(Problem.at("missing-field", Severity.ERROR, pointer,
          "'" + field + "' needs a region id", "write a region id such as eu-west"));
      return null;
    }
    if (!RegionId.isValid(text)) {
      String lower = text.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
      problems.add(Problem.at("invalid-value", Severity.ERROR, pointer,
          "region id '" + text + "' must be lower-case letters, digits and dashes",
          RegionId.isValid(lower) ? "write '" + lower + "'" : "use a name like eu-west"));
      return null;
    }
    return RegionId.of(text);
  }

  private Jurisdiction jurisdiction(String text, String pointer) {
    if (text == null) {
      problems.add(Problem.at("missing-field", Severity.ERROR, pointer,
          "a jurisdiction code is needed", "write an upper-case code such as EU or US"));
      return null;
    }
    try {
      return Jurisdiction.of(text);
    } catch (IllegalArgumentException e) {
      problems.add(Problem.at("invalid-value", Severity.ERROR, pointer, e.getMessage(),
          "write '" + text.toUpperCase(java.util.Locale.ROOT) + "'"));
      return null;
    }
  }

  private Double number(Number value, String pointer, String field, double min, double max) {
    if (value == null) {
      int slash = pointer.lastIndexOf('/');
      missing(pointer.substring(0, slash), field, "add " + field + ": <number>");
      return null;
    }
    return checkedNumber(value, pointer, field, min, max);
  }

  private Double optionalNumber(
      Number value, String pointer, String field, double min, double max, double fallback) {
    return value == null ? Double.valueOf(fallback)
        : checkedNumber(value, pointer, field, min, max);
  }

  private Double checkedNumber(Number value, String pointer, String field, double min, double max) {
    double v = value.doubleValue();
    if (!Double.isFinite(v) || v < min || v > max) {
      problems.add(Problem.at("invalid-value", Severity.ERROR, pointer,
          field + (min == Double.MIN_VALUE ? " must be more than 0 and at most " + plain(max)
              : " must be between " + plain(min) + " and " + plain(max)) + ", was " + plain(v),
          "correct the value"));
      return null;
    }
    return v;
  }

  private Long positiveLong(Long value, String pointer, String field) {
    if (value == null || value <= 0) {
      problems.add(Problem.at(value == null ? "missing-field" : "invalid-value", Severity.ERROR,
          pointer, field + " must be more than zero" + (value == null ? "" : ", was " + value),
          "write a number of milliseconds or versions above zero"));
      return null;
    }
    return value;
  }

  private Long nonNegativeLong(Long value, String pointer, String field) {
    if (value != null && value < 0) {
      problems.add(Problem.at("invalid-value", Severity.ERROR, pointer,
          field + " must be zero or more, was " + value, "write a number of milliseconds"));
      return null;
    }
    return value;
  }

  private <E> E choice(
      String text, String pointer, String field, Function<String, E> parse, List<String> options) {
    E value = parse.apply(text);
    if (value == null) {
      problems.add(Problem.at("invalid-value", Severity.ERROR, pointer,
          "unknown " + field + " '" + text + "'",
          Suggestions.closest(text, options).map(s -> "did you mean '" + s + "'?")
              .orElse("use one of " + String.join(", ", options))));
    }
    return value;
  }

  private void missing(String parentPointer, String field, String fix) {
    problems.add(Problem.at("missing-field", Severity.ERROR, parentPointer,
        "required field '" + field + "' is missing", fix));
  }

  private static <E> String names(E[] values, Function<E, String> name) {
    return String.join(", ", Arrays.stream(values).map(name).toList());
  }

  private static String plain(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}

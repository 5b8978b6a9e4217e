package io.meridian.app.editor;

import io.meridian.model.Dataset;
import io.meridian.model.Jurisdiction;
import io.meridian.model.Link;
import io.meridian.model.Policy;
import io.meridian.model.QuorumSpec;
import io.meridian.model.ReadConsistency;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.RegionRole;
import io.meridian.model.ReplicationMode;
import io.meridian.model.Topology;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** The property rows of a selected region, link or dataset, each with its plain-words help. */
public final class Properties {
  private Properties() {}

  /** The rows for {@code target} in {@code topology}; empty when it no longer exists. */
  public static List<PropertyRow> of(Topology topology, EditTarget target) {
    if (target instanceof EditTarget.RegionTarget r) {
      return topology.region(r.id()).map(Properties::region).orElse(List.of());
    }
    if (target instanceof EditTarget.LinkTarget l) {
      return topology.link(l.a(), l.b()).map(Properties::link).orElse(List.of());
    }
    if (target instanceof EditTarget.DatasetTarget d) {
      return topology.dataset(d.name()).map(dataset -> dataset(topology, dataset))
          .orElse(List.of());
    }
    return List.of();
  }

  private static List<PropertyRow> region(Region region) {
    RegionId id = region.id();
    BiFunction<UnaryOperator<Region>, Topology, Topology> edit =
        (change, t) -> t.mapRegion(id, change);
    return List.of(
        row("Id", id.value(), "The region's name in the file; links and datasets refer to it."
            + " Read-only here: delete and re-add to rename.", List.of(),
            (t, text) -> t),
        row("Display name", region.displayName(), "The name shown on the map and in reports.",
            List.of(), (t, text) -> edit.apply(r -> r.withDisplayName(text.strip()), t)),
        row("Latitude", number(region.latitude()), "Degrees north (negative for south), -90 to"
            + " 90. Used for the map and for the speed-of-light floor of its links.", List.of(),
            (t, text) -> edit.apply(r -> r.withLocation(parse(text, "latitude"),
                r.longitude()), t)),
        row("Longitude", number(region.longitude()), "Degrees east (negative for west), -180 to"
            + " 180.", List.of(),
            (t, text) -> edit.apply(r -> r.withLocation(r.latitude(),
                parse(text, "longitude")), t)),
        row("Jurisdiction", region.jurisdiction().code(), "The legal area the region is in (EU,"
            + " US, ...). A dataset's residency rule lists the jurisdictions its data may live"
            + " in.", List.of(),
            (t, text) -> edit.apply(r -> new Region(r.id(), r.displayName(), r.latitude(),
                r.longitude(), Jurisdiction.of(text.strip()), r.provider(), r.role()), t)),
        row("Role", region.role().fileName(), "data: holds replicas. witness: only votes in"
            + " quorums and elections, holds no data (cheap tie-breaker).",
            Arrays.stream(RegionRole.values()).map(RegionRole::fileName).toList(),
            (t, text) -> edit.apply(r -> new Region(r.id(), r.displayName(), r.latitude(),
                r.longitude(), r.jurisdiction(), r.provider(), RegionRole.fromFileName(text)),
                t)));
  }

  private static List<PropertyRow> link(Link link) {
    BiFunction<UnaryOperator<Link>, Topology, Topology> edit =
        (change, t) -> t.mapLink(link.a(), link.b(), change);
    return List.of(
        row("Ends", link.a() + " ↔ " + link.b(), "The two regions this network path joins.",
            List.of(), (t, text) -> t),
        row("RTT (ms)", number(link.rttMs()), "Round-trip time of a small message between the"
            + " two regions, in milliseconds. It can never beat light in fibre over the great"
            + " circle.", List.of(),
            (t, text) -> edit.apply(l -> new Link(l.a(), l.b(), parse(text, "RTT"),
                l.jitterMs(), l.bandwidthMbps(), l.lossPercent(), l.encrypted()), t)),
        row("Jitter (ms)", number(link.jitterMs()), "How much the round-trip time varies from"
            + " message to message; widens the p99 latencies.", List.of(),
            (t, text) -> edit.apply(l -> new Link(l.a(), l.b(), l.rttMs(),
                parse(text, "jitter"), l.bandwidthMbps(), l.lossPercent(), l.encrypted()), t)),
        row("Bandwidth (Mbps)", number(link.bandwidthMbps()), "How much data the link carries per"
            + " second; replication falls behind when writes need more.", List.of(),
            (t, text) -> edit.apply(l -> new Link(l.a(), l.b(), l.rttMs(), l.jitterMs(),
                parse(text, "bandwidth"), l.lossPercent(), l.encrypted()), t)),
        row("Loss (%)", number(link.lossPercent()), "Share of packets lost, 0 to 100;"
            + " retransmissions add latency.", List.of(),
            (t, text) -> edit.apply(l -> new Link(l.a(), l.b(), l.rttMs(), l.jitterMs(),
                l.bandwidthMbps(), parse(text, "loss"), l.encrypted()), t)),
        row("Encrypted", Boolean.toString(link.encrypted()), "Whether traffic on this link is"
            + " encrypted (TLS). Unencrypted cross-region links are flagged.",
            List.of("true", "false"),
            (t, text) -> edit.apply(l -> new Link(l.a(), l.b(), l.rttMs(), l.jitterMs(),
                l.bandwidthMbps(), l.lossPercent(), Boolean.parseBoolean(text.strip())), t)));
  }

  private static List<PropertyRow> dataset(Topology topology, Dataset dataset) {
    String name = dataset.name();
    List<String> policies = topology.policies().stream().map(Policy::name).toList();
    List<PropertyRow> rows = new ArrayList<>(List.of(
        row("Dataset", name, "The keyspace's name.", List.of(), (t, text) -> t),
        row("Replicas", join(dataset.replicas().stream().map(RegionId::value)),
            "Regions that hold a copy, comma-separated region ids.", List.of(),
            (t, text) -> t.mapDataset(name, d -> d.withReplicas(ids(text)))),
        row("Allowed jurisdictions", join(dataset.allowedJurisdictions().stream()
                .map(Jurisdiction::code)),
            "Residency: the jurisdictions this data may be stored in, comma-separated (e.g."
                + " EU). Empty allows anywhere.", List.of(),
            (t, text) -> t.mapDataset(name, d -> d.withAllowedJurisdictions(
                split(text).stream().map(Jurisdiction::of).toList()))),
        row("Policy", dataset.policy(), "The replication policy this dataset follows; policies"
            + " can be shared by several datasets.", policies,
            (t, text) -> t.mapDataset(name, d -> d.withPolicy(text.strip())))));
    topology.policyOf(dataset).ifPresent(policy -> rows.addAll(policy(policy)));
    return rows;
  }

  private static List<PropertyRow> policy(Policy policy) {
    String name = policy.name();
    return List.of(
        row("Mode", policy.mode().fileName(), "How writes replicate. async: one primary ships"
            + " changes later (fast, may lose recent writes). sync: commit waits for replicas."
            + " quorum: leaderless N/W/R. multi-primary: every replica writes, conflicts"
            + " resolved. consensus: a Raft group, linearizable.",
            Arrays.stream(ReplicationMode.values()).map(ReplicationMode::fileName).toList(),
            (t, text) -> t.mapPolicy(name, p -> p.withMode(ReplicationMode.fromFileName(
                text.strip())))),
        row("Primary", policy.primaryRegion().map(RegionId::value).orElse(""), "The region that"
            + " accepts writes in async and sync modes. Empty for leaderless modes.", List.of(),
            (t, text) -> t.mapPolicy(name, p -> p.withPrimary(text.isBlank() ? null
                : RegionId.of(text.strip())))),
        row("Failover order", join(policy.failoverPriority().stream().map(RegionId::value)),
            "Who becomes primary next if the primary fails, most preferred first,"
                + " comma-separated.", List.of(),
            (t, text) -> t.mapPolicy(name, p -> p.withFailoverPriority(ids(text)))),
        row("Quorum N/W/R", policy.quorumSpec().map(q -> q.n() + "/" + q.w() + "/" + q.r())
                .orElse(""),
            "Leaderless sizes: N copies, a write waits for W acks, a read asks R replicas."
                + " R + W > N means reads see the latest write.", List.of(),
            (t, text) -> t.mapPolicy(name, p -> p.withQuorum(quorum(text)))),
        row("Read consistency", policy.readConsistency() == null ? ""
                : policy.readConsistency().fileName(),
            "The default read level: eventual (nearest copy, maybe stale), session (sees your"
                + " own writes), bounded-staleness, quorum, strong (always the latest).",
            Arrays.stream(ReadConsistency.values()).map(ReadConsistency::fileName).toList(),
            (t, text) -> t.mapPolicy(name, p -> p.withReadConsistency(
                ReadConsistency.fromFileName(text.strip())))),
        row("RPO target (ms)", policy.rpoTargetMs() == null ? "" : policy.rpoTargetMs().toString(),
            "The most recent writes, in milliseconds, you accept to lose when a region fails."
                + " Empty for none.", List.of(),
            (t, text) -> t.mapPolicy(name, p -> p.withRpoTargetMs(optionalLong(text)))),
        row("RTO target (ms)", policy.rtoTargetMs() == null ? "" : policy.rtoTargetMs().toString(),
            "How long writes may stop, in milliseconds, while the system recovers from a"
                + " failure. Empty for none.", List.of(),
            (t, text) -> t.mapPolicy(name, p -> p.withRtoTargetMs(optionalLong(text)))));
  }

  private static PropertyRow row(String name, String value, String help, List<String> choices,
      BiFunction<Topology, String, Topology> apply) {
    return new PropertyRow(name, value, help, choices, apply);
  }

  private static QuorumSpec quorum(String text) {
    if (text.isBlank()) {
      return null;
    }
    String[] parts = text.strip().split("\\s*/\\s*");
    if (parts.length != 3) {
      throw new IllegalArgumentException("write the quorum as N/W/R, e.g. 3/2/2");
    }
    return new QuorumSpec(integer(parts[0]), integer(parts[1]), integer(parts[2]));
  }

  private static int integer(String text) {
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not a whole number");
    }
  }

  private static Long optionalLong(String text) {
    if (text.isBlank()) {
      return null;
    }
    try {
      return Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not a whole number of milliseconds");
    }
  }

  private static double parse(String text, String what) {
    try {
      return Double.parseDouble(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not a number; " + what
          + " needs one");
    }
  }

  private static List<String> split(String text) {
    return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private static List<RegionId> ids(String text) {
    return split(text).stream().map(RegionId::of).toList();
  }

  private static String join(Stream<String> values) {
    return String.join(", ", values.toList());
  }

  static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
        : String.format(Locale.ROOT, "%s", value);
  }
}

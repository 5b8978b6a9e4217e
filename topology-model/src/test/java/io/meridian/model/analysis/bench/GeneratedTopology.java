package io.meridian.model.analysis.bench;

import io.meridian.model.Dataset;
import io.meridian.model.FailoverSettings;
import io.meridian.model.Geo;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded, generated topology of many regions for benchmarks and scale tests: regions scattered
 * over the inhabited latitudes, each linked to its nearest neighbours with realistic round trips
 * (the fibre floor stretched by {@link Geo#ROUTE_FACTOR}), and one dataset per replication mode.
 */
public final class GeneratedTopology {
  private GeneratedTopology() {}

  /**
   * A topology of {@code regionCount} regions (at least 8), each linked to its {@code degree}
   * nearest neighbours, with six datasets: async, sync, quorum (R+W>N), quorum (R+W<=N),
   * multi-primary and consensus with a witness.
   */
  public static Topology of(int regionCount, int degree, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Region> regions = new ArrayList<>();
    String[] jurisdictions = {"US", "EU", "JP", "BR", "IN", "AU"};
    for (int i = 0; i < regionCount; i++) {
      double lat = -45 + random.nextDouble() * 105;
      double lon = -180 + random.nextDouble() * 360;
      RegionRole role = i == regionCount - 1 ? RegionRole.WITNESS : RegionRole.DATA;
      regions.add(new Region(RegionId.of(String.format("r%02d", i)), "Region " + i, lat, lon,
          Jurisdiction.of(jurisdictions[i % jurisdictions.length]), null, role));
    }
    List<Link> links = new ArrayList<>();
    for (Region from : regions) {
      List<Region> nearest = regions.stream().filter(r -> r != from)
          .sorted(Comparator.comparingDouble(r -> Geo.greatCircleKm(from, r)))
          .limit(degree).toList();
      for (Region to : nearest) {
        boolean exists = links.stream().anyMatch(l -> l.joins(from.id(), to.id()));
        if (!exists) {
          double rtt = Geo.estimatedRttMs(from, to);
          links.add(new Link(from.id(), to.id(), rtt, Math.max(0.2, rtt * 0.03), 10_000,
              random.nextInt(4) == 0 ? 0.1 : 0, true));
        }
      }
    }
    // A ring so the graph is connected whatever the scatter.
    for (int i = 0; i < regionCount; i++) {
      Region a = regions.get(i);
      Region b = regions.get((i + 1) % regionCount);
      if (links.stream().noneMatch(l -> l.joins(a.id(), b.id()))) {
        double rtt = Geo.estimatedRttMs(a, b);
        links.add(new Link(a.id(), b.id(), rtt, rtt * 0.03, 10_000, 0, true));
      }
    }
    FailoverSettings automatic = new FailoverSettings(true, 2000);
    StalenessBound bound = new StalenessBound(500, 1000);
    List<Policy> policies = List.of(
        new Policy("async", ReplicationMode.ASYNC, id(0), List.of(id(7), id(14)), null, null,
            ReadConsistency.EVENTUAL, bound, null, automatic, 1000L, 30_000L),
        new Policy("sync", ReplicationMode.SYNC, id(3), List.of(id(10)), null, null,
            ReadConsistency.STRONG, null, null, automatic, 0L, 30_000L),
        new Policy("quorum-strict", ReplicationMode.QUORUM, null, List.of(),
            new QuorumSpec(5, 3, 3), null, ReadConsistency.QUORUM, null, null, null, null, null),
        new Policy("quorum-fast", ReplicationMode.QUORUM, null, List.of(),
            new QuorumSpec(5, 2, 2), null, ReadConsistency.QUORUM, bound, null, null, null, null),
        new Policy("multi-primary", ReplicationMode.MULTI_PRIMARY, null, List.of(), null, null,
            ReadConsistency.SESSION, bound, null, null, 500L, 10_000L),
        new Policy("consensus", ReplicationMode.CONSENSUS, id(5), List.of(id(12)), null, null,
            ReadConsistency.STRONG, null, null, automatic, 0L, 10_000L));
    List<Dataset> datasets = List.of(
        new Dataset("orders", ids(0, 7, 14), List.of(), "async"),
        new Dataset("payments", ids(3, 10, 17), List.of(), "sync"),
        new Dataset("carts", ids(1, 8, 15, 22, 29), List.of(), "quorum-strict"),
        new Dataset("sessions", ids(2, 9, 16, 23, 30), List.of(), "quorum-fast"),
        new Dataset("counters", ids(4, 11, 18, 25), List.of(), "multi-primary"),
        new Dataset("ledger", List.of(id(5), id(12), id(19), id(26), id(regionCount - 1)),
            List.of(), "consensus"));
    return new Topology("generated-" + regionCount, "generated for benchmarks", regions, links,
        policies, datasets);
  }

  private static RegionId id(int i) {
    return RegionId.of(String.format("r%02d", i));
  }

  private static List<RegionId> ids(int... indices) {
    List<RegionId> out = new ArrayList<>();
    for (int i : indices) {
      out.add(id(i));
    }
    return out;
  }
}

package io.meridian.model.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.Dataset;
import io.meridian.model.Link;
import io.meridian.model.QuorumSpec;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import io.meridian.model.analysis.bench.GeneratedTopology;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Proves that the incremental analysis the studio runs on every edit is exact: for random
 * sequences of edits (link round trips set to small whole numbers so that equally fast routes are
 * common, jitter, links added and removed, links cut in a what-if, policies and placements, regions
 * added, moved and removed), the analyzer that carries its memo, shortest-path trees, rows of
 * routes and per-dataset client results from edit to edit gives the same routes and the same
 * analysis as a fresh analysis of the edited design.
 */
class IncrementalEditsPropertyTest {
  private static final AnalysisOptions OPTIONS = AnalysisOptions.DEFAULTS.withSamples(200);
  private static final int EDITS = 12;

  @Property(tries = 25)
  void incrementalAnalysisEqualsAFreshAnalysisAfterEveryEdit(@ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Topology design = GeneratedTopology.of(10, 3, seed);
    AnalysisOptions options = OPTIONS;
    TopologyAnalyzer analyzer = new TopologyAnalyzer();
    Network network = null;
    analyzer.analyze(design, options);
    for (int step = 0; step < EDITS; step++) {
      Edit edit = edit(design, options, random);
      design = edit.design();
      options = edit.options();
      String where = "seed " + seed + ", edit " + step + " (" + edit.what() + ")";

      Network fresh = new Network(design, options);
      if (network != null) {
        network.forgetPrevious();
      }
      network = new Network(design, options, network);
      for (Region x : design.regions()) {
        for (Region y : design.regions()) {
          assertThat(network.route(x.id(), y.id())).as(where + ": route " + x.id() + " > "
              + y.id()).isEqualTo(fresh.route(x.id(), y.id()));
          assertThat(network.connected(x.id(), y.id())).as(where)
              .isEqualTo(fresh.connected(x.id(), y.id()));
        }
      }
      assertThat(analyzer.analyze(design, options)).as(where)
          .isEqualTo(TopologyAnalyzer.analyzeOnce(design, options));
    }
  }

  @Test
  void aSlowerLinkOffEveryBestRouteKeepsEveryShortestPathTreeAndRoute() {
    // A satellite hop no best route takes.
    Topology design = GeneratedTopology.of(12, 3, 5).plusLink(Link.of("r00", "r06", 5_000));
    Network before = new Network(design, OPTIONS);
    List<Optional<Route>> routes = new ArrayList<>();
    for (Region x : design.regions()) {
      for (Region y : design.regions()) {
        routes.add(before.route(x.id(), y.id()));
      }
    }
    Link unused = design.links().stream()
        .filter(link -> routes.stream().flatMap(Optional::stream)
            .noneMatch(route -> route.hops().contains(link)))
        .findFirst().orElseThrow();
    assertThat(unused.rttMs()).isEqualTo(5_000);

    Topology slower = design.mapLink(unused.a(), unused.b(), l -> l.withRttMs(l.rttMs() + 50));
    Network after = new Network(slower, OPTIONS, before);

    assertThat(after.treesReused()).isEqualTo(design.regions().size());
    int i = 0;
    for (Region x : design.regions()) {
      for (Region y : design.regions()) {
        assertThat(after.route(x.id(), y.id()).orElseThrow())
            .isSameAs(routes.get(i++).orElseThrow());
      }
    }
  }

  @Test
  void aFasterLinkRebuildsTheTreesItImproves() {
    Topology design = GeneratedTopology.of(12, 3, 5);
    Network before = new Network(design, OPTIONS);
    for (Region x : design.regions()) {
      before.route(x.id(), design.regions().get(0).id());
    }
    Link link = design.links().get(0);
    Topology faster = design.mapLink(link.a(), link.b(), l -> l.withRttMs(0.01));

    Network after = new Network(faster, OPTIONS, before);

    assertThat(after.treesReused()).isLessThan(design.regions().size());
    Network fresh = new Network(faster, OPTIONS);
    for (Region x : design.regions()) {
      assertThat(after.route(x.id(), link.b())).isEqualTo(fresh.route(x.id(), link.b()));
    }
  }

  private record Edit(String what, Topology design, AnalysisOptions options) {}

  private static Edit edit(Topology design, AnalysisOptions options, SplittableRandom random) {
    List<Link> links = design.links();
    Link link = links.get(random.nextInt(links.size()));
    List<Region> regions = design.regions();
    RegionId x = regions.get(random.nextInt(regions.size())).id();
    RegionId y = regions.get(random.nextInt(regions.size())).id();
    switch (random.nextInt(11)) {
      case 0, 1, 2 -> {
        double rtt = 1 + random.nextInt(40);
        return new Edit("rtt of " + link.name() + " to " + rtt,
            design.mapLink(link.a(), link.b(), l -> l.withRttMs(rtt)), options);
      }
      case 3 -> {
        return new Edit("jitter of " + link.name(),
            design.mapLink(link.a(), link.b(), l -> l.withJitterMs(l.jitterMs() + 1)), options);
      }
      case 4 -> {
        if (x.equals(y) || design.link(x, y).isPresent()) {
          return new Edit("remove " + link.name(), design.minusLink(link.a(), link.b()), options);
        }
        return new Edit("add " + x + "~" + y,
            design.plusLink(Link.of(x.value(), y.value(), 1 + random.nextInt(40))), options);
      }
      case 5 -> {
        List<LinkRef> cut = options.cutLinks().isEmpty() ? List.of(LinkRef.of(link)) : List.of();
        return new Edit("cut " + cut, design, options.withCutLinks(cut));
      }
      case 6 -> {
        int w = 1 + random.nextInt(3);
        return new Edit("quorum-fast W=" + w,
            design.mapPolicy("quorum-fast", p -> p.withQuorum(new QuorumSpec(5, w, 2))), options);
      }
      case 8 -> {
        // A new region linked to one other: every dataset gets one more client.
        String id = "n" + random.nextInt(1_000_000);
        if (design.region(RegionId.of(id)).isPresent()) {
          return new Edit("nothing", design, options);
        }
        Region near = design.regions().get(random.nextInt(design.regions().size()));
        return new Edit("add region " + id, design
            .plusRegion(Region.of(id, near.latitude(), near.longitude(), "EU"))
            .plusLink(Link.of(id, near.id().value(), 1 + random.nextInt(40))), options);
      }
      case 9 -> {
        // A region that holds no replica of any dataset removed, with its links.
        boolean replica = design.datasets().stream().anyMatch(d -> d.replicas().contains(x));
        if (replica || design.regions().size() <= 4) {
          return new Edit("nothing", design, options);
        }
        return new Edit("remove region " + x, design.minusRegion(x), options);
      }
      case 10 -> {
        // A client moved: its routes stay, its floor (great circles) changes.
        return new Edit("move " + x, design.mapRegion(x,
            r -> r.withLocation(Math.max(-89, Math.min(89, r.latitude() + 1)), r.longitude())),
            options);
      }
      default -> {
        Dataset orders = design.dataset("orders").orElseThrow();
        List<RegionId> replicas = new ArrayList<>(orders.replicas());
        if (!replicas.contains(x)) {
          replicas.set(replicas.size() - 1, x);
        }
        return new Edit("orders on " + replicas,
            design.mapDataset("orders", d -> d.withReplicas(replicas)), options);
      }
    }
  }
}

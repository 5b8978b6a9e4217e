package io.meridian.app.studio;

import io.meridian.app.analysis.AnalysisViewModel;
import io.meridian.model.Dataset;
import io.meridian.model.Link;
import io.meridian.model.Policy;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import io.meridian.model.analysis.DatasetAnalysis;
import io.meridian.model.analysis.LinkRef;
import io.meridian.model.analysis.RegionAnalysis;
import io.meridian.model.diagnostics.Severity;
import io.meridian.visualization.graph.LinkKey;
import io.meridian.visualization.graph.LinkOverlay;
import io.meridian.visualization.graph.RegionOverlay;
import io.meridian.visualization.graph.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the graph shows on top of the design, computed from data: validation problems (errors
 * red, warnings orange), the focused dataset (its replicas numbered in failover order, the rest
 * dimmed) and the what-if (failed regions and cut links red; every other region green when it can
 * still write, orange when it can only read at the chosen level, red when it can do neither),
 * and the countries the focused dataset's allowed jurisdictions cover, shaded on the map.
 *
 * @param regions overlay per region; regions without one are drawn plain
 * @param links overlay per link
 * @param shadedCountries ISO 3166-1 numeric codes of the countries to shade
 */
public record GraphOverlays(
    Map<RegionId, RegionOverlay> regions, Map<LinkKey, LinkOverlay> links,
    Set<String> shadedCountries) {
  /** Copies the maps and the set. */
  public GraphOverlays {
    regions = Map.copyOf(regions);
    links = Map.copyOf(links);
    shadedCountries = Set.copyOf(shadedCountries);
  }

  /** No overlays at all. */
  public static final GraphOverlays NONE = new GraphOverlays(Map.of(), Map.of(), Set.of());

  /**
   * The overlays for one state of the studio.
   *
   * @param topology the design
   * @param problems its validation problems
   * @param focus the focused dataset, or null
   * @param whatIf whether the what-if is on
   * @param failedRegions regions failed in the what-if
   * @param cutLinks links cut in the what-if
   * @param analysis the analysis, for the what-if verdicts; may be empty
   * @param readLevel the read level the what-if verdicts use
   * @return the overlays
   */
  public static GraphOverlays of(Topology topology, List<ProblemRow> problems, String focus,
      boolean whatIf, Set<RegionId> failedRegions, Set<LinkRef> cutLinks,
      Optional<DatasetAnalysis> analysis, String readLevel) {
    if (topology == null) {
      return NONE;
    }
    Map<RegionId, RegionOverlay> regions = new HashMap<>();
    Map<LinkKey, LinkOverlay> links = new HashMap<>();
    for (ProblemRow problem : problems) {
      Status status = problem.severity() == Severity.ERROR ? Status.FAILING
          : problem.severity() == Severity.WARNING ? Status.DEGRADED : null;
      if (status == null) {
        continue;
      }
      OutlineSelection.of(problem.path()).ifPresent(at -> {
        if (at.section() == OutlineSelection.Section.REGIONS
            && at.index() < topology.regions().size()) {
          RegionId id = topology.regions().get(at.index()).id();
          regions.merge(id, RegionOverlay.of(status), GraphOverlays::worse);
        } else if (at.section() == OutlineSelection.Section.LINKS
            && at.index() < topology.links().size()) {
          LinkKey key = LinkKey.of(topology.links().get(at.index()));
          links.merge(key, LinkOverlay.of(status).withWidthPx(3),
              (a, b) -> rank(a.status()) >= rank(b.status()) ? a : b);
        }
      });
    }
    Optional<Dataset> focused = focus == null ? Optional.empty() : topology.dataset(focus);
    focused.ifPresent(dataset -> focusOn(topology, dataset, regions, links));
    if (whatIf) {
      whatIf(topology, failedRegions, cutLinks, analysis, readLevel, regions, links);
    }
    // Shade where the focused dataset may live; a dataset allowed anywhere shades nothing.
    Set<String> shaded = focused.map(dataset ->
        JurisdictionCountries.isoNumericCodes(dataset.allowedJurisdictions())).orElse(Set.of());
    return new GraphOverlays(regions, links, shaded);
  }

  /** These overlays with {@code region} pulsing, as the link tool marks its first end. */
  public GraphOverlays withPulse(RegionId region) {
    Map<RegionId, RegionOverlay> copy = new HashMap<>(regions);
    copy.put(region, copy.getOrDefault(region, RegionOverlay.NONE).withPulse(true));
    return new GraphOverlays(copy, links, shadedCountries);
  }

  private static void focusOn(Topology topology, Dataset dataset,
      Map<RegionId, RegionOverlay> regions, Map<LinkKey, LinkOverlay> links) {
    Set<RegionId> replicas = Set.copyOf(dataset.replicas());
    List<RegionId> order = failoverOrder(topology.policyOf(dataset), dataset);
    for (Region region : topology.regions()) {
      RegionOverlay current = regions.getOrDefault(region.id(), RegionOverlay.NONE);
      if (replicas.contains(region.id())) {
        int at = order.indexOf(region.id());
        regions.put(region.id(), current.withBadge(at < 0 ? null : Integer.toString(at + 1)));
      } else {
        regions.put(region.id(), current.withDimmed(true));
      }
    }
    for (Link link : topology.links()) {
      if (!(replicas.contains(link.a()) && replicas.contains(link.b()))) {
        LinkKey key = LinkKey.of(link);
        links.put(key, links.getOrDefault(key, LinkOverlay.NONE).withDimmed(true));
      }
    }
  }

  /** Primary first, then the failover priority, then the other replicas in file order. */
  static List<RegionId> failoverOrder(Optional<Policy> policy, Dataset dataset) {
    Set<RegionId> order = new LinkedHashSet<>();
    policy.flatMap(Policy::primaryRegion).ifPresent(order::add);
    policy.ifPresent(p -> order.addAll(p.failoverPriority()));
    List<RegionId> result = new ArrayList<>(order);
    result.retainAll(dataset.replicas());
    return result;
  }

  private static void whatIf(Topology topology, Set<RegionId> failedRegions,
      Set<LinkRef> cutLinks, Optional<DatasetAnalysis> analysis, String readLevel,
      Map<RegionId, RegionOverlay> regions, Map<LinkKey, LinkOverlay> links) {
    for (Region region : topology.regions()) {
      RegionOverlay current = regions.getOrDefault(region.id(), RegionOverlay.NONE);
      if (failedRegions.contains(region.id())) {
        regions.put(region.id(), new RegionOverlay(Status.FAILING, "down", false, false));
        continue;
      }
      Optional<RegionAnalysis> verdict = analysis.flatMap(d -> d.region(region.id()));
      if (verdict.isEmpty()) {
        continue;
      }
      boolean write = AnalysisViewModel.operation(verdict.get(), AnalysisViewModel.WRITE)
          .map(o -> o.available()).orElse(false);
      boolean read = AnalysisViewModel.operation(verdict.get(), readLevel)
          .map(o -> o.available()).orElse(false);
      Status status = write ? Status.OK : read ? Status.DEGRADED : Status.FAILING;
      String badge = write && read ? "W R" : write ? "W" : read ? "R" : "✕";
      regions.put(region.id(), new RegionOverlay(status, badge, false, current.dimmed()));
    }
    for (Link link : topology.links()) {
      if (cutLinks.contains(LinkRef.of(link))) {
        links.put(LinkKey.of(link), LinkOverlay.of(Status.FAILING).withWidthPx(3)
            .withBadge("cut"));
      }
    }
  }

  private static RegionOverlay worse(RegionOverlay a, RegionOverlay b) {
    return rank(a.status()) >= rank(b.status()) ? a : b;
  }

  private static int rank(Status status) {
    return status == null ? 0 : status.ordinal() + 1;
  }
}

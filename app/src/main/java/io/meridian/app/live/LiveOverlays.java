package io.meridian.app.live;

import io.meridian.app.live.LiveState.FlowState;
import io.meridian.app.live.LiveState.Health;
import io.meridian.app.live.LiveState.RegionState;
import io.meridian.model.Link;
import io.meridian.model.Policy;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import io.meridian.visualization.graph.LinkFlow;
import io.meridian.visualization.graph.LinkKey;
import io.meridian.visualization.graph.LinkOverlay;
import io.meridian.visualization.graph.RegionOverlay;
import io.meridian.visualization.graph.Status;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the graph shows of a {@link LiveState}: a value computed off the JavaFX thread.
 *
 * <ul>
 *   <li>Links are coloured by lag against the dataset's bound (the policy's staleness bound,
 *       else its RPO target): OK below {@value #DEGRADED_FRACTION} of it, degraded up to it,
 *       failing beyond it; failing (short dashes) when cut or disconnected; degraded when the
 *       report is stale. Width grows with bytes per second; particles flow from the primary
 *       with density by changes per second; the badge says the worst lag, or "cut".
 *   <li>Regions are ringed by health, crowned (♛) when primary of a dataset, and badged with
 *       conflicts per second.
 * </ul>
 *
 * @param regions overlay per region
 * @param links overlay per link
 * @param flows particles per link
 */
public record LiveOverlays(Map<RegionId, RegionOverlay> regions, Map<LinkKey, LinkOverlay> links,
    Map<LinkKey, LinkFlow> flows) {

  /** Lag above this fraction of the bound is degraded. */
  public static final double DEGRADED_FRACTION = 0.5;
  /** Link width with no traffic. */
  static final double WIDTH_MIN_PX = 1.75;
  /** Link width at the most traffic. */
  static final double WIDTH_MAX_PX = 9;
  /** The crown drawn next to a primary. */
  public static final String CROWN = "♛";

  /** Copies the maps. */
  public LiveOverlays {
    regions = Map.copyOf(regions);
    links = Map.copyOf(links);
    flows = Map.copyOf(flows);
  }

  /**
   * Computes the overlays.
   *
   * @param topology the deployed design (for each dataset's bound and the links to draw)
   * @param state what the agents report
   * @return the overlays
   */
  public static LiveOverlays of(Topology topology, LiveState state) {
    Map<RegionId, RegionOverlay> regions = new HashMap<>();
    for (Region region : topology.regions()) {
      RegionState live = state.regions().get(region.id().value());
      regions.put(region.id(), live == null ? RegionOverlay.NONE.withDimmed(true)
          : regionOverlay(live));
    }
    Map<LinkKey, LinkOverlay> links = new HashMap<>();
    Map<LinkKey, LinkFlow> flows = new HashMap<>();
    for (Link link : topology.links()) {
      LinkKey key = LinkKey.of(link);
      List<FlowState> between = state.flowsBetween(link.a().value(), link.b().value());
      if (between.isEmpty()) {
        // No dataset replicates over this link: shown, but out of the way.
        links.put(key, LinkOverlay.NONE.withDimmed(true));
        continue;
      }
      links.put(key, linkOverlay(topology, between));
      FlowState busiest = between.stream()
          .filter(f -> f.connected() && !f.cut())
          .max(java.util.Comparator.comparingDouble(FlowState::changesPerSecond)).orElse(null);
      if (busiest != null && busiest.changesPerSecond() > 0) {
        flows.put(key, new LinkFlow(RegionId.of(busiest.key().source()),
            LinkFlow.densityOf(busiest.changesPerSecond())));
      }
    }
    return new LiveOverlays(regions, links, flows);
  }

  private static RegionOverlay regionOverlay(RegionState live) {
    StringBuilder badge = new StringBuilder();
    if (!live.primaryOf().isEmpty()) {
      badge.append(CROWN);
    }
    if (!live.reachable() && live.health() == Health.FAILING) {
      badge.append(badge.length() > 0 ? " " : "").append("unreachable");
    } else if (live.conflictsPerSecond() > 0) {
      badge.append(badge.length() > 0 ? " " : "")
          .append(String.format(Locale.ROOT, "%.1f conflicts/s", live.conflictsPerSecond()));
    }
    return new RegionOverlay(status(live.health()), badge.toString(),
        live.health() == Health.FAILING, false);
  }

  private static LinkOverlay linkOverlay(Topology topology, List<FlowState> between) {
    Status worst = null;
    String badge = null;
    double bytes = 0;
    for (FlowState flow : between) {
      bytes += flow.bytesPerSecond();
      Status status;
      String text;
      if (flow.cut()) {
        status = Status.FAILING;
        text = "cut" + lagText(flow);
      } else if (!flow.connected()) {
        status = Status.FAILING;
        text = "disconnected";
      } else {
        OptionalLong bound = boundMillis(topology, flow.key().dataset());
        double ratio = bound.isPresent() && flow.lagMillis() >= 0
            ? (double) flow.lagMillis() / bound.getAsLong() : 0;
        status = !flow.fresh() ? Status.DEGRADED
            : ratio > 1 ? Status.FAILING
            : ratio > DEGRADED_FRACTION ? Status.DEGRADED : Status.OK;
        text = flow.fresh() ? lagText(flow).strip() : "no recent data";
      }
      if (worst == null || status.ordinal() > worst.ordinal()
          || status == worst && badge == null) {
        worst = status;
        badge = text;
      }
    }
    double width = WIDTH_MIN_PX + Math.min(1, Math.log10(1 + bytes) / 7)
        * (WIDTH_MAX_PX - WIDTH_MIN_PX);
    return new LinkOverlay(worst, width, badge, false, false);
  }

  private static String lagText(FlowState flow) {
    if (flow.lagMillis() < 0) {
      return "";
    }
    return String.format(Locale.ROOT, " lag %s · %d v", millisText(flow.lagMillis()),
        flow.lagVersions());
  }

  /** {@code 840 ms}, {@code 3.2 s}. */
  public static String millisText(long millis) {
    return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  /**
   * The lag a dataset promises: its policy's staleness bound in time, else its RPO target.
   *
   * @param topology the design
   * @param dataset the dataset's name
   * @return the bound in milliseconds, if the policy sets one
   */
  public static OptionalLong boundMillis(Topology topology, String dataset) {
    Optional<Policy> policy = topology.datasets().stream()
        .filter(d -> d.name().equals(dataset)).findFirst()
        .flatMap(d -> topology.policies().stream()
            .filter(p -> p.name().equals(d.policy())).findFirst());
    if (policy.isEmpty()) {
      return OptionalLong.empty();
    }
    if (policy.get().staleness() != null && policy.get().staleness().maxLagMs() > 0) {
      return OptionalLong.of(policy.get().staleness().maxLagMs());
    }
    return policy.get().rpoTargetMs() == null ? OptionalLong.empty()
        : OptionalLong.of(policy.get().rpoTargetMs());
  }

  private static Status status(Health health) {
    return switch (health) {
      case OK -> Status.OK;
      case DEGRADED -> Status.DEGRADED;
      case FAILING -> Status.FAILING;
      case UNKNOWN -> null;
    };
  }
}

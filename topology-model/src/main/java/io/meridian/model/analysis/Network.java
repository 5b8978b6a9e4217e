package io.meridian.model.analysis;

import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jgrapht.Graph;
import org.jgrapht.GraphPath;
import org.jgrapht.alg.connectivity.ConnectivityInspector;
import org.jgrapht.alg.interfaces.ShortestPathAlgorithm.SingleSourcePaths;
import org.jgrapht.alg.shortestpath.DijkstraShortestPath;
import org.jgrapht.graph.DefaultUndirectedWeightedGraph;

/**
 * The regions and links that survive a what-if, as a JGraphT graph weighted by round-trip time,
 * with best routes (Dijkstra) and connected components on demand. Only the first link between two
 * regions counts, as in {@link Topology#link}.
 */
final class Network {
  private final Map<RegionId, Region> regions = new LinkedHashMap<>();
  private final Set<RegionId> failed;
  private Network previous;
  private final Graph<RegionId, Link> graph;
  private final Map<RegionId, SingleSourcePaths<RegionId, Link>> pathsFrom = new HashMap<>();
  private final Map<RegionId, Map<RegionId, Optional<Route>>> routes = new HashMap<>();
  private ConnectivityInspector<RegionId, Link> components;

  Network(Topology topology, AnalysisOptions options) {
    this(topology, options, null);
  }

  /**
   * A network that hands out the previous network's route objects where the route is unchanged,
   * so memo keys built on them compare by identity.
   */
  Network(Topology topology, AnalysisOptions options, Network previous) {
    this.previous = previous;
    this.failed = Set.copyOf(options.failedRegions());
    for (Region region : topology.regions()) {
      regions.putIfAbsent(region.id(), region);
    }
    graph = new DefaultUndirectedWeightedGraph<>(null, null);
    for (RegionId id : regions.keySet()) {
      if (!failed.contains(id)) {
        graph.addVertex(id);
      }
    }
    for (Link link : topology.links()) {
      boolean cut = options.cutLinks().stream().anyMatch(ref -> ref.names(link));
      if (cut || !graph.containsVertex(link.a()) || !graph.containsVertex(link.b())
          || graph.containsEdge(link.a(), link.b())) {
        continue;
      }
      graph.addEdge(link.a(), link.b(), link);
      graph.setEdgeWeight(link, link.rttMs());
    }
  }

  /** Drops the link to the network before, so a chain of networks is never kept alive. */
  void forgetPrevious() {
    previous = null;
  }

  Optional<Region> region(RegionId id) {
    return Optional.ofNullable(regions.get(id));
  }

  boolean exists(RegionId id) {
    return regions.containsKey(id);
  }

  boolean alive(RegionId id) {
    return regions.containsKey(id) && !failed.contains(id);
  }

  /**
   * The best route, or empty when either end is down or no surviving path joins them. Routes are
   * remembered per pair: the analysis asks for the same pairs many times.
   */
  Optional<Route> route(RegionId from, RegionId to) {
    Map<RegionId, Optional<Route>> known = routes.computeIfAbsent(from, f -> new HashMap<>());
    Optional<Route> route = known.get(to);
    if (route == null) {
      route = computeRoute(from, to);
      if (previous != null && route.isPresent()) {
        Optional<Route> before = previous.routes.getOrDefault(from, Map.of()).get(to);
        if (before != null && before.equals(route)) {
          route = before;
        }
      }
      known.put(to, route);
    }
    return route;
  }

  private Optional<Route> computeRoute(RegionId from, RegionId to) {
    if (!alive(from) || !alive(to)) {
      return Optional.empty();
    }
    if (from.equals(to)) {
      return Optional.of(Route.local(regions.get(from)));
    }
    GraphPath<RegionId, Link> path = pathsFrom
        .computeIfAbsent(from, source -> new DijkstraShortestPath<>(graph).getPaths(source))
        .getPath(to);
    if (path == null) {
      return Optional.empty();
    }
    List<Region> nodes = new ArrayList<>();
    for (RegionId id : path.getVertexList()) {
      nodes.add(regions.get(id));
    }
    return Optional.of(new Route(nodes, path.getEdgeList()));
  }

  /** Whether a surviving path joins the two regions. */
  boolean connected(RegionId x, RegionId y) {
    if (!alive(x) || !alive(y)) {
      return false;
    }
    return x.equals(y) || inspector().pathExists(x, y);
  }

  private ConnectivityInspector<RegionId, Link> inspector() {
    if (components == null) {
      components = new ConnectivityInspector<>(graph);
    }
    return components;
  }
}

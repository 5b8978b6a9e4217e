package io.meridian.model.validation;

import io.meridian.model.Dataset;
import io.meridian.model.Link;
import io.meridian.model.Policy;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jgrapht.Graph;
import org.jgrapht.GraphPath;
import org.jgrapht.alg.shortestpath.BidirectionalDijkstraShortestPath;
import org.jgrapht.alg.util.UnionFind;
import org.jgrapht.graph.builder.GraphTypeBuilder;

/**
 * The indexes every rule shares, built once per validation so that no rule scans lists inside
 * loops: elements by id (first occurrence wins, later ones are duplicates), links by the pair of
 * regions they join, datasets by policy, and the network graph for reachability and routes.
 *
 * <p>Reachability comes from a union-find over the links. Routes come from a JGraphT graph with one
 * vertex per region and one edge per link whose two ends exist, weighted by RTT, whose edge object
 * is the link's index in the topology; it is built only when a rule first asks for a route.
 * Traffic between two regions takes
 * their direct link when there is one, otherwise the lowest-RTT path.
 */
final class ValidationContext {
  /** An unordered pair of regions, the key links are indexed by. */
  record Pair(RegionId low, RegionId high) {
    static Pair of(RegionId x, RegionId y) {
      return x.compareTo(y) <= 0 ? new Pair(x, y) : new Pair(y, x);
    }
  }

  /**
   * The way traffic takes between two regions.
   *
   * @param links indexes of the links on the way, in order
   * @param rttMs the sum of their round-trip times
   */
  record Route(List<Integer> links, double rttMs) {}

  private final Topology topology;
  private final Map<RegionId, Region> regions = new HashMap<>();
  private final Map<String, Policy> policies = new HashMap<>();
  private final Map<String, Integer> policyIndexes = new HashMap<>();
  private final Map<Pair, Integer> linkIndexes = new HashMap<>();
  private final Map<String, List<Integer>> datasetsByPolicy = new HashMap<>();
  private final List<Set<RegionId>> replicaSets = new ArrayList<>();
  private final List<String> regionIds;
  private UnionFind<RegionId> components;
  private Graph<RegionId, Integer> graph;
  private BidirectionalDijkstraShortestPath<RegionId, Integer> shortestPaths;
  private final Map<Pair, Optional<Route>> routes = new HashMap<>();

  ValidationContext(Topology topology) {
    this.topology = topology;
    Map<String, Boolean> ids = new LinkedHashMap<>();
    for (Region region : topology.regions()) {
      regions.putIfAbsent(region.id(), region);
      ids.putIfAbsent(region.id().value(), Boolean.TRUE);
    }
    regionIds = List.copyOf(ids.keySet());
    for (int i = 0; i < topology.policies().size(); i++) {
      Policy policy = topology.policies().get(i);
      policies.putIfAbsent(policy.name(), policy);
      policyIndexes.putIfAbsent(policy.name(), i);
    }
    for (int i = 0; i < topology.links().size(); i++) {
      Link link = topology.links().get(i);
      linkIndexes.putIfAbsent(Pair.of(link.a(), link.b()), i);
    }
    for (int i = 0; i < topology.datasets().size(); i++) {
      Dataset dataset = topology.datasets().get(i);
      datasetsByPolicy.computeIfAbsent(dataset.policy(), name -> new ArrayList<>()).add(i);
      replicaSets.add(Collections.unmodifiableSet(new LinkedHashSet<>(dataset.replicas())));
    }
  }

  Topology topology() {
    return topology;
  }

  /** The first region with this id, when there is one. */
  Optional<Region> region(RegionId id) {
    return Optional.ofNullable(regions.get(id));
  }

  /** Whether a region with this id exists. */
  boolean hasRegion(RegionId id) {
    return regions.containsKey(id);
  }

  /** Every region id in file order, without duplicates, for "did you mean". */
  List<String> regionIds() {
    return regionIds;
  }

  /** The first policy with this name, when there is one. */
  Optional<Policy> policy(String name) {
    return Optional.ofNullable(policies.get(name));
  }

  /** The index of the first policy with this name, when there is one. */
  Optional<Integer> policyIndex(String name) {
    return Optional.ofNullable(policyIndexes.get(name));
  }

  /** Whether {@code index} is the first policy with its name (later ones are duplicates). */
  boolean isFirstPolicy(int index) {
    return policyIndexes.get(topology.policies().get(index).name()) == index;
  }

  /** Indexes of the datasets that refer to the policy at {@code policyIndex}. */
  List<Integer> datasetsUsing(int policyIndex) {
    if (!isFirstPolicy(policyIndex)) {
      return List.of();
    }
    return datasetsByPolicy.getOrDefault(topology.policies().get(policyIndex).name(), List.of());
  }

  /**
   * The distinct replicas of the dataset at {@code datasetIndex} that hold data, in file order:
   * every listed replica except witnesses (which only vote). Unknown regions count as data
   * replicas, so a dangling name is reported once, by its own rule.
   */
  List<RegionId> dataReplicas(int datasetIndex) {
    List<RegionId> data = new ArrayList<>();
    for (RegionId replica : replicaSets.get(datasetIndex)) {
      Region region = regions.get(replica);
      if (region == null || !region.isWitness()) {
        data.add(replica);
      }
    }
    return data;
  }

  /** The distinct replicas of the dataset at {@code datasetIndex}, in file order. */
  Set<RegionId> replicas(int datasetIndex) {
    return replicaSets.get(datasetIndex);
  }

  /** The index of the first link joining {@code x} and {@code y}, when there is one. */
  Optional<Integer> linkIndex(RegionId x, RegionId y) {
    return Optional.ofNullable(linkIndexes.get(Pair.of(x, y)));
  }

  /** Whether both regions exist and some chain of links joins them. */
  boolean connected(RegionId x, RegionId y) {
    if (!hasRegion(x) || !hasRegion(y)) {
      return false;
    }
    if (components == null) {
      // Union-find over the links answers every reachability question after one pass; the
      // graph itself is only built when a rule needs routes.
      UnionFind<RegionId> built = new UnionFind<>(regions.keySet());
      for (Link link : topology.links()) {
        if (hasRegion(link.a()) && hasRegion(link.b())) {
          built.union(link.a(), link.b());
        }
      }
      components = built;
    }
    return components.inSameSet(x, y);
  }

  /** The way traffic takes from {@code x} to {@code y}, or empty when no links join them. */
  Optional<Route> route(RegionId x, RegionId y) {
    return routes.computeIfAbsent(Pair.of(x, y), pair -> findRoute(x, y));
  }

  private Optional<Route> findRoute(RegionId x, RegionId y) {
    if (x.equals(y) || !hasRegion(x) || !hasRegion(y)) {
      return Optional.empty();
    }
    Optional<Integer> direct = linkIndex(x, y);
    if (direct.isPresent()) {
      return Optional.of(new Route(List.of(direct.get()),
          topology.links().get(direct.get()).rttMs()));
    }
    if (!connected(x, y)) {
      return Optional.empty();
    }
    if (shortestPaths == null) {
      shortestPaths = new BidirectionalDijkstraShortestPath<>(graph());
    }
    // Replicas are usually near each other, so a search from both ends stops after a few
    // vertices where a full shortest-path tree would visit the whole graph.
    GraphPath<RegionId, Integer> path = shortestPaths.getPath(x, y);
    return path == null ? Optional.empty()
        : Optional.of(new Route(List.copyOf(path.getEdgeList()), path.getWeight()));
  }

  private Graph<RegionId, Integer> graph() {
    if (graph == null) {
      Graph<RegionId, Integer> built = GraphTypeBuilder.<RegionId, Integer>undirected()
          .allowingMultipleEdges(false).allowingSelfLoops(false).weighted(true).buildGraph();
      // File order, so that ties between equally fast routes always break the same way.
      topology.regions().forEach(region -> built.addVertex(region.id()));
      for (int index = 0; index < topology.links().size(); index++) {
        Link link = topology.links().get(index);
        boolean first = linkIndexes.get(Pair.of(link.a(), link.b())) == index;
        if (first && hasRegion(link.a()) && hasRegion(link.b())) {
          built.addEdge(link.a(), link.b(), index);
          built.setEdgeWeight(index, link.rttMs());
        }
      }
      graph = built;
    }
    return graph;
  }
}

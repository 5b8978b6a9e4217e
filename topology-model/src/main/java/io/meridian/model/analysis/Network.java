package io.meridian.model.analysis;

import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The regions and links that survive a what-if, as a graph weighted by round-trip time, with
 * best routes (Dijkstra) and connected components on demand. Only the first link between two
 * regions counts, as in {@link Topology#link}.
 *
 * <p>Routes are canonical: Dijkstra settles regions in order of (distance, position in the
 * topology), and a region's route goes through the first settled neighbour that reaches it at
 * its distance. So the routes are a function of the graph alone, which lets a network built after
 * an edit of link properties keep the previous network's shortest-path tree from a source
 * whenever the edit provably cannot change it (see {@link #reusable}), and hand out the previous
 * route objects for every route that crosses no edited link. Memo keys built on those routes then
 * compare by identity. A property test checks that this gives the same routes as a fresh build.
 */
final class Network {
  private static final Optional<Route> UNKNOWN = null;

  private final Map<RegionId, Region> regions = new LinkedHashMap<>();
  private final Set<RegionId> failed;
  /** Position of each surviving region in {@link #vertices}. */
  private final Map<RegionId, Integer> index = new HashMap<>();
  private final Region[] vertices;
  /** The surviving links that join two surviving regions (first link per pair), in order. */
  private final Link[] edges;
  private final int[] edgeA;
  private final int[] edgeB;
  /** Per vertex: the edges that touch it, in edge order. */
  private final int[][] incident;
  private final boolean positiveWeights;
  private final Tree[] trees;
  private final Optional<Route>[][] routes;
  /** Edges whose link differs from the previous network's, or null when nothing is reused. */
  private BitSet changed;
  private Network previous;
  private int[] components;
  private int treesReused;

  /** One source's shortest-path tree. */
  private record Tree(double[] distance, int[] parentEdge) {}

  Network(Topology topology, AnalysisOptions options) {
    this(topology, options, null);
  }

  /**
   * A network that keeps the previous network's trees and route objects where they cannot have
   * changed, so memo keys built on them compare by identity.
   */
  @SuppressWarnings("unchecked")
  Network(Topology topology, AnalysisOptions options, Network previous) {
    this.failed = Set.copyOf(options.failedRegions());
    for (Region region : topology.regions()) {
      regions.putIfAbsent(region.id(), region);
    }
    List<Region> alive = new ArrayList<>();
    for (Region region : regions.values()) {
      if (!failed.contains(region.id())) {
        index.put(region.id(), alive.size());
        alive.add(region);
      }
    }
    vertices = alive.toArray(new Region[0]);
    int n = vertices.length;
    List<Link> kept = new ArrayList<>();
    Set<Long> pairs = new java.util.HashSet<>();
    boolean positive = true;
    for (Link link : topology.links()) {
      Integer a = index.get(link.a());
      Integer b = index.get(link.b());
      if (a == null || b == null
          || !pairs.add((long) Math.min(a, b) * n + Math.max(a, b))
          || options.cutLinks().stream().anyMatch(ref -> ref.names(link))) {
        continue;
      }
      kept.add(link);
      positive &= link.rttMs() > 0;
    }
    edges = kept.toArray(new Link[0]);
    edgeA = new int[edges.length];
    edgeB = new int[edges.length];
    int[] degree = new int[n];
    for (int e = 0; e < edges.length; e++) {
      edgeA[e] = index.get(edges[e].a());
      edgeB[e] = index.get(edges[e].b());
      degree[edgeA[e]]++;
      degree[edgeB[e]]++;
    }
    incident = new int[n][];
    for (int v = 0; v < n; v++) {
      incident[v] = new int[degree[v]];
      degree[v] = 0;
    }
    for (int e = 0; e < edges.length; e++) {
      incident[edgeA[e]][degree[edgeA[e]]++] = e;
      incident[edgeB[e]][degree[edgeB[e]]++] = e;
    }
    positiveWeights = positive;
    trees = new Tree[n];
    routes = new Optional[n][];
    this.previous = previous;
    if (previous != null && sameGraph(previous)) {
      changed = new BitSet(edges.length);
      for (int e = 0; e < edges.length; e++) {
        if (!edges[e].equals(previous.edges[e])) {
          changed.set(e);
        }
      }
      for (int s = 0; s < n; s++) {
        if (previous.trees[s] != null && reusable(previous.trees[s], previous)) {
          trees[s] = previous.trees[s];
          treesReused++;
        }
      }
    }
  }

  /** Same surviving regions, and links between the same pairs in the same order. */
  private boolean sameGraph(Network before) {
    return positiveWeights && before.positiveWeights
        && Arrays.equals(vertices, before.vertices)
        && Arrays.equals(edgeA, before.edgeA) && Arrays.equals(edgeB, before.edgeB);
  }

  /**
   * Whether Dijkstra on this network would build exactly {@code tree} again. With positive
   * weights it settles regions in (distance, position) order and keeps the first strict
   * improvement, so the run is the same when every edited link is either in the tree with its
   * round trip unchanged, or outside it and too slow to reach either end at or below its
   * distance (or joins two regions the source does not reach).
   */
  private boolean reusable(Tree tree, Network before) {
    for (int e = changed.nextSetBit(0); e >= 0; e = changed.nextSetBit(e + 1)) {
      int a = edgeA[e];
      int b = edgeB[e];
      double da = tree.distance[a];
      double db = tree.distance[b];
      double rtt = edges[e].rttMs();
      boolean inTree = tree.parentEdge[a] == e || tree.parentEdge[b] == e;
      if (inTree) {
        if (rtt != before.edges[e].rttMs()) {
          return false;
        }
      } else if (!(Double.isInfinite(da) && Double.isInfinite(db))
          && !(da + rtt > db && db + rtt > da)) {
        return false;
      }
    }
    return true;
  }

  /** How many of the previous network's shortest-path trees this one kept. */
  int treesReused() {
    return treesReused;
  }

  /** Drops the link to the network before, so a chain of networks is never kept alive. */
  void forgetPrevious() {
    previous = null;
    changed = null;
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
    Integer s = index.get(from);
    Integer t = index.get(to);
    if (s == null || t == null) {
      return Optional.empty();
    }
    Optional<Route>[] known = routes[s];
    if (known == null) {
      known = routes[s] = newRoutes(vertices.length);
    }
    Optional<Route> route = known[t];
    if (route == UNKNOWN) {
      route = computeRoute(s, t);
      known[t] = route;
    }
    return route;
  }

  @SuppressWarnings("unchecked")
  private static Optional<Route>[] newRoutes(int n) {
    return new Optional[n];
  }

  private Optional<Route> computeRoute(int s, int t) {
    if (s == t) {
      Optional<Route> before = previousRoute(s, t);
      Optional<Route> local = Optional.of(Route.local(vertices[s]));
      return before != null && before.equals(local) ? before : local;
    }
    Tree tree = tree(s);
    if (Double.isInfinite(tree.distance[t])) {
      return Optional.empty();
    }
    List<Integer> path = new ArrayList<>();
    boolean crossesEdit = false;
    for (int v = t; v != s; ) {
      int e = tree.parentEdge[v];
      path.add(e);
      crossesEdit |= changed == null || changed.get(e);
      v = edgeA[e] == v ? edgeB[e] : edgeA[e];
    }
    Optional<Route> before = previousRoute(s, t);
    if (!crossesEdit && before != null && previous.trees[s] == tree) {
      // The same tree and the same link objects along the way: the same route.
      return before;
    }
    List<Region> nodes = new ArrayList<>(path.size() + 1);
    List<Link> hops = new ArrayList<>(path.size());
    nodes.add(vertices[s]);
    int v = s;
    for (int i = path.size() - 1; i >= 0; i--) {
      int e = path.get(i);
      hops.add(edges[e]);
      v = edgeA[e] == v ? edgeB[e] : edgeA[e];
      nodes.add(vertices[v]);
    }
    Optional<Route> route = Optional.of(new Route(nodes, hops));
    return before != null && before.equals(route) ? before : route;
  }

  /** The previous network's route between the same regions, if it computed one. */
  private Optional<Route> previousRoute(int s, int t) {
    if (previous == null) {
      return null;
    }
    Integer ps = previous.index.get(vertices[s].id());
    Integer pt = previous.index.get(vertices[t].id());
    if (ps == null || pt == null || previous.routes[ps] == null) {
      return null;
    }
    Optional<Route> before = previous.routes[ps][pt];
    return before == null || before.isEmpty() ? null : before;
  }

  /** Dijkstra from {@code source}, settling in (distance, position) order; see the class. */
  private Tree tree(int source) {
    Tree tree = trees[source];
    if (tree != null) {
      return tree;
    }
    int n = vertices.length;
    double[] distance = new double[n];
    int[] parentEdge = new int[n];
    Arrays.fill(distance, Double.POSITIVE_INFINITY);
    Arrays.fill(parentEdge, -1);
    boolean[] settled = new boolean[n];
    PriorityQueue<double[]> queue = new PriorityQueue<>(
        (x, y) -> x[0] != y[0] ? Double.compare(x[0], y[0]) : Double.compare(x[1], y[1]));
    distance[source] = 0;
    queue.add(new double[] {0, source});
    while (!queue.isEmpty()) {
      double[] head = queue.poll();
      int u = (int) head[1];
      if (settled[u] || head[0] != distance[u]) {
        continue;
      }
      settled[u] = true;
      for (int e : incident[u]) {
        int v = edgeA[e] == u ? edgeB[e] : edgeA[e];
        double through = distance[u] + edges[e].rttMs();
        if (!settled[v] && through < distance[v]) {
          distance[v] = through;
          parentEdge[v] = e;
          queue.add(new double[] {through, v});
        }
      }
    }
    tree = new Tree(distance, parentEdge);
    trees[source] = tree;
    return tree;
  }

  /** Whether a surviving path joins the two regions. */
  boolean connected(RegionId x, RegionId y) {
    Integer a = index.get(x);
    Integer b = index.get(y);
    if (a == null || b == null) {
      return false;
    }
    int[] component = components();
    return component[a] == component[b];
  }

  private int[] components() {
    if (components == null) {
      int n = vertices.length;
      int[] parent = new int[n];
      for (int v = 0; v < n; v++) {
        parent[v] = v;
      }
      for (int e = 0; e < edges.length; e++) {
        int ra = root(parent, edgeA[e]);
        int rb = root(parent, edgeB[e]);
        if (ra != rb) {
          parent[Math.max(ra, rb)] = Math.min(ra, rb);
        }
      }
      for (int v = 0; v < n; v++) {
        parent[v] = root(parent, v);
      }
      components = parent;
    }
    return components;
  }

  private static int root(int[] parent, int v) {
    while (parent[v] != v) {
      parent[v] = parent[parent[v]];
      v = parent[v];
    }
    return v;
  }
}

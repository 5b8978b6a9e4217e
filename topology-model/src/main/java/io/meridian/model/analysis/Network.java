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
  private int rowsReused;
  /**
   * Per source: its tree was computed again but has the previous tree's parents, so a route that
   * crosses no edited link is the previous route.
   */
  private boolean[] sameParents;
  /** Dijkstra's scratch space (an indexed binary heap), shared by every tree of this network. */
  private int[] heap;
  private int[] heapPosition;

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
        Tree tree = previous.trees[s];
        if (tree != null && reusable(tree, previous)) {
          trees[s] = tree;
          treesReused++;
          if (previous.routes[s] != null && !touchesEdit(tree)) {
            // The same tree and no edited link in it: every route from s is the previous one,
            // so the row is copied instead of being walked and compared route by route.
            routes[s] = previous.routes[s].clone();
            rowsReused++;
          }
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

  /** Whether an edited link is in {@code tree} (it may then be kept, but not its routes). */
  private boolean touchesEdit(Tree tree) {
    for (int e = changed.nextSetBit(0); e >= 0; e = changed.nextSetBit(e + 1)) {
      if (tree.parentEdge[edgeA[e]] == e || tree.parentEdge[edgeB[e]] == e) {
        return true;
      }
    }
    return false;
  }

  /** How many rows of routes this network copied whole from the previous one. */
  int rowsReused() {
    return rowsReused;
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
    return route(s.intValue(), t.intValue());
  }

  /** A surviving region's position, for {@link #route(int, int)}; -1 when it is down or unknown. */
  int index(RegionId id) {
    Integer at = index.get(id);
    return at == null ? -1 : at;
  }

  /** {@link #route(RegionId, RegionId)} by positions from {@link #index}. */
  Optional<Route> route(int s, int t) {
    if (s < 0 || t < 0) {
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
    int length = 0;
    boolean crossesEdit = false;
    for (int v = t; v != s; length++) {
      int e = tree.parentEdge[v];
      crossesEdit |= changed == null || changed.get(e);
      v = edgeA[e] == v ? edgeB[e] : edgeA[e];
    }
    Optional<Route> before = previousRoute(s, t);
    if (!crossesEdit && before != null
        && (previous.trees[s] == tree || sameParents != null && sameParents[s])) {
      // The same tree and the same link objects along the way: the same route.
      return before;
    }
    Region[] nodes = new Region[length + 1];
    Link[] hops = new Link[length];
    nodes[length] = vertices[t];
    for (int v = t, i = length - 1; v != s; i--) {
      int e = tree.parentEdge[v];
      hops[i] = edges[e];
      v = edgeA[e] == v ? edgeB[e] : edgeA[e];
      nodes[i] = vertices[v];
    }
    Optional<Route> route = Optional.of(new Route(List.of(nodes), List.of(hops)));
    return before != null && before.equals(route) ? before : route;
  }

  /** The previous network's route between the same regions, if it computed one. */
  private Optional<Route> previousRoute(int s, int t) {
    if (previous == null) {
      return null;
    }
    // With the same graph (changed is set) the previous network numbers regions the same way.
    Integer ps = changed != null ? Integer.valueOf(s) : previous.index.get(vertices[s].id());
    Integer pt = changed != null ? Integer.valueOf(t) : previous.index.get(vertices[t].id());
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
    if (heap == null) {
      heap = new int[n];
      heapPosition = new int[n];
    }
    // Position in the heap, -1 when not in it; a settled region is never put back.
    Arrays.fill(heapPosition, -1);
    boolean[] settled = new boolean[n];
    distance[source] = 0;
    int size = 0;
    heap[size] = source;
    heapPosition[source] = size++;
    while (size > 0) {
      int u = heap[0];
      heapPosition[u] = -1;
      size--;
      if (size > 0) {
        heap[0] = heap[size];
        heapPosition[heap[0]] = 0;
        siftDown(0, size, distance);
      }
      settled[u] = true;
      for (int e : incident[u]) {
        int v = edgeA[e] == u ? edgeB[e] : edgeA[e];
        double through = distance[u] + edges[e].rttMs();
        if (!settled[v] && through < distance[v]) {
          distance[v] = through;
          parentEdge[v] = e;
          if (heapPosition[v] < 0) {
            heap[size] = v;
            heapPosition[v] = size++;
          }
          siftUp(heapPosition[v], distance);
        }
      }
    }
    tree = new Tree(distance, parentEdge);
    trees[source] = tree;
    if (changed != null && previous != null && previous.trees[source] != null
        && Arrays.equals(parentEdge, previous.trees[source].parentEdge)) {
      // An edited link's round trip changed distances but not which links the routes take.
      if (sameParents == null) {
        sameParents = new boolean[n];
      }
      sameParents[source] = true;
    }
    return tree;
  }

  /** Heap order: by distance, then by position in the topology (see the class). */
  private static boolean before(int x, int y, double[] distance) {
    return distance[x] < distance[y] || distance[x] == distance[y] && x < y;
  }

  private void siftUp(int at, double[] distance) {
    int v = heap[at];
    while (at > 0) {
      int parent = (at - 1) >>> 1;
      int above = heap[parent];
      if (!before(v, above, distance)) {
        break;
      }
      heap[at] = above;
      heapPosition[above] = at;
      at = parent;
    }
    heap[at] = v;
    heapPosition[v] = at;
  }

  private void siftDown(int at, int size, double[] distance) {
    int v = heap[at];
    while (true) {
      int child = 2 * at + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && before(heap[child + 1], heap[child], distance)) {
        child++;
      }
      int below = heap[child];
      if (!before(below, v, distance)) {
        break;
      }
      heap[at] = below;
      heapPosition[below] = at;
      at = child;
    }
    heap[at] = v;
    heapPosition[v] = at;
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

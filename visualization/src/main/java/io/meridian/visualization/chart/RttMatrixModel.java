package io.meridian.visualization.chart;

import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The round-trip time between every pair of regions of a topology, with regions ordered by
 * jurisdiction and then by display name, as CockroachDB groups its latency page by locality.
 *
 * <p>A pair joined by a link has that link's RTT ({@link Source#DIRECT}). A pair without a
 * link but with a path has the sum of RTTs along the fastest path ({@link Source#ROUTED}),
 * which is what traffic between them would pay. A pair with no path has none ({@link
 * Source#NONE}). Computed with Dijkstra (an indexed binary heap over the links) from
 * each region; after an edit of link round trips, only from the regions whose shortest paths
 * the edit can change ({@link #of(Topology, RttMatrixModel)}).
 */
public final class RttMatrixModel {

  /** Where a pair's RTT comes from. */
  public enum Source {
    /** The diagonal: a region and itself. */
    SELF,
    /** A link joins the two regions. */
    DIRECT,
    /** No link, but a path through other regions. */
    ROUTED,
    /** No path at all. */
    NONE
  }

  private final List<Region> regions;
  private final Map<RegionId, Integer> index;
  private final double[] rttMs;
  private final Source[] sources;
  /** The topology's regions as given, to tell whether a next topology has the same ones. */
  private final List<Region> given;
  /** The fastest link's RTT per pair (NaN when none), and the shortest-path distances. */
  private final double[] direct;
  private final double[] distances;
  private final int rowsComputed;

  private RttMatrixModel(List<Region> regions, Map<RegionId, Integer> index, double[] rttMs,
      Source[] sources, List<Region> given, double[] direct, double[] distances,
      int rowsComputed) {
    this.regions = regions;
    this.index = index;
    this.rttMs = rttMs;
    this.sources = sources;
    this.given = given;
    this.direct = direct;
    this.distances = distances;
    this.rowsComputed = rowsComputed;
  }

  /**
   * Computes the matrix. Duplicate region ids keep their first region; links to unknown
   * regions are ignored (the validator reports both).
   *
   * @param topology the topology, or {@code null} for an empty matrix
   * @return the matrix
   */
  public static RttMatrixModel of(Topology topology) {
    return of(topology, null);
  }

  /**
   * Computes the matrix of {@code topology}, keeping the rows of {@code previous} that an edit
   * cannot have changed: with the same regions and the same linked pairs, a row's shortest paths
   * stay exactly what they were when every pair whose RTT changed is "slack" from that row's
   * region both before and after the edit (reaching either end through the other is strictly
   * slower than its distance), since Dijkstra's distances are then made of the same sums. Other
   * rows, and any other edit, are computed afresh. The result equals {@link #of(Topology)}.
   *
   * @param topology the topology, or {@code null} for an empty matrix
   * @param previous the matrix of the design before the edit, or null
   * @return the matrix
   */
  public static RttMatrixModel of(Topology topology, RttMatrixModel previous) {
    List<Region> regions = new ArrayList<>();
    Map<RegionId, Integer> seen = new HashMap<>();
    if (topology != null) {
      for (Region region : topology.regions()) {
        if (seen.putIfAbsent(region.id(), 0) == null) {
          regions.add(region);
        }
      }
    }
    regions.sort(Comparator.comparing((Region r) -> r.jurisdiction().code())
        .thenComparing(Region::displayName).thenComparing(Region::id));
    Map<RegionId, Integer> index = new HashMap<>();
    for (int i = 0; i < regions.size(); i++) {
      index.put(regions.get(i).id(), i);
    }
    int n = regions.size();
    double[] direct = new double[n * n];
    Arrays.fill(direct, Double.NaN);
    if (topology != null) {
      for (Link link : topology.links()) {
        Integer a = index.get(link.a());
        Integer b = index.get(link.b());
        if (a == null || b == null) {
          continue;
        }
        double known = direct[a * n + b];
        if (Double.isNaN(known) || link.rttMs() < known) {
          direct[a * n + b] = link.rttMs();
          direct[b * n + a] = link.rttMs();
        }
      }
    }
    double[] rtt = new double[n * n];
    Source[] sources = new Source[n * n];
    double[] distances = new double[n * n];
    double[] distance = new double[n];
    boolean[] done = new boolean[n];
    int[][] neighbours = neighbours(direct, n);
    boolean[] keep = keptRows(topology, previous, direct, n);
    int computed = 0;
    for (int source = 0; source < n; source++) {
      if (keep != null && keep[source]) {
        System.arraycopy(previous.distances, source * n, distance, 0, n);
      } else {
        shortestPaths(direct, n, source, distance, done, neighbours);
        computed++;
      }
      System.arraycopy(distance, 0, distances, source * n, n);
      for (int target = 0; target < n; target++) {
        int cell = source * n + target;
        rtt[cell] = distance[target];
        if (source == target) {
          sources[cell] = Source.SELF;
        } else if (!Double.isNaN(direct[cell])) {
          sources[cell] = Source.DIRECT;
          // A direct link is what the pair uses, even if a detour were faster on paper.
          rtt[cell] = direct[cell];
        } else if (Double.isFinite(distance[target])) {
          sources[cell] = Source.ROUTED;
        } else {
          sources[cell] = Source.NONE;
          rtt[cell] = Double.NaN;
        }
      }
    }
    return new RttMatrixModel(Collections.unmodifiableList(regions),
        Collections.unmodifiableMap(index), rtt, sources,
        topology == null ? List.of() : topology.regions(), direct, distances, computed);
  }

  /**
   * The rows of {@code previous} that stay exact, or null when none can be kept (other
   * regions, or a pair linked or unlinked).
   */
  private static boolean[] keptRows(Topology topology, RttMatrixModel previous, double[] direct,
      int n) {
    if (topology == null || previous == null || previous.size() != n
        || !previous.given.equals(topology.regions())) {
      return null;
    }
    double[] before = previous.direct;
    List<int[]> changed = new ArrayList<>();
    for (int a = 0; a < n; a++) {
      for (int b = a + 1; b < n; b++) {
        double was = before[a * n + b];
        double now = direct[a * n + b];
        if (Double.isNaN(was) != Double.isNaN(now)) {
          return null;
        }
        if (!Double.isNaN(now) && was != now) {
          changed.add(new int[] {a, b});
        }
      }
    }
    boolean[] keep = new boolean[n];
    double[] old = previous.distances;
    for (int s = 0; s < n; s++) {
      boolean slack = true;
      for (int[] pair : changed) {
        double da = old[s * n + pair[0]];
        double db = old[s * n + pair[1]];
        if (Double.isInfinite(da) && Double.isInfinite(db)) {
          continue;
        }
        double was = before[pair[0] * n + pair[1]];
        double now = direct[pair[0] * n + pair[1]];
        if (!(da + was > db && db + was > da && da + now > db && db + now > da)) {
          slack = false;
          break;
        }
      }
      keep[s] = slack;
    }
    return keep;
  }

  /** How many rows were computed with Dijkstra, the others kept from the previous matrix. */
  public int rowsComputed() {
    return rowsComputed;
  }

  /**
   * Dijkstra from {@code source} with a binary heap over the links (a design has a few links per
   * region, so this is far less work than scanning the whole row of the matrix at every step).
   */
  private static void shortestPaths(double[] direct, int n, int source, double[] distance,
      boolean[] done, int[][] neighbours) {
    Arrays.fill(distance, Double.POSITIVE_INFINITY);
    Arrays.fill(done, false);
    distance[source] = 0;
    // An indexed binary heap of regions by distance: no entry objects, one entry per region.
    int[] heap = new int[n];
    int[] position = new int[n];
    Arrays.fill(position, -1);
    int size = 0;
    heap[size] = source;
    position[source] = size++;
    while (size > 0) {
      int next = heap[0];
      position[next] = -1;
      size--;
      if (size > 0) {
        heap[0] = heap[size];
        position[heap[0]] = 0;
        siftDown(heap, position, distance, size);
      }
      done[next] = true;
      for (int i : neighbours[next]) {
        double through = distance[next] + direct[next * n + i];
        if (!done[i] && through < distance[i]) {
          distance[i] = through;
          if (position[i] < 0) {
            heap[size] = i;
            position[i] = size++;
          }
          siftUp(heap, position, distance, position[i]);
        }
      }
    }
  }

  private static void siftUp(int[] heap, int[] position, double[] distance, int at) {
    int v = heap[at];
    while (at > 0) {
      int parent = (at - 1) >>> 1;
      int above = heap[parent];
      if (!(distance[v] < distance[above])) {
        break;
      }
      heap[at] = above;
      position[above] = at;
      at = parent;
    }
    heap[at] = v;
    position[v] = at;
  }

  private static void siftDown(int[] heap, int[] position, double[] distance, int size) {
    int at = 0;
    int v = heap[0];
    while (true) {
      int child = 2 * at + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && distance[heap[child + 1]] < distance[heap[child]]) {
        child++;
      }
      int below = heap[child];
      if (!(distance[below] < distance[v])) {
        break;
      }
      heap[at] = below;
      position[below] = at;
      at = child;
    }
    heap[at] = v;
    position[v] = at;
  }

  /** Per region, the regions a link joins it to, from the matrix of direct links. */
  private static int[][] neighbours(double[] direct, int n) {
    int[][] out = new int[n][];
    int[] row = new int[n];
    for (int a = 0; a < n; a++) {
      int count = 0;
      for (int b = 0; b < n; b++) {
        if (!Double.isNaN(direct[a * n + b])) {
          row[count++] = b;
        }
      }
      out[a] = Arrays.copyOf(row, count);
    }
    return out;
  }

  /** @return the regions, grouped by jurisdiction, then by display name */
  public List<Region> regions() {
    return regions;
  }

  /** @return how many regions */
  public int size() {
    return regions.size();
  }

  /**
   * @param id a region id
   * @return its row and column index, if present
   */
  public Optional<Integer> indexOf(RegionId id) {
    return Optional.ofNullable(index.get(id));
  }

  /**
   * @param row row index
   * @param column column index
   * @return the RTT in milliseconds, 0 on the diagonal, {@code NaN} when there is no path
   */
  public double rttMs(int row, int column) {
    return rttMs[row * regions.size() + column];
  }

  /**
   * @param row row index
   * @param column column index
   * @return where the RTT comes from
   */
  public Source source(int row, int column) {
    return sources[row * regions.size() + column];
  }

  /**
   * The jurisdictions in display order with how many regions each holds, for grouped
   * column headers.
   *
   * @return jurisdiction code to region count, in order
   */
  public List<Map.Entry<String, Integer>> groups() {
    List<Map.Entry<String, Integer>> groups = new ArrayList<>();
    int start = 0;
    for (int i = 1; i <= regions.size(); i++) {
      if (i == regions.size() || !regions.get(i).jurisdiction()
          .equals(regions.get(start).jurisdiction())) {
        groups.add(Map.entry(regions.get(start).jurisdiction().code(), i - start));
        start = i;
      }
    }
    return List.copyOf(groups);
  }
}

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
 * Source#NONE}). Computed once per topology with Dijkstra (binary heap over the links) from
 * each region.
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

  private RttMatrixModel(List<Region> regions, Map<RegionId, Integer> index, double[] rttMs,
      Source[] sources) {
    this.regions = regions;
    this.index = index;
    this.rttMs = rttMs;
    this.sources = sources;
  }

  /**
   * Computes the matrix. Duplicate region ids keep their first region; links to unknown
   * regions are ignored (the validator reports both).
   *
   * @param topology the topology, or {@code null} for an empty matrix
   * @return the matrix
   */
  public static RttMatrixModel of(Topology topology) {
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
    double[] distance = new double[n];
    boolean[] done = new boolean[n];
    int[][] neighbours = neighbours(direct, n);
    for (int source = 0; source < n; source++) {
      shortestPaths(direct, n, source, distance, done, neighbours);
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
        Collections.unmodifiableMap(index), rtt, sources);
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
    java.util.PriorityQueue<double[]> queue =
        new java.util.PriorityQueue<>((x, y) -> Double.compare(x[0], y[0]));
    queue.add(new double[] {0, source});
    while (!queue.isEmpty()) {
      double[] head = queue.poll();
      int next = (int) head[1];
      if (done[next] || head[0] != distance[next]) {
        continue;
      }
      done[next] = true;
      for (int i : neighbours[next]) {
        double through = distance[next] + direct[next * n + i];
        if (through < distance[i]) {
          distance[i] = through;
          queue.add(new double[] {through, i});
        }
      }
    }
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

package io.meridian.visualization.graph;

import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import io.meridian.visualization.projection.MapProjection;
import io.meridian.visualization.projection.ProjectedBounds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A topology's geometry projected once: each region's projected point and each link's
 * curve, in flat arrays so the skin can place a thousand arcs on screen without allocating.
 *
 * <p>A link is drawn as a quadratic curve from one end to the other that passes, half-way,
 * through the projected midpoint of the great circle between the ends, bowed a little
 * further north so that links never lie on top of each other as straight lines. A link
 * whose great circle crosses the antimeridian (Tokyo to Oregon across the Pacific) is drawn
 * the short way, in two pieces: from its first end to the map's edge where the great circle
 * leaves it, and from the opposite edge, where it comes back, to its second end (see {@link
 * #crossesAntimeridian(int)}).
 *
 * <p>Regions with a duplicate id and links to unknown regions are skipped: the validator
 * reports those, and the graph shows what it can.
 */
public final class ProjectedTopology {

  /** How far links bow north of the straight chord, as a fraction of the chord length. */
  static final double BOW_FRACTION = 0.08;

  /** Points sampled along a great circle to find where it crosses the antimeridian. */
  private static final int CROSSING_SAMPLES = 64;

  /** Bisection steps that place the crossing once found (2^-30 of a sample: far below a pixel). */
  private static final int CROSSING_BISECTIONS = 30;

  private final List<Region> regions;
  private final Map<RegionId, Integer> regionIndex;
  private final double[] regionXy;
  private final List<Link> links;
  private final Map<LinkKey, Integer> linkIndex;
  private final int[] linkEnds;
  private final double[] linkControlXy;
  /** Per link 6 numbers, NaN unless it crosses the antimeridian: edge A, edge B, control B. */
  private final double[] linkWrapXy;
  private final ProjectedBounds bounds;
  /** What was projected, to tell whether a next topology has the same regions. */
  private List<Region> given = List.of();
  private MapProjection projection;

  private ProjectedTopology(List<Region> regions, Map<RegionId, Integer> regionIndex,
      double[] regionXy, List<Link> links, Map<LinkKey, Integer> linkIndex, int[] linkEnds,
      double[] linkControlXy, double[] linkWrapXy) {
    this.regions = regions;
    this.regionIndex = regionIndex;
    this.regionXy = regionXy;
    this.links = links;
    this.linkIndex = linkIndex;
    this.linkEnds = linkEnds;
    this.linkControlXy = linkControlXy;
    this.linkWrapXy = linkWrapXy;
    this.bounds = regions.isEmpty() ? null : ProjectedBounds.ofPoints(regionXy, regions.size());
  }

  /** The projection of an empty topology. */
  public static final ProjectedTopology EMPTY = new ProjectedTopology(List.of(), Map.of(),
      new double[0], List.of(), Map.of(), new int[0], new double[0], new double[0]);

  /**
   * Projects a topology.
   *
   * @param topology what to project, or {@code null} for nothing
   * @param projection the map projection
   * @return the projected geometry
   */
  public static ProjectedTopology of(Topology topology, MapProjection projection) {
    return of(topology, projection, null);
  }

  /**
   * Projects a topology, reusing what {@code previous} computed when the regions and the
   * projection are the same: a link's curve depends only on its two ends, so an edit of link
   * properties (an RTT, say) or of datasets and policies reprojects nothing. The result equals
   * {@link #of(Topology, MapProjection)}.
   *
   * @param topology what to project, or {@code null} for nothing
   * @param projection the map projection
   * @param previous the projection of the design before the edit, or null
   * @return the projected geometry
   */
  public static ProjectedTopology of(Topology topology, MapProjection projection,
      ProjectedTopology previous) {
    if (topology == null || topology.regions().isEmpty()) {
      return EMPTY;
    }
    if (previous != null && previous.projection == projection
        && previous.given.equals(topology.regions())) {
      ProjectedTopology kept = sameRegions(topology, previous);
      kept.given = topology.regions();
      kept.projection = projection;
      return kept;
    }
    ProjectedTopology fresh = project(topology, projection);
    fresh.given = topology.regions();
    fresh.projection = projection;
    return fresh;
  }

  /**
   * The projection of a topology with the regions of {@code previous}: its regions' points, and
   * each link's curve copied from the previous link between the same ends in the same direction.
   */
  private static ProjectedTopology sameRegions(Topology topology, ProjectedTopology previous) {
    Map<RegionId, Integer> regionIndex = previous.regionIndex;
    List<Link> links = new ArrayList<>(topology.links().size());
    boolean sameOrder = true;
    for (Link link : topology.links()) {
      Integer from = regionIndex.get(link.a());
      Integer to = regionIndex.get(link.b());
      if (from == null || to == null) {
        continue;
      }
      int i = links.size();
      if (sameOrder && i < previous.links.size() && previous.linkEnds[2 * i] == from
          && previous.linkEnds[2 * i + 1] == to) {
        links.add(link);
        continue;
      }
      sameOrder = false;
      break;
    }
    if (sameOrder && links.size() == previous.links.size()) {
      // The same pairs in the same order (every edit of link properties): only the links change.
      return new ProjectedTopology(previous.regions, regionIndex, previous.regionXy,
          Collections.unmodifiableList(links), previous.linkIndex, previous.linkEnds,
          previous.linkControlXy, previous.linkWrapXy);
    }
    return project(topology, previous.projection);
  }

  /**
   * Whether this projection has the very regions and link ends of {@code other} (it was made
   * from it by an edit of link properties), so only its links' values can differ.
   */
  boolean sameElementsAs(ProjectedTopology other) {
    return other != null && regions == other.regions && regionIndex == other.regionIndex
        && linkIndex == other.linkIndex && linkEnds == other.linkEnds
        && links.size() == other.links.size();
  }

  private static ProjectedTopology project(Topology topology, MapProjection projection) {
    List<Region> regions = new ArrayList<>(topology.regions().size());
    Map<RegionId, Integer> regionIndex = new HashMap<>();
    for (Region region : topology.regions()) {
      if (regionIndex.putIfAbsent(region.id(), regions.size()) == null) {
        regions.add(region);
      }
    }
    double[] regionXy = new double[2 * regions.size()];
    for (int i = 0; i < regions.size(); i++) {
      projection.project(regions.get(i).longitude(), regions.get(i).latitude(), regionXy, 2 * i);
    }
    List<Link> links = new ArrayList<>(topology.links().size());
    Map<LinkKey, Integer> linkIndex = new HashMap<>();
    for (Link link : topology.links()) {
      if (regionIndex.containsKey(link.a()) && regionIndex.containsKey(link.b())
          && linkIndex.putIfAbsent(LinkKey.of(link), links.size()) == null) {
        links.add(link);
      }
    }
    int[] linkEnds = new int[2 * links.size()];
    double[] linkControlXy = new double[2 * links.size()];
    double[] linkWrapXy = new double[6 * links.size()];
    java.util.Arrays.fill(linkWrapXy, Double.NaN);
    GreatCircle arc = new GreatCircle();
    double[] point = new double[2];
    for (int i = 0; i < links.size(); i++) {
      int from = regionIndex.get(links.get(i).a());
      int to = regionIndex.get(links.get(i).b());
      linkEnds[2 * i] = from;
      linkEnds[2 * i + 1] = to;
      Region a = regions.get(from);
      Region b = regions.get(to);
      arc.set(a, b);
      double crossing = arc.antimeridianCrossing();
      double x0 = regionXy[2 * from];
      double y0 = regionXy[2 * from + 1];
      double x2 = regionXy[2 * to];
      double y2 = regionXy[2 * to + 1];
      if (Double.isNaN(crossing)) {
        arc.pointAt(0.5, point);
        projection.project(point[0], point[1], point, 0);
        controlPoint(x0, y0, x2, y2, point[0], point[1], linkControlXy, 2 * i);
        continue;
      }
      // Two pieces: A to the edge on A's side, then the opposite edge to B.
      arc.pointAt(crossing, point);
      double edgeLatitude = point[1];
      double edgeLongitudeA = arc.longitudeSideOfA() * 180;
      int w = 6 * i;
      projection.project(edgeLongitudeA, edgeLatitude, linkWrapXy, w);
      projection.project(-edgeLongitudeA, edgeLatitude, linkWrapXy, w + 2);
      arc.pointAt(crossing / 2, point);
      projection.project(point[0], point[1], point, 0);
      controlPoint(x0, y0, linkWrapXy[w], linkWrapXy[w + 1], point[0], point[1], linkControlXy,
          2 * i);
      arc.pointAt((1 + crossing) / 2, point);
      projection.project(point[0], point[1], point, 0);
      controlPoint(linkWrapXy[w + 2], linkWrapXy[w + 3], x2, y2, point[0], point[1], linkWrapXy,
          w + 4);
    }
    return new ProjectedTopology(Collections.unmodifiableList(regions),
        Collections.unmodifiableMap(regionIndex), regionXy, Collections.unmodifiableList(links),
        Collections.unmodifiableMap(linkIndex), linkEnds, linkControlXy, linkWrapXy);
  }

  /**
   * The control point of a quadratic curve from (x0, y0) to (x2, y2) that passes half-way
   * through (midX, midY) moved north, perpendicular to the chord, by a fraction of its length.
   */
  private static void controlPoint(double x0, double y0, double x2, double y2, double midX,
      double midY, double[] out, int offset) {
    double chordX = (x0 + x2) / 2;
    double chordY = (y0 + y2) / 2;
    double dx = x2 - x0;
    double dy = y2 - y0;
    double length = Math.hypot(dx, dy);
    if (length > 0) {
      double normalX = -dy / length;
      double normalY = dx / length;
      if (normalY < 0 || (normalY == 0 && normalX < 0)) {
        normalX = -normalX;
        normalY = -normalY;
      }
      midX += normalX * length * BOW_FRACTION;
      midY += normalY * length * BOW_FRACTION;
    }
    // A quadratic Bezier passes at t = 1/2 through (P0 + 2C + P2) / 4; solve for C.
    out[offset] = 2 * midX - chordX;
    out[offset + 1] = 2 * midY - chordY;
  }

  /** The shorter great-circle arc between two regions, as unit vectors; reused per link. */
  private static final class GreatCircle {
    private final double[] a = new double[3];
    private final double[] b = new double[3];
    private double angle;
    private double sideOfA;

    void set(Region from, Region to) {
      unit(from.latitude(), from.longitude(), a);
      unit(to.latitude(), to.longitude(), b);
      double dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
      angle = Math.acos(Math.max(-1, Math.min(1, dot)));
    }

    /**
     * Writes the point at fraction {@code f} of the arc as longitude, latitude in degrees.
     * Antipodal or coincident ends have no single arc: the chord's midpoint stands in.
     */
    void pointAt(double f, double[] out) {
      double wa;
      double wb;
      double sin = Math.sin(angle);
      if (sin < 1e-9) {
        wa = 1 - f;
        wb = f;
      } else {
        wa = Math.sin((1 - f) * angle) / sin;
        wb = Math.sin(f * angle) / sin;
      }
      double x = wa * a[0] + wb * b[0];
      double y = wa * a[1] + wb * b[1];
      double z = wa * a[2] + wb * b[2];
      out[0] = Math.toDegrees(Math.atan2(y, x));
      out[1] = Math.toDegrees(Math.atan2(z, Math.hypot(x, y)));
    }

    /**
     * The fraction of the arc at which it crosses the antimeridian (longitude 180), or NaN
     * when it stays on the map. Antipodal ends (no single shortest arc) never wrap.
     */
    double antimeridianCrossing() {
      if (Math.sin(angle) < 1e-9) {
        return Double.NaN;
      }
      double[] point = new double[2];
      pointAt(0, point);
      double previous = point[0];
      for (int step = 1; step <= CROSSING_SAMPLES; step++) {
        double f = (double) step / CROSSING_SAMPLES;
        pointAt(f, point);
        // A jump of more than half the world between neighbouring samples is the antimeridian;
        // passing near a pole also jumps, but by about half the world, with one end near 0.
        if (Math.abs(point[0] - previous) > 180 && Math.abs(previous) > 90
            && Math.abs(point[0]) > 90) {
          sideOfA = Math.signum(previous);
          double low = (double) (step - 1) / CROSSING_SAMPLES;
          double high = f;
          for (int i = 0; i < CROSSING_BISECTIONS; i++) {
            double middle = (low + high) / 2;
            pointAt(middle, point);
            if (Math.signum(point[0]) == sideOfA) {
              low = middle;
            } else {
              high = middle;
            }
          }
          return (low + high) / 2;
        }
        previous = point[0];
      }
      return Double.NaN;
    }

    /** @return +1 when the arc leaves the map at its east edge, -1 at its west edge */
    double longitudeSideOfA() {
      return sideOfA;
    }

    private static void unit(double latitude, double longitude, double[] out) {
      double phi = Math.toRadians(latitude);
      double lambda = Math.toRadians(longitude);
      out[0] = Math.cos(phi) * Math.cos(lambda);
      out[1] = Math.cos(phi) * Math.sin(lambda);
      out[2] = Math.sin(phi);
    }
  }

  /** @return the regions drawn, in topology order, duplicates skipped */
  public List<Region> regions() {
    return regions;
  }

  /** @return the links drawn, in topology order, those with unknown ends skipped */
  public List<Link> links() {
    return links;
  }

  /** @return how many regions are drawn */
  public int regionCount() {
    return regions.size();
  }

  /** @return how many links are drawn */
  public int linkCount() {
    return links.size();
  }

  /**
   * @param id a region id
   * @return its index in {@link #regions()}, if drawn
   */
  public Optional<Integer> indexOf(RegionId id) {
    return Optional.ofNullable(regionIndex.get(id));
  }

  /**
   * @param key a link key
   * @return its index in {@link #links()}, if drawn
   */
  public Optional<Integer> indexOf(LinkKey key) {
    return Optional.ofNullable(linkIndex.get(key));
  }

  /**
   * @param region region index
   * @return its projected x
   */
  public double regionX(int region) {
    return regionXy[2 * region];
  }

  /**
   * @param region region index
   * @return its projected y
   */
  public double regionY(int region) {
    return regionXy[2 * region + 1];
  }

  /**
   * The projected points of all regions as {@code x0, y0, x1, y1, ...}; the array is shared,
   * do not change it.
   *
   * @return the interleaved coordinates
   */
  double[] regionXy() {
    return regionXy;
  }

  /**
   * @param link link index
   * @return the index of its first end ({@code a})
   */
  public int linkFrom(int link) {
    return linkEnds[2 * link];
  }

  /**
   * @param link link index
   * @return the index of its second end ({@code b})
   */
  public int linkTo(int link) {
    return linkEnds[2 * link + 1];
  }

  /**
   * @param link link index
   * @return the projected x of its curve's control point
   */
  public double controlX(int link) {
    return linkControlXy[2 * link];
  }

  /**
   * @param link link index
   * @return the projected y of its curve's control point
   */
  public double controlY(int link) {
    return linkControlXy[2 * link + 1];
  }

  /**
   * Whether a link's great circle crosses the antimeridian, so that it is drawn in two
   * pieces: from its first end ({@link #linkFrom}) with control point ({@link #controlX},
   * {@link #controlY}) to the edge point {@link #edgeX edgeX(link, 0)}, and from the edge
   * point {@code edgeX(link, 1)} on the opposite side with control point ({@link
   * #wrapControlX}, {@link #wrapControlY}) to its second end ({@link #linkTo}).
   *
   * @param link link index
   * @return whether the link is drawn in two pieces
   */
  public boolean crossesAntimeridian(int link) {
    return !Double.isNaN(linkWrapXy[6 * link]);
  }

  /**
   * @param link link index of a link that {@link #crossesAntimeridian crosses the antimeridian}
   * @param side 0 for the edge on the first end's side, 1 for the second end's
   * @return the projected x where the link meets the map's edge on that side; NaN otherwise
   */
  public double edgeX(int link, int side) {
    return linkWrapXy[6 * link + 2 * side];
  }

  /**
   * @param link link index of a link that {@link #crossesAntimeridian crosses the antimeridian}
   * @param side 0 for the edge on the first end's side, 1 for the second end's
   * @return the projected y where the link meets the map's edge on that side; NaN otherwise
   */
  public double edgeY(int link, int side) {
    return linkWrapXy[6 * link + 2 * side + 1];
  }

  /**
   * @param link link index of a link that {@link #crossesAntimeridian crosses the antimeridian}
   * @return the projected x of the control point of its second piece; NaN otherwise
   */
  public double wrapControlX(int link) {
    return linkWrapXy[6 * link + 4];
  }

  /**
   * @param link link index of a link that {@link #crossesAntimeridian crosses the antimeridian}
   * @return the projected y of the control point of its second piece; NaN otherwise
   */
  public double wrapControlY(int link) {
    return linkWrapXy[6 * link + 5];
  }

  /** @return the bounds of all region points, empty when there are no regions */
  public Optional<ProjectedBounds> bounds() {
    return Optional.ofNullable(bounds);
  }
}

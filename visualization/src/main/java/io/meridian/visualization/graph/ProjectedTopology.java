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
 * whose great circle crosses the antimeridian would run off the map's edge; it is drawn the
 * other way round the world with the same bow instead.
 *
 * <p>Regions with a duplicate id and links to unknown regions are skipped: the validator
 * reports those, and the graph shows what it can.
 */
public final class ProjectedTopology {

  /** How far links bow north of the straight chord, as a fraction of the chord length. */
  static final double BOW_FRACTION = 0.08;

  private final List<Region> regions;
  private final Map<RegionId, Integer> regionIndex;
  private final double[] regionXy;
  private final List<Link> links;
  private final Map<LinkKey, Integer> linkIndex;
  private final int[] linkEnds;
  private final double[] linkControlXy;
  private final ProjectedBounds bounds;

  private ProjectedTopology(List<Region> regions, Map<RegionId, Integer> regionIndex,
      double[] regionXy, List<Link> links, Map<LinkKey, Integer> linkIndex, int[] linkEnds,
      double[] linkControlXy) {
    this.regions = regions;
    this.regionIndex = regionIndex;
    this.regionXy = regionXy;
    this.links = links;
    this.linkIndex = linkIndex;
    this.linkEnds = linkEnds;
    this.linkControlXy = linkControlXy;
    this.bounds = regions.isEmpty() ? null : ProjectedBounds.ofPoints(regionXy, regions.size());
  }

  /** The projection of an empty topology. */
  public static final ProjectedTopology EMPTY = new ProjectedTopology(List.of(), Map.of(),
      new double[0], List.of(), Map.of(), new int[0], new double[0]);

  /**
   * Projects a topology.
   *
   * @param topology what to project, or {@code null} for nothing
   * @param projection the map projection
   * @return the projected geometry
   */
  public static ProjectedTopology of(Topology topology, MapProjection projection) {
    if (topology == null || topology.regions().isEmpty()) {
      return EMPTY;
    }
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
    double[] scratch = new double[2];
    for (int i = 0; i < links.size(); i++) {
      int from = regionIndex.get(links.get(i).a());
      int to = regionIndex.get(links.get(i).b());
      linkEnds[2 * i] = from;
      linkEnds[2 * i + 1] = to;
      controlPoint(regions.get(from), regions.get(to), regionXy, from, to, projection, scratch);
      linkControlXy[2 * i] = scratch[0];
      linkControlXy[2 * i + 1] = scratch[1];
    }
    return new ProjectedTopology(Collections.unmodifiableList(regions),
        Collections.unmodifiableMap(regionIndex), regionXy, Collections.unmodifiableList(links),
        Collections.unmodifiableMap(linkIndex), linkEnds, linkControlXy);
  }

  private static void controlPoint(Region from, Region to, double[] regionXy, int fromIndex,
      int toIndex, MapProjection projection, double[] out) {
    double x0 = regionXy[2 * fromIndex];
    double y0 = regionXy[2 * fromIndex + 1];
    double x2 = regionXy[2 * toIndex];
    double y2 = regionXy[2 * toIndex + 1];
    double chordX = (x0 + x2) / 2;
    double chordY = (y0 + y2) / 2;
    double midX = chordX;
    double midY = chordY;
    if (Math.abs(from.longitude() - to.longitude()) <= 180) {
      greatCircleMidpoint(from, to, out);
      projection.project(out[0], out[1], out, 0);
      midX = out[0];
      midY = out[1];
    }
    // Bow the curve north, perpendicular to the chord, by a fraction of its length.
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
    // A quadratic Bézier passes at t = 1/2 through (P0 + 2C + P2) / 4; solve for C.
    out[0] = 2 * midX - chordX;
    out[1] = 2 * midY - chordY;
  }

  private static void greatCircleMidpoint(Region from, Region to, double[] out) {
    double phi1 = Math.toRadians(from.latitude());
    double phi2 = Math.toRadians(to.latitude());
    double lambda1 = Math.toRadians(from.longitude());
    double deltaLambda = Math.toRadians(to.longitude() - from.longitude());
    double bx = Math.cos(phi2) * Math.cos(deltaLambda);
    double by = Math.cos(phi2) * Math.sin(deltaLambda);
    double phi = Math.atan2(Math.sin(phi1) + Math.sin(phi2),
        Math.sqrt((Math.cos(phi1) + bx) * (Math.cos(phi1) + bx) + by * by));
    double lambda = lambda1 + Math.atan2(by, Math.cos(phi1) + bx);
    double longitude = Math.toDegrees(lambda);
    if (longitude > 180) {
      longitude -= 360;
    } else if (longitude < -180) {
      longitude += 360;
    }
    out[0] = longitude;
    out[1] = Math.toDegrees(phi);
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

  /** @return the bounds of all region points, empty when there are no regions */
  public Optional<ProjectedBounds> bounds() {
    return Optional.ofNullable(bounds);
  }
}

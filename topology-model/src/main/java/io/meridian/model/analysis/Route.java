package io.meridian.model.analysis;

import io.meridian.model.Geo;
import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The best surviving path from one region to another: the regions it passes and the links it
 * takes. A route from a region to itself has no hops. Equal routes give equal predictions, which
 * is what the incremental analysis keys its memo on; the hash is computed once because memo keys
 * hash many routes on every run.
 */
final class Route {
  private final List<Region> nodes;
  private final List<Link> hops;
  private final int hash;

  /**
   * @param nodes the regions from start to end (at least one)
   * @param hops the links between consecutive nodes ({@code nodes.size() - 1} of them)
   */
  Route(List<Region> nodes, List<Link> hops) {
    this.nodes = List.copyOf(nodes);
    this.hops = List.copyOf(hops);
    if (nodes.isEmpty() || hops.size() != nodes.size() - 1) {
      throw new IllegalArgumentException("a route of " + nodes.size() + " regions needs "
          + Math.max(0, nodes.size() - 1) + " links, has " + hops.size());
    }
    this.hash = 31 * this.nodes.hashCode() + this.hops.hashCode();
  }

  /** The empty route from a region to itself. */
  static Route local(Region region) {
    return new Route(List.of(region), List.of());
  }

  List<Region> nodes() {
    return nodes;
  }

  List<Link> hops() {
    return hops;
  }

  RegionId from() {
    return nodes.get(0).id();
  }

  RegionId to() {
    return nodes.get(nodes.size() - 1).id();
  }

  /** The sum of the links' round-trip times, in milliseconds. */
  double meanRttMs() {
    double sum = 0;
    for (Link hop : hops) {
      sum += hop.rttMs();
    }
    return sum;
  }

  /** The speed-of-light round trip over the great circles of every hop, in milliseconds. */
  double floorRttMs() {
    double sum = 0;
    for (int i = 0; i < hops.size(); i++) {
      sum += Geo.fibreRttFloorMs(nodes.get(i), nodes.get(i + 1));
    }
    return sum;
  }

  /** The same route walked backwards. */
  Route reversed() {
    List<Region> backNodes = new ArrayList<>(nodes);
    Collections.reverse(backNodes);
    List<Link> backHops = new ArrayList<>(hops);
    Collections.reverse(backHops);
    return new Route(backNodes, backHops);
  }

  /** {@code us-east > eu-west > ap-south}. */
  String describe() {
    return nodes.stream().map(r -> r.id().value()).collect(Collectors.joining(" > "));
  }

  @Override
  public boolean equals(Object other) {
    return this == other || other instanceof Route route && route.hash == hash
        && route.nodes.equals(nodes) && route.hops.equals(hops);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return describe();
  }
}

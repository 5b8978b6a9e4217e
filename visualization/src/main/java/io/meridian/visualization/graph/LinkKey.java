package io.meridian.visualization.graph;

import io.meridian.model.Link;
import io.meridian.model.RegionId;
import java.util.Objects;

/**
 * Names a link by its two ends, in either order: links are undirected, so
 * {@code between(a, b)} equals {@code between(b, a)}. The ends are stored sorted.
 *
 * @param first the smaller region id
 * @param second the larger region id
 */
public record LinkKey(RegionId first, RegionId second) {

  /**
   * Checks and sorts the ends.
   *
   * @throws IllegalArgumentException if an end is missing or both ends are the same
   */
  public LinkKey {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(second, "second");
    if (first.equals(second)) {
      throw new IllegalArgumentException("a link key needs two different regions, both are "
          + first);
    }
    if (first.compareTo(second) > 0) {
      RegionId swap = first;
      first = second;
      second = swap;
    }
  }

  /**
   * @param a one end
   * @param b the other end
   * @return the key of the link between them
   */
  public static LinkKey between(RegionId a, RegionId b) {
    return new LinkKey(a, b);
  }

  /**
   * @param link a link of the model
   * @return its key
   */
  public static LinkKey of(Link link) {
    return new LinkKey(link.a(), link.b());
  }

  @Override
  public String toString() {
    return first + "~" + second;
  }
}

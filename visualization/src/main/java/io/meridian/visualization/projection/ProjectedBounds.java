package io.meridian.visualization.projection;

/**
 * An axis-aligned rectangle in projected coordinates ({@code y} grows north).
 *
 * @param minX west edge
 * @param minY south edge
 * @param maxX east edge
 * @param maxY north edge
 */
public record ProjectedBounds(double minX, double minY, double maxX, double maxY) {

  /**
   * Checks that the rectangle is not inverted and has finite edges.
   *
   * @throws IllegalArgumentException if an edge is not finite or max is below min
   */
  public ProjectedBounds {
    if (!Double.isFinite(minX) || !Double.isFinite(minY) || !Double.isFinite(maxX)
        || !Double.isFinite(maxY)) {
      throw new IllegalArgumentException("bounds must be finite, got " + minX + ", " + minY
          + ", " + maxX + ", " + maxY);
    }
    if (maxX < minX || maxY < minY) {
      throw new IllegalArgumentException("bounds are inverted: x " + minX + ".." + maxX
          + ", y " + minY + ".." + maxY);
    }
  }

  /**
   * The bounds of the points held in {@code xy} as {@code x0, y0, x1, y1, ...}.
   *
   * @param xy interleaved coordinates, at least one point
   * @param pointCount how many points to read from the start of {@code xy}
   * @return the smallest rectangle holding those points
   * @throws IllegalArgumentException if {@code pointCount} is below one
   */
  public static ProjectedBounds ofPoints(double[] xy, int pointCount) {
    if (pointCount < 1) {
      throw new IllegalArgumentException("need at least one point, got " + pointCount);
    }
    double minX = Double.POSITIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < pointCount; i++) {
      double x = xy[2 * i];
      double y = xy[2 * i + 1];
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
    return new ProjectedBounds(minX, minY, maxX, maxY);
  }

  /** @return {@code maxX - minX} */
  public double width() {
    return maxX - minX;
  }

  /** @return {@code maxY - minY} */
  public double height() {
    return maxY - minY;
  }

  /** @return the x of the centre */
  public double centerX() {
    return (minX + maxX) / 2;
  }

  /** @return the y of the centre */
  public double centerY() {
    return (minY + maxY) / 2;
  }

  /**
   * Whether a point lies inside or on the edge.
   *
   * @param x projected x
   * @param y projected y
   * @return {@code true} if inside or on the edge
   */
  public boolean contains(double x, double y) {
    return x >= minX && x <= maxX && y >= minY && y <= maxY;
  }
}

package io.meridian.visualization.projection;

/**
 * A map projection: turns longitude and latitude in degrees into planar coordinates and
 * back.
 *
 * <p>The bulk methods write into a caller's array so that projecting thousands of points
 * allocates nothing.
 */
public interface MapProjection {

  /**
   * Projects one point.
   *
   * @param longitudeDegrees longitude, -180 to 180 (east positive)
   * @param latitudeDegrees latitude, -90 to 90 (north positive)
   * @param out receives {@code x} at {@code offset} and {@code y} at {@code offset + 1}
   * @param offset where to write in {@code out}
   */
  void project(double longitudeDegrees, double latitudeDegrees, double[] out, int offset);

  /**
   * Inverts one projected point.
   *
   * @param x projected x
   * @param y projected y
   * @param out receives the longitude at {@code offset} and the latitude at
   *     {@code offset + 1}, in degrees
   * @param offset where to write in {@code out}
   * @return {@code false} if the point lies outside the projected globe (then {@code out}
   *     is left unchanged)
   */
  boolean invert(double x, double y, double[] out, int offset);

  /**
   * Projects one point into a new two-element array {@code {x, y}}; a convenience for
   * code that is not on a hot path.
   *
   * @param longitudeDegrees longitude in degrees
   * @param latitudeDegrees latitude in degrees
   * @return {@code {x, y}}
   */
  default double[] project(double longitudeDegrees, double latitudeDegrees) {
    double[] out = new double[2];
    project(longitudeDegrees, latitudeDegrees, out, 0);
    return out;
  }

  /**
   * The bounds of the whole projected globe.
   *
   * @return the smallest rectangle holding every projected point
   */
  ProjectedBounds worldBounds();
}

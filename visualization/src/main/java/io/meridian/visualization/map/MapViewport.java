package io.meridian.visualization.map;

import io.meridian.visualization.projection.ProjectedBounds;

/**
 * Which part of the projected world is on screen: the projected point at the centre of
 * the view and the scale in pixels per projected unit. An immutable value; pan and zoom
 * produce new viewports.
 *
 * <p>Screen {@code y} grows downwards and projected {@code y} grows north, so the mapping
 * flips {@code y}: {@code screenX = (x - centerX) * scale + width / 2} and
 * {@code screenY = (centerY - y) * scale + height / 2}. The mapping is a scale and a
 * translation, so it fits in one JavaFX transform and anything projected once can be
 * placed on screen with two multiplications.
 *
 * @param centerX projected x shown at the centre of the view
 * @param centerY projected y shown at the centre of the view
 * @param scale pixels per projected unit, positive
 */
public record MapViewport(double centerX, double centerY, double scale) {

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException if a value is not finite or the scale is not positive
   */
  public MapViewport {
    if (!Double.isFinite(centerX) || !Double.isFinite(centerY)) {
      throw new IllegalArgumentException("viewport centre must be finite, got " + centerX
          + ", " + centerY);
    }
    if (!(scale > 0) || !Double.isFinite(scale)) {
      throw new IllegalArgumentException("viewport scale must be positive and finite, got "
          + scale);
    }
  }

  /**
   * The viewport that shows {@code bounds} as large as possible inside a view of the given
   * size, leaving {@code paddingPx} free on every side.
   *
   * @param bounds what must be visible
   * @param width view width in pixels
   * @param height view height in pixels
   * @param paddingPx margin kept free on each side
   * @param scaleMax the scale used when {@code bounds} is a single point, and the most
   *     this method ever zooms in
   * @return the fitting viewport
   */
  public static MapViewport fit(ProjectedBounds bounds, double width, double height,
      double paddingPx, double scaleMax) {
    double usableWidth = Math.max(1, width - 2 * paddingPx);
    double usableHeight = Math.max(1, height - 2 * paddingPx);
    double scaleX = bounds.width() > 0 ? usableWidth / bounds.width() : scaleMax;
    double scaleY = bounds.height() > 0 ? usableHeight / bounds.height() : scaleMax;
    double scale = Math.min(scaleMax, Math.min(scaleX, scaleY));
    return new MapViewport(bounds.centerX(), bounds.centerY(), scale);
  }

  /**
   * @param x projected x
   * @param width view width in pixels
   * @return the screen x of {@code x}
   */
  public double screenX(double x, double width) {
    return (x - centerX) * scale + width / 2;
  }

  /**
   * @param y projected y
   * @param height view height in pixels
   * @return the screen y of {@code y}
   */
  public double screenY(double y, double height) {
    return (centerY - y) * scale + height / 2;
  }

  /**
   * @param screenX screen x in pixels
   * @param width view width in pixels
   * @return the projected x shown at {@code screenX}
   */
  public double projectedX(double screenX, double width) {
    return centerX + (screenX - width / 2) / scale;
  }

  /**
   * @param screenY screen y in pixels
   * @param height view height in pixels
   * @return the projected y shown at {@code screenY}
   */
  public double projectedY(double screenY, double height) {
    return centerY - (screenY - height / 2) / scale;
  }

  /**
   * Zooms by {@code factor} while the projected point under the given screen point stays
   * where it is, which is what a mouse wheel or a pinch should do.
   *
   * @param factor more than one zooms in
   * @param screenX the fixed point's screen x
   * @param screenY the fixed point's screen y
   * @param width view width
   * @param height view height
   * @return the zoomed viewport
   */
  public MapViewport zoomedAt(double factor, double screenX, double screenY, double width,
      double height) {
    double x = projectedX(screenX, width);
    double y = projectedY(screenY, height);
    double newScale = scale * factor;
    return new MapViewport(x - (screenX - width / 2) / newScale,
        y + (screenY - height / 2) / newScale, newScale);
  }

  /**
   * Moves the view so that the content follows a drag of {@code (dxPx, dyPx)} pixels.
   *
   * @param dxPx horizontal drag in pixels, positive to the right
   * @param dyPx vertical drag in pixels, positive downwards
   * @return the panned viewport
   */
  public MapViewport pannedBy(double dxPx, double dyPx) {
    return new MapViewport(centerX - dxPx / scale, centerY + dyPx / scale, scale);
  }

  /**
   * @param newCenterX projected x to centre on
   * @param newCenterY projected y to centre on
   * @return this viewport centred elsewhere at the same scale
   */
  public MapViewport centeredOn(double newCenterX, double newCenterY) {
    return new MapViewport(newCenterX, newCenterY, scale);
  }

  /**
   * Keeps the scale within limits and the centre inside {@code world}, so that the map can
   * never be zoomed to nothing or dragged off screen.
   *
   * @param scaleMin smallest allowed scale
   * @param scaleMax largest allowed scale
   * @param world the centre is kept inside these bounds
   * @return a viewport within the limits ({@code this} if already inside)
   */
  public MapViewport constrained(double scaleMin, double scaleMax, ProjectedBounds world) {
    double newScale = Math.max(scaleMin, Math.min(scaleMax, scale));
    double newCenterX = Math.max(world.minX(), Math.min(world.maxX(), centerX));
    double newCenterY = Math.max(world.minY(), Math.min(world.maxY(), centerY));
    if (newScale == scale && newCenterX == centerX && newCenterY == centerY) {
      return this;
    }
    return new MapViewport(newCenterX, newCenterY, newScale);
  }

  /**
   * Interpolates between two viewports for a smooth transition. The scale moves
   * geometrically, so a zoom by 16 looks as even as a zoom by 2.
   *
   * @param target where the transition ends
   * @param fraction 0 gives {@code this}, 1 gives {@code target}
   * @return the viewport part-way
   */
  public MapViewport interpolate(MapViewport target, double fraction) {
    double f = Math.max(0, Math.min(1, fraction));
    double newScale = scale * Math.pow(target.scale / scale, f);
    return new MapViewport(centerX + (target.centerX - centerX) * f,
        centerY + (target.centerY - centerY) * f, newScale);
  }
}

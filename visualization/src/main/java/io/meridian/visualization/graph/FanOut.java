package io.meridian.visualization.graph;

import java.util.Arrays;

/**
 * Spreads regions that would overlap on screen onto a small circle around their common
 * place, so that Frankfurt's three providers show as three markers rather than one.
 *
 * <p>Works in screen pixels at a given scale: regions closer than {@link
 * #separationPx()} on screen are grouped (transitively), and each group of two or more is
 * laid out evenly on a circle around the group's centre, in region order, starting at the
 * top. Zooming in separates regions naturally and the fan shrinks away. The result is an
 * offset in pixels per region, written into arrays this object owns and reuses, so a call
 * allocates nothing once it has seen the region count.
 */
public final class FanOut {

  private final double separationPx;
  private double[] offsetX = new double[0];
  private double[] offsetY = new double[0];
  private int[] parent = new int[0];
  private int[] groupSize = new int[0];
  private int[] groupSlot = new int[0];
  private double[] groupSumX = new double[0];
  private double[] groupSumY = new double[0];

  /**
   * @param separationPx the smallest distance kept between markers on screen
   * @throws IllegalArgumentException if not positive
   */
  public FanOut(double separationPx) {
    if (!(separationPx > 0)) {
      throw new IllegalArgumentException("separation must be positive, got " + separationPx);
    }
    this.separationPx = separationPx;
  }

  /** @return the smallest distance kept between markers on screen, in pixels */
  public double separationPx() {
    return separationPx;
  }

  /**
   * Computes the offsets.
   *
   * @param xy projected points as {@code x0, y0, x1, y1, ...} ({@code y} north)
   * @param count how many points to read
   * @param scale pixels per projected unit
   */
  public void compute(double[] xy, int count, double scale) {
    ensureCapacity(count);
    Arrays.fill(offsetX, 0, count, 0);
    Arrays.fill(offsetY, 0, count, 0);
    if (count < 2) {
      return;
    }
    for (int i = 0; i < count; i++) {
      parent[i] = i;
    }
    groupPairs(xy, count, separationPx / scale);
    Arrays.fill(groupSize, 0, count, 0);
    Arrays.fill(groupSumX, 0, count, 0);
    Arrays.fill(groupSumY, 0, count, 0);
    for (int i = 0; i < count; i++) {
      int root = find(i);
      groupSlot[i] = groupSize[root]++;
      groupSumX[root] += xy[2 * i];
      groupSumY[root] += xy[2 * i + 1];
    }
    for (int i = 0; i < count; i++) {
      int root = find(i);
      int size = groupSize[root];
      if (size < 2) {
        continue;
      }
      double centreX = groupSumX[root] / size;
      double centreY = groupSumY[root] / size;
      // Circumference must hold `size` markers `separationPx` apart.
      double radius = Math.max(separationPx * 0.75, size * separationPx / (2 * Math.PI));
      double angle = -Math.PI / 2 + 2 * Math.PI * groupSlot[i] / size;
      offsetX[i] = (centreX - xy[2 * i]) * scale + radius * Math.cos(angle);
      offsetY[i] = (xy[2 * i + 1] - centreY) * scale + radius * Math.sin(angle);
    }
  }

  /**
   * @param region region index
   * @return how far to move the region's marker right, in pixels
   */
  public double offsetX(int region) {
    return offsetX[region];
  }

  /**
   * @param region region index
   * @return how far to move the region's marker down, in pixels
   */
  public double offsetY(int region) {
    return offsetY[region];
  }

  private void groupPairs(double[] xy, int count, double separation) {
    // All pairs: 20,000 distance checks for 200 regions, run only when the scale changes.
    // That is cheaper than building a spatial index, and allocates nothing.
    double separationSquared = separation * separation;
    for (int i = 0; i < count; i++) {
      double x = xy[2 * i];
      double y = xy[2 * i + 1];
      for (int j = i + 1; j < count; j++) {
        double dx = x - xy[2 * j];
        double dy = y - xy[2 * j + 1];
        if (dx * dx + dy * dy < separationSquared) {
          union(i, j);
        }
      }
    }
  }

  private int find(int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  private void union(int i, int j) {
    int rootI = find(i);
    int rootJ = find(j);
    if (rootI != rootJ) {
      // The smaller index stays root so groups are numbered in region order.
      parent[Math.max(rootI, rootJ)] = Math.min(rootI, rootJ);
    }
  }

  private void ensureCapacity(int count) {
    if (offsetX.length >= count) {
      return;
    }
    offsetX = new double[count];
    offsetY = new double[count];
    parent = new int[count];
    groupSize = new int[count];
    groupSlot = new int[count];
    groupSumX = new double[count];
    groupSumY = new double[count];
  }
}

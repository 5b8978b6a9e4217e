package io.meridian.visualization.projection;

/**
 * The Equal Earth projection (Šavrič, Patterson and Jenny, 2018): equal-area, with
 * straight parallels and a shape close to Robinson, and a closed-form forward formula.
 *
 * <p>Forward, with {@code λ} and {@code φ} in radians and {@code θ = asin(√3/2 · sin φ)}:
 * <pre>
 *   x = 2√3 · λ · cos θ / (3 · (9·A4·θ⁸ + 7·A3·θ⁶ + 3·A2·θ² + A1))
 *   y = A4·θ⁹ + A3·θ⁷ + A2·θ³ + A1·θ
 * </pre>
 * The inverse solves {@code y(θ)} by Newton's method, which converges in a handful of steps
 * because {@code y} is smooth and monotonic in {@code θ}.
 *
 * <p>Stateless and thread-safe; use {@link #INSTANCE}.
 */
public final class EqualEarthProjection implements MapProjection {

  /** The shared instance. */
  public static final EqualEarthProjection INSTANCE = new EqualEarthProjection();

  private static final double A1 = 1.340264;
  private static final double A2 = -0.081106;
  private static final double A3 = 0.000893;
  private static final double A4 = 0.003796;
  private static final double M = Math.sqrt(3) / 2;
  private static final double NEWTON_EPSILON = 1e-12;
  private static final int NEWTON_ITERATIONS_MAX = 20;

  /** The largest |x|: the equator at ±180 degrees. */
  public static final double X_MAX = 2 * Math.sqrt(3) * Math.PI / (3 * A1);

  /** The largest |y|: the poles, where θ = π/3. */
  public static final double Y_MAX = polynomialY(Math.PI / 3);

  private static final ProjectedBounds WORLD = new ProjectedBounds(-X_MAX, -Y_MAX, X_MAX, Y_MAX);

  private EqualEarthProjection() {}

  @Override
  public void project(double longitudeDegrees, double latitudeDegrees, double[] out, int offset) {
    double lambda = Math.toRadians(longitudeDegrees);
    double theta = Math.asin(M * Math.sin(Math.toRadians(latitudeDegrees)));
    double theta2 = theta * theta;
    double theta6 = theta2 * theta2 * theta2;
    out[offset] = 2 * Math.sqrt(3) * lambda * Math.cos(theta)
        / (3 * (9 * A4 * theta6 * theta2 + 7 * A3 * theta6 + 3 * A2 * theta2 + A1));
    out[offset + 1] = theta * (A1 + A2 * theta2 + theta6 * (A3 + A4 * theta2));
  }

  @Override
  public boolean invert(double x, double y, double[] out, int offset) {
    if (Math.abs(y) > Y_MAX + 1e-12) {
      return false;
    }
    double theta = y / A1;
    for (int i = 0; i < NEWTON_ITERATIONS_MAX; i++) {
      double theta2 = theta * theta;
      double theta6 = theta2 * theta2 * theta2;
      double error = theta * (A1 + A2 * theta2 + theta6 * (A3 + A4 * theta2)) - y;
      double slope = A1 + 3 * A2 * theta2 + theta6 * (7 * A3 + 9 * A4 * theta2);
      double step = error / slope;
      theta -= step;
      if (Math.abs(step) < NEWTON_EPSILON) {
        break;
      }
    }
    double theta2 = theta * theta;
    double theta6 = theta2 * theta2 * theta2;
    double lambda = 3 * x * (9 * A4 * theta6 * theta2 + 7 * A3 * theta6 + 3 * A2 * theta2 + A1)
        / (2 * Math.sqrt(3) * Math.cos(theta));
    if (Math.abs(lambda) > Math.PI + 1e-9) {
      return false;
    }
    double sinPhi = Math.max(-1, Math.min(1, Math.sin(theta) / M));
    out[offset] = Math.toDegrees(lambda);
    out[offset + 1] = Math.toDegrees(Math.asin(sinPhi));
    return true;
  }

  @Override
  public ProjectedBounds worldBounds() {
    return WORLD;
  }

  private static double polynomialY(double theta) {
    double theta2 = theta * theta;
    double theta6 = theta2 * theta2 * theta2;
    return theta * (A1 + A2 * theta2 + theta6 * (A3 + A4 * theta2));
  }
}

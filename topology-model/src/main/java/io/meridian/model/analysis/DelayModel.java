package io.meridian.model.analysis;

/**
 * The distribution of a link's one-way delay. Every model is a fixed shift plus a random excess
 * scaled by the link's jitter: {@code delay = shift + jitter * X}, where {@code X} has mean 1 and
 * standard deviation 1 and {@code shift = max(0, rtt/2 - jitter)}. So each hop's one-way delay has
 * mean {@code rtt/2} and standard deviation {@code jitter}, as the link declares, and never goes
 * below {@code rtt/2 - jitter}. (When the jitter exceeds half the round trip the shift is clamped
 * at zero and the mean becomes {@code 2 * jitter}.)
 *
 * <p>Samples are drawn by inverse-transform sampling from a table of {@value #TABLE_SIZE} equally
 * spaced quantiles of {@code X}, so the tail beyond the {@code 1 - 1/(2 * TABLE_SIZE)} quantile
 * (99.997%) of a single hop is cut off.
 */
public enum DelayModel {
  /**
   * {@code X} lognormal with mean 1 and standard deviation 1 ({@code sigma^2 = ln 2},
   * {@code mu = -ln 2 / 2}): right-skewed with a heavier tail than the exponential, the usual fit
   * for wide-area delays. The default.
   */
  SHIFTED_LOGNORMAL("shifted-lognormal"),
  /**
   * {@code X} exponential with rate 1: the memoryless model of the PBS paper, for which several
   * results have a closed form.
   */
  SHIFTED_EXPONENTIAL("shifted-exponential");

  /** How many quantiles of {@code X} the sampling table holds. */
  public static final int TABLE_SIZE = 16384;

  private static final double LOGNORMAL_SIGMA = Math.sqrt(Math.log(2));
  private static final double LOGNORMAL_MU = -Math.log(2) / 2;

  private final String label;
  private volatile double[] table;

  DelayModel(String label) {
    this.label = label;
  }

  /** The name used in options and output, e.g. {@code shifted-lognormal}. */
  public String label() {
    return label;
  }

  /** Parses a label; null when unknown. */
  public static DelayModel fromLabel(String text) {
    for (DelayModel model : values()) {
      if (model.label.equals(text)) {
        return model;
      }
    }
    return null;
  }

  /** The {@code p}-quantile of the unit excess {@code X}, for {@code 0 < p < 1}. */
  public double unitQuantile(double p) {
    return switch (this) {
      case SHIFTED_LOGNORMAL -> Math.exp(LOGNORMAL_MU + LOGNORMAL_SIGMA * inverseNormal(p));
      case SHIFTED_EXPONENTIAL -> -Math.log1p(-p);
    };
  }

  /** The probability that the unit excess {@code X} is at most {@code x}. */
  public double unitCdf(double x) {
    if (x <= 0) {
      return 0;
    }
    return switch (this) {
      case SHIFTED_LOGNORMAL -> normalCdf((Math.log(x) - LOGNORMAL_MU) / LOGNORMAL_SIGMA);
      case SHIFTED_EXPONENTIAL -> -Math.expm1(-x);
    };
  }

  /** The one-way shift of a link with this round trip and jitter, in milliseconds. */
  public static double shiftMs(double rttMs, double jitterMs) {
    return Math.max(0, rttMs / 2 - jitterMs);
  }

  /** The quantile table; index with a uniform integer in [0, TABLE_SIZE). */
  double[] table() {
    double[] current = table;
    if (current == null) {
      current = new double[TABLE_SIZE];
      for (int i = 0; i < TABLE_SIZE; i++) {
        current[i] = unitQuantile((i + 0.5) / TABLE_SIZE);
      }
      table = current;
    }
    return current;
  }

  @Override
  public String toString() {
    return label;
  }

  /**
   * The standard normal quantile, by Acklam's rational approximation (relative error below
   * 1.2e-9), which is far finer than the Monte Carlo error it feeds.
   */
  static double inverseNormal(double p) {
    if (p <= 0 || p >= 1) {
      throw new IllegalArgumentException("probability must be strictly between 0 and 1, was " + p);
    }
    final double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
        1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    final double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
        6.680131188771972e+01, -1.328068155288572e+01};
    final double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
        -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    final double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
        3.754408661907416e+00};
    final double low = 0.02425;
    if (p < low) {
      double q = Math.sqrt(-2 * Math.log(p));
      return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
          / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - low) {
      double q = Math.sqrt(-2 * Math.log1p(-p));
      return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
          / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    double q = p - 0.5;
    double r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }

  /** The standard normal distribution function (Abramowitz and Stegun 7.1.26 via erf). */
  static double normalCdf(double z) {
    double x = Math.abs(z) / Math.sqrt(2);
    double t = 1 / (1 + 0.3275911 * x);
    double erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
        + 0.254829592) * t * Math.exp(-x * x);
    return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
  }
}

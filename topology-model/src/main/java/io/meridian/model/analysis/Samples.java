package io.meridian.model.analysis;

import java.util.Arrays;
import java.util.List;

/**
 * Combinators over Monte Carlo sample arrays, and their summaries. An array of length one is a
 * constant and combines exactly; otherwise arrays have the run's sample count and are combined
 * element by element (sample {@code i} of a sum is the sum of the samples {@code i}).
 */
final class Samples {
  /** Confidence of the reported quantile intervals. */
  static final double CONFIDENCE = 0.95;
  private static final double Z = 1.959963984540054;

  private Samples() {}

  static double at(double[] values, int i) {
    return values.length == 1 ? values[0] : values[i];
  }

  static boolean constant(double[] values) {
    return values.length == 1;
  }

  static double[] constant(double value) {
    return new double[] {value};
  }

  /** The element-wise sum of independent variables. */
  static double[] plus(double[] x, double[] y) {
    if (x.length == 1 && y.length == 1) {
      return new double[] {x[0] + y[0]};
    }
    if (y.length == 1 && y[0] == 0) {
      return x;
    }
    if (x.length == 1 && x[0] == 0) {
      return y;
    }
    int n = Math.max(x.length, y.length);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = at(x, i) + at(y, i);
    }
    return out;
  }

  /**
   * The {@code k}-th smallest (1-based) of independent variables, sample by sample: the time the
   * k-th acknowledgement arrives.
   */
  static double[] kthSmallest(List<double[]> variables, int k) {
    if (k < 1 || k > variables.size()) {
      throw new IllegalArgumentException("cannot take the " + k + "th smallest of "
          + variables.size() + " values");
    }
    int n = 1;
    for (double[] v : variables) {
      n = Math.max(n, v.length);
    }
    int m = variables.size();
    double[][] columns = new double[m][];
    for (int j = 0; j < m; j++) {
      double[] v = variables.get(j);
      if (v.length == n) {
        columns[j] = v;
      } else {
        columns[j] = new double[n];
        Arrays.fill(columns[j], v[0]);
      }
    }
    double[] out = new double[n];
    if (k == 1 || k == m) {
      System.arraycopy(columns[0], 0, out, 0, n);
      for (int j = 1; j < m; j++) {
        double[] column = columns[j];
        for (int i = 0; i < n; i++) {
          out[i] = k == 1 ? Math.min(out[i], column[i]) : Math.max(out[i], column[i]);
        }
      }
      return out;
    }
    double[] scratch = new double[m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        scratch[j] = columns[j][i];
      }
      out[i] = select(scratch, m, k);
    }
    return out;
  }

  /** The k-th smallest of the first m values (partial insertion sort; m is a replica count). */
  static double select(double[] values, int m, int k) {
    for (int i = 1; i < m; i++) {
      double v = values[i];
      int j = i - 1;
      while (j >= 0 && values[j] > v) {
        values[j + 1] = values[j];
        j--;
      }
      values[j + 1] = v;
    }
    return values[k - 1];
  }

  static double mean(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum / values.length;
  }

  /** The values in ascending order (a copy; a constant stays a constant). */
  static double[] sorted(double[] values) {
    double[] copy = values.clone();
    Arrays.sort(copy);
    return copy;
  }

  /** The empirical {@code p}-quantile of sorted values: the ceil(n p)-th smallest. */
  static double quantile(double[] sorted, double p) {
    int n = sorted.length;
    int index = (int) Math.ceil(n * p) - 1;
    return sorted[Math.max(0, Math.min(n - 1, index))];
  }

  /**
   * A distribution-free {@value #CONFIDENCE} confidence interval for the {@code p}-quantile: the
   * order statistics at {@code n p -/+ 1.96 sqrt(n p (1 - p))}, from the normal approximation to
   * the binomial count of samples below the true quantile.
   */
  static Interval quantileInterval(double[] sorted, double p) {
    if (sorted.length == 1) {
      return new Interval(sorted[0], sorted[0]);
    }
    int[] at = indices(sorted.length, p);
    return new Interval(sorted[at[0]], sorted[at[2]]);
  }

  /** The fraction of sorted values at most {@code x}. */
  static double cdf(double[] sorted, double x) {
    int index = Arrays.binarySearch(sorted, x);
    if (index >= 0) {
      while (index + 1 < sorted.length && sorted[index + 1] == x) {
        index++;
      }
      return (index + 1) / (double) sorted.length;
    }
    return (-index - 1) / (double) sorted.length;
  }

  /**
   * The Dvoretzky-Kiefer-Wolfowitz bound: with {@value #CONFIDENCE} confidence an empirical
   * distribution function of {@code n} samples is everywhere within this of the true one.
   */
  static double curveErrorBound(int n) {
    if (n <= 1) {
      return 0;
    }
    return Math.sqrt(Math.log(2 / (1 - CONFIDENCE)) / (2.0 * n));
  }

  /**
   * The p50 and p99 with their intervals, and the floor. Only the order statistics these need are
   * put in place (two selections and two short sorts), which is several times faster than sorting
   * every sample; the figures are the same as from a full sort.
   */
  static Latency latency(double[] values, double floorMs, String route) {
    if (values.length == 1) {
      Interval point = new Interval(values[0], values[0]);
      return new Latency(values[0], values[0], point, point, floorMs, route);
    }
    double[] a = values.clone();
    int n = a.length;
    int[] median = indices(n, 0.5);
    int[] tail = indices(n, 0.99);
    placeSorted(a, 0, n - 1, median[0], median[2]);
    placeSorted(a, median[2] + 1, n - 1, Math.max(tail[0], median[2] + 1),
        Math.max(tail[2], median[2] + 1));
    return new Latency(a[median[1]], a[tail[1]], new Interval(a[median[0]], a[median[2]]),
        new Interval(a[tail[0]], a[tail[2]]), floorMs, route);
  }

  /** The indices of the interval's low end, the quantile and the high end, for n samples. */
  static int[] indices(int n, double p) {
    double spread = Z * Math.sqrt(n * p * (1 - p));
    int quantile = Math.max(0, Math.min(n - 1, (int) Math.ceil(n * p) - 1));
    int low = Math.max(0, Math.min(quantile, (int) Math.floor(n * p - spread) - 1));
    int high = Math.min(n - 1, Math.max(quantile, (int) Math.ceil(n * p + spread) - 1));
    return new int[] {low, quantile, high};
  }

  /**
   * Rearranges {@code a[lo..hi]} so that positions {@code from..to} hold, in order, the values a
   * full sort of that range would put there.
   */
  static void placeSorted(double[] a, int lo, int hi, int from, int to) {
    if (from > to || lo > hi) {
      return;
    }
    select(a, lo, hi, from);
    select(a, from, hi, to);
    Arrays.sort(a, from, to + 1);
  }

  /** Hoare's quickselect: afterwards a[k] is in its sorted place within a[lo..hi]. */
  private static void select(double[] a, int lo, int hi, int k) {
    while (hi > lo) {
      int mid = (lo + hi) >>> 1;
      double x = a[lo];
      double y = a[mid];
      double z = a[hi];
      double pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          double swap = a[i];
          a[i] = a[j];
          a[j] = swap;
          i++;
          j--;
        }
      }
      if (k <= j) {
        hi = j;
      } else if (k >= i) {
        lo = i;
      } else {
        return;
      }
    }
  }
}

package io.meridian.visualization.chart;

import java.util.Arrays;
import java.util.Objects;

/**
 * One t-visibility curve: the probability that a read issued {@code t} milliseconds after a
 * write returns that write (or a newer one), at increasing {@code t}, as the analysis
 * predicts it for one region or consistency level.
 *
 * @param name legend text, e.g. "Tokyo, eventual"
 * @param timesMs milliseconds after the write, ascending, non-negative
 * @param probabilities the matching probabilities, each within 0..1
 */
public record VisibilitySeries(String name, double[] timesMs, double[] probabilities) {

  /** The most points a curve may have; analyses sample far fewer. */
  public static final int POINTS_MAX = 2_000;

  /**
   * Checks and copies the arrays.
   *
   * @throws IllegalArgumentException if the arrays differ in length, hold more than {@value
   *     #POINTS_MAX} points, or break the ranges above
   */
  public VisibilitySeries {
    Objects.requireNonNull(name, "name");
    timesMs = timesMs.clone();
    probabilities = probabilities.clone();
    if (timesMs.length != probabilities.length) {
      throw new IllegalArgumentException("curve '" + name + "' has " + timesMs.length
          + " times but " + probabilities.length + " probabilities");
    }
    if (timesMs.length > POINTS_MAX) {
      throw new IllegalArgumentException("curve '" + name + "' has " + timesMs.length
          + " points, more than " + POINTS_MAX + "; sample it more coarsely");
    }
    for (int i = 0; i < timesMs.length; i++) {
      if (!(timesMs[i] >= 0) || Double.isInfinite(timesMs[i])
          || (i > 0 && timesMs[i] < timesMs[i - 1])) {
        throw new IllegalArgumentException("curve '" + name + "': times must be finite,"
            + " non-negative and ascending; point " + i + " is " + timesMs[i]);
      }
      if (!(probabilities[i] >= 0 && probabilities[i] <= 1)) {
        throw new IllegalArgumentException("curve '" + name + "': probability at point " + i
            + " is " + probabilities[i] + ", outside 0..1");
      }
    }
  }

  /** @return a copy of the times */
  @Override
  public double[] timesMs() {
    return timesMs.clone();
  }

  /** @return a copy of the probabilities */
  @Override
  public double[] probabilities() {
    return probabilities.clone();
  }

  /** @return how many points */
  public int size() {
    return timesMs.length;
  }

  /**
   * The first time at which the curve reaches {@code probability}.
   *
   * @param probability the level, e.g. 0.999
   * @return milliseconds after the write, or {@code NaN} if never reached
   */
  public double timeToReachMs(double probability) {
    for (int i = 0; i < timesMs.length; i++) {
      if (probabilities[i] >= probability) {
        return timesMs[i];
      }
    }
    return Double.NaN;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof VisibilitySeries series && name.equals(series.name)
        && Arrays.equals(timesMs, series.timesMs)
        && Arrays.equals(probabilities, series.probabilities);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, Arrays.hashCode(timesMs), Arrays.hashCode(probabilities));
  }

  @Override
  public String toString() {
    return "VisibilitySeries[" + name + ", " + timesMs.length + " points]";
  }
}

package io.meridian.model.analysis;

/**
 * A predicted latency distribution, summarised.
 *
 * @param p50Ms median, in milliseconds
 * @param p99Ms 99th percentile, in milliseconds
 * @param p50CiMs 95% confidence interval of the median's Monte Carlo estimate (a point when the
 *     prediction is exact)
 * @param p99CiMs 95% confidence interval of the 99th percentile's Monte Carlo estimate
 * @param floorMs the same operation with every hop at the speed of light in fibre over its great
 *     circle: no design on these paths can do better
 * @param route the regions the operation crosses, e.g. {@code eu-west > us-east, then 2 of 3 acks}
 */
public record Latency(
    double p50Ms, double p99Ms, Interval p50CiMs, Interval p99CiMs, double floorMs, String route) {

  /** How many times the floor the median is; 1 is the physical limit. */
  public double p50OverFloor() {
    return floorMs > 0 ? p50Ms / floorMs : (p50Ms > 0 ? Double.POSITIVE_INFINITY : 1);
  }
}

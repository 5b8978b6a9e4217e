package io.meridian.agent.core.health;

import io.meridian.agent.core.Invariants;

/**
 * The phi-accrual failure detector (Hayashibara et al., 2004, in the form Akka and Cassandra
 * use): instead of a yes/no timeout it says how sure it is that a peer is down, as {@code phi =
 * -log10(P(a message is still to come after this long))}, from the mean and deviation of recent
 * inter-arrival times. phi 1 means a 10% chance of being wrong, phi 8 one in 10^8.
 *
 * <p>Bounded: it keeps at most {@code intervalsMax} intervals in a ring. Pure: time is passed in.
 */
public final class PhiAccrualFailureDetector {
  private final long[] intervals;
  private final long minStdDeviationMillis;
  private final long acceptablePauseMillis;
  private int count;
  private int next;
  private double sum;
  private double sumOfSquares;
  private long lastArrivalMillis = -1;

  /**
   * A detector expecting messages about every {@code firstIntervalEstimateMillis}.
   *
   * @param intervalsMax how many recent inter-arrival intervals to keep
   * @param firstIntervalEstimateMillis the interval assumed before any was measured
   * @param minStdDeviationMillis floor of the deviation, so a very regular peer is not declared
   *     down at its first small delay
   * @param acceptablePauseMillis added to the mean: pauses (GC, a busy machine) tolerated as normal
   */
  public PhiAccrualFailureDetector(int intervalsMax, long firstIntervalEstimateMillis, long minStdDeviationMillis,
      long acceptablePauseMillis) {
    Invariants.check(intervalsMax >= 2 && firstIntervalEstimateMillis > 0 && minStdDeviationMillis > 0
        && acceptablePauseMillis >= 0, "invalid failure detector settings %d %d %d %d", intervalsMax,
        firstIntervalEstimateMillis, minStdDeviationMillis, acceptablePauseMillis);
    this.intervals = new long[intervalsMax];
    this.minStdDeviationMillis = minStdDeviationMillis;
    this.acceptablePauseMillis = acceptablePauseMillis;
    // Seed with two samples around the estimate, so the first heartbeats already give a sane phi.
    record(firstIntervalEstimateMillis - firstIntervalEstimateMillis / 4);
    record(firstIntervalEstimateMillis + firstIntervalEstimateMillis / 4);
  }

  /** A message from the peer arrived at {@code nowMillis}. */
  public void heartbeat(long nowMillis) {
    if (lastArrivalMillis >= 0 && nowMillis > lastArrivalMillis) {
      record(nowMillis - lastArrivalMillis);
    }
    lastArrivalMillis = Math.max(lastArrivalMillis, nowMillis);
  }

  /** Whether any message arrived yet. */
  public boolean heardAny() {
    return lastArrivalMillis >= 0;
  }

  /** The suspicion level at {@code nowMillis}; 0 before the first message. */
  public double phi(long nowMillis) {
    if (lastArrivalMillis < 0) {
      return 0;
    }
    double mean = sum / count + acceptablePauseMillis;
    double variance = Math.max(0, sumOfSquares / count - (sum / count) * (sum / count));
    double deviation = Math.max(Math.sqrt(variance), minStdDeviationMillis);
    double elapsed = nowMillis - lastArrivalMillis;
    // Logistic approximation of the normal distribution's tail (error under 0.02%), as Akka uses.
    double y = (elapsed - mean) / deviation;
    double e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
    double phi = elapsed > mean ? -Math.log10(e / (1.0 + e)) : -Math.log10(1.0 - 1.0 / (1.0 + e));
    return Double.isFinite(phi) ? Math.max(0, phi) : Double.MAX_VALUE;
  }

  /** The mean inter-arrival interval measured so far. */
  public double meanIntervalMillis() {
    return sum / count;
  }

  private void record(long intervalMillis) {
    if (count == intervals.length) {
      long evicted = intervals[next];
      sum -= evicted;
      sumOfSquares -= (double) evicted * evicted;
    } else {
      count++;
    }
    intervals[next] = intervalMillis;
    next = (next + 1) % intervals.length;
    sum += intervalMillis;
    sumOfSquares += (double) intervalMillis * intervalMillis;
  }
}

package io.meridian.app.client;

import java.util.List;
import java.util.Map;

/**
 * What a load run measured. Latencies are in microseconds, measured from each operation's
 * intended start (so a stalled generator or agent shows as latency, not as a lower rate).
 *
 * @param options what was asked for
 * @param elapsedSeconds how long operations were issued
 * @param writes writes answered successfully
 * @param reads reads answered successfully
 * @param errors operations answered with an error or not answered before the drain deadline
 * @param shed operations not sent because {@link LoadOptions#inFlightMax()} were in flight, or
 *     during a back-off after a region refused a write with RESOURCE_EXHAUSTED
 * @param writeLatency write latency percentiles
 * @param readLatency read latency percentiles
 * @param lagByRegion replication lag percentiles per region the probes were awaited at, from
 *     the probe's commit at the primary until a read there finds it
 * @param lagAll the same over all regions
 * @param probesSent lag probes written
 * @param probesNotVisible probe reads at a replica that gave up (the key was not visible there
 *     within {@link LoadGenerator#PROBE_TIMEOUT}), at most probes times replicas
 * @param errorSamples the first few error messages, with counts
 */
public record LoadResult(LoadOptions options, double elapsedSeconds, long writes, long reads,
    long errors, long shed, Percentiles writeLatency, Percentiles readLatency,
    Map<String, Percentiles> lagByRegion, Percentiles lagAll, long probesSent,
    long probesNotVisible, List<String> errorSamples) {

  /** Successful operations per second over the run. */
  public double achievedOpsPerSecond() {
    return elapsedSeconds <= 0 ? 0 : (writes + reads) / elapsedSeconds;
  }

  /**
   * Percentiles of one histogram, in milliseconds.
   *
   * @param count samples
   * @param p50Millis median
   * @param p90Millis 90th percentile
   * @param p99Millis 99th percentile
   * @param p999Millis 99.9th percentile
   * @param maxMillis largest
   * @param meanMillis mean
   */
  public record Percentiles(long count, double p50Millis, double p90Millis, double p99Millis,
      double p999Millis, double maxMillis, double meanMillis) {

    /** No samples. */
    public static final Percentiles EMPTY = new Percentiles(0, 0, 0, 0, 0, 0, 0);

    /** Reads a histogram recorded in microseconds. */
    public static Percentiles of(org.HdrHistogram.Histogram micros) {
      if (micros.getTotalCount() == 0) {
        return EMPTY;
      }
      return new Percentiles(micros.getTotalCount(),
          micros.getValueAtPercentile(50) / 1000.0, micros.getValueAtPercentile(90) / 1000.0,
          micros.getValueAtPercentile(99) / 1000.0, micros.getValueAtPercentile(99.9) / 1000.0,
          micros.getMaxValue() / 1000.0, micros.getMean() / 1000.0);
    }
  }
}

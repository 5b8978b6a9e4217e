package io.meridian.model.analysis;

import io.meridian.model.Invariants;
import io.meridian.model.RegionId;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What the analysis assumes beyond the topology: load, failures to rehearse and the Monte Carlo
 * settings.
 *
 * @param writeRatePerSecond writes per second to each dataset, for staleness in versions, RPO and
 *     bandwidth
 * @param valueBytes size of one written value in bytes
 * @param failedRegions regions taken down for the what-if (sorted, no duplicates)
 * @param cutLinks links cut for the what-if (sorted, no duplicates)
 * @param seed the Monte Carlo seed; the same seed gives the same figures
 * @param samples Monte Carlo samples per distribution
 * @param delayModel the distribution of a link's one-way delay
 * @param versionThresholds the {@code k} values for "more than k versions behind"
 * @param diskSyncMs how long one durable write to a replica's disk takes (an fsync), in
 *     milliseconds: a {@code sync} replica and a {@code consensus} follower force the write to
 *     disk before they answer, so a write there waits for one such sync after the network's round
 *     trip (ADR 0051). The same for every region of the analysis
 */
public record AnalysisOptions(
    double writeRatePerSecond,
    int valueBytes,
    List<RegionId> failedRegions,
    List<LinkRef> cutLinks,
    long seed,
    int samples,
    DelayModel delayModel,
    List<Long> versionThresholds,
    double diskSyncMs) {

  /** Default write rate per dataset. */
  public static final double DEFAULT_WRITE_RATE_PER_SECOND = 1000;
  /** Default value size. */
  public static final int DEFAULT_VALUE_BYTES = 1024;
  /** Default seed. */
  public static final long DEFAULT_SEED = 20120827L;
  /**
   * Default number of Monte Carlo samples per distribution: enough for p99 within about the
   * 98.4th to 99.6th percentile and curves within 0.043, and small enough to re-run on every edit.
   */
  public static final int DEFAULT_SAMPLES = 1000;
  /** Samples for a printed report, where a second of computing buys tighter intervals. */
  public static final int REPORT_SAMPLES = 10_000;
  /** Fewest samples accepted: below this the p99 interval is meaningless. */
  public static final int SAMPLES_MIN = 200;
  /** Most samples accepted, to bound memory (8 bytes per sample per cached distribution). */
  public static final int SAMPLES_MAX = 1_000_000;

  /**
   * Default time of one disk sync before a replica or follower answers, in milliseconds: the
   * median RocksDB write-ahead-log sync of the agents measured on this project's benchmark machine
   * (0.9-1.1 ms, sync writes traced hop by hop, ADR 0051). A log whose space is allocated ahead
   * syncs only its data; a bare append-and-force loop on the same disk takes 2-4 ms because each
   * append also commits the file's new length. A local NVMe disk syncs in well under a
   * millisecond, a cloud network volume in about 1-3 ms; {@code meridian analyze --disk-sync-ms}
   * sets another figure.
   */
  public static final double DEFAULT_DISK_SYNC_MS = 1.0;
  /** Largest disk sync accepted: beyond a second it is a failing disk, not a latency term. */
  public static final double DISK_SYNC_MS_MAX = 1000;

  /**
   * The defaults: 1000 writes/s of 1 KiB, no failures, 1000 samples, shifted lognormal, a disk
   * sync of {@value #DEFAULT_DISK_SYNC_MS} ms.
   */
  public static final AnalysisOptions DEFAULTS = new AnalysisOptions(DEFAULT_WRITE_RATE_PER_SECOND,
      DEFAULT_VALUE_BYTES, List.of(), List.of(), DEFAULT_SEED, DEFAULT_SAMPLES,
      DelayModel.SHIFTED_LOGNORMAL, List.of(1L, 10L, 100L), DEFAULT_DISK_SYNC_MS);

  /** Checks ranges, sorts and de-duplicates the failure lists. */
  public AnalysisOptions {
    Invariants.require(Double.isFinite(writeRatePerSecond) && writeRatePerSecond >= 0,
        "write rate must be zero or more writes per second, was %s", writeRatePerSecond);
    Invariants.require(valueBytes >= 0, "value size must be zero or more bytes, was %d",
        valueBytes);
    failedRegions = List.copyOf(new TreeSet<>(failedRegions == null ? List.of() : failedRegions));
    cutLinks = List.copyOf(new TreeSet<>(cutLinks == null ? List.of() : cutLinks));
    Invariants.require(samples >= SAMPLES_MIN && samples <= SAMPLES_MAX,
        "samples must be between %d and %d, was %d", SAMPLES_MIN, SAMPLES_MAX, samples);
    Invariants.notNull(delayModel, "delay model");
    versionThresholds = List.copyOf(new TreeSet<>(
        versionThresholds == null ? List.of() : versionThresholds));
    for (long k : versionThresholds) {
      Invariants.require(k >= 0, "version thresholds must be zero or more, was %d", k);
    }
    Invariants.require(Double.isFinite(diskSyncMs) && diskSyncMs >= 0 && diskSyncMs <= DISK_SYNC_MS_MAX,
        "disk sync time must be between 0 and %s ms, was %s", DISK_SYNC_MS_MAX, diskSyncMs);
  }

  public AnalysisOptions withWriteRatePerSecond(double value) {
    return new AnalysisOptions(value, valueBytes, failedRegions, cutLinks, seed, samples,
        delayModel, versionThresholds, diskSyncMs);
  }

  public AnalysisOptions withValueBytes(int value) {
    return new AnalysisOptions(writeRatePerSecond, value, failedRegions, cutLinks, seed, samples,
        delayModel, versionThresholds, diskSyncMs);
  }

  public AnalysisOptions withFailedRegions(List<RegionId> value) {
    return new AnalysisOptions(writeRatePerSecond, valueBytes, value, cutLinks, seed, samples,
        delayModel, versionThresholds, diskSyncMs);
  }

  public AnalysisOptions withCutLinks(List<LinkRef> value) {
    return new AnalysisOptions(writeRatePerSecond, valueBytes, failedRegions, value, seed, samples,
        delayModel, versionThresholds, diskSyncMs);
  }

  public AnalysisOptions withSeed(long value) {
    return new AnalysisOptions(writeRatePerSecond, valueBytes, failedRegions, cutLinks, value,
        samples, delayModel, versionThresholds, diskSyncMs);
  }

  public AnalysisOptions withSamples(int value) {
    return new AnalysisOptions(writeRatePerSecond, valueBytes, failedRegions, cutLinks, seed, value,
        delayModel, versionThresholds, diskSyncMs);
  }

  public AnalysisOptions withDelayModel(DelayModel value) {
    return new AnalysisOptions(writeRatePerSecond, valueBytes, failedRegions, cutLinks, seed,
        samples, value, versionThresholds, diskSyncMs);
  }

  public AnalysisOptions withVersionThresholds(List<Long> value) {
    return new AnalysisOptions(writeRatePerSecond, valueBytes, failedRegions, cutLinks, seed,
        samples, delayModel, value, diskSyncMs);
  }

  public AnalysisOptions withDiskSyncMs(double value) {
    return new AnalysisOptions(writeRatePerSecond, valueBytes, failedRegions, cutLinks, seed,
        samples, delayModel, versionThresholds, value);
  }

  /**
   * These options with failures added, each written as on the command line: a region id
   * ({@code eu-west}) or a link ({@code us-east~eu-west}).
   *
   * @throws IllegalArgumentException naming the entry when one is neither
   */
  public AnalysisOptions withFailures(List<String> specs) {
    List<RegionId> regions = new ArrayList<>(failedRegions);
    List<LinkRef> links = new ArrayList<>(cutLinks);
    for (String spec : specs) {
      String text = spec.trim();
      if (text.contains("~")) {
        links.add(LinkRef.parse(text));
      } else {
        Invariants.require(RegionId.isValid(text),
            "'%s' is neither a region id nor a link a~b", text);
        regions.add(RegionId.of(text));
      }
    }
    return withFailedRegions(regions).withCutLinks(links);
  }

  /** Whether the what-if has any failure in it. */
  public boolean hasFailures() {
    return !failedRegions.isEmpty() || !cutLinks.isEmpty();
  }
}

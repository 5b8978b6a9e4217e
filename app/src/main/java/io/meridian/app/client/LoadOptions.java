package io.meridian.app.client;

import io.meridian.agent.api.v1.ReadConsistency;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What {@link LoadGenerator} drives.
 *
 * @param dataset the dataset to load
 * @param ratePerSecond operations per second, issued open-loop at evenly spaced intended times
 * @param duration how long to issue operations
 * @param valueBytes size of each written value
 * @param readRatio share of operations that are reads, 0 to 1
 * @param regions regions whose agents receive the operations, in turn
 * @param primary the dataset's primary, where lag probes are written
 * @param replicas the dataset's other replicas, where lag probes are awaited
 * @param inFlightMax most operations sent and not answered; beyond it operations are shed
 * @param keySpace how many distinct keys operations pick from
 * @param lagProbesPerSecond how many keys per second are written at the primary and awaited at
 *     every other replica to measure replication lag
 * @param readConsistency the level each read asks for; {@code READ_CONSISTENCY_UNSPECIFIED}
 *     reads at the dataset's default. Levels the dataset's mode cannot honour are refused by
 *     the agents and counted as errors
 */
public record LoadOptions(String dataset, double ratePerSecond, Duration duration, int valueBytes,
    double readRatio, List<String> regions, String primary, List<String> replicas,
    int inFlightMax, int keySpace, double lagProbesPerSecond, ReadConsistency readConsistency) {

  /** Default bound on operations in flight. */
  public static final int IN_FLIGHT_MAX_DEFAULT = 20_000;
  /** Default number of distinct keys. */
  public static final int KEY_SPACE_DEFAULT = 100_000;
  /** Default lag probes per second. */
  public static final double LAG_PROBES_PER_SECOND_DEFAULT = 20;

  /** Checks the ranges. */
  public LoadOptions {
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(primary, "primary");
    Objects.requireNonNull(readConsistency, "readConsistency");
    regions = List.copyOf(regions);
    replicas = List.copyOf(replicas);
    if (!(ratePerSecond > 0) || ratePerSecond > 10_000_000) {
      throw new IllegalArgumentException("--rate must be between 1 and 10,000,000 per second");
    }
    if (duration.isNegative() || duration.isZero() || duration.toHours() > 24) {
      throw new IllegalArgumentException("--duration must be between 1 s and 24 h");
    }
    if (valueBytes < 0 || valueBytes > (1 << 20)) {
      throw new IllegalArgumentException("--value-bytes must be between 0 and 1 MiB");
    }
    if (readRatio < 0 || readRatio > 1) {
      throw new IllegalArgumentException("--read-ratio must be between 0 and 1");
    }
    if (regions.isEmpty()) {
      throw new IllegalArgumentException("no region to send operations to");
    }
    if (inFlightMax < 1 || keySpace < 1 || lagProbesPerSecond < 0 || lagProbesPerSecond > 1000) {
      throw new IllegalArgumentException("in-flight bound and key space must be positive, "
          + "lag probes between 0 and 1000 per second");
    }
  }

  /** Options whose reads use the dataset's default consistency level. */
  public LoadOptions(String dataset, double ratePerSecond, Duration duration, int valueBytes,
      double readRatio, List<String> regions, String primary, List<String> replicas,
      int inFlightMax, int keySpace, double lagProbesPerSecond) {
    this(dataset, ratePerSecond, duration, valueBytes, readRatio, regions, primary, replicas,
        inFlightMax, keySpace, lagProbesPerSecond, ReadConsistency.READ_CONSISTENCY_UNSPECIFIED);
  }
}

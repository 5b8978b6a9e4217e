package io.meridian.visualization.chart;

import io.meridian.visualization.graph.Status;
import java.util.Objects;

/**
 * One row of a {@link LatencyBars} chart: a predicted or measured latency for one region
 * beside its physical floor (the speed-of-light bound), with an optional status and note.
 *
 * @param label what the row is about, e.g. a region's display name
 * @param valueMs the latency in milliseconds, or {@code NaN} when unavailable (for example
 *     a region that cannot write during a partition)
 * @param floorMs the physical floor in milliseconds, or {@code NaN} when unknown
 * @param status colour and pattern of the bar, or {@code null} for neutral
 * @param note a short explanation shown after the figure, or {@code null}
 */
public record LatencyBar(String label, double valueMs, double floorMs, Status status,
    String note) {

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException if a figure is negative or infinite
   */
  public LatencyBar {
    Objects.requireNonNull(label, "label");
    if (valueMs < 0 || Double.isInfinite(valueMs)) {
      throw new IllegalArgumentException("latency of '" + label
          + "' must be a non-negative number of ms or NaN, got " + valueMs);
    }
    if (floorMs < 0 || Double.isInfinite(floorMs)) {
      throw new IllegalArgumentException("floor of '" + label
          + "' must be a non-negative number of ms or NaN, got " + floorMs);
    }
  }

  /**
   * @param label row label
   * @param valueMs latency
   * @param floorMs physical floor
   * @return a neutral row without note
   */
  public static LatencyBar of(String label, double valueMs, double floorMs) {
    return new LatencyBar(label, valueMs, floorMs, null, null);
  }

  /** @return whether the latency is known */
  public boolean isAvailable() {
    return !Double.isNaN(valueMs);
  }
}

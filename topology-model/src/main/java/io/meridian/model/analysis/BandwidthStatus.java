package io.meridian.model.analysis;

/** How close replication traffic comes to a link's capacity. */
public enum BandwidthStatus {
  /** Below {@link LinkAnalysis#NEAR_SATURATION} of capacity. */
  OK,
  /** At least {@link LinkAnalysis#NEAR_SATURATION} of capacity: queues and lag grow with bursts. */
  NEAR_SATURATION,
  /** At or above capacity: replication lag grows without bound. */
  SATURATED
}

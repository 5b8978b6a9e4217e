package io.meridian.agent.probe;

/**
 * How the consistency probes run (ADR 0022).
 *
 * @param intervalMillis pause between probe rounds (one write per dataset each); 0 turns probes off
 * @param pollIntervalMillis pause between the eventual reads that wait for a write to become
 *     visible: the visibility measurement's resolution
 * @param visibilityWaitMillis how long a round waits for its write to become visible everywhere;
 *     regions that did not show it by then count as unseen
 * @param requestTimeoutMillis deadline of each probe write and read
 */
public record ProbeSettings(long intervalMillis, long pollIntervalMillis, long visibilityWaitMillis,
    long requestTimeoutMillis) {
  /** One round a second, 10 ms resolution, 5 s wait, 2 s deadlines. */
  public static final ProbeSettings DEFAULTS = new ProbeSettings(1_000, 10, 5_000, 2_000);

  /** Validates ranges. */
  public ProbeSettings {
    if (intervalMillis < 0 || pollIntervalMillis < 1 || visibilityWaitMillis < 1 || requestTimeoutMillis < 1) {
      throw new IllegalArgumentException("probe settings out of range: interval " + intervalMillis
          + " ms (0 or more), poll " + pollIntervalMillis + " ms, wait " + visibilityWaitMillis + " ms, timeout "
          + requestTimeoutMillis + " ms (all positive)");
    }
  }

  /** The same with another interval. */
  public ProbeSettings withIntervalMillis(long interval) {
    return new ProbeSettings(interval, pollIntervalMillis, visibilityWaitMillis, requestTimeoutMillis);
  }

  /** Whether probes run. */
  public boolean enabled() {
    return intervalMillis > 0;
  }
}

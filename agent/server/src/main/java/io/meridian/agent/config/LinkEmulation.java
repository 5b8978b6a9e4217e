package io.meridian.agent.config;

/**
 * Wide-area link behaviour imposed on all traffic to one peer during rehearsals.
 *
 * @param oneWayDelayMillis added to every message
 * @param jitterMillis standard deviation of the one-way delay (normal, cut at three deviations and
 *     at zero), so the mean delay stays {@code oneWayDelayMillis}
 * @param bandwidthBytesPerSecond cap on throughput; zero means unlimited
 * @param lossRate share of packets lost, emulated as one retransmission delay
 */
public record LinkEmulation(
    long oneWayDelayMillis, long jitterMillis, long bandwidthBytesPerSecond, double lossRate) {

  /** No emulation: traffic flows at local speed. */
  public static final LinkEmulation NONE = new LinkEmulation(0, 0, 0, 0);

  /** Validates that every setting is non-negative and the loss rate is a share. */
  public LinkEmulation {
    if (oneWayDelayMillis < 0 || jitterMillis < 0 || bandwidthBytesPerSecond < 0) {
      throw new IllegalArgumentException("link emulation delays and bandwidth must not be negative");
    }
    if (lossRate < 0 || lossRate >= 1) {
      throw new IllegalArgumentException("link emulation loss rate must be in [0, 1), was " + lossRate);
    }
  }

  /** Whether any emulation applies. */
  public boolean enabled() {
    // Field by field rather than equals(NONE): the transport asks on every frame it sends, and a
    // record's generated equals goes through a method handle, which the agents' C1-only JIT does
    // not inline (2-5 % of a replica's samples, docs/benchmarks.md, session 10).
    return oneWayDelayMillis != 0 || jitterMillis != 0 || bandwidthBytesPerSecond != 0 || lossRate != 0;
  }
}

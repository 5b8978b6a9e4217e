package io.meridian.agent.transport;

import io.meridian.agent.config.LinkEmulation;
import java.util.Random;

/**
 * When a message sent now on one emulated link should reach the wire: after queueing behind
 * earlier messages at the link's bandwidth, the one-way delay and jitter, and, for a lost packet,
 * one retransmission timeout. Release times never go backwards, so the link keeps order as TCP
 * would. Used on the sending side of every peer stream, so both directions are emulated.
 */
final class LinkEmulator {
  /** Linux's minimum TCP retransmission timeout, charged for a lost packet. */
  static final long RETRANSMISSION_TIMEOUT_MILLIS_MIN = 200;
  /** Largest jitter applied, in standard deviations either side of the one-way delay. */
  static final double JITTER_DEVIATIONS_MAX = 3;

  private final LinkEmulation emulation;
  private final Random random;
  private long busyUntilNanos;
  private long lastReleaseNanos;
  private long lastUrgentReleaseNanos;

  LinkEmulator(LinkEmulation emulation, long seed) {
    this.emulation = emulation;
    this.random = new Random(seed);
  }

  /** The release time, on the {@code System.nanoTime} scale, of {@code bytes} sent at {@code nowNanos}. */
  long releaseAtNanos(long nowNanos, int bytes) {
    long start = Math.max(nowNanos, busyUntilNanos);
    long transmissionNanos = emulation.bandwidthBytesPerSecond() == 0 ? 0
        : bytes * 1_000_000_000L / emulation.bandwidthBytesPerSecond();
    busyUntilNanos = start + transmissionNanos;
    long delayNanos = emulation.oneWayDelayMillis() * 1_000_000L;
    if (emulation.jitterMillis() > 0) {
      // Jitter is the standard deviation of the one-way delay (as the topology defines it), so it
      // spreads delays around the link's delay without raising their mean; cut at three
      // deviations and at zero.
      double deviations = Math.max(-JITTER_DEVIATIONS_MAX, Math.min(JITTER_DEVIATIONS_MAX, random.nextGaussian()));
      delayNanos = Math.max(0, delayNanos + (long) (deviations * emulation.jitterMillis() * 1_000_000L));
    }
    if (random.nextDouble() < emulation.lossRate()) {
      delayNanos += Math.max(RETRANSMISSION_TIMEOUT_MILLIS_MIN, 2 * emulation.oneWayDelayMillis()) * 1_000_000L;
    }
    long release = Math.max(lastReleaseNanos, busyUntilNanos + delayNanos);
    lastReleaseNanos = release;
    return release;
  }

  /**
   * The release time of a small urgent message (a heartbeat or its reply) sent at {@code
   * nowNanos}: the one-way delay, jitter and loss as for any message, but not queued behind the
   * data the link is still carrying, as on a separate connection. Urgent releases never go
   * backwards among themselves; they do not move the data's timeline.
   */
  long urgentReleaseAtNanos(long nowNanos) {
    long delayNanos = emulation.oneWayDelayMillis() * 1_000_000L;
    if (emulation.jitterMillis() > 0) {
      double deviations = Math.max(-JITTER_DEVIATIONS_MAX, Math.min(JITTER_DEVIATIONS_MAX, random.nextGaussian()));
      delayNanos = Math.max(0, delayNanos + (long) (deviations * emulation.jitterMillis() * 1_000_000L));
    }
    if (random.nextDouble() < emulation.lossRate()) {
      delayNanos += Math.max(RETRANSMISSION_TIMEOUT_MILLIS_MIN, 2 * emulation.oneWayDelayMillis()) * 1_000_000L;
    }
    long release = Math.max(lastUrgentReleaseNanos, nowNanos + delayNanos);
    lastUrgentReleaseNanos = release;
    return release;
  }
}

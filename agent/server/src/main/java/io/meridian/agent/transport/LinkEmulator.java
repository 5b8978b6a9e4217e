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

  private final LinkEmulation emulation;
  private final Random random;
  private long busyUntilNanos;
  private long lastReleaseNanos;

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
    long delayMillis = emulation.oneWayDelayMillis()
        + (emulation.jitterMillis() == 0 ? 0 : (long) (random.nextDouble() * emulation.jitterMillis()));
    if (random.nextDouble() < emulation.lossRate()) {
      delayMillis += Math.max(RETRANSMISSION_TIMEOUT_MILLIS_MIN, 2 * emulation.oneWayDelayMillis());
    }
    long release = Math.max(lastReleaseNanos, busyUntilNanos + delayMillis * 1_000_000L);
    lastReleaseNanos = release;
    return release;
  }
}

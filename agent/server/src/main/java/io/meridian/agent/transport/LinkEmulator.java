package io.meridian.agent.transport;

import io.meridian.agent.config.LinkEmulation;
import java.util.Random;

/**
 * When a message sent now on one emulated link should reach the wire: after queueing behind
 * earlier messages at the link's bandwidth, the one-way delay and jitter, and, for a lost packet,
 * one retransmission timeout. Release times never go backwards, so the link keeps order as TCP
 * would. Used on the sending side of every peer stream, so both directions are emulated.
 *
 * <p>Jitter is a property of the path that drifts over time (queues along the route fill and
 * drain), not a fresh draw per message: it follows an Ornstein-Uhlenbeck process with the link's
 * jitter as its standard deviation and {@link #JITTER_CORRELATION_MILLIS} as its correlation
 * time. Each message's delay is therefore distributed as the topology says (mean the one-way
 * delay, deviation the jitter), messages sent close together get close delays, and keeping order
 * rarely holds one back. Independent draws per message would not do that: a message queued behind
 * the largest delay drawn in the last few milliseconds, busy links ran 3-4 ms slower at the
 * median than their one-way delay at 5 ms jitter (ADR 0038).
 */
final class LinkEmulator {
  /** Linux's minimum TCP retransmission timeout, charged for a lost packet. */
  static final long RETRANSMISSION_TIMEOUT_MILLIS_MIN = 200;
  /** Largest jitter applied, in standard deviations either side of the one-way delay. */
  static final double JITTER_DEVIATIONS_MAX = 3;
  /**
   * Correlation time of the path's jitter: two messages this far apart share e^-1 of their
   * deviation. Long enough that messages a millisecond apart differ by a fraction of the jitter
   * (so order costs almost nothing), short enough that a 15-second run sees hundreds of
   * independent jitter values.
   */
  static final double JITTER_CORRELATION_MILLIS = 50;

  private final LinkEmulation emulation;
  private final Random random;
  private long busyUntilNanos;
  private long lastReleaseNanos;
  private long lastUrgentReleaseNanos;
  /** The path's current deviation from the one-way delay, in standard deviations. */
  private double jitterDeviations;
  /** When {@link #jitterDeviations} was last drawn; {@code Long.MIN_VALUE} before the first draw. */
  private long jitterAtNanos = Long.MIN_VALUE;

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
    long delayNanos = delayNanos(nowNanos);
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
    long delayNanos = delayNanos(nowNanos);
    long release = Math.max(lastUrgentReleaseNanos, nowNanos + delayNanos);
    lastUrgentReleaseNanos = release;
    return release;
  }

  /**
   * The one-way delay of a message sent at {@code nowNanos}: the link's delay, the path's jitter
   * at that moment (cut at {@link #JITTER_DEVIATIONS_MAX} deviations and at zero), and a
   * retransmission timeout if the message is lost.
   */
  private long delayNanos(long nowNanos) {
    long delayNanos = emulation.oneWayDelayMillis() * 1_000_000L;
    if (emulation.jitterMillis() > 0) {
      // Ornstein-Uhlenbeck step: the deviation decays towards zero over the elapsed time and
      // gains a fresh normal part sized so that its distribution stays standard normal.
      double decay = jitterAtNanos == Long.MIN_VALUE ? 0
          : Math.exp(-Math.max(0, nowNanos - jitterAtNanos) / (JITTER_CORRELATION_MILLIS * 1e6));
      jitterDeviations = jitterDeviations * decay + Math.sqrt(1 - decay * decay) * random.nextGaussian();
      jitterAtNanos = Math.max(nowNanos, jitterAtNanos);
      double deviations = Math.max(-JITTER_DEVIATIONS_MAX, Math.min(JITTER_DEVIATIONS_MAX, jitterDeviations));
      delayNanos = Math.max(0, delayNanos + (long) (deviations * emulation.jitterMillis() * 1_000_000L));
    }
    if (random.nextDouble() < emulation.lossRate()) {
      delayNanos += Math.max(RETRANSMISSION_TIMEOUT_MILLIS_MIN, 2 * emulation.oneWayDelayMillis()) * 1_000_000L;
    }
    return delayNanos;
  }
}

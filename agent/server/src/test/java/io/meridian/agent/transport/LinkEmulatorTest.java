package io.meridian.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.LinkEmulation;
import org.junit.jupiter.api.Test;

// Proves the link emulator charges delay, jitter, bandwidth and loss, and never reorders a link.
class LinkEmulatorTest {
  private static final long MILLIS = 1_000_000L;

  @Test
  void messageIsReleasedWithinThreeJitterDeviationsOfTheOneWayDelay() {
    LinkEmulator emulator = new LinkEmulator(new LinkEmulation(40, 5, 0, 0), 1);

    for (long now = 0; now < 1_000 * MILLIS; now += 40 * MILLIS) {
      long release = emulator.releaseAtNanos(now, 100);
      assertThat(release).isBetween(now + 25 * MILLIS, now + 55 * MILLIS);
    }
  }

  @Test
  void jitterSpreadsDelaysAroundTheOneWayDelayWithoutRaisingTheMean() {
    LinkEmulator emulator = new LinkEmulator(new LinkEmulation(100, 5, 0, 0), 11);
    long totalDelay = 0;
    int messages = 2_000;

    // Messages far enough apart that keeping order never holds one back.
    for (int i = 0; i < messages; i++) {
      long now = i * 1_000 * MILLIS;
      totalDelay += emulator.releaseAtNanos(now, 100) - now;
    }

    double meanMillis = totalDelay / (double) messages / MILLIS;
    assertThat(meanMillis).isBetween(99.5, 100.5);
  }

  @Test
  void releasesNeverGoBackwardsSoTheLinkKeepsOrder() {
    LinkEmulator emulator = new LinkEmulator(new LinkEmulation(5, 50, 0, 0.2), 7);
    long previous = 0;

    for (int i = 0; i < 1_000; i++) {
      long release = emulator.releaseAtNanos(i * MILLIS / 10, 100);
      assertThat(release).isGreaterThanOrEqualTo(previous);
      previous = release;
    }
  }

  @Test
  void bandwidthQueuesMessagesBehindEachOther() {
    LinkEmulator emulator = new LinkEmulator(new LinkEmulation(0, 0, 1_000, 0), 1);

    long first = emulator.releaseAtNanos(0, 500);
    long second = emulator.releaseAtNanos(0, 500);

    assertThat(first).isEqualTo(500 * MILLIS);
    assertThat(second).isEqualTo(1_000 * MILLIS);
  }

  @Test
  void lostPacketCostsARetransmissionTimeout() {
    LinkEmulator emulator = new LinkEmulator(new LinkEmulation(10, 0, 0, 0.999), 3);

    long release = emulator.releaseAtNanos(0, 100);

    assertThat(release).isEqualTo((10 + LinkEmulator.RETRANSMISSION_TIMEOUT_MILLIS_MIN) * MILLIS);
  }

  @Test
  void heartbeatsTravelTheDelayButNotBehindTheDataBacklog() {
    // 40 ms one way, 100 kB/s: ten 100 kB batches take ten seconds to leave.
    LinkEmulator emulator = new LinkEmulator(new LinkEmulation(40, 5, 100_000, 0), 3);
    long lastData = 0;
    for (int i = 0; i < 10; i++) {
      lastData = emulator.releaseAtNanos(0, 100_000);
    }
    long previous = 0;

    for (long now = 0; now < 1_000 * MILLIS; now += 200 * MILLIS) {
      long heartbeat = emulator.urgentReleaseAtNanos(now);
      assertThat(heartbeat).isBetween(now + 25 * MILLIS, now + 55 * MILLIS).isGreaterThanOrEqualTo(previous);
      previous = heartbeat;
    }
    assertThat(lastData).isGreaterThan(10_000 * MILLIS);
    // The heartbeats did not take the data's bandwidth: the next batch still queues behind the ten.
    assertThat(emulator.releaseAtNanos(0, 100_000)).isGreaterThan(11_000 * MILLIS);
  }
}

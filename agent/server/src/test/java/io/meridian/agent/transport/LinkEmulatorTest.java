package io.meridian.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.LinkEmulation;
import org.junit.jupiter.api.Test;

// Proves the link emulator charges delay, jitter, bandwidth and loss, never reorders a link, and
// that keeping order on a busy link does not raise its delays above the topology's (ADR 0038).
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

  @Test
  void aBusyLinkKeepsOrderWithoutRaisingItsDelayAboveTheTopologys() {
    // 100 ms one way, 5 ms jitter, a frame every millisecond for a minute (a link carrying 5,000
    // writes/s in small batches). Independent jitter per frame made every frame wait for the
    // largest delay drawn just before it: mean 104.5 ms, p99 112.7 ms.
    LinkEmulator emulator = new LinkEmulator(new LinkEmulation(100, 5, 0, 0), 5);
    int frames = 60_000;
    long[] delays = new long[frames];
    long previous = 0;
    for (int i = 0; i < frames; i++) {
      long now = i * MILLIS;
      long release = emulator.releaseAtNanos(now, 100);
      assertThat(release).isGreaterThanOrEqualTo(previous);
      previous = release;
      delays[i] = release - now;
    }

    java.util.Arrays.sort(delays);
    double meanMillis = java.util.Arrays.stream(delays).average().orElseThrow() / MILLIS;
    double p99Millis = delays[frames * 99 / 100] / (double) MILLIS;
    assertThat(meanMillis).isBetween(99.0, 101.0);
    // A normal delay's p99 is 2.33 deviations above the mean: 111.6 ms.
    assertThat(p99Millis).isBetween(108.0, 114.0);
  }

  @Test
  void framesFarApartSeeTheLinksFullJitter() {
    LinkEmulator emulator = new LinkEmulator(new LinkEmulation(100, 5, 0, 0), 13);
    int frames = 2_000;
    double sum = 0;
    double squares = 0;

    for (int i = 0; i < frames; i++) {
      long now = i * 500 * MILLIS;
      double delayMillis = (emulator.releaseAtNanos(now, 100) - now) / (double) MILLIS;
      sum += delayMillis;
      squares += delayMillis * delayMillis;
    }

    double mean = sum / frames;
    double deviation = Math.sqrt(squares / frames - mean * mean);
    assertThat(deviation).isBetween(4.5, 5.5);
  }
}

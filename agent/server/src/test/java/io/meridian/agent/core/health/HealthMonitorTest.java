package io.meridian.agent.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

// Proves that the default detector settings raise no false alarm under normal WAN jitter and
// declare a silent peer down well within the default one-second detection timeout, passing
// through suspect first.
class HealthMonitorTest {

  @Test
  void normalJitterNeverMakesAPeerSuspect() {
    for (long seed = 1; seed <= 20; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      HealthMonitor monitor = new HealthMonitor(HealthMonitor.DEFAULTS, List.of("b"));
      long now = 0;
      for (int i = 0; i < 2_000; i++) {
        // Heartbeats every 200 ms with up to 60 ms of jitter either way, and a rare 150 ms hiccup.
        long gap = 200 + random.nextLong(-60, 61) + (random.nextInt(100) == 0 ? 150 : 0);
        assertThat(monitor.evaluate(now + gap - 1)).as("seed %d, heartbeat %d", seed, i).isEmpty();
        now += gap;
        monitor.heard("b", now);
      }
      assertThat(monitor.health()).containsEntry("b", RegionHealth.HEALTHY);
    }
  }

  @Test
  void silentPeerIsSuspectThenDownWithinTheDetectionTimeout() {
    HealthMonitor monitor = new HealthMonitor(HealthMonitor.DEFAULTS, List.of("b"));
    long now = 0;
    for (int i = 0; i < 50; i++) {
      now += 200;
      monitor.heard("b", now);
    }
    long lastHeard = now;
    long suspectAfter = -1;
    long downAfter = -1;
    for (long t = lastHeard; t <= lastHeard + 2_000 && downAfter < 0; t += 10) {
      for (HealthMonitor.Change change : monitor.evaluate(t)) {
        if (change.to() == RegionHealth.SUSPECT) {
          suspectAfter = t - lastHeard;
        } else if (change.to() == RegionHealth.DOWN) {
          downAfter = t - lastHeard;
        }
      }
    }
    System.out.printf("phi-accrual defaults: suspect after %d ms, down after %d ms of silence%n",
        suspectAfter, downAfter);
    assertThat(suspectAfter).isBetween(300L, downAfter);
    assertThat(downAfter).isBetween(400L, 1_000L);
  }

  @Test
  void peersNeverHeardFromAreNotJudged() {
    HealthMonitor monitor = new HealthMonitor(HealthMonitor.DEFAULTS, List.of("b", "c"));
    monitor.heard("b", 0);

    assertThat(monitor.evaluate(10_000)).singleElement()
        .satisfies(change -> assertThat(change.peer() + " " + change.to()).isEqualTo("b DOWN"));
    assertThat(monitor.health()).containsEntry("b", RegionHealth.DOWN).containsEntry("c", RegionHealth.HEALTHY);
  }
}

package io.meridian.app.analysis;

import io.meridian.app.check.DesignCheck;
import io.meridian.app.check.Validation;
import io.meridian.model.Topology;
import io.meridian.model.analysis.AnalysisOptions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;

// Measures, and prints, how long the studio's check after an edit (validation plus analysis)
// takes on the largest sample: the time between an edit and its problems and predictions on
// screen, less one hand-over to the JavaFX thread. Not run by verify (no Test suffix):
//   ./mvnw -o -pl app -am verify -Dtest=LiveCheckBenchmark -Dsurefire.failIfNoSpecifiedTests=false
class LiveCheckBenchmark {
  private static final int WARMUP_ROUNDS = 5;
  private static final int ROUNDS = 20;

  @Test
  void checkAfterAnEditOnTheLargestSample() {
    Topology large = new DesignCheck().check(Path.of("../samples/large-global.yaml"))
        .topology().orElseThrow().topology();
    LiveCheck check = new LiveCheck(Validation.standard(), Runnable::run, Runnable::run);
    double[] millis = new double[ROUNDS];
    for (int i = -WARMUP_ROUNDS; i < ROUNDS; i++) {
      // Each round is a different design, as after an edit: one link's RTT changes.
      double extraMs = 1 + Math.abs(i);
      Topology edited = large.mapLink(large.links().get(0).a(), large.links().get(0).b(),
          link -> new io.meridian.model.Link(link.a(), link.b(), link.rttMs() + extraMs,
              link.jitterMs(), link.bandwidthMbps(), link.lossPercent(), link.encrypted()));
      long start = System.nanoTime();
      check.run(edited, AnalysisOptions.DEFAULTS);
      if (i >= 0) {
        millis[i] = (System.nanoTime() - start) / 1e6;
      }
    }
    Arrays.sort(millis);
    System.out.printf(Locale.ROOT,
        "check after an edit, %s (%d regions, %d links, %d datasets): median %.1f ms, max %.1f ms"
            + " over %d rounds%n", large.name(), large.regions().size(), large.links().size(),
        large.datasets().size(), millis[ROUNDS / 2], millis[ROUNDS - 1], ROUNDS);
  }
}

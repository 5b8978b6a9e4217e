package io.meridian.visualization.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

// Proves that the fast figures print exactly what String.format prints for the same pattern,
// on the halves where rounding could differ and on seeded random latencies.
class FiguresTest {

  @Test
  void printsWhatStringFormatPrints() {
    double[] edges = {0, -0.0, 0.05, 0.15, 0.25, 1.45, 2.675, 9.95, 9.949999, 10, 99.95, 100,
        123.456, 1e7 + 0.05, 0.000001, -1.25, Double.NaN, Double.POSITIVE_INFINITY};
    for (double value : edges) {
      for (int decimals = 0; decimals <= 2; decimals++) {
        assertThat(Figures.fixed(value, decimals)).as("%s with %d decimals", value, decimals)
            .isEqualTo(String.format(Locale.ROOT, "%." + decimals + "f", value));
      }
    }
    long seed = 58;
    Random random = new Random(seed);
    for (int i = 0; i < 100_000; i++) {
      // Latencies as the analysis computes them: sums of RTTs with a few decimals, and noise.
      double value = i % 2 == 0 ? Math.round(random.nextDouble() * 500_000) / 1000.0
          : random.nextDouble() * Math.pow(10, random.nextInt(5));
      int decimals = i % 3;
      assertThat(Figures.fixed(value, decimals)).as("%s (seed %d)", value, seed)
          .isEqualTo(String.format(Locale.ROOT, "%." + decimals + "f", value));
    }
  }

  @Test
  void millisHasOneDecimalUnderTenMilliseconds() {
    assertThat(Figures.millis(4.24)).isEqualTo("4.2 ms");
    assertThat(Figures.millis(9.96)).isEqualTo("10.0 ms");
    assertThat(Figures.millis(88.4)).isEqualTo("88 ms");
  }
}

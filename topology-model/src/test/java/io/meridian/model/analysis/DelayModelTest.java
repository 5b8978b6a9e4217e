package io.meridian.model.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Both delay models have a unit excess of mean 1 and standard deviation 1, so a link's one-way
 * delay has mean rtt/2 and standard deviation jitter as declared; the quantile tables are right.
 */
class DelayModelTest {

  @Test
  void inverseNormalMatchesKnownQuantiles() {
    assertThat(DelayModel.inverseNormal(0.5)).isCloseTo(0, within(1e-9));
    assertThat(DelayModel.inverseNormal(0.975)).isCloseTo(1.959964, within(1e-6));
    assertThat(DelayModel.inverseNormal(0.01)).isCloseTo(-2.326348, within(1e-6));
    assertThat(DelayModel.inverseNormal(0.9999)).isCloseTo(3.719016, within(1e-6));
  }

  @Test
  void everyModelsUnitExcessHasMeanOneAndStandardDeviationOne() {
    for (DelayModel model : DelayModel.values()) {
      double[] table = model.table();
      double mean = Samples.mean(table);
      double variance = 0;
      for (double x : table) {
        variance += (x - mean) * (x - mean);
      }
      variance /= table.length;
      // The table cuts the far tail off, which costs the lognormal a little of its variance.
      assertThat(mean).as(model.label()).isCloseTo(1, within(0.01));
      assertThat(Math.sqrt(variance)).as(model.label()).isCloseTo(1, within(0.06));
    }
  }

  @Test
  void quantileAndDistributionFunctionAreInverses() {
    for (DelayModel model : DelayModel.values()) {
      for (double p : new double[] {0.01, 0.5, 0.99}) {
        assertThat(model.unitCdf(model.unitQuantile(p))).as(model.label())
            .isCloseTo(p, within(1e-6));
      }
    }
  }

  @Test
  void theShiftKeepsTheMeanAtHalfTheRoundTrip() {
    assertThat(DelayModel.shiftMs(100, 5)).isEqualTo(45);
    assertThat(DelayModel.shiftMs(4, 5)).isEqualTo(0);
  }
}

package io.meridian.visualization.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

/** Proves that the bundled Natural Earth outlines parse into sane countries and that a broken file says where it is broken. */
class WorldMapDataTest {

  @Test
  void bundledResourceHoldsTheWorldsCountries() {
    WorldMapData data = WorldMapData.load();
    assertThat(data.countries()).hasSizeGreaterThan(200);
    assertThat(data.countries()).extracting(WorldMapData.Country::name)
        .contains("Germany", "Japan", "Brazil", "Australia", "Antarctica");
  }

  @Test
  void noRingCrossesTheAntimeridian() {
    // A ring that jumped from +180 to -180 would draw a line across the whole map.
    for (WorldMapData.Country country : WorldMapData.load().countries()) {
      for (float[] ring : country.rings()) {
        for (int i = 2; i < ring.length; i += 2) {
          boolean alongPole = Math.abs(ring[i + 1]) == 90 && Math.abs(ring[i - 1]) == 90;
          if (!alongPole) {
            assertThat(Math.abs(ring[i] - ring[i - 2])).as(country.name()).isLessThan(180);
          }
        }
      }
    }
  }

  @Test
  void sharedDataIsLoadedOnceAndOffTheCallingThread() throws Exception {
    assertThat(WorldMapData.shared()).isSameAs(WorldMapData.shared());
    assertThat(WorldMapData.shared().get().countries()).hasSizeGreaterThan(200);
  }

  @Test
  void malformedLineIsReportedWithItsLineNumber() {
    String text = "# header\nC\t276\tGermany\nR\t1 2 3\n";
    assertThatThrownBy(() -> WorldMapData.parse(new BufferedReader(new StringReader(text))))
        .hasMessageContaining(":3:")
        .hasMessageContaining("even count");
  }

  @Test
  void svgPathHasOneSubpathPerRing() {
    WorldMapData.Country country = WorldMapData.load().countries().stream()
        .filter(c -> c.name().equals("Japan")).findFirst().orElseThrow();
    String path = country.toSvgPath(io.meridian.visualization.projection.EqualEarthProjection.INSTANCE);
    assertThat(path.chars().filter(c -> c == 'M').count()).isEqualTo(country.rings().size());
    assertThat(path).endsWith("Z");
  }
}

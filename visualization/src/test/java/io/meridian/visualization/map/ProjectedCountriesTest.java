package io.meridian.visualization.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.visualization.projection.EqualEarthProjection;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Proves that the bundled projected outlines the map draws at start-up are exactly the Natural
 * Earth text outlines projected with Equal Earth (so the resource cannot drift from its source),
 * and that a damaged resource says what is wrong instead of drawing garbage.
 *
 * <p>After changing the outlines, the projection or the format, write the resource again with
 * {@code ./mvnw -o -pl visualization test -Dtest=ProjectedCountriesTest
 * -Dmeridian.regenerateMap=true} and commit it.
 */
class ProjectedCountriesTest {

  private static final Path SOURCE_RESOURCE = Path.of("src/main/resources"
      + ProjectedCountries.RESOURCE);

  @Test
  void bundledResourceIsTheTextOutlinesProjectedWithEqualEarth() throws IOException {
    ByteArrayOutputStream generated = new ByteArrayOutputStream();
    ProjectedCountries.write(WorldMapData.load(), EqualEarthProjection.INSTANCE, generated);
    if (Boolean.getBoolean("meridian.regenerateMap")) {
      Files.write(SOURCE_RESOURCE, generated.toByteArray());
    }
    byte[] bundled;
    try (InputStream in = ProjectedCountries.class.getResourceAsStream(
        ProjectedCountries.RESOURCE)) {
      assertThat(in).as("the resource " + ProjectedCountries.RESOURCE).isNotNull();
      bundled = in.readAllBytes();
    }
    assertThat(Arrays.equals(bundled, generated.toByteArray()))
        .as("the bundled projected outlines differ from countries-50m.txt projected now;"
            + " regenerate them with -Dmeridian.regenerateMap=true (see the class comment)")
        .isTrue();
  }

  @Test
  void shapesReadFromTheResourceAreTheShapesProjectedFromTheText() {
    WorldMapGeometry projectedNow = WorldMapGeometry.build(WorldMapData.load(),
        EqualEarthProjection.INSTANCE);
    assertThat(ProjectedCountries.readBundled()).isEqualTo(projectedNow.countries());
  }

  @Test
  void sharedGeometryHoldsEveryCountry() throws Exception {
    WorldMapGeometry geometry = WorldMapGeometry.equalEarth().get();
    assertThat(geometry.countries()).hasSizeGreaterThan(200);
    assertThat(geometry.countries()).extracting(WorldMapGeometry.CountryShape::name)
        .contains("Germany", "Japan", "Antarctica");
    assertThat(geometry.sphere()).startsWith("M").endsWith("Z");
  }

  @Test
  void truncatedResourceSaysItEndsInTheMiddle() throws IOException {
    ByteArrayOutputStream generated = new ByteArrayOutputStream();
    ProjectedCountries.write(WorldMapData.load(), EqualEarthProjection.INSTANCE, generated);
    byte[] truncated = Arrays.copyOf(generated.toByteArray(), generated.size() / 2);
    assertThatThrownBy(() -> ProjectedCountries.read(new ByteArrayInputStream(truncated)))
        .hasMessageContaining(ProjectedCountries.RESOURCE)
        .hasMessageContaining("ends in the middle of a country")
        .hasMessageContaining("regenerate");
  }

  @Test
  void otherBytesAreRefusedByTheirMagicNumber() {
    byte[] text = "C\t276\tGermany\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ProjectedCountries.read(new ByteArrayInputStream(text)))
        .hasMessageContaining("magic number");
  }

  @Test
  void coordinatesAreWrittenWithFiveDecimals() {
    StringBuilder text = new StringBuilder();
    ProjectedCountries.appendFixed(text, ProjectedCountries.fixed(-1.5));
    text.append(' ');
    ProjectedCountries.appendFixed(text, ProjectedCountries.fixed(0.0000123));
    text.append(' ');
    ProjectedCountries.appendFixed(text, ProjectedCountries.fixed(2.718281828));
    assertThat(text.toString()).isEqualTo("-1.50000 0.00001 2.71828");
  }
}

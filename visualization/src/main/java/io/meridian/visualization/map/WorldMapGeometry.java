package io.meridian.visualization.map;

import io.meridian.visualization.projection.EqualEarthProjection;
import io.meridian.visualization.projection.MapProjection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * The projected map geometry as SVG path strings, built once per JVM off the FX thread so
 * that a skin only has to create the shapes.
 *
 * @param countries one entry per country
 * @param sphere the outline of the whole projected globe
 * @param graticule meridians and parallels every 30 degrees
 */
record WorldMapGeometry(List<CountryShape> countries, String sphere, String graticule) {

  private static final int GRATICULE_STEP_DEGREES = 30;
  private static final Object LOCK = new Object();
  private static CompletableFuture<WorldMapGeometry> equalEarth;

  /**
   * One country's outline.
   *
   * @param isoNumeric ISO 3166-1 numeric code
   * @param name English name
   * @param svgPath projected outline
   */
  record CountryShape(String isoNumeric, String name, String svgPath) {}

  static CompletableFuture<WorldMapGeometry> equalEarth() {
    synchronized (LOCK) {
      if (equalEarth == null) {
        equalEarth = WorldMapData.shared()
            .thenApplyAsync(data -> build(data, EqualEarthProjection.INSTANCE));
      }
      return equalEarth;
    }
  }

  static WorldMapGeometry build(WorldMapData data, MapProjection projection) {
    List<CountryShape> countries = new ArrayList<>(data.countries().size());
    for (WorldMapData.Country country : data.countries()) {
      countries.add(new CountryShape(country.isoNumeric(), country.name(),
          country.toSvgPath(projection)));
    }
    return new WorldMapGeometry(countries, sphere(projection), graticule(projection));
  }

  private static String sphere(MapProjection projection) {
    StringBuilder path = new StringBuilder();
    double[] xy = new double[2];
    boolean first = true;
    for (int latitude = -90; latitude <= 90; latitude++) {
      first = append(path, projection, 180, latitude, xy, first);
    }
    for (int latitude = 90; latitude >= -90; latitude--) {
      first = append(path, projection, -180, latitude, xy, first);
    }
    return path.append('Z').toString();
  }

  private static String graticule(MapProjection projection) {
    StringBuilder path = new StringBuilder();
    double[] xy = new double[2];
    for (int longitude = -180 + GRATICULE_STEP_DEGREES; longitude < 180;
        longitude += GRATICULE_STEP_DEGREES) {
      boolean first = true;
      for (int latitude = -90; latitude <= 90; latitude += 2) {
        first = append(path, projection, longitude, latitude, xy, first);
      }
    }
    for (int latitude = -90 + GRATICULE_STEP_DEGREES; latitude < 90;
        latitude += GRATICULE_STEP_DEGREES) {
      append(path, projection, -180, latitude, xy, true);
      append(path, projection, 180, latitude, xy, false);
    }
    return path.toString();
  }

  private static boolean append(StringBuilder path, MapProjection projection, double longitude,
      double latitude, double[] xy, boolean first) {
    projection.project(longitude, latitude, xy, 0);
    path.append(first ? 'M' : 'L')
        .append(String.format(Locale.ROOT, "%.5f %.5f", xy[0], -xy[1]));
    return false;
  }
}

package io.meridian.visualization.map;

import io.meridian.visualization.projection.EqualEarthProjection;
import io.meridian.visualization.projection.MapProjection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The projected map geometry as SVG path strings, built once per JVM off the FX thread so
 * that a skin only has to create the shapes. The countries come already projected from a
 * bundled binary resource ({@link ProjectedCountries}); the globe's outline and the graticule
 * are a few hundred points, projected here.
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

  /**
   * The Equal Earth geometry, read once per JVM on a background daemon thread.
   *
   * @return a future completed with the geometry, or failed if the resource is missing or
   *     malformed
   */
  static CompletableFuture<WorldMapGeometry> equalEarth() {
    synchronized (LOCK) {
      if (equalEarth == null) {
        equalEarth = CompletableFuture.supplyAsync(WorldMapGeometry::readEqualEarth, task -> {
          Thread thread = new Thread(task, "meridian-world-map-loader");
          thread.setDaemon(true);
          thread.start();
        });
      }
      return equalEarth;
    }
  }

  /**
   * Starts reading the map geometry now, so that it is ready by the time a map is shown.
   * Returns at once; calling it again does nothing.
   */
  static void prefetch() {
    equalEarth();
  }

  private static WorldMapGeometry readEqualEarth() {
    MapProjection projection = EqualEarthProjection.INSTANCE;
    return new WorldMapGeometry(ProjectedCountries.readBundled(), sphere(projection),
        graticule(projection));
  }

  /** Projects the outlines here (what the bundled resource holds, precomputed). */
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
    appendPoint(path, first ? 'M' : 'L', xy[0], -xy[1]);
    return false;
  }

  /** Appends {@code command x y} with five decimals, as the bundled outlines are stored. */
  static void appendPoint(StringBuilder path, char command, double x, double y) {
    path.append(command);
    ProjectedCountries.appendFixed(path, ProjectedCountries.fixed(x));
    path.append(' ');
    ProjectedCountries.appendFixed(path, ProjectedCountries.fixed(y));
  }
}

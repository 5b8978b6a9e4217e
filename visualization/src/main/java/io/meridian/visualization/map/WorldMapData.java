package io.meridian.visualization.map;

import io.meridian.visualization.projection.MapProjection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The country outlines bundled with Meridian (Natural Earth 1:50m, public domain; see the
 * resource's README), parsed from {@value #RESOURCE}.
 *
 * <p>{@link #shared()} parses the resource once per JVM on a background daemon thread; maps
 * wait for that future instead of reading the file on the FX thread.
 *
 * @param countries every country, in file order
 */
public record WorldMapData(List<Country> countries) {

  /** The classpath resource holding the outlines. */
  public static final String RESOURCE = "/io/meridian/visualization/map/countries-50m.txt";

  private static final int COUNTRIES_MAX = 1_000;
  private static final Object LOCK = new Object();
  private static CompletableFuture<WorldMapData> shared;

  /**
   * Copies the list.
   *
   * @param countries every country
   */
  public WorldMapData {
    countries = List.copyOf(countries);
  }

  /**
   * One country: its ISO 3166-1 numeric code, its name and its rings.
   *
   * @param isoNumeric three-digit code such as {@code "276"}, or empty for disputed areas
   * @param name English name
   * @param rings each ring as {@code lon0, lat0, lon1, lat1, ...} in degrees, not closed
   */
  public record Country(String isoNumeric, String name, List<float[]> rings) {

    /**
     * Copies the list.
     *
     * @param isoNumeric code
     * @param name name
     * @param rings rings
     */
    public Country {
      rings = List.copyOf(rings);
    }

    /**
     * The country as SVG path data in projected coordinates ({@code y} flipped so north is
     * up on screen), ready for a JavaFX {@code SVGPath}.
     *
     * @param projection the map projection
     * @return {@code M x y L x y ... Z} for every ring
     */
    public String toSvgPath(MapProjection projection) {
      StringBuilder path = new StringBuilder(rings.stream().mapToInt(r -> r.length * 9).sum());
      double[] xy = new double[2];
      for (float[] ring : rings) {
        for (int i = 0; i < ring.length; i += 2) {
          projection.project(ring[i], ring[i + 1], xy, 0);
          WorldMapGeometry.appendPoint(path, i == 0 ? 'M' : 'L', xy[0], -xy[1]);
        }
        path.append('Z');
      }
      return path.toString();
    }
  }

  /**
   * The outlines, parsed once per JVM on a background thread.
   *
   * @return a future completed with the data, or failed if the resource is missing or
   *     malformed
   */
  public static CompletableFuture<WorldMapData> shared() {
    synchronized (LOCK) {
      if (shared == null) {
        shared = CompletableFuture.supplyAsync(WorldMapData::load, backgroundExecutor());
      }
      return shared;
    }
  }

  /**
   * Parses the bundled resource on the calling thread. Prefer {@link #shared()} from UI code.
   *
   * @return the data
   * @throws UncheckedIOException if the resource cannot be read
   * @throws IllegalStateException if the resource is malformed
   */
  public static WorldMapData load() {
    try (InputStream in = WorldMapData.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("world map resource " + RESOURCE
            + " is missing from the classpath; rebuild the visualization module");
      }
      return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read world map resource " + RESOURCE, e);
    }
  }

  static WorldMapData parse(BufferedReader reader) throws IOException {
    List<Country> countries = new ArrayList<>();
    String isoNumeric = null;
    String name = null;
    List<float[]> rings = new ArrayList<>();
    int lineNumber = 0;
    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
      lineNumber++;
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\t", -1);
      if (fields[0].equals("C") && fields.length == 3) {
        if (name != null) {
          countries.add(new Country(isoNumeric, name, rings));
        }
        if (countries.size() >= COUNTRIES_MAX) {
          throw new IllegalStateException(RESOURCE + ":" + lineNumber + ": more than "
              + COUNTRIES_MAX + " countries");
        }
        isoNumeric = fields[1];
        name = fields[2];
        rings = new ArrayList<>();
      } else if (fields[0].equals("R") && fields.length == 2 && name != null) {
        rings.add(parseRing(fields[1], lineNumber));
      } else {
        throw new IllegalStateException(RESOURCE + ":" + lineNumber
            + ": expected 'C<TAB>code<TAB>name' or 'R<TAB>lon lat ...' after a C line");
      }
    }
    if (name != null) {
      countries.add(new Country(isoNumeric, name, rings));
    }
    return new WorldMapData(countries);
  }

  private static float[] parseRing(String text, int lineNumber) {
    String[] numbers = text.split(" ");
    if (numbers.length < 6 || numbers.length % 2 != 0) {
      throw new IllegalStateException(RESOURCE + ":" + lineNumber
          + ": a ring needs an even count of at least 6 numbers, got " + numbers.length);
    }
    float[] ring = new float[numbers.length];
    for (int i = 0; i < numbers.length; i++) {
      float value = Float.parseFloat(numbers[i]);
      float limit = i % 2 == 0 ? 180 : 90;
      if (!(Math.abs(value) <= limit)) {
        throw new IllegalStateException(RESOURCE + ":" + lineNumber + ": coordinate " + value
            + " out of range");
      }
      ring[i] = value;
    }
    return ring;
  }

  private static Executor backgroundExecutor() {
    return task -> {
      Thread thread = new Thread(task, "meridian-world-map-loader");
      thread.setDaemon(true);
      thread.start();
    };
  }
}

package io.meridian.visualization.map;

import io.meridian.visualization.projection.MapProjection;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The country outlines already projected, in a compact binary resource ({@value #RESOURCE}), so
 * that starting the studio neither parses the outline text nor projects 17,000 points.
 *
 * <p>The resource is generated from {@link WorldMapData}'s text with the Equal Earth projection
 * by {@link #write}; {@code ProjectedCountriesTest} regenerates it and fails when the bundled
 * file differs (it says how to write it again). Coordinates are stored as integers in units of
 * {@value #UNITS_PER_WORLD_UNIT_TEXT} of a projected unit, exactly the digits the SVG paths carry,
 * so the shapes drawn from the resource are the shapes drawn from the text.
 *
 * <p>Format (big-endian, {@link DataOutputStream}): magic {@code MWMC}, version, country count;
 * per country its ISO code and name ({@code writeUTF}) and ring count; per ring its point count
 * and then {@code x, y} per point, {@code y} already flipped so north is up on screen.
 */
final class ProjectedCountries {

  /** The classpath resource holding the Equal Earth outlines. */
  static final String RESOURCE = "/io/meridian/visualization/map/countries-50m-equal-earth.bin";

  /** Fixed-point scale of stored coordinates: five decimals, as in the SVG paths. */
  static final double UNITS_PER_WORLD_UNIT = 100_000;

  private static final String UNITS_PER_WORLD_UNIT_TEXT = "1/100,000";
  private static final int MAGIC = 0x4D574D43; // "MWMC"
  private static final int VERSION = 1;
  private static final int COUNTRIES_MAX = 1_000;
  private static final int RINGS_MAX = 10_000;
  private static final int POINTS_MAX = 1_000_000;

  private ProjectedCountries() {}

  /**
   * Writes {@code data} projected with {@code projection}.
   *
   * @param data the outlines in degrees
   * @param projection the map projection
   * @param out where to write; not closed
   * @throws IOException when writing fails
   */
  static void write(WorldMapData data, MapProjection projection, OutputStream out)
      throws IOException {
    DataOutputStream stream = new DataOutputStream(out);
    stream.writeInt(MAGIC);
    stream.writeInt(VERSION);
    stream.writeInt(data.countries().size());
    double[] xy = new double[2];
    for (WorldMapData.Country country : data.countries()) {
      stream.writeUTF(country.isoNumeric());
      stream.writeUTF(country.name());
      stream.writeInt(country.rings().size());
      for (float[] ring : country.rings()) {
        stream.writeInt(ring.length / 2);
        for (int i = 0; i < ring.length; i += 2) {
          projection.project(ring[i], ring[i + 1], xy, 0);
          stream.writeInt(fixed(xy[0]));
          stream.writeInt(fixed(-xy[1]));
        }
      }
    }
    stream.flush();
  }

  /**
   * Reads the bundled resource into SVG paths, on the calling thread.
   *
   * @return the countries' shapes
   * @throws IllegalStateException when the resource is missing or malformed
   */
  static List<WorldMapGeometry.CountryShape> readBundled() {
    try (InputStream in = ProjectedCountries.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("world map resource " + RESOURCE
            + " is missing from the classpath; rebuild the visualization module");
      }
      return read(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read world map resource " + RESOURCE, e);
    }
  }

  /**
   * Reads outlines written by {@link #write} into SVG paths ({@code M x y L x y ... Z} per ring).
   *
   * @param in the bytes
   * @return one shape per country, in the order written
   * @throws IOException when reading fails
   * @throws IllegalStateException when the bytes are not such outlines
   */
  static List<WorldMapGeometry.CountryShape> read(InputStream in) throws IOException {
    DataInputStream stream = new DataInputStream(new BufferedInputStream(in, 1 << 16));
    try {
      if (stream.readInt() != MAGIC) {
        throw malformed("it does not start with the outline format's magic number");
      }
      int version = stream.readInt();
      if (version != VERSION) {
        throw malformed("format version " + version + ", expected " + VERSION);
      }
      int countryCount = bounded(stream.readInt(), COUNTRIES_MAX, "countries");
      List<WorldMapGeometry.CountryShape> shapes = new ArrayList<>(countryCount);
      StringBuilder path = new StringBuilder(1 << 14);
      for (int c = 0; c < countryCount; c++) {
        String iso = stream.readUTF();
        String name = stream.readUTF();
        int ringCount = bounded(stream.readInt(), RINGS_MAX, "rings of " + name);
        path.setLength(0);
        for (int r = 0; r < ringCount; r++) {
          int pointCount = bounded(stream.readInt(), POINTS_MAX, "points in a ring of " + name);
          for (int p = 0; p < pointCount; p++) {
            path.append(p == 0 ? 'M' : 'L');
            appendFixed(path, stream.readInt());
            path.append(' ');
            appendFixed(path, stream.readInt());
          }
          path.append('Z');
        }
        shapes.add(new WorldMapGeometry.CountryShape(iso, name, path.toString()));
      }
      if (stream.read() != -1) {
        throw malformed("bytes follow the last country");
      }
      return shapes;
    } catch (EOFException e) {
      throw malformed("it ends in the middle of a country");
    }
  }

  /** A projected coordinate in stored units, rounded to the nearest unit. */
  static int fixed(double worldUnits) {
    return (int) Math.round(worldUnits * UNITS_PER_WORLD_UNIT);
  }

  /** Appends a stored coordinate as a decimal with five places ({@code -1.23456}). */
  static void appendFixed(StringBuilder out, long units) {
    if (units < 0) {
      out.append('-');
      units = -units;
    }
    long whole = units / 100_000;
    long fraction = units % 100_000;
    out.append(whole).append('.');
    for (long digit = 10_000; digit > 0; digit /= 10) {
      out.append((char) ('0' + fraction / digit % 10));
    }
  }

  private static int bounded(int count, int max, String what) {
    if (count < 0 || count > max) {
      throw malformed(count + " " + what + " (at most " + max + ")");
    }
    return count;
  }

  private static IllegalStateException malformed(String why) {
    return new IllegalStateException("world map resource " + RESOURCE + " is malformed: " + why
        + "; regenerate it as ProjectedCountriesTest says");
  }
}

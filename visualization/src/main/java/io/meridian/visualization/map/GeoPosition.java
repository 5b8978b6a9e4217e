package io.meridian.visualization.map;

/**
 * A place on Earth in degrees.
 *
 * @param longitude -180 to 180, east positive
 * @param latitude -90 to 90, north positive
 */
public record GeoPosition(double longitude, double latitude) {

  /**
   * Checks the ranges.
   *
   * @throws IllegalArgumentException if a coordinate is out of range or not a number
   */
  public GeoPosition {
    if (!(longitude >= -180 && longitude <= 180)) {
      throw new IllegalArgumentException("longitude must be within -180..180, got " + longitude);
    }
    if (!(latitude >= -90 && latitude <= 90)) {
      throw new IllegalArgumentException("latitude must be within -90..90, got " + latitude);
    }
  }
}

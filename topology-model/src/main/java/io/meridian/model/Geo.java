package io.meridian.model;

/**
 * Geography and physics for links: great-circle distance and the speed-of-light floor in fibre.
 */
public final class Geo {
  /** Mean Earth radius used for great-circle distances. */
  public static final double EARTH_RADIUS_KM = 6371.0088;

  /**
   * One-way propagation delay of light in optical fibre per kilometre (refractive index ~1.47,
   * about 204,000 km/s), in milliseconds.
   */
  public static final double FIBRE_MS_PER_KM = 0.0049;

  /**
   * How much longer real fibre routes are than the great circle, on average between cloud
   * regions (cables follow coasts and land routes; measured inter-region RTTs are typically
   * 1.3 to 1.6 times the floor).
   */
  public static final double ROUTE_FACTOR = 1.4;

  /** Fixed per-path overhead (switching, last-mile inside the data centres), in milliseconds. */
  public static final double ROUTE_OVERHEAD_MS = 2.0;

  private Geo() {}

  /** Great-circle (haversine) distance in kilometres between two points in degrees. */
  public static double greatCircleKm(double lat1, double lon1, double lat2, double lon2) {
    double phi1 = Math.toRadians(lat1);
    double phi2 = Math.toRadians(lat2);
    double dPhi = phi2 - phi1;
    double dLambda = Math.toRadians(lon2 - lon1);
    double h = Math.sin(dPhi / 2) * Math.sin(dPhi / 2)
        + Math.cos(phi1) * Math.cos(phi2) * Math.sin(dLambda / 2) * Math.sin(dLambda / 2);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  /** Great-circle distance between two regions, in kilometres. */
  public static double greatCircleKm(Region a, Region b) {
    return greatCircleKm(a.latitude(), a.longitude(), b.latitude(), b.longitude());
  }

  /** The smallest round-trip time light in fibre allows over {@code km}, in milliseconds. */
  public static double fibreRttFloorMs(double km) {
    return 2 * km * FIBRE_MS_PER_KM;
  }

  /** The speed-of-light round-trip floor between two regions, in milliseconds. */
  public static double fibreRttFloorMs(Region a, Region b) {
    return fibreRttFloorMs(greatCircleKm(a, b));
  }

  /**
   * A realistic default round-trip time between two regions, in milliseconds: the fibre floor
   * stretched by the route factor plus a fixed overhead, rounded to 0.1 ms.
   */
  public static double estimatedRttMs(Region a, Region b) {
    double rtt = fibreRttFloorMs(a, b) * ROUTE_FACTOR + ROUTE_OVERHEAD_MS;
    return Math.round(rtt * 10) / 10.0;
  }
}

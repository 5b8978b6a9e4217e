package io.meridian.model;

/**
 * A network path between two regions. Links are undirected: {@code a~b} is the same path as
 * {@code b~a}.
 *
 * @param a one end
 * @param b the other end, different from {@code a}
 * @param rttMs round-trip time in milliseconds
 * @param jitterMs standard deviation of the one-way delay, in milliseconds
 * @param bandwidthMbps capacity in megabits per second
 * @param lossPercent packet loss, 0 to 100
 * @param encrypted whether traffic on the link is encrypted in transit
 */
public record Link(
    RegionId a,
    RegionId b,
    double rttMs,
    double jitterMs,
    double bandwidthMbps,
    double lossPercent,
    boolean encrypted) {

  /** Default capacity when a file does not say. */
  public static final double DEFAULT_BANDWIDTH_MBPS = 1000;

  /** Checks every field. */
  public Link {
    Invariants.notNull(a, "link end 'a'");
    Invariants.notNull(b, "link end 'b'");
    Invariants.require(!a.equals(b), "a link needs two different regions, both ends are %s", a);
    Invariants.nonNegative(rttMs, "rttMs of link " + a + "~" + b);
    Invariants.nonNegative(jitterMs, "jitterMs of link " + a + "~" + b);
    Invariants.require(Double.isFinite(bandwidthMbps) && bandwidthMbps > 0,
        "bandwidthMbps of link %s~%s must be more than zero, was %s", a, b, bandwidthMbps);
    Invariants.inRange(lossPercent, 0, 100, "lossPercent of link " + a + "~" + b);
  }

  /** An encrypted link with no jitter or loss and default bandwidth. */
  public static Link of(String a, String b, double rttMs) {
    return new Link(RegionId.of(a), RegionId.of(b), rttMs, 0, DEFAULT_BANDWIDTH_MBPS, 0, true);
  }

  /** The name used in messages and on the command line: {@code a~b}. */
  public String name() {
    return a + "~" + b;
  }

  /** Whether this link joins {@code x} and {@code y}, in either direction. */
  public boolean joins(RegionId x, RegionId y) {
    return (a.equals(x) && b.equals(y)) || (a.equals(y) && b.equals(x));
  }

  /** Whether {@code region} is one of the ends. */
  public boolean touches(RegionId region) {
    return a.equals(region) || b.equals(region);
  }

  /** The end that is not {@code region}. */
  public RegionId other(RegionId region) {
    Invariants.require(touches(region), "%s is not an end of link %s", region, name());
    return a.equals(region) ? b : a;
  }

  /** One-way delay, half the round trip, in milliseconds. */
  public double oneWayMs() {
    return rttMs / 2;
  }

  public Link withRttMs(double value) {
    return new Link(a, b, value, jitterMs, bandwidthMbps, lossPercent, encrypted);
  }

  public Link withJitterMs(double value) {
    return new Link(a, b, rttMs, value, bandwidthMbps, lossPercent, encrypted);
  }

  public Link withBandwidthMbps(double value) {
    return new Link(a, b, rttMs, jitterMs, value, lossPercent, encrypted);
  }

  public Link withLossPercent(double value) {
    return new Link(a, b, rttMs, jitterMs, bandwidthMbps, value, encrypted);
  }

  public Link withEncrypted(boolean value) {
    return new Link(a, b, rttMs, jitterMs, bandwidthMbps, lossPercent, value);
  }
}

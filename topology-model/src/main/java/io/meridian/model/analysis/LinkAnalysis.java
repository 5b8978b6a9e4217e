package io.meridian.model.analysis;

import io.meridian.model.RegionId;
import java.util.List;

/**
 * One link: how far it is from the speed of light, and how much replication traffic it carries.
 *
 * @param name {@code a~b}
 * @param a one end
 * @param b the other end
 * @param rttMs declared round trip, in milliseconds
 * @param jitterMs declared jitter (standard deviation of one-way delay), in milliseconds
 * @param greatCircleKm distance between the ends over the Earth's surface
 * @param floorRttMs the round trip of light in fibre over that distance
 * @param rttOverFloor declared round trip divided by the floor (1 is the physical limit)
 * @param fasterThanLight true when the declared round trip is below the floor: the link is
 *     impossible and every prediction over it is optimistic
 * @param cut true when the what-if cuts this link (or fails one of its ends)
 * @param bandwidthMbps capacity
 * @param trafficAToBMbps replication traffic from {@code a} to {@code b} at the stated write rate
 *     and value size, over all datasets routed across the link
 * @param trafficBToAMbps replication traffic from {@code b} to {@code a}
 * @param utilisation the busier direction's traffic over capacity
 * @param status whether that saturates the link
 * @param datasets the datasets whose replication crosses this link
 */
public record LinkAnalysis(
    String name,
    RegionId a,
    RegionId b,
    double rttMs,
    double jitterMs,
    double greatCircleKm,
    double floorRttMs,
    double rttOverFloor,
    boolean fasterThanLight,
    boolean cut,
    double bandwidthMbps,
    double trafficAToBMbps,
    double trafficBToAMbps,
    double utilisation,
    BandwidthStatus status,
    List<String> datasets) {

  /** Utilisation from which a link is reported as near saturation. */
  public static final double NEAR_SATURATION = 0.8;

  /** Copies the list. */
  public LinkAnalysis {
    datasets = List.copyOf(datasets);
  }
}

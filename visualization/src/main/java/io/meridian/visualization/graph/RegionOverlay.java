package io.meridian.visualization.graph;

/**
 * What an overlay says about one region: its status, a short badge (a failover rank, a lag
 * figure), whether it pulses to draw the eye, and whether it is dimmed because it is not
 * part of what the user is looking at (for example outside the focused dataset).
 *
 * @param status health, or {@code null} for none (neutral colour)
 * @param badge short text shown next to the marker, or {@code null} or empty for none
 * @param pulse whether the marker pulses
 * @param dimmed whether the region is drawn faded
 */
public record RegionOverlay(Status status, String badge, boolean pulse, boolean dimmed) {

  /** An overlay that changes nothing. */
  public static final RegionOverlay NONE = new RegionOverlay(null, null, false, false);

  /**
   * @param status the status
   * @return an overlay with only a status
   */
  public static RegionOverlay of(Status status) {
    return new RegionOverlay(status, null, false, false);
  }

  /**
   * @param value badge text
   * @return this overlay with a badge
   */
  public RegionOverlay withBadge(String value) {
    return new RegionOverlay(status, value, pulse, dimmed);
  }

  /**
   * @param value whether to pulse
   * @return this overlay pulsing or not
   */
  public RegionOverlay withPulse(boolean value) {
    return new RegionOverlay(status, badge, value, dimmed);
  }

  /**
   * @param value whether to dim
   * @return this overlay dimmed or not
   */
  public RegionOverlay withDimmed(boolean value) {
    return new RegionOverlay(status, badge, pulse, value);
  }
}

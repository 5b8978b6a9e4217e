package io.meridian.visualization.graph;

/**
 * What an overlay says about one link: its status, its line width, a short badge shown
 * after the round-trip time (a lag figure, "cut"), whether it pulses, and whether it is
 * dimmed.
 *
 * @param status health, or {@code null} for none (neutral colour)
 * @param widthPx line width in screen pixels, or {@code NaN} for the default
 * @param badge short text shown after the RTT label, or {@code null} or empty for none
 * @param pulse whether the line pulses
 * @param dimmed whether the link is drawn faded
 */
public record LinkOverlay(Status status, double widthPx, String badge, boolean pulse,
    boolean dimmed) {

  /** An overlay that changes nothing. */
  public static final LinkOverlay NONE = new LinkOverlay(null, Double.NaN, null, false, false);

  /** The most width an overlay may ask for, so one link cannot cover the map. */
  public static final double WIDTH_MAX_PX = 16;

  /**
   * Checks the width.
   *
   * @throws IllegalArgumentException if the width is not NaN and not within 0..{@value
   *     #WIDTH_MAX_PX}
   */
  public LinkOverlay {
    if (!Double.isNaN(widthPx) && !(widthPx >= 0 && widthPx <= WIDTH_MAX_PX)) {
      throw new IllegalArgumentException("link overlay width must be within 0.."
          + WIDTH_MAX_PX + " px, got " + widthPx);
    }
  }

  /**
   * @param status the status
   * @return an overlay with only a status
   */
  public static LinkOverlay of(Status status) {
    return new LinkOverlay(status, Double.NaN, null, false, false);
  }

  /**
   * @param value width in pixels
   * @return this overlay with a width
   */
  public LinkOverlay withWidthPx(double value) {
    return new LinkOverlay(status, value, badge, pulse, dimmed);
  }

  /**
   * @param value badge text
   * @return this overlay with a badge
   */
  public LinkOverlay withBadge(String value) {
    return new LinkOverlay(status, widthPx, value, pulse, dimmed);
  }

  /**
   * @param value whether to pulse
   * @return this overlay pulsing or not
   */
  public LinkOverlay withPulse(boolean value) {
    return new LinkOverlay(status, widthPx, badge, value, dimmed);
  }

  /**
   * @param value whether to dim
   * @return this overlay dimmed or not
   */
  public LinkOverlay withDimmed(boolean value) {
    return new LinkOverlay(status, widthPx, badge, pulse, value);
  }
}

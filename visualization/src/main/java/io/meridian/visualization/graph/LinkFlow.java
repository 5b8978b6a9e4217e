package io.meridian.visualization.graph;

import io.meridian.model.RegionId;
import java.util.Objects;

/**
 * Traffic on a link, drawn as particles streaming from {@code source} to the other end
 * (Vizceral-style): the denser the particles, the more changes per second.
 *
 * @param source the end the particles leave from
 * @param density how dense the particles are, from just above 0 (a trickle) to 1 (a stream)
 */
public record LinkFlow(RegionId source, double density) {

  /**
   * Checks the fields.
   *
   * @throws IllegalArgumentException if the density is not within (0, 1]
   */
  public LinkFlow {
    Objects.requireNonNull(source, "source");
    if (!(density > 0 && density <= 1)) {
      throw new IllegalArgumentException("link flow density must be within (0, 1], got "
          + density);
    }
  }

  /**
   * A density for a rate: logarithmic, so that 1 change per second shows and 1000 fill the line.
   *
   * @param changesPerSecond the rate, 0 or more
   * @return a density within (0, 1], or 0 when the rate is 0 (no flow to draw)
   */
  public static double densityOf(double changesPerSecond) {
    if (!(changesPerSecond > 0)) {
      return 0;
    }
    return Math.min(1, Math.max(0.05, Math.log10(1 + changesPerSecond) / 3));
  }
}

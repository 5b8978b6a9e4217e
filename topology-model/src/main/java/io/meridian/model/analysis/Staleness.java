package io.meridian.model.analysis;

import java.util.List;

/**
 * Probabilistically bounded staleness (Bailis et al., VLDB 2012) of an eventual read from one
 * client region: how soon after a commit a read sees it.
 *
 * @param applicable whether reads can be stale at all in this mode (false for sync, consensus and
 *     quorums with R + W > N, and when the region cannot read)
 * @param explanation what is modelled: which replica serves the read and where writes start, or
 *     why staleness does not apply
 * @param visibility the t-visibility curve, empty when not applicable
 * @param consistent99Ms time after commit by which 99% of reads return the write; null when not
 *     applicable, or when a partition keeps some reads stale until it heals
 * @param consistent999Ms time after commit by which 99.9% of reads return the write
 * @param consistent99CiMs 95% confidence interval of {@code consistent99Ms}
 * @param consistent999CiMs 95% confidence interval of {@code consistent999Ms}
 * @param meanVersionsBehind expected number of committed writes a read misses, at the stated
 *     write rate
 * @param versionsBehind probability of being more than k versions behind, per threshold
 * @param curveErrorBound with 95% confidence every point of the curve is within this of the truth
 */
public record Staleness(
    boolean applicable,
    String explanation,
    List<CurvePoint> visibility,
    Double consistent99Ms,
    Double consistent999Ms,
    Interval consistent99CiMs,
    Interval consistent999CiMs,
    Double meanVersionsBehind,
    List<VersionsBehind> versionsBehind,
    Double curveErrorBound) {

  /** Copies the lists. */
  public Staleness {
    visibility = visibility == null ? List.of() : List.copyOf(visibility);
    versionsBehind = versionsBehind == null ? List.of() : List.copyOf(versionsBehind);
  }

  static Staleness notApplicable(String explanation) {
    return new Staleness(false, explanation, List.of(), null, null, null, null, null, List.of(),
        null);
  }

  /** The probability that a read {@code tMs} after commit sees the write, from the curve. */
  public double visibilityAt(double tMs) {
    if (!applicable) {
      return 1;
    }
    double p = 0;
    for (CurvePoint point : visibility) {
      if (point.tMs() <= tMs) {
        p = point.probability();
      }
    }
    return p;
  }
}

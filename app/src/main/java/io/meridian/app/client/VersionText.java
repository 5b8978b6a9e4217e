package io.meridian.app.client;

import io.meridian.agent.api.v1.HlcTimestamp;
import io.meridian.agent.api.v1.Version;
import java.time.Instant;

/** How version metadata reads on the command line. */
public final class VersionText {
  private VersionText() {}

  /**
   * One line: {@code sequence 12, epoch 1, committed by us-east, origin eu-central, hlc
   * 2026-11-27T16:40:01.123Z+0}.
   */
  public static String describe(Version version) {
    return "sequence " + version.getSequence()
        + ", epoch " + version.getEpoch()
        + ", committed by " + version.getCommittedByRegion()
        + ", origin " + version.getOriginRegion()
        + ", hlc " + hlc(version.getTimestamp());
  }

  /** A hybrid logical clock reading as an instant and the logical counter. */
  public static String hlc(HlcTimestamp timestamp) {
    return Instant.ofEpochMilli(timestamp.getPhysicalMillis()) + "+" + timestamp.getLogical();
  }
}

package io.meridian.agent.failover;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What the failover group's log holds, one command per entry, in a small line format (kept
 * textual so a log dump reads as what happened).
 */
public sealed interface FailoverCommand {

  /** The dataset the command concerns. */
  String dataset();

  /**
   * A voting region has heard nothing from {@code epoch}'s primary for longer than its lease plus
   * the drift margin, and pledges to grant it no more lease; it reports how far its log goes.
   */
  record Release(String dataset, long epoch, String region, long lastEpochInLog, long lastSequence,
      long generation) implements FailoverCommand {
    /** Validates presence and range. */
    public Release {
      Objects.requireNonNull(dataset, "dataset");
      Objects.requireNonNull(region, "region");
      if (epoch < 1 || lastEpochInLog < 0 || lastSequence < 0 || generation < 1) {
        throw new IllegalArgumentException("release " + generation + " of epoch " + epoch + " by " + region
            + " with log end " + lastEpochInLog + "/" + lastSequence + " is out of range");
      }
    }

    /** The region's first release of the epoch. */
    public Release(String dataset, long epoch, String region, long lastEpochInLog, long lastSequence) {
      this(dataset, epoch, region, lastEpochInLog, lastSequence, 1);
    }
  }

  /**
   * A voting region that released {@code epoch}'s primary heard it again (a stall, not a death)
   * and takes back its releases up to {@code generation} (ADR 0019). Committed before any
   * decision of the epoch, it removes them from the count, and later copies of them are ignored;
   * only then may the region grant that primary's lease again. After a decision it is stale.
   */
  record Retract(String dataset, long epoch, String region, long generation) implements FailoverCommand {
    /** Validates presence and range. */
    public Retract {
      Objects.requireNonNull(dataset, "dataset");
      Objects.requireNonNull(region, "region");
      if (epoch < 1 || generation < 1) {
        throw new IllegalArgumentException("retraction of release " + generation + " of epoch " + epoch + " by "
            + region + " is out of range");
      }
    }
  }

  /**
   * An operator's decision (planned or forced failover): it is accepted only if {@code epoch} is
   * exactly one more than the group's newest decided epoch of the dataset, so two deciders
   * cannot both win.
   */
  record Decide(String dataset, long epoch, String primary, long startSequence, boolean previousPrimaryStopped)
      implements FailoverCommand {
    /** Validates presence and range. */
    public Decide {
      Objects.requireNonNull(dataset, "dataset");
      Objects.requireNonNull(primary, "primary");
      if (epoch < 2 || startSequence < 0) {
        throw new IllegalArgumentException("decision of epoch " + epoch + " from sequence " + startSequence
            + " is out of range");
      }
    }
  }

  /** The command as one line of text. */
  default byte[] encode() {
    String line;
    if (this instanceof Release) {
      Release r = (Release) this;
      line = String.join(" ", "RELEASE", r.dataset(), Long.toString(r.epoch()), r.region(),
          Long.toString(r.lastEpochInLog()), Long.toString(r.lastSequence()));
      if (r.generation() != 1) {
        line += " " + r.generation(); // First releases keep the six-field line of older logs.
      }
    } else if (this instanceof Retract) {
      Retract r = (Retract) this;
      line = String.join(" ", "RETRACT", r.dataset(), Long.toString(r.epoch()), r.region(),
          Long.toString(r.generation()));
    } else {
      Decide d = (Decide) this;
      line = String.join(" ", "DECIDE", d.dataset(), Long.toString(d.epoch()), d.primary(),
          Long.toString(d.startSequence()), Boolean.toString(d.previousPrimaryStopped()));
    }
    return line.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Parses a line written by {@link #encode}.
   *
   * @throws IllegalArgumentException saying what is wrong with the line
   */
  static FailoverCommand decode(byte[] bytes) {
    String line = new String(bytes, StandardCharsets.UTF_8);
    String[] parts = line.split(" ");
    try {
      if (parts.length == 6 && parts[0].equals("RELEASE")) {
        return new Release(parts[1], Long.parseLong(parts[2]), parts[3], Long.parseLong(parts[4]),
            Long.parseLong(parts[5]));
      }
      if (parts.length == 7 && parts[0].equals("RELEASE")) {
        return new Release(parts[1], Long.parseLong(parts[2]), parts[3], Long.parseLong(parts[4]),
            Long.parseLong(parts[5]), Long.parseLong(parts[6]));
      }
      if (parts.length == 5 && parts[0].equals("RETRACT")) {
        return new Retract(parts[1], Long.parseLong(parts[2]), parts[3], Long.parseLong(parts[4]));
      }
      if (parts.length == 6 && parts[0].equals("DECIDE")) {
        return new Decide(parts[1], Long.parseLong(parts[2]), parts[3], Long.parseLong(parts[4]),
            Boolean.parseBoolean(parts[5]));
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("failover command '" + line + "' has a malformed number: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("failover command '" + line + "' is not RELEASE (5 or 6 fields), RETRACT (4) or DECIDE (5)");
  }
}

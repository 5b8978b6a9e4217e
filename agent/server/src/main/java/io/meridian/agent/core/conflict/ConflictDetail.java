package io.meridian.agent.core.conflict;

import io.meridian.agent.core.Bytes;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A conflict a key state detected while applying an operation: writes neither of which had seen
 * the other.
 *
 * @param versions the concurrent versions involved
 * @param winner the version kept; empty when all are kept (siblings)
 * @param discarded the versions overwritten and lost, so an operator can see what was lost
 */
public record ConflictDetail(List<VersionInfo> versions, Optional<VersionInfo> winner, List<VersionInfo> discarded) {
  /** Copies the lists. */
  public ConflictDetail {
    versions = List.copyOf(versions);
    Objects.requireNonNull(winner, "winner");
    discarded = List.copyOf(discarded);
  }

  /**
   * One version in a conflict.
   *
   * @param stamp who committed it and when
   * @param value its value; empty for a delete
   * @param delete whether it was a delete
   */
  public record VersionInfo(Stamp stamp, Bytes value, boolean delete) {
    /** Validates presence. */
    public VersionInfo {
      Objects.requireNonNull(stamp, "stamp");
      Objects.requireNonNull(value, "value");
    }
  }
}

package io.meridian.agent.core.replication;

/**
 * One region's view of a dataset, as a failover decider (consensus adapter, simulation, operator
 * command) needs it: who it follows, how far its log goes, and whether it still backs the primary.
 *
 * @param dataset the dataset
 * @param epoch the newest decided epoch this region applied
 * @param primary the primary of that epoch
 * @param role this region's role
 * @param lastSequence newest sequence in this region's log
 * @param lastEpochInLog epoch of that newest entry (0 for an empty log); with {@code
 *     lastSequence}, what "most up to date" compares
 * @param lackingWritesKnown on a replica, writes the primary announced that this region lacks
 * @param acceptingWrites on the primary, whether it would accept a write now
 * @param releasesPrimary on a replica, whether it has heard nothing from the primary for longer
 *     than the lease plus the drift margin, so that the primary's lease cannot be held through it
 */
public record FailoverView(
    String dataset,
    long epoch,
    String primary,
    Role role,
    long lastSequence,
    long lastEpochInLog,
    long lackingWritesKnown,
    boolean acceptingWrites,
    boolean releasesPrimary,
    long releaseGeneration,
    boolean retractionWanted) {

  /** A view without a retractable release (ADR 0016's shape). */
  public FailoverView(String dataset, long epoch, String primary, Role role, long lastSequence, long lastEpochInLog,
      long lackingWritesKnown, boolean acceptingWrites, boolean releasesPrimary) {
    this(dataset, epoch, primary, role, lastSequence, lastEpochInLog, lackingWritesKnown, acceptingWrites,
        releasesPrimary, releasesPrimary ? 1 : 0, false);
  }
}

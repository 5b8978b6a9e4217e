package io.meridian.agent.core.replication;

import io.meridian.agent.config.ReplicationMode;
import java.util.List;

/**
 * One dataset's replication state in this region.
 *
 * @param dataset the dataset
 * @param mode its replication mode
 * @param role this region's role
 * @param epoch the current primary epoch
 * @param primary the primary region
 * @param lastSequence newest sequence in this region's log
 * @param peers replication with each peer
 */
public record DatasetStatus(
    String dataset,
    ReplicationMode mode,
    Role role,
    long epoch,
    String primary,
    long lastSequence,
    List<PeerLinkStatus> peers) {

  /** Copies the list. */
  public DatasetStatus {
    peers = List.copyOf(peers);
  }
}

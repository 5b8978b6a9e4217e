package io.meridian.agent.core.replication;

/**
 * Replication between this region and one peer for one dataset, seen from this region. On the
 * primary, lag is how far the peer is behind; on a replica, how far this region is behind.
 *
 * @param peer the other region
 * @param dataset the dataset
 * @param connected whether the replication stream is open
 * @param lagMillis now minus the commit time of the newest change known applied (kept current
 *     by heartbeats while idle); zero when caught up at the primary; -1 at a replica that has not
 *     yet heard from its primary
 * @param lagVersions changes committed at the primary and not yet applied at the replica
 * @param pendingChanges changes not yet sent (primary) or known and not yet applied (replica)
 * @param changesIn changes received from the peer, cumulative
 * @param changesOut changes sent to the peer, cumulative (resends included)
 * @param bytesIn estimated bytes of changes received, cumulative
 * @param bytesOut estimated bytes of changes sent, cumulative
 * @param stalledMillis at a replica connected to its primary and behind it, how long it has applied
 *     nothing once a resubscription went unanswered (the stream is not carrying data); 0 otherwise
 */
public record PeerLinkStatus(
    String peer,
    String dataset,
    boolean connected,
    long lagMillis,
    long lagVersions,
    long pendingChanges,
    long changesIn,
    long changesOut,
    long bytesIn,
    long bytesOut,
    long stalledMillis) {

  /** A link that is not stalled (primaries, multi-primary and quorum peers). */
  public PeerLinkStatus(String peer, String dataset, boolean connected, long lagMillis, long lagVersions,
      long pendingChanges, long changesIn, long changesOut, long bytesIn, long bytesOut) {
    this(peer, dataset, connected, lagMillis, lagVersions, pendingChanges, changesIn, changesOut, bytesIn,
        bytesOut, 0);
  }
}

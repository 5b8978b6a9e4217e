package io.meridian.agent.core.replication;

/**
 * One dataset's replication state machine in one region, whatever its mode. {@link
 * ReplicationNode} routes inputs to it by stream name and shares the hybrid logical clock; stream
 * connections are routed by the node, since a multi-primary dataset has one stream per log.
 */
interface DatasetEngine {
  Role role();

  void onClientRequest(long nowMillis, long requestId, ClientOperation operation, Output.Builder out);

  void onPeerMessage(long nowMillis, String from, PeerMessage message, Output.Builder out);

  void onTick(long nowMillis, Output.Builder out);

  DatasetStatus status(long nowMillis);

  /**
   * Appends the writes this engine staged during the step (one append, one sync, one batch per
   * follower). The node calls it at the end of every step, before the step's output leaves.
   */
  void flushStaged(Output.Builder out);

  /**
   * The earliest time at which {@link #onTick} has something to do, or {@link Long#MAX_VALUE};
   * never later than what is due.
   */
  long nextDeadlineMillis(long nowMillis);
}

package io.meridian.agent.core.replication;

import java.util.Objects;

/** Everything that can happen to a {@link ReplicationNode} besides time passing. */
public sealed interface Input {

  /** A local client's request, numbered by the driver so the response can be matched. */
  record ClientRequest(long requestId, String dataset, ClientOperation operation) implements Input {
    /** Validates presence. */
    public ClientRequest {
      Objects.requireNonNull(dataset, "dataset");
      Objects.requireNonNull(operation, "operation");
    }
  }

  /** A message arrived from {@code fromRegion}. */
  record PeerMessageReceived(String fromRegion, PeerMessage message) implements Input {
    /** Validates presence. */
    public PeerMessageReceived {
      Objects.requireNonNull(fromRegion, "fromRegion");
      Objects.requireNonNull(message, "message");
    }
  }

  /** The replication stream with {@code peer} for {@code dataset} is open. */
  record PeerConnected(String peer, String dataset) implements Input {}

  /** The replication stream with {@code peer} for {@code dataset} closed. */
  record PeerDisconnected(String peer, String dataset, String reason) implements Input {}
}

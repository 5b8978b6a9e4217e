package io.meridian.agent.runtime;

import io.meridian.agent.core.replication.PeerMessage;

/** Where the runtime sends peer messages; the transport implements it. */
public interface PeerSender {

  /** Sends {@code message} on the stream with {@code peer} for the message's dataset, if open. */
  void send(String peer, PeerMessage message);

  /** Closes the stream with {@code peer} for {@code dataset} because it broke the protocol. */
  void disconnect(String peer, String dataset, String reason);
}

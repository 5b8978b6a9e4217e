package io.meridian.agent.transport;

/**
 * An operator cut or healed the link to a peer.
 *
 * @param peer the peer region
 * @param cut true when cut, false when healed
 */
public record LinkChange(String peer, boolean cut) {}

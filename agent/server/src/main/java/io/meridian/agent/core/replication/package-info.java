/**
 * Primary-based replication (async and sync modes) as a state machine in the style of etcd's
 * raft: {@link io.meridian.agent.core.replication.ReplicationNode#step step} takes one input
 * (a client request, a peer message, a connection change), {@link
 * io.meridian.agent.core.replication.ReplicationNode#tick tick} takes the time, and both return
 * an {@link io.meridian.agent.core.replication.Output}: messages to send, client responses,
 * events, peers to disconnect, and whether the store must be synced first. See
 * docs/adr/0002-replication-core-state-machine.md and docs/adr/0003-peer-replication-protocol.md.
 */
package io.meridian.agent.core.replication;

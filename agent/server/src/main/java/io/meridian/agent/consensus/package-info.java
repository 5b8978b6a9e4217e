/**
 * The {@code consensus} replication mode on Apache Ratis (ADR 0015): one Raft server per agent
 * ({@link io.meridian.agent.consensus.RatisHost}) hosting one Raft group per consensus dataset, a
 * state machine applying committed writes and compare-and-sets, and the adapter the KV service
 * calls. This is an adapter, not part of the pure core: it does network and disk I/O.
 */
package io.meridian.agent.consensus;

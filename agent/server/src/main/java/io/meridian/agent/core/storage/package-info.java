/**
 * The replication log and the key-value state it produces, behind the {@link
 * io.meridian.agent.core.storage.ReplicaStore} port. The core reads and appends through that
 * interface; an in-memory implementation serves simulations, RocksDB serves agents.
 */
package io.meridian.agent.core.storage;

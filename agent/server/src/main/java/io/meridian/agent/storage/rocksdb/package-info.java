/**
 * The {@link io.meridian.agent.core.storage.ReplicaStore} on RocksDB: per dataset one column
 * family for the key-value state and one for the replication log, appended together in one write
 * batch through the write-ahead log.
 */
package io.meridian.agent.storage.rocksdb;

package io.meridian.agent.core.storage;

import io.meridian.agent.core.Bytes;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * Durable state of one agent: per dataset, the replication log, the key-value state it produces
 * and the highest epoch seen. Implementations must make {@link #append} atomic (log entries,
 * key-value state and last sequence move together) so that a restart never finds one without
 * the other, which is what makes applying idempotent across crashes.
 */
public interface ReplicaStore {

  /** The newest sequence in the dataset's log; 0 when empty. */
  long lastSequence(String dataset);

  /** The key's current state, tombstones included. */
  Optional<StoredValue> get(String dataset, Bytes key);

  /**
   * Appends consecutive changes to the dataset's log and applies them to its key-value state, all
   * or nothing. The first change must follow {@link #lastSequence} directly.
   */
  void append(String dataset, List<Change> changes);

  /**
   * Log entries from {@code fromSequence} on, at most {@code changesMax} of them and, beyond the
   * first, at most {@code bytesMax} bytes worth.
   */
  List<Change> readLog(String dataset, long fromSequence, int changesMax, long bytesMax);

  /** The highest primary epoch recorded for the dataset; 0 if none. */
  long epoch(String dataset);

  /** Records a higher primary epoch for the dataset. */
  void saveEpoch(String dataset, long epoch);

  /**
   * Records a failover decision: the epoch (not lower than the stored one) and its primary,
   * together, so a restart knows who the primary is without the decision being replayed.
   */
  void saveDecision(String dataset, long epoch, String primary);

  /** The primary of the stored epoch, if that epoch came from a recorded decision. */
  Optional<String> decidedPrimary(String dataset);

  /**
   * Removes the dataset's log entries after {@code sequence} and rolls its key-value state back
   * to what the remaining log produces, all or nothing; returns the removed entries, oldest first.
   * Used only when a failover made them divergent, after they were {@linkplain #quarantine kept}.
   */
  List<Change> truncateAfter(String dataset, long sequence);

  /**
   * Keeps {@code changes} aside for the failover that began {@code epoch}: written in an older
   * epoch and absent from the new primary's log. Appends to what is already kept for that epoch.
   */
  void quarantine(String dataset, long epoch, List<Change> changes);

  /** Everything quarantined for the dataset, by the epoch whose failover displaced it, oldest first. */
  SortedMap<Long, List<Change>> quarantined(String dataset);

  /**
   * Counts one more start of the dataset's replication in this store and returns the count, made
   * durable at once: no earlier start got the same number, even if it crashed before any sync.
   */
  long nextIncarnation(String dataset);

  /** Forces everything written so far to durable storage. */
  void sync();

  /**
   * Visits every key of the dataset's key-value state with its current state, tombstones
   * included, in key order. Anti-entropy (ADR 0014) builds its Merkle trees from it on start.
   */
  default void forEachKey(String dataset, java.util.function.BiConsumer<Bytes, StoredValue> visitor) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot scan its keys");
  }

  /**
   * Overwrites one key's state outside the log (empty: removes the key), as anti-entropy repair
   * does when a replica's state differs from its source of truth (ADR 0014). The log and the last
   * sequence stay as they are.
   */
  default void repairKey(String dataset, Bytes key, Optional<StoredValue> state) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot repair keys");
  }
}

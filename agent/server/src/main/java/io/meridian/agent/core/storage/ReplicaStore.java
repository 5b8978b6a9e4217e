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
   * Records, durably before it returns, this replica's pledge about a primary (ADR 0019): it must
   * survive a crash, since a release the failover group may count must never be forgotten.
   */
  default void savePledge(String dataset, Pledge pledge) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not keep failover pledges");
  }

  /** The pledge last saved for {@code dataset}, if any. */
  default Optional<Pledge> pledge(String dataset) {
    return Optional.empty();
  }

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

  // ---------------------------------------------------------------- log truncation and snapshots
  // (docs/adr/0017-log-truncation-and-snapshot-catch-up.md). The defaults describe a store that
  // never truncates, so an implementation without these keeps its whole log.

  /**
   * The newest sequence removed from the front of the dataset's log (0 when nothing was): the log
   * holds exactly the sequences after it up to {@link #lastSequence}, and the key-value state
   * still reflects the removed ones.
   */
  default long truncatedThrough(String dataset) {
    return 0;
  }

  /**
   * Removes log entries up to and including {@code sequence} (at most {@link #lastSequence}),
   * keeping the key-value state. Need not be durable at once: a truncation lost in a crash only
   * leaves a longer log.
   */
  default void truncateThrough(String dataset, long sequence) {
    // Keeps everything.
  }

  /**
   * Up to {@code changesMax} entries of the dataset's key-value state (tombstones included, each
   * as the change that produced it) with keys after {@code afterKey} ({@code null}: from the
   * first key), in key order; beyond the first, at most {@code bytesMax} bytes worth.
   */
  default List<Change> readState(String dataset, Bytes afterKey, int changesMax, long bytesMax) {
    throw new UnsupportedOperationException("this store keeps its whole log and serves no snapshots");
  }

  /**
   * Starts installing a snapshot: the dataset's log and key-value state are emptied, all or
   * nothing, and its last sequence becomes 0 until {@link #finishSnapshot}, so a crash in between
   * leaves a replica that asks for everything again.
   */
  default void beginSnapshot(String dataset) {
    throw new UnsupportedOperationException("this store cannot install snapshots");
  }

  /** Writes snapshot entries into the key-value state of a dataset whose snapshot has begun. */
  default void putSnapshotEntries(String dataset, List<Change> entries) {
    throw new UnsupportedOperationException("this store cannot install snapshots");
  }

  /**
   * Ends a snapshot: the state now reflects every change up to {@code sequence}, so the empty log
   * counts as truncated through it and the next append must be {@code sequence + 1}.
   */
  default void finishSnapshot(String dataset, long sequence) {
    throw new UnsupportedOperationException("this store cannot install snapshots");
  }
  /**
   * Keeps a hint (hinted handoff, quorum mode): {@code change} of {@code dataset} to deliver to
   * {@code target} when it is reachable again, under {@code hintId}, unique per dataset.
   */
  void saveHint(String dataset, String target, long hintId, Change change);

  /** Forgets a delivered hint; forgetting one that is not kept does nothing. */
  void removeHint(String dataset, String target, long hintId);

  /** Every hint kept for {@code dataset}: by target region, then by hint id, oldest first. */
  SortedMap<String, SortedMap<Long, Change>> hints(String dataset);
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

  // ---------------------------------------------------------------- multi-primary merged state
  // (docs/adr/0033-multi-primary-merged-state-in-the-store.md): per multi-primary dataset, each
  // key's merged state as opaque bytes, and the frontier (how far each region's log is folded in)
  // they reflect. The defaults describe a store without it, whose engine rebuilds from the logs.

  /** Whether this store keeps multi-primary merged state; without it the engine replays the logs. */
  default boolean keepsMergedState() {
    return false;
  }

  /** The merged state bytes of {@code key} in multi-primary dataset {@code dataset}, if any. */
  default Optional<byte[]> mergedState(String dataset, Bytes key) {
    return Optional.empty();
  }

  /**
   * Writes merged states (an empty array removes the key) and the frontier they reflect, all or
   * nothing. Written after the log entries they fold in, so a restart never finds state ahead of
   * its logs.
   */
  default void writeMergedState(String dataset, java.util.Map<Bytes, byte[]> states, byte[] frontier) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no merged state");
  }

  /** The frontier last written with the merged state of {@code dataset}; empty before the first write. */
  default Optional<byte[]> mergedFrontier(String dataset) {
    return Optional.empty();
  }

  /** Up to {@code keysMax} keys with merged state after {@code afterKey} ({@code null}: from the first), in key order. */
  default List<Bytes> mergedKeys(String dataset, Bytes afterKey, int keysMax) {
    return List.of();
  }

  /**
   * Up to {@code keysMax} keys with merged state after {@code afterKey} ({@code null}: from the
   * first), in key order, each with its merged state bytes: what collection walks (ADR 0040). A
   * store should read both in one pass; the default lists the keys, then reads each.
   */
  default List<java.util.Map.Entry<Bytes, byte[]>> mergedEntries(String dataset, Bytes afterKey, int keysMax) {
    List<java.util.Map.Entry<Bytes, byte[]>> result = new java.util.ArrayList<>();
    for (Bytes key : mergedKeys(dataset, afterKey, keysMax)) {
      mergedState(dataset, key).ifPresent(state -> result.add(java.util.Map.entry(key, state)));
    }
    return result;
  }

  /**
   * Declares that the engine never reads {@code dataset}'s per-key state ({@link #get}, {@link
   * #readState}, {@link #forEachKey}), only its log: a multi-primary region's per-origin logs
   * (ADR 0052), whose merged state lives in {@link #writeMergedState}. A store may then keep the log
   * alone, saving a write per appended change; reading the state afterwards is a programming error.
   * The default keeps both.
   */
  default void keepLogOnly(String dataset) {}
}

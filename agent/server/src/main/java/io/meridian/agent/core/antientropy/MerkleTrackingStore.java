package io.meridian.agent.core.antientropy;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.Invariants;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.ReplicaStore;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.storage.Version;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * A {@link ReplicaStore} that keeps one {@link MerkleTree} per tracked dataset in step with every
 * write that goes through it: appends, truncations and repairs. The trees are built from the
 * store's keys when it is wrapped (on start) and then maintained per written key (a leaf now, its
 * path when a hash is next read; ADR 0026).
 */
public final class MerkleTrackingStore implements ReplicaStore {
  private final ReplicaStore delegate;
  private final Map<String, MerkleTree> trees = new TreeMap<>();
  // Leaderless (quorum) datasets: each replica numbers what it holds in its own log, so their trees
  // hash a state without its replica-local sequence (ADR 0035).
  private final Set<String> leaderless;

  /** Wraps {@code delegate}, building a tree of {@code depth} for each of {@code datasets}. */
  public MerkleTrackingStore(ReplicaStore delegate, Set<String> datasets, int depth) {
    this(delegate, datasets, Set.of(), depth);
  }

  /**
   * Wraps {@code delegate}, building a tree of {@code depth} for each of {@code datasets} and of
   * {@code leaderlessDatasets}; the latter hash each key's {@link #canonical} state, so replicas
   * that hold the same versions have equal trees whatever their log positions.
   */
  public MerkleTrackingStore(ReplicaStore delegate, Set<String> datasets, Set<String> leaderlessDatasets, int depth) {
    this.delegate = delegate;
    this.leaderless = Set.copyOf(leaderlessDatasets);
    Set<String> all = new java.util.TreeSet<>(datasets);
    all.addAll(leaderlessDatasets);
    for (String dataset : all) {
      MerkleTree tree = new MerkleTree(depth);
      delegate.forEachKey(dataset, (key, state) -> tree.update(key, tracked(dataset, Optional.of(state))));
      trees.put(dataset, tree);
    }
  }

  /**
   * A leaderless replica's state as replicas compare it: value, tombstone and version without the
   * replica-local log sequence (and epoch, always 1 there). Two replicas hold the same write exactly
   * when their canonical states are equal.
   */
  public static StoredValue canonical(StoredValue state) {
    Version version = state.version();
    if (version.sequence() == 1 && version.epoch() == 1) {
      return state;
    }
    return new StoredValue(state.value(), new Version(version.timestamp(), version.originRegion(), 1,
        version.committedBy(), 1), state.tombstone());
  }

  private Optional<StoredValue> tracked(String dataset, Optional<StoredValue> state) {
    return leaderless.contains(dataset) ? state.map(MerkleTrackingStore::canonical) : state;
  }

  /** The tree of {@code dataset}, if it is tracked. */
  public Optional<MerkleTree> tree(String dataset) {
    return Optional.ofNullable(trees.get(dataset));
  }

  /** The datasets that have a tree. */
  public Set<String> trackedDatasets() {
    return java.util.Collections.unmodifiableSet(trees.keySet());
  }

  /** The wrapped store. */
  public ReplicaStore delegate() {
    return delegate;
  }

  @Override
  public long lastSequence(String dataset) {
    return delegate.lastSequence(dataset);
  }

  @Override
  public Optional<StoredValue> get(String dataset, Bytes key) {
    return delegate.get(dataset, key);
  }

  @Override
  public void append(String dataset, List<Change> changes) {
    delegate.append(dataset, changes);
    MerkleTree tree = trees.get(dataset);
    if (tree != null) {
      // Hashed straight from each change, with the canonical position of a leaderless dataset,
      // instead of building its stored (and canonical) state first: the same hash, without three
      // objects per appended change (ADR 0053).
      boolean canonicalPosition = leaderless.contains(dataset);
      for (int i = 0; i < changes.size(); i++) {
        tree.update(changes.get(i), canonicalPosition);
      }
    }
  }

  @Override
  public List<Change> readLog(String dataset, long fromSequence, int changesMax, long bytesMax) {
    return delegate.readLog(dataset, fromSequence, changesMax, bytesMax);
  }

  @Override
  public long epoch(String dataset) {
    return delegate.epoch(dataset);
  }

  @Override
  public void saveEpoch(String dataset, long epoch) {
    delegate.saveEpoch(dataset, epoch);
  }

  @Override
  public void saveDecision(String dataset, long epoch, String primary) {
    delegate.saveDecision(dataset, epoch, primary);
  }

  @Override
  public Optional<String> decidedPrimary(String dataset) {
    return delegate.decidedPrimary(dataset);
  }

  @Override
  public void savePledge(String dataset, io.meridian.agent.core.storage.Pledge pledge) {
    delegate.savePledge(dataset, pledge);
  }

  @Override
  public Optional<io.meridian.agent.core.storage.Pledge> pledge(String dataset) {
    return delegate.pledge(dataset);
  }

  @Override
  public List<Change> truncateAfter(String dataset, long sequence) {
    List<Change> removed = delegate.truncateAfter(dataset, sequence);
    MerkleTree tree = trees.get(dataset);
    if (tree != null) {
      Set<Bytes> keys = new LinkedHashSet<>();
      removed.forEach(change -> keys.add(change.key()));
      for (Bytes key : keys) {
        tree.update(key, tracked(dataset, delegate.get(dataset, key)));
      }
    }
    return removed;
  }

  @Override
  public void quarantine(String dataset, long epoch, List<Change> changes) {
    delegate.quarantine(dataset, epoch, changes);
  }

  @Override
  public SortedMap<Long, List<Change>> quarantined(String dataset) {
    return delegate.quarantined(dataset);
  }

  @Override
  public long nextIncarnation(String dataset) {
    return delegate.nextIncarnation(dataset);
  }

  @Override
  public void sync() {
    delegate.sync();
  }

  @Override
  public void forEachKey(String dataset, BiConsumer<Bytes, StoredValue> visitor) {
    delegate.forEachKey(dataset, visitor);
  }

  @Override
  public void repairKey(String dataset, Bytes key, Optional<StoredValue> state) {
    delegate.repairKey(dataset, key, state);
    MerkleTree tree = trees.get(dataset);
    if (tree != null) {
      tree.update(key, tracked(dataset, state));
    }
  }
  @Override
  public long truncatedThrough(String dataset) {
    return delegate.truncatedThrough(dataset);
  }

  @Override
  public void truncateThrough(String dataset, long sequence) {
    // The key-value state stays as it is, so the tree does too.
    delegate.truncateThrough(dataset, sequence);
  }

  @Override
  public List<Change> readState(String dataset, Bytes afterKey, int changesMax, long bytesMax) {
    return delegate.readState(dataset, afterKey, changesMax, bytesMax);
  }

  @Override
  public void beginSnapshot(String dataset) {
    delegate.beginSnapshot(dataset);
    MerkleTree tree = trees.get(dataset);
    if (tree != null) {
      // The state was emptied: so is the tree.
      trees.put(dataset, new MerkleTree(tree.depth()));
    }
  }

  @Override
  public void putSnapshotEntries(String dataset, List<Change> entries) {
    delegate.putSnapshotEntries(dataset, entries);
    MerkleTree tree = trees.get(dataset);
    if (tree != null) {
      for (Change change : entries) {
        tree.update(change.key(), tracked(dataset, Optional.of(StoredValue.of(change))));
      }
    }
  }

  @Override
  public void finishSnapshot(String dataset, long sequence) {
    delegate.finishSnapshot(dataset, sequence);
  }

  @Override
  public void saveHint(String dataset, String target, long hintId, Change change) {
    delegate.saveHint(dataset, target, hintId, change);
  }

  @Override
  public void removeHint(String dataset, String target, long hintId) {
    delegate.removeHint(dataset, target, hintId);
  }

  @Override
  public SortedMap<String, SortedMap<Long, Change>> hints(String dataset) {
    return delegate.hints(dataset);
  }

  // Multi-primary merged state (ADR 0033): not a dataset's key-value state, so no tree sees it.

  @Override
  public boolean keepsMergedState() {
    return delegate.keepsMergedState();
  }

  @Override
  public void keepLogOnly(String dataset) {
    Invariants.check(!trees.containsKey(dataset), "dataset %s has a Merkle tree of its state; it cannot keep its log only",
        dataset);
    delegate.keepLogOnly(dataset);
  }

  @Override
  public Optional<byte[]> mergedState(String dataset, Bytes key) {
    return delegate.mergedState(dataset, key);
  }

  @Override
  public void writeMergedState(String dataset, Map<Bytes, byte[]> states, byte[] frontier) {
    delegate.writeMergedState(dataset, states, frontier);
  }

  @Override
  public Optional<byte[]> mergedFrontier(String dataset) {
    return delegate.mergedFrontier(dataset);
  }

  @Override
  public List<Bytes> mergedKeys(String dataset, Bytes afterKey, int keysMax) {
    return delegate.mergedKeys(dataset, afterKey, keysMax);
  }

  @Override
  public List<java.util.Map.Entry<Bytes, byte[]>> mergedEntries(String dataset, Bytes afterKey, int keysMax) {
    return delegate.mergedEntries(dataset, afterKey, keysMax);
  }
}

package io.meridian.agent.core.antientropy;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.ReplicaStore;
import io.meridian.agent.core.storage.StoredValue;
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

  /** Wraps {@code delegate}, building a tree of {@code depth} for each of {@code datasets}. */
  public MerkleTrackingStore(ReplicaStore delegate, Set<String> datasets, int depth) {
    this.delegate = delegate;
    for (String dataset : datasets) {
      MerkleTree tree = new MerkleTree(depth);
      delegate.forEachKey(dataset, (key, state) -> tree.update(key, Optional.of(state)));
      trees.put(dataset, tree);
    }
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
      for (Change change : changes) {
        tree.update(change.key(), Optional.of(StoredValue.of(change)));
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
        tree.update(key, delegate.get(dataset, key));
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
      tree.update(key, state);
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
        tree.update(change.key(), Optional.of(StoredValue.of(change)));
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
}

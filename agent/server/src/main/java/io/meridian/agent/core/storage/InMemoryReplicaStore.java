package io.meridian.agent.core.storage;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.Invariants;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A {@link ReplicaStore} in memory, for simulations and tests. It outlives the core that uses it,
 * which is how a simulated process crash keeps its data. Not thread-safe. Not final, so tests can
 * inject storage failures.
 */
public class InMemoryReplicaStore implements ReplicaStore {
  private final Map<String, DatasetData> datasets = new HashMap<>();
  private long syncCount;
  // Multi-primary merged state (ADR 0033) by dataset, with what each write since the last sync
  // replaced (null: absent), newest last, so a simulated power loss can take those writes back.
  private final Map<String, TreeMap<Bytes, byte[]>> merged = new HashMap<>();
  private final Map<String, byte[]> mergedFrontiers = new HashMap<>();
  private final List<MergedUndo> mergedUndo = new ArrayList<>();

  /** What one merged write replaced: a key's state, or the frontier when {@code key} is null; null: absent. */
  private record MergedUndo(String dataset, Bytes key, byte[] previous) {}

  private static final class DatasetData {
    final List<Change> log = new ArrayList<>();
    final NavigableMap<Bytes, StoredValue> state = new TreeMap<>();
    // keepLogOnly (ADR 0052): the state is not kept and must not be read.
    boolean logOnly;
    // The log starts after this sequence; base is the state it left (what the log replays onto).
    long truncatedThrough;
    final NavigableMap<Bytes, StoredValue> base = new TreeMap<>();
    long epoch;
    // Durable as soon as counted: a simulated crash does not roll it back.
    long incarnation;
    String decidedPrimary;
    String syncedDecidedPrimary;
    // Written durably at once (ReplicaStore.savePledge): a simulated crash keeps it.
    Pledge pledge;
    final SortedMap<Long, List<Change>> quarantine = new TreeMap<>();
    // Durable as soon as written, like the quarantine: a simulated crash keeps hints.
    final SortedMap<String, SortedMap<Long, Change>> hints = new TreeMap<>();
    int syncedLogSize;
    long syncedEpoch;
  }

  private DatasetData data(String dataset) {
    return datasets.computeIfAbsent(dataset, name -> new DatasetData());
  }

  @Override
  public long lastSequence(String dataset) {
    DatasetData data = data(dataset);
    return data.truncatedThrough + data.log.size();
  }

  @Override
  public Optional<StoredValue> get(String dataset, Bytes key) {
    DatasetData data = data(dataset);
    Invariants.check(!data.logOnly, "dataset %s keeps its log only (keepLogOnly); its per-key state is not kept", dataset);
    return Optional.ofNullable(data.state.get(key));
  }

  @Override
  public void keepLogOnly(String dataset) {
    DatasetData data = data(dataset);
    data.logOnly = true;
    data.state.clear();
  }

  @Override
  public void append(String dataset, List<Change> changes) {
    DatasetData data = data(dataset);
    long expected = data.truncatedThrough + data.log.size() + 1L;
    for (Change change : changes) {
      Invariants.check(change.sequence() == expected,
          "dataset %s: append of sequence %d where %d was expected (never twice, never skipped)",
          dataset, change.sequence(), expected);
      expected++;
    }
    for (Change change : changes) {
      data.log.add(change);
      if (!data.logOnly) {
        data.state.put(change.key(), StoredValue.of(change));
      }
    }
  }

  @Override
  public List<Change> readLog(String dataset, long fromSequence, int changesMax, long bytesMax) {
    Invariants.check(fromSequence >= 1, "log sequences start at 1, asked for %d", fromSequence);
    DatasetData data = data(dataset);
    Invariants.check(fromSequence > data.truncatedThrough, "dataset %s: the log was truncated through %d,"
        + " asked for %d", dataset, data.truncatedThrough, fromSequence);
    List<Change> log = data.log;
    List<Change> result = new ArrayList<>();
    long bytes = 0;
    for (long sequence = fromSequence; sequence <= data.truncatedThrough + log.size()
        && result.size() < changesMax; sequence++) {
      Change change = log.get((int) (sequence - data.truncatedThrough - 1));
      if (!result.isEmpty() && bytes + change.sizeBytes() > bytesMax) {
        break;
      }
      bytes += change.sizeBytes();
      result.add(change);
    }
    return result;
  }

  @Override
  public long epoch(String dataset) {
    return data(dataset).epoch;
  }

  @Override
  public void saveEpoch(String dataset, long epoch) {
    DatasetData data = data(dataset);
    Invariants.check(epoch >= data.epoch, "dataset %s: epoch must not go back from %d to %d",
        dataset, data.epoch, epoch);
    if (epoch > data.epoch) {
      data.decidedPrimary = null;
    }
    data.epoch = epoch;
  }

  @Override
  public long nextIncarnation(String dataset) {
    return ++data(dataset).incarnation;
  }

  @Override
  public void saveDecision(String dataset, long epoch, String primary) {
    saveEpoch(dataset, epoch);
    data(dataset).decidedPrimary = primary;
  }

  @Override
  public Optional<String> decidedPrimary(String dataset) {
    return Optional.ofNullable(data(dataset).decidedPrimary);
  }

  @Override
  public void savePledge(String dataset, Pledge pledge) {
    data(dataset).pledge = pledge;
  }

  @Override
  public Optional<Pledge> pledge(String dataset) {
    return Optional.ofNullable(data(dataset).pledge);
  }

  @Override
  public List<Change> truncateAfter(String dataset, long sequence) {
    DatasetData data = data(dataset);
    Invariants.check(sequence >= data.truncatedThrough, "dataset %s: cannot truncate after %d (the log"
        + " starts after %d)", dataset, sequence, data.truncatedThrough);
    if (sequence >= lastSequence(dataset)) {
      return List.of();
    }
    List<Change> tail = data.log.subList((int) (sequence - data.truncatedThrough), data.log.size());
    List<Change> removed = List.copyOf(tail);
    tail.clear();
    // A test store: truncation counts as durable at once, like the quarantine written before it.
    data.syncedLogSize = Math.min(data.syncedLogSize, data.log.size());
    replay(data);
    return removed;
  }

  @Override
  public void quarantine(String dataset, long epoch, List<Change> changes) {
    data(dataset).quarantine.computeIfAbsent(epoch, e -> new ArrayList<>()).addAll(changes);
  }

  @Override
  public SortedMap<Long, List<Change>> quarantined(String dataset) {
    SortedMap<Long, List<Change>> copy = new TreeMap<>();
    data(dataset).quarantine.forEach((epoch, changes) -> copy.put(epoch, List.copyOf(changes)));
    return copy;
  }

  @Override
  public void saveHint(String dataset, String target, long hintId, Change change) {
    data(dataset).hints.computeIfAbsent(target, t -> new TreeMap<>()).put(hintId, change);
  }

  @Override
  public void removeHint(String dataset, String target, long hintId) {
    SortedMap<Long, Change> kept = data(dataset).hints.get(target);
    if (kept != null) {
      kept.remove(hintId);
    }
  }

  @Override
  public SortedMap<String, SortedMap<Long, Change>> hints(String dataset) {
    SortedMap<String, SortedMap<Long, Change>> copy = new TreeMap<>();
    data(dataset).hints.forEach((target, kept) -> {
      if (!kept.isEmpty()) {
        copy.put(target, new TreeMap<>(kept));
      }
    });
    return copy;
  }

  @Override
  public void sync() {
    syncCount++;
    mergedUndo.clear();
    for (DatasetData data : datasets.values()) {
      data.syncedLogSize = data.log.size();
      data.syncedEpoch = data.epoch;
      data.syncedDecidedPrimary = data.decidedPrimary;
    }
  }

  /**
   * Simulates a power loss for one dataset: everything written since the last {@link #sync()} is
   * gone, as it would be from a disk whose write cache was never flushed.
   */
  public void loseUnsyncedWrites(String dataset) {
    DatasetData data = data(dataset);
    // Merged state is written after the log entries it folds in; taking back more of it than of
    // the log only means replaying a longer tail at the next start.
    for (int i = mergedUndo.size() - 1; i >= 0; i--) {
      MergedUndo undo = mergedUndo.get(i);
      if (undo.key() == null && undo.previous() == null) {
        mergedFrontiers.remove(undo.dataset());
      } else if (undo.key() == null) {
        mergedFrontiers.put(undo.dataset(), undo.previous());
      } else if (undo.previous() == null) {
        merged.get(undo.dataset()).remove(undo.key());
      } else {
        merged.get(undo.dataset()).put(undo.key(), undo.previous());
      }
    }
    mergedUndo.clear();
    data.log.subList(data.syncedLogSize, data.log.size()).clear();
    data.epoch = data.syncedEpoch;
    data.decidedPrimary = data.syncedDecidedPrimary;
    replay(data);
  }

  private static void replay(DatasetData data) {
    data.state.clear();
    data.state.putAll(data.base);
    for (Change change : data.log) {
      data.state.put(change.key(), StoredValue.of(change));
    }
  }

  @Override
  public long truncatedThrough(String dataset) {
    return data(dataset).truncatedThrough;
  }

  /**
   * {@inheritDoc} A test store: the truncation counts as durable at once, so a later {@link
   * #loseUnsyncedWrites} keeps the removed entries' effect on the state.
   */
  @Override
  public void truncateThrough(String dataset, long sequence) {
    DatasetData data = data(dataset);
    Invariants.check(sequence <= lastSequence(dataset), "dataset %s: cannot truncate through %d beyond"
        + " the log's end %d", dataset, sequence, lastSequence(dataset));
    if (sequence <= data.truncatedThrough) {
      return;
    }
    List<Change> removed = data.log.subList(0, (int) (sequence - data.truncatedThrough));
    for (Change change : removed) {
      data.base.put(change.key(), StoredValue.of(change));
    }
    data.syncedLogSize = Math.max(0, data.syncedLogSize - removed.size());
    removed.clear();
    data.truncatedThrough = sequence;
  }

  @Override
  public List<Change> readState(String dataset, Bytes afterKey, int changesMax, long bytesMax) {
    NavigableMap<Bytes, StoredValue> state = data(dataset).state;
    List<Change> result = new ArrayList<>();
    long bytes = 0;
    for (Map.Entry<Bytes, StoredValue> entry
        : (afterKey == null ? state : state.tailMap(afterKey, false)).entrySet()) {
      if (result.size() >= changesMax) {
        break;
      }
      Change change = Change.of(entry.getKey(), entry.getValue());
      if (!result.isEmpty() && bytes + change.sizeBytes() > bytesMax) {
        break;
      }
      bytes += change.sizeBytes();
      result.add(change);
    }
    return result;
  }

  @Override
  public void beginSnapshot(String dataset) {
    DatasetData data = data(dataset);
    // A test store: a snapshot install counts as durable at once, like a truncation.
    data.log.clear();
    data.syncedLogSize = 0;
    data.truncatedThrough = 0;
    data.base.clear();
    data.state.clear();
  }

  @Override
  public void putSnapshotEntries(String dataset, List<Change> entries) {
    DatasetData data = data(dataset);
    Invariants.check(data.log.isEmpty() && data.truncatedThrough == 0, "dataset %s: snapshot entries"
        + " arrived outside a snapshot", dataset);
    for (Change change : entries) {
      data.base.put(change.key(), StoredValue.of(change));
      data.state.put(change.key(), StoredValue.of(change));
    }
  }

  @Override
  public void finishSnapshot(String dataset, long sequence) {
    DatasetData data = data(dataset);
    Invariants.check(data.log.isEmpty() && data.truncatedThrough == 0 && sequence >= 0, "dataset %s:"
        + " snapshot through %d finished outside a snapshot", dataset, sequence);
    data.truncatedThrough = sequence;
  }

  /** The dataset's key-value state, for comparisons in tests. */
  public NavigableMap<Bytes, StoredValue> snapshot(String dataset) {
    return new TreeMap<>(data(dataset).state);
  }

  /** The dataset's log (what truncation left of it), for comparisons in tests. */
  public List<Change> log(String dataset) {
    return List.copyOf(data(dataset).log);
  }

  /** How many times {@link #sync()} was called. */
  public long syncCount() {
    return syncCount;
  }

  @Override
  public void forEachKey(String dataset, java.util.function.BiConsumer<Bytes, StoredValue> visitor) {
    data(dataset).state.forEach(visitor);
  }

  @Override
  public void repairKey(String dataset, Bytes key, Optional<StoredValue> state) {
    if (state.isPresent()) {
      data(dataset).state.put(key, state.get());
    } else {
      data(dataset).state.remove(key);
    }
  }

  @Override
  public boolean keepsMergedState() {
    return true;
  }

  @Override
  public Optional<byte[]> mergedState(String dataset, Bytes key) {
    TreeMap<Bytes, byte[]> states = merged.get(dataset);
    return states == null ? Optional.empty() : Optional.ofNullable(states.get(key)).map(byte[]::clone);
  }

  @Override
  public void writeMergedState(String dataset, Map<Bytes, byte[]> states, byte[] frontier) {
    TreeMap<Bytes, byte[]> target = merged.computeIfAbsent(dataset, name -> new TreeMap<>());
    for (Map.Entry<Bytes, byte[]> entry : states.entrySet()) {
      Bytes key = entry.getKey();
      byte[] previous = entry.getValue().length == 0 ? target.remove(key) : target.put(key, entry.getValue().clone());
      mergedUndo.add(new MergedUndo(dataset, key, previous));
    }
    byte[] previousFrontier = mergedFrontiers.put(dataset, frontier.clone());
    mergedUndo.add(new MergedUndo(dataset, null, previousFrontier));
  }

  @Override
  public Optional<byte[]> mergedFrontier(String dataset) {
    return Optional.ofNullable(mergedFrontiers.get(dataset)).map(byte[]::clone);
  }

  @Override
  public List<Bytes> mergedKeys(String dataset, Bytes afterKey, int keysMax) {
    TreeMap<Bytes, byte[]> states = merged.get(dataset);
    if (states == null) {
      return List.of();
    }
    List<Bytes> result = new ArrayList<>();
    for (Bytes key : afterKey == null ? states.keySet() : states.tailMap(afterKey, false).keySet()) {
      if (result.size() >= keysMax) {
        break;
      }
      result.add(key);
    }
    return result;
  }
}

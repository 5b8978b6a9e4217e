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

  private static final class DatasetData {
    final List<Change> log = new ArrayList<>();
    final NavigableMap<Bytes, StoredValue> state = new TreeMap<>();
    long epoch;
    // Durable as soon as counted: a simulated crash does not roll it back.
    long incarnation;
    String decidedPrimary;
    String syncedDecidedPrimary;
    final SortedMap<Long, List<Change>> quarantine = new TreeMap<>();
    int syncedLogSize;
    long syncedEpoch;
  }

  private DatasetData data(String dataset) {
    return datasets.computeIfAbsent(dataset, name -> new DatasetData());
  }

  @Override
  public long lastSequence(String dataset) {
    return data(dataset).log.size();
  }

  @Override
  public Optional<StoredValue> get(String dataset, Bytes key) {
    return Optional.ofNullable(data(dataset).state.get(key));
  }

  @Override
  public void append(String dataset, List<Change> changes) {
    DatasetData data = data(dataset);
    long expected = data.log.size() + 1L;
    for (Change change : changes) {
      Invariants.check(change.sequence() == expected,
          "dataset %s: append of sequence %d where %d was expected (never twice, never skipped)",
          dataset, change.sequence(), expected);
      expected++;
    }
    for (Change change : changes) {
      data.log.add(change);
      data.state.put(change.key(), StoredValue.of(change));
    }
  }

  @Override
  public List<Change> readLog(String dataset, long fromSequence, int changesMax, long bytesMax) {
    Invariants.check(fromSequence >= 1, "log sequences start at 1, asked for %d", fromSequence);
    List<Change> log = data(dataset).log;
    List<Change> result = new ArrayList<>();
    long bytes = 0;
    for (long sequence = fromSequence; sequence <= log.size() && result.size() < changesMax; sequence++) {
      Change change = log.get((int) (sequence - 1));
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
  public List<Change> truncateAfter(String dataset, long sequence) {
    DatasetData data = data(dataset);
    Invariants.check(sequence >= 0, "dataset %s: cannot truncate after %d", dataset, sequence);
    if (sequence >= data.log.size()) {
      return List.of();
    }
    List<Change> tail = data.log.subList((int) sequence, data.log.size());
    List<Change> removed = List.copyOf(tail);
    tail.clear();
    // A test store: truncation counts as durable at once, like the quarantine written before it.
    data.syncedLogSize = Math.min(data.syncedLogSize, data.log.size());
    data.state.clear();
    for (Change change : data.log) {
      data.state.put(change.key(), StoredValue.of(change));
    }
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
  public void sync() {
    syncCount++;
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
    data.log.subList(data.syncedLogSize, data.log.size()).clear();
    data.epoch = data.syncedEpoch;
    data.decidedPrimary = data.syncedDecidedPrimary;
    data.state.clear();
    for (Change change : data.log) {
      data.state.put(change.key(), StoredValue.of(change));
    }
  }

  /** The dataset's key-value state, for comparisons in tests. */
  public NavigableMap<Bytes, StoredValue> snapshot(String dataset) {
    return new TreeMap<>(data(dataset).state);
  }

  /** The dataset's whole log, for comparisons in tests. */
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
}

package io.meridian.agent.storage.rocksdb;

import static io.meridian.agent.core.storage.ReplicaStoreContract.put;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.storage.ReplicaStore;
import io.meridian.agent.core.storage.ReplicaStoreContract;
import io.meridian.agent.core.storage.StoredValue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves the RocksDB store keeps the store contract and that its data survives closing and
// reopening, which is what a restarted agent recovers from.
class RocksDbReplicaStoreTest extends ReplicaStoreContract {
  private static final List<String> DATASETS = List.of("d", "one", "two");

  @TempDir
  Path directory;

  private final List<RocksDbReplicaStore> opened = new ArrayList<>();

  private RocksDbReplicaStore open(Path path, List<String> datasets) {
    RocksDbReplicaStore store = new RocksDbReplicaStore(path, datasets);
    opened.add(store);
    return store;
  }

  @AfterEach
  void closeStores() {
    opened.forEach(RocksDbReplicaStore::close);
  }

  @Override
  protected ReplicaStore newStore() {
    return open(directory.resolve("store-" + opened.size()), DATASETS);
  }

  @Test
  void reopenedStoreHasTheSameLogStateAndEpoch() {
    Path path = directory.resolve("reopen");
    RocksDbReplicaStore first = open(path, DATASETS);
    first.append("d", List.of(put(1, "k", "v1"), put(2, "k", "v2")));
    first.saveEpoch("d", 4);
    first.sync();
    first.close();
    opened.remove(first);

    RocksDbReplicaStore second = open(path, DATASETS);

    assertThat(second.lastSequence("d")).isEqualTo(2);
    assertThat(second.readLog("d", 1, 10, Long.MAX_VALUE)).containsExactly(put(1, "k", "v1"), put(2, "k", "v2"));
    assertThat(second.get("d", Bytes.ofUtf8("k"))).hasValue(StoredValue.of(put(2, "k", "v2")));
    assertThat(second.epoch("d")).isEqualTo(4);
  }

  @Test
  void reopenedStoreKeepsItsTruncationAndAnInstalledSnapshot() {
    Path path = directory.resolve("truncated");
    RocksDbReplicaStore first = open(path, DATASETS);
    first.append("d", List.of(put(1, "k", "v1"), put(2, "k", "v2"), put(3, "j", "v3")));
    first.truncateThrough("d", 2);
    first.beginSnapshot("one");
    first.putSnapshotEntries("one", List.of(put(40, "s", "snap")));
    first.finishSnapshot("one", 41);
    first.sync();
    first.close();
    opened.remove(first);

    RocksDbReplicaStore second = open(path, DATASETS);

    assertThat(second.truncatedThrough("d")).isEqualTo(2);
    assertThat(second.lastSequence("d")).isEqualTo(3);
    assertThat(second.readLog("d", 3, 10, Long.MAX_VALUE)).containsExactly(put(3, "j", "v3"));
    assertThat(second.get("d", Bytes.ofUtf8("k"))).hasValue(StoredValue.of(put(2, "k", "v2")));
    assertThat(second.lastSequence("one")).isEqualTo(41);
    assertThat(second.truncatedThrough("one")).isEqualTo(41);
    assertThat(second.get("one", Bytes.ofUtf8("s"))).hasValue(StoredValue.of(put(40, "s", "snap")));
  }

  @Test
  void datasetDroppedFromTheConfigurationKeepsItsDataOnDisk() {
    Path path = directory.resolve("dropped");
    RocksDbReplicaStore first = open(path, DATASETS);
    first.append("two", List.of(put(1, "k", "v")));
    first.close();
    opened.remove(first);
    open(path, List.of("d")).close();
    opened.clear();

    RocksDbReplicaStore third = open(path, DATASETS);

    assertThat(third.lastSequence("two")).isEqualTo(1);
  }

  @Test
  void logReadsAreTheSameFromTheInMemoryTailAndFromDiskBeyondIt() {
    Path path = directory.resolve("tail");
    RocksDbReplicaStore store = open(path, DATASETS);
    // A primary reads its log to ship it; from then on the store keeps the newest entries in memory.
    assertThat(store.readLog("d", 1, 1, Long.MAX_VALUE)).isEmpty();
    int changes = RocksDbReplicaStore.TAIL_CHANGES_MAX + 1_000;
    List<io.meridian.agent.core.storage.Change> batch = new ArrayList<>();
    for (int sequence = 1; sequence <= changes; sequence++) {
      batch.add(put(sequence, "k" + (sequence % 50), "v" + sequence));
      if (batch.size() == 500 || sequence == changes) {
        store.append("d", batch);
        batch = new ArrayList<>();
      }
    }

    // The oldest entries have left the in-memory tail and come from disk, the newest from memory;
    // both must read exactly as a freshly opened store (all from disk) reads them.
    List<io.meridian.agent.core.storage.Change> old = store.readLog("d", 1, 600, Long.MAX_VALUE);
    List<io.meridian.agent.core.storage.Change> recent = store.readLog("d", changes - 599, 600, Long.MAX_VALUE);
    store.close();
    opened.remove(store);
    RocksDbReplicaStore reopened = open(path, DATASETS);

    assertThat(old).hasSize(600).isEqualTo(reopened.readLog("d", 1, 600, Long.MAX_VALUE));
    assertThat(recent).hasSize(600).isEqualTo(reopened.readLog("d", changes - 599, 600, Long.MAX_VALUE));
    assertThat(recent.get(599).sequence()).isEqualTo(changes);
  }
}

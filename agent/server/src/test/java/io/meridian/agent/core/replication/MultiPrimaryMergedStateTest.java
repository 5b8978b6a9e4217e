package io.meridian.agent.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.LogRetention;
import io.meridian.agent.config.MultiPrimaryBounds;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.antientropy.AntiEntropySettings;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import io.meridian.agent.core.storage.ReplicaStore;
import io.meridian.agent.storage.rocksdb.RocksDbReplicaStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves that a multi-primary region keeps its merged state in the store (ADR 0033): a restart
// finds the same state without replaying the logs from the start, keys evicted from the bounded
// cache read back as they were, and a region whose connected peer falls too far behind refuses
// new writes with RESOURCE_EXHAUSTED instead of piling them up, admitting them again once it caught up.
class MultiPrimaryMergedStateTest {
  private static final ReplicationBounds BOUNDS = TestCluster.bounds(64, 0, 1024);
  private static final MultiPrimaryBounds D = MultiPrimaryBounds.DEFAULTS;
  /** A cache of 16 keys written back every 100 ms or after 8 changed keys; pushback beyond 20 changes. */
  private static final MultiPrimaryBounds SMALL = new MultiPrimaryBounds(D.siblingsMax(), D.clockSkewToleranceMillis(),
      D.clockSkewReportIntervalMillis(), D.collectKeysPerTick(), D.collectIntervalMillis(), D.replayChangesPerRead(),
      16, 8, 100, 20);

  private static final List<DatasetConfig> DATASETS = List.of(
      DatasetConfig.multiPrimary("profiles", List.of("eu", "us"), ConflictResolution.LWW, FsyncPolicy.OPERATING_SYSTEM,
          List.of()),
      DatasetConfig.multiPrimary("carts", List.of("eu", "us"), ConflictResolution.VERSION_VECTOR,
          FsyncPolicy.OPERATING_SYSTEM, List.of()),
      DatasetConfig.multiPrimary("likes", List.of("eu", "us"), ConflictResolution.CRDT_PN_COUNTER,
          FsyncPolicy.OPERATING_SYSTEM, List.of()));

  private static ReplicationNode node(ReplicaStore store, long nowMillis) {
    AgentConfig config = new AgentConfig("eu", List.of(new PeerConfig("us", "localhost:0", LinkEmulation.NONE, "US")),
        DATASETS, BOUNDS);
    return new ReplicationNode(config, LogRetention.KEEP_ALL, store, nowMillis, AntiEntropySettings.ON_DEMAND, SMALL);
  }

  /** Counts the log entries read, which a restart needs only for the tail after the stored frontier. */
  private static final class CountingStore extends InMemoryReplicaStore {
    long entriesRead;

    @Override
    public List<Change> readLog(String dataset, long fromSequence, int changesMax, long bytesMax) {
      List<Change> changes = super.readLog(dataset, fromSequence, changesMax, bytesMax);
      entriesRead += changes.size();
      return changes;
    }
  }

  private static ClientResult ask(ReplicationNode node, long nowMillis, String dataset, ClientOperation operation) {
    return node.step(nowMillis, new Input.ClientRequest(1, dataset, operation)).responses().get(0).result();
  }

  /** Writes 300 keys of each dataset (overwriting, deleting, incrementing) from time 1,000 on; returns the time after. */
  private static long write(ReplicationNode node, int keys, long startMillis) {
    long now = startMillis;
    for (int i = 0; i < keys; i++) {
      Bytes key = Bytes.ofUtf8("key-" + (i % (keys / 3)));
      assertThat(ask(node, now, "profiles", new ClientOperation.Put(key, Bytes.ofUtf8("v" + i))))
          .isInstanceOf(ClientResult.Committed.class);
      assertThat(ask(node, now, "carts", i % 7 == 0 ? new ClientOperation.Delete(key)
          : new ClientOperation.Put(key, Bytes.ofUtf8("item" + i)))).isInstanceOf(ClientResult.Committed.class);
      assertThat(ask(node, now, "likes", new ClientOperation.Increment(key, i % 5 - 1)))
          .isInstanceOf(ClientResult.Committed.class);
      now += 3;
      node.tick(now);
    }
    return now;
  }

  private static List<Map<Bytes, byte[]>> state(ReplicationNode node) {
    List<Map<Bytes, byte[]>> result = new ArrayList<>();
    for (DatasetConfig dataset : DATASETS) {
      result.add(node.canonicalState(dataset.name()));
    }
    return result;
  }

  private static void assertSameState(List<Map<Bytes, byte[]>> actual, List<Map<Bytes, byte[]>> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i).keySet()).as(DATASETS.get(i).name() + " keys").isEqualTo(expected.get(i).keySet());
      for (Bytes key : expected.get(i).keySet()) {
        assertThat(actual.get(i).get(key)).as(DATASETS.get(i).name() + " " + key).isEqualTo(expected.get(i).get(key));
      }
    }
  }

  @Test
  void restartReadsTheStoredStateAndReplaysOnlyTheTailAfterItsFrontier() {
    CountingStore store = new CountingStore();
    ReplicationNode before = node(store, 1_000);
    long now = write(before, 300, 1_000);
    before.tick(now + 200); // Writes the state back: nothing is staged between steps.
    now = write(before, 6, now + 300);
    List<Map<Bytes, byte[]>> expected = state(before);
    ClientResult read = ask(before, now, "carts", new ClientOperation.Get(Bytes.ofUtf8("key-1")));

    store.entriesRead = 0;
    ReplicationNode after = node(store, now + 10);

    // 3 datasets x 6 writes after the last write-back, not the 3 x 306 in the logs.
    assertThat(store.entriesRead).isLessThanOrEqualTo(3 * 6);
    assertSameState(state(after), expected);
    assertThat(ask(after, now + 20, "carts", new ClientOperation.Get(Bytes.ofUtf8("key-1")))).isEqualTo(read);
    // The restarted region keeps writing where it left off (new dots, not reused ones).
    assertThat(ask(after, now + 30, "likes", new ClientOperation.Increment(Bytes.ofUtf8("key-2"), 5)))
        .isInstanceOf(ClientResult.Committed.class);
  }

  @Test
  void keysEvictedFromTheCacheReadBackAsTheyWere() {
    ReplicationNode small = node(new InMemoryReplicaStore(), 1_000);
    long now = write(small, 300, 1_000);
    // The same writes with a cache large enough for every key.
    AgentConfig config = new AgentConfig("eu", List.of(new PeerConfig("us", "localhost:0", LinkEmulation.NONE, "US")),
        DATASETS, BOUNDS);
    ReplicationNode large = new ReplicationNode(config, LogRetention.KEEP_ALL, new InMemoryReplicaStore(), 1_000,
        AntiEntropySettings.ON_DEMAND, D);
    write(large, 300, 1_000);
    for (int i = 0; i < 100; i += 7) {
      for (DatasetConfig dataset : DATASETS) {
        ClientOperation get = new ClientOperation.Get(Bytes.ofUtf8("key-" + i));
        assertThat(ask(small, now, dataset.name(), get)).as(dataset.name() + " key-" + i)
            .isEqualTo(ask(large, now, dataset.name(), get));
      }
    }
    assertSameState(state(small), state(large));
  }

  @Test
  void aRestartOnRocksDbFindsTheSameMergedState(@TempDir Path directory) {
    List<String> names = new ArrayList<>();
    for (DatasetConfig dataset : DATASETS) {
      names.add(dataset.name() + "@eu");
      names.add(dataset.name() + "@us");
    }
    List<Map<Bytes, byte[]>> expected;
    long now;
    try (RocksDbReplicaStore store = new RocksDbReplicaStore(directory, names)) {
      ReplicationNode before = node(store, 1_000);
      now = write(before, 300, 1_000);
      expected = state(before);
    }
    try (RocksDbReplicaStore store = new RocksDbReplicaStore(directory, names)) {
      ReplicationNode after = node(store, now + 10);
      assertSameState(state(after), expected);
    }
  }

  @Test
  void aSimulatedPowerLossTakesBackTheMergedStateWrittenSinceTheLastSync() {
    InMemoryReplicaStore store = new InMemoryReplicaStore();
    Bytes kept = Bytes.ofUtf8("kept");
    Bytes lost = Bytes.ofUtf8("lost");
    store.writeMergedState("profiles", Map.of(kept, new byte[] {1}), new byte[] {7});
    store.sync();
    store.writeMergedState("profiles", Map.of(kept, new byte[0], lost, new byte[] {2}), new byte[] {8});

    store.loseUnsyncedWrites("profiles@eu");

    assertThat(store.mergedState("profiles", kept)).hasValueSatisfying(bytes -> assertThat(bytes).containsExactly(1));
    assertThat(store.mergedState("profiles", lost)).isEmpty();
    assertThat(store.mergedFrontier("profiles")).hasValueSatisfying(bytes -> assertThat(bytes).containsExactly(7));
  }

  @Test
  void writesAreRefusedWhileAConnectedPeerIsTooFarBehindAndAdmittedOnceItCatchesUp() {
    ReplicationNode eu = node(new InMemoryReplicaStore(), 1_000);
    eu.step(1_000, new Input.PeerConnected("us", "profiles@eu"));
    eu.step(1_000, new Input.PeerMessageReceived("us", new PeerMessage.Hello("profiles@eu", 1, 1)));
    long now = 1_001;
    int committed = 0;
    ClientResult refused = null;
    for (int i = 0; i < 40 && refused == null; i++) {
      ClientResult result = ask(eu, now++, "profiles", new ClientOperation.Put(Bytes.ofUtf8("k" + i), Bytes.ofUtf8("v")));
      if (result instanceof ClientResult.Committed) {
        committed++;
      } else {
        refused = result;
      }
    }
    assertThat(committed).isEqualTo(21); // A write is refused once more than 20 are unacknowledged.
    assertThat(refused).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.RESOURCE_EXHAUSTED);
      assertThat(failed.message()).contains("profiles").contains("21 committed changes").contains("limit 20")
          .contains("nothing was written").contains("Back off");
    });
    // Other datasets are not held back by this one's peer.
    assertThat(ask(eu, now++, "likes", new ClientOperation.Increment(Bytes.ofUtf8("k"), 1)))
        .isInstanceOf(ClientResult.Committed.class);

    eu.step(now++, new Input.PeerMessageReceived("us", new PeerMessage.Ack("profiles@eu", 1, committed, false)));
    assertThat(ask(eu, now, "profiles", new ClientOperation.Put(Bytes.ofUtf8("k"), Bytes.ofUtf8("v"))))
        .isInstanceOf(ClientResult.Committed.class);
  }

  /** Pushback in time only: changes unacknowledged longer than 200 ms (ADR 0040). */
  private static final MultiPrimaryBounds LAG_200_MS = new MultiPrimaryBounds(D.siblingsMax(),
      D.clockSkewToleranceMillis(), D.clockSkewReportIntervalMillis(), D.collectKeysPerTick(), D.collectIntervalMillis(),
      D.replayChangesPerRead(), 16, 8, 100, 1_000_000, 200);

  private static ClientResult put(ReplicationNode node, long nowMillis, String key) {
    return ask(node, nowMillis, "profiles", new ClientOperation.Put(Bytes.ofUtf8(key), Bytes.ofUtf8("v")));
  }

  @Test
  void writesAreRefusedWhileAPeerLeavesAChangeUnacknowledgedLongerThanTheLagBoundButNotWhileItCatchesUpAfterAPartition() {
    AgentConfig config = new AgentConfig("eu", List.of(new PeerConfig("us", "localhost:0", LinkEmulation.NONE, "US")),
        DATASETS, BOUNDS);
    ReplicationNode eu = new ReplicationNode(config, LogRetention.KEEP_ALL, new InMemoryReplicaStore(), 1_000,
        AntiEntropySettings.ON_DEMAND, LAG_200_MS);
    eu.step(1_000, new Input.PeerConnected("us", "profiles@eu"));
    eu.step(1_000, new Input.PeerMessageReceived("us", new PeerMessage.Hello("profiles@eu", 1, 1)));

    assertThat(put(eu, 1_001, "a")).isInstanceOf(ClientResult.Committed.class);
    assertThat(put(eu, 1_201, "b")).isInstanceOf(ClientResult.Committed.class); // 200 ms old: at the bound.
    assertThat(put(eu, 1_202, "c")).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.RESOURCE_EXHAUSTED);
      assertThat(failed.message()).contains("profiles").contains("region us").contains("201 ms ago")
          .contains("limit 200 ms").contains("nothing was written").contains("Back off");
    });
    assertThat(ask(eu, 1_202, "likes", new ClientOperation.Increment(Bytes.ofUtf8("k"), 1)))
        .as("other datasets are not held back").isInstanceOf(ClientResult.Committed.class);
    eu.step(1_203, new Input.PeerMessageReceived("us", new PeerMessage.Ack("profiles@eu", 1, 2, false)));
    assertThat(put(eu, 1_203, "c")).isInstanceOf(ClientResult.Committed.class);

    // Through a partition the region stays writable, and a peer catching up on that backlog after
    // it reconnects does not stop writes until it has caught up.
    eu.step(1_204, new Input.PeerDisconnected("us", "profiles@eu", "cut"));
    long now = 1_300;
    for (int i = 0; i < 50; i++, now += 100) {
      assertThat(put(eu, now, "p" + i)).isInstanceOf(ClientResult.Committed.class);
    }
    eu.step(now, new Input.PeerConnected("us", "profiles@eu"));
    eu.step(now, new Input.PeerMessageReceived("us", new PeerMessage.Hello("profiles@eu", 1, 4)));
    assertThat(put(eu, now + 1, "during-catch-up")).isInstanceOf(ClientResult.Committed.class);
    eu.step(now + 2, new Input.PeerMessageReceived("us", new PeerMessage.Ack("profiles@eu", 1, 54, false)));
    assertThat(put(eu, now + 3, "caught-up")).isInstanceOf(ClientResult.Committed.class);
    // Caught up, it counts again.
    assertThat(put(eu, now + 300, "late")).isInstanceOf(ClientResult.Failed.class);
  }
}

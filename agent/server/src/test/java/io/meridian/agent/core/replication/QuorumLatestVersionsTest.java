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
import io.meridian.agent.config.QuorumPolicy;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.antientropy.AntiEntropySettings;
import io.meridian.agent.core.clock.HlcTimestamp;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.ChangeKind;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.storage.Version;
import io.meridian.agent.sim.QuorumCluster;
import io.meridian.agent.sim.QuorumCluster.Envelope;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

// Proves the latest-version cache of LWW quorum replicas (ADR 0057): a replica judges each write it
// is sent against the newest version the key holds, whether that is cached, left the cache at its
// bound, was written by an earlier run of the agent, or arrived by anti-entropy; stale writes never
// overwrite newer state; and a replica holding writes to keys it holds already reads nothing from
// its store to do so.
class QuorumLatestVersionsTest {
  private static final String STREAM = QuorumReplication.streamName("q", "b");

  /** Counts key reads, the work the cache saves. */
  private static final class CountingStore extends InMemoryReplicaStore {
    final AtomicInteger reads = new AtomicInteger();

    @Override
    public Optional<StoredValue> get(String dataset, Bytes key) {
      reads.incrementAndGet();
      return super.get(dataset, key);
    }
  }

  private static ReplicationNode replicaB(InMemoryReplicaStore store, int cachedKeysMax) {
    AgentConfig config = new AgentConfig("b", List.of(new PeerConfig("a", "localhost:1", LinkEmulation.NONE),
        new PeerConfig("c", "localhost:2", LinkEmulation.NONE)), List.of(DatasetConfig.quorum("q",
        List.of("a", "b", "c"), new QuorumPolicy(2, 2, 2_000, 1_000), FsyncPolicy.OPERATING_SYSTEM)),
        ReplicationBounds.DEFAULTS);
    return new ReplicationNode(config, LogRetention.KEEP_ALL, store, 10_000, AntiEntropySettings.ON_DEMAND,
        MultiPrimaryBounds.DEFAULTS, cachedKeysMax);
  }

  private static Change put(String key, String value, long physicalMillis, String coordinator) {
    return new Change(ChangeKind.PUT, Bytes.ofUtf8(key), Bytes.ofUtf8(value),
        new Version(new HlcTimestamp(physicalMillis, 0), coordinator, 1, coordinator, 1));
  }

  /** Coordinator a sends {@code changes} to b in one frame; returns the operation ids b acknowledged. */
  private static List<Long> send(ReplicationNode replica, List<Change> changes) {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < changes.size(); i++) {
      ids.add(1L + i);
    }
    Output out = replica.step(10_000, new Input.PeerMessageReceived("a", new PeerMessage.QuorumWrite(STREAM, ids,
        changes)));
    List<Long> acknowledged = new ArrayList<>();
    for (Output.Outbound outbound : out.messages()) {
      if (outbound.message() instanceof PeerMessage.QuorumWriteAck ack) {
        acknowledged.addAll(ack.operationIds());
      }
    }
    return acknowledged;
  }

  private static List<Change> writes(int keys, String value, long physicalMillis) {
    List<Change> changes = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      changes.add(put("k" + i, value, physicalMillis, "a"));
    }
    return changes;
  }

  private static String valueOf(InMemoryReplicaStore store, String key) {
    return store.get("q", Bytes.ofUtf8(key)).map(state -> state.value().toUtf8()).orElse(null);
  }

  @Test
  void aReplicaJudgesWritesToKeysItHoldsWithoutReadingItsStore() {
    CountingStore store = new CountingStore();
    ReplicationNode replica = replicaB(store, ReplicationNode.QUORUM_CACHED_KEYS_MAX);
    send(replica, writes(10, "first", 1_000));
    int readsForNewKeys = store.reads.get();

    assertThat(send(replica, writes(10, "newer", 2_000))).as("every write acknowledged").hasSize(10);
    assertThat(send(replica, writes(10, "older", 1_500))).as("stale writes are acknowledged too").hasSize(10);

    assertThat(store.reads.get()).as("keys held since the first frame are judged from memory")
        .isEqualTo(readsForNewKeys);
    for (int i = 0; i < 10; i++) {
      assertThat(valueOf(store, "k" + i)).isEqualTo("newer");
    }
    assertThat(store.lastSequence("q")).as("the stale frame appended nothing").isEqualTo(20);
  }

  @Test
  void keysBeyondTheBoundAreReadAgainAndJudgedAlike() {
    CountingStore store = new CountingStore();
    ReplicationNode replica = replicaB(store, 3);
    send(replica, writes(10, "newer", 2_000));
    int before = store.reads.get();

    send(replica, writes(10, "older", 1_500));
    send(replica, List.of(put("k0", "same time, later region", 2_000, "c")));

    assertThat(store.reads.get() - before).as("keys that left the cache are read again").isGreaterThanOrEqualTo(7);
    assertThat(valueOf(store, "k0")).as("ties go to the later region").isEqualTo("same time, later region");
    for (int i = 1; i < 10; i++) {
      assertThat(valueOf(store, "k" + i)).isEqualTo("newer");
    }
  }

  @Test
  void aRestartedReplicaJudgesByWhatItsStoreHolds() {
    InMemoryReplicaStore store = new InMemoryReplicaStore();
    send(replicaB(store, ReplicationNode.QUORUM_CACHED_KEYS_MAX), writes(3, "before the restart", 2_000));

    ReplicationNode restarted = replicaB(store, ReplicationNode.QUORUM_CACHED_KEYS_MAX);
    send(restarted, List.of(put("k0", "late and older", 1_000, "a"), put("k1", "newer", 3_000, "a")));

    assertThat(valueOf(store, "k0")).isEqualTo("before the restart");
    assertThat(valueOf(store, "k1")).isEqualTo("newer");
    assertThat(valueOf(store, "k2")).isEqualTo("before the restart");
  }

  @Test
  void aStateRepairedByAntiEntropyIsWhatLaterWritesAreJudgedAgainst() {
    // Hints bounded at zero: a cut replica misses writes for good, until anti-entropy repairs it.
    QuorumCluster cluster = new QuorumCluster(new QuorumPolicy(1, 1, 200, 0), List.of("a", "b"),
        ConflictResolution.LWW, AntiEntropySettings.ON_DEMAND, 1 << 10);
    cluster.connectAll();
    cluster.deliverAll();
    cluster.put("a", "k", "old");
    cluster.deliverAll();
    cluster.tick(1);
    cluster.put("a", "k", "middle");
    List<Envelope> middle = cluster.queued().stream()
        .filter(envelope -> envelope.message() instanceof PeerMessage.QuorumWrite).toList();
    assertThat(middle).hasSize(1);
    cluster.drop(envelope -> envelope.message() instanceof PeerMessage.QuorumWrite); // delayed, not lost
    cluster.deliverAll();
    assertThat(valueOf(cluster.store("b"), "k")).as("b holds, and caches, the old version").isEqualTo("old");

    cluster.cut("a", "b");
    cluster.tick(1);
    cluster.put("a", "k", "new");
    cluster.heal("a", "b");
    cluster.deliverAll();
    assertThat(valueOf(cluster.store("b"), "k")).as("b missed the new version").isEqualTo("old");
    cluster.repair("a", List.of("b"));
    cluster.deliverAll();
    assertThat(valueOf(cluster.store("b"), "k")).as("anti-entropy brought it").isEqualTo("new");

    cluster.inject(middle.get(0)); // the delayed write arrives now: newer than b's old state, older than its repair
    cluster.deliverAll();
    assertThat(valueOf(cluster.store("b"), "k")).as("the late write does not undo the repair").isEqualTo("new");
  }
}

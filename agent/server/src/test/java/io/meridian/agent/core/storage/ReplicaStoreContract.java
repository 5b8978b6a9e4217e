package io.meridian.agent.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.InvariantViolation;
import io.meridian.agent.core.clock.HlcTimestamp;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ReplicaStore} must have; each implementation's test extends this
 * with a factory, so the simulation's in-memory store and the agent's RocksDB store agree.
 */
public abstract class ReplicaStoreContract {

  /** A fresh, empty store for datasets "d", "one" and "two". */
  protected abstract ReplicaStore newStore();

  /** A change at {@code sequence} putting {@code value} under {@code key}. */
  public static Change put(long sequence, String key, String value) {
    return new Change(ChangeKind.PUT, Bytes.ofUtf8(key), Bytes.ofUtf8(value),
        new Version(new HlcTimestamp(sequence, 0), "a", sequence, "a", 1));
  }

  /** A delete of {@code key} at {@code sequence}. */
  public static Change delete(long sequence, String key) {
    return new Change(ChangeKind.DELETE, Bytes.ofUtf8(key), Bytes.EMPTY,
        new Version(new HlcTimestamp(sequence, 0), "b", sequence, "a", 1));
  }

  @Test
  void appendAppliesChangesToTheKeyValueState() {
    ReplicaStore store = newStore();

    store.append("d", List.of(put(1, "k", "v1"), put(2, "k", "v2"), delete(3, "gone")));

    assertThat(store.lastSequence("d")).isEqualTo(3);
    assertThat(store.get("d", Bytes.ofUtf8("k"))).hasValue(StoredValue.of(put(2, "k", "v2")));
    assertThat(store.get("d", Bytes.ofUtf8("gone"))).hasValueSatisfying(value -> assertThat(value.tombstone()).isTrue());
    assertThat(store.get("d", Bytes.ofUtf8("never"))).isEmpty();
  }

  @Test
  void appendRefusesASkippedOrRepeatedSequenceAndWritesNothing() {
    ReplicaStore store = newStore();
    store.append("d", List.of(put(1, "k", "v1")));

    assertThatThrownBy(() -> store.append("d", List.of(put(3, "k", "v3"))))
        .isInstanceOf(InvariantViolation.class).hasMessageContaining("append of sequence 3 where 2 was expected");
    assertThatThrownBy(() -> store.append("d", List.of(put(2, "k", "v2"), put(2, "k", "again"))))
        .isInstanceOf(InvariantViolation.class);
    assertThat(store.lastSequence("d")).isEqualTo(1);
    assertThat(store.readLog("d", 1, 10, Long.MAX_VALUE)).containsExactly(put(1, "k", "v1"));
  }

  @Test
  void readLogStopsAtTheByteBoundButAlwaysReturnsOneChange() {
    ReplicaStore store = newStore();
    store.append("d", List.of(put(1, "k1", "v"), put(2, "k2", "v"), put(3, "k3", "v")));
    long oneChange = put(1, "k1", "v").sizeBytes();

    assertThat(store.readLog("d", 1, 10, oneChange * 2)).extracting(Change::sequence).containsExactly(1L, 2L);
    assertThat(store.readLog("d", 2, 10, 1)).extracting(Change::sequence).containsExactly(2L);
    assertThat(store.readLog("d", 3, 1, Long.MAX_VALUE)).containsExactly(put(3, "k3", "v"));
    assertThat(store.readLog("d", 4, 10, Long.MAX_VALUE)).isEmpty();
  }

  @Test
  void datasetsAreIndependent() {
    ReplicaStore store = newStore();
    store.append("one", List.of(put(1, "k", "v")));

    assertThat(store.lastSequence("two")).isZero();
    assertThat(store.get("two", Bytes.ofUtf8("k"))).isEmpty();
  }

  @Test
  void epochOnlyMovesForward() {
    ReplicaStore store = newStore();
    assertThat(store.epoch("d")).isZero();
    store.saveEpoch("d", 3);

    assertThat(store.epoch("d")).isEqualTo(3);
    assertThatThrownBy(() -> store.saveEpoch("d", 2)).isInstanceOf(InvariantViolation.class);
  }

  @Test
  void truncateRemovesTheSuffixAndRollsEachKeyBackToItsNewestRemainingChange() {
    ReplicaStore store = newStore();
    store.append("d", List.of(put(1, "k", "v1"), put(2, "other", "o"), put(3, "k", "v3"), delete(4, "other"),
        put(5, "new", "n")));

    List<Change> removed = store.truncateAfter("d", 2);

    assertThat(removed).extracting(Change::sequence).containsExactly(3L, 4L, 5L);
    assertThat(store.lastSequence("d")).isEqualTo(2);
    assertThat(store.readLog("d", 1, 10, Long.MAX_VALUE)).containsExactly(put(1, "k", "v1"), put(2, "other", "o"));
    assertThat(store.get("d", Bytes.ofUtf8("k"))).hasValue(StoredValue.of(put(1, "k", "v1")));
    assertThat(store.get("d", Bytes.ofUtf8("other"))).hasValue(StoredValue.of(put(2, "other", "o")));
    assertThat(store.get("d", Bytes.ofUtf8("new"))).isEmpty();
    store.append("d", List.of(put(3, "k", "after")));
    assertThat(store.lastSequence("d")).isEqualTo(3);
    assertThat(store.truncateAfter("d", 3)).isEmpty();
  }

  @Test
  void quarantineKeepsChangesPerEpochInOrder() {
    ReplicaStore store = newStore();
    assertThat(store.quarantined("d")).isEmpty();

    store.quarantine("d", 3, List.of(put(7, "k", "a"), put(8, "k", "b")));
    store.quarantine("d", 2, List.of(put(5, "j", "c")));
    store.quarantine("one", 2, List.of(put(1, "x", "y")));

    assertThat(store.quarantined("d")).containsOnlyKeys(2L, 3L);
    assertThat(store.quarantined("d").get(3L)).containsExactly(put(7, "k", "a"), put(8, "k", "b"));
    assertThat(store.quarantined("d").firstKey()).isEqualTo(2L);
    assertThat(store.quarantined("two")).isEmpty();
  }

  @Test
  void hintsAreKeptPerTargetInIdOrderUntilRemoved() {
    ReplicaStore store = newStore();
    assertThat(store.hints("d")).isEmpty();

    store.saveHint("d", "c", 300, put(1, "k", "a"));
    store.saveHint("d", "b", 2, put(2, "j", "b"));
    store.saveHint("d", "c", 7, delete(3, "k"));
    store.saveHint("one", "c", 1, put(1, "x", "y"));

    assertThat(store.hints("d")).containsOnlyKeys("b", "c");
    assertThat(store.hints("d").get("c")).containsExactly(
        java.util.Map.entry(7L, delete(3, "k")), java.util.Map.entry(300L, put(1, "k", "a")));
    store.removeHint("d", "c", 7);
    store.removeHint("d", "c", 8); // not kept: nothing happens
    store.removeHint("d", "b", 2);
    assertThat(store.hints("d")).containsOnlyKeys("c");
    assertThat(store.hints("d").get("c")).containsOnlyKeys(300L);
    assertThat(store.hints("one").get("c")).containsOnlyKeys(1L);
    assertThat(store.hints("two")).isEmpty();
  }

  @Test
  void aDecisionRecordsItsEpochAndPrimaryTogether() {
    ReplicaStore store = newStore();
    assertThat(store.decidedPrimary("d")).isEmpty();

    store.saveDecision("d", 2, "b");
    assertThat(store.epoch("d")).isEqualTo(2);
    assertThat(store.decidedPrimary("d")).hasValue("b");
    assertThat(store.decidedPrimary("one")).isEmpty();
    assertThatThrownBy(() -> store.saveDecision("d", 1, "a")).isInstanceOf(InvariantViolation.class);
  }

  // ---------------------------------------------------------------- truncation and snapshots (ADR 0017)

  @Test
  void truncationRemovesTheLogsFrontButKeepsTheStateAndTheNextSequence() {
    ReplicaStore store = newStore();
    store.append("d", List.of(put(1, "k", "v1"), put(2, "other", "o"), put(3, "k", "v3"), delete(4, "other")));

    store.truncateThrough("d", 3);

    assertThat(store.truncatedThrough("d")).isEqualTo(3);
    assertThat(store.lastSequence("d")).isEqualTo(4);
    assertThat(store.readLog("d", 4, 10, Long.MAX_VALUE)).containsExactly(delete(4, "other"));
    assertThatThrownBy(() -> store.readLog("d", 3, 10, Long.MAX_VALUE)).isInstanceOf(InvariantViolation.class)
        .hasMessageContaining("truncated through 3");
    assertThat(store.get("d", Bytes.ofUtf8("k"))).hasValue(StoredValue.of(put(3, "k", "v3")));
    store.append("d", List.of(put(5, "k", "v5")));
    assertThat(store.lastSequence("d")).isEqualTo(5);
    store.truncateThrough("d", 2); // Behind the start already: nothing changes.
    assertThat(store.truncatedThrough("d")).isEqualTo(3);
  }

  @Test
  void stateIsReadInKeyOrderAfterAKeyWithTombstonesAndWithinTheChunkBounds() {
    ReplicaStore store = newStore();
    store.append("d", List.of(put(1, "b", "1"), put(2, "a", "2"), put(3, "c", "3"), delete(4, "b")));

    assertThat(store.readState("d", null, 10, Long.MAX_VALUE))
        .containsExactly(put(2, "a", "2"), delete(4, "b"), put(3, "c", "3"));
    assertThat(store.readState("d", Bytes.ofUtf8("a"), 1, Long.MAX_VALUE)).containsExactly(delete(4, "b"));
    assertThat(store.readState("d", Bytes.ofUtf8("bb"), 10, Long.MAX_VALUE)).containsExactly(put(3, "c", "3"));
    assertThat(store.readState("d", Bytes.ofUtf8("c"), 10, Long.MAX_VALUE)).isEmpty();
    assertThat(store.readState("d", null, 10, 1)).hasSize(1);
  }

  @Test
  void installingASnapshotReplacesStateAndLogAndTheLogContinuesAfterIt() {
    ReplicaStore store = newStore();
    store.append("d", List.of(put(1, "stale", "x"), put(2, "k", "old")));

    store.beginSnapshot("d");
    assertThat(store.lastSequence("d")).isZero();
    assertThat(store.get("d", Bytes.ofUtf8("stale"))).isEmpty();
    store.putSnapshotEntries("d", List.of(put(7, "a", "1"), delete(9, "b")));
    store.putSnapshotEntries("d", List.of(put(8, "k", "new")));
    store.finishSnapshot("d", 10);

    assertThat(store.lastSequence("d")).isEqualTo(10);
    assertThat(store.truncatedThrough("d")).isEqualTo(10);
    assertThat(store.get("d", Bytes.ofUtf8("k"))).hasValue(StoredValue.of(put(8, "k", "new")));
    assertThat(store.get("d", Bytes.ofUtf8("stale"))).isEmpty();
    assertThat(store.readState("d", null, 10, Long.MAX_VALUE))
        .containsExactly(put(7, "a", "1"), delete(9, "b"), put(8, "k", "new"));
    assertThatThrownBy(() -> store.append("d", List.of(put(10, "k", "again"))))
        .isInstanceOf(InvariantViolation.class);
    store.append("d", List.of(put(11, "k", "next")));
    assertThat(store.readLog("d", 11, 10, Long.MAX_VALUE)).containsExactly(put(11, "k", "next"));
    assertThat(store.lastSequence("one")).isZero(); // Other datasets are untouched.
  }

  @Test
  void mergedEntriesWalkTheKeysInOrderWithTheirStatesFromACursor() {
    ReplicaStore store = newStore();
    if (!store.keepsMergedState()) {
      return; // A store without merged state has nothing to walk.
    }
    java.util.Map<Bytes, byte[]> states = new java.util.HashMap<>();
    for (String key : List.of("c", "a", "e", "b", "d")) {
      states.put(Bytes.ofUtf8(key), new byte[] {1, (byte) key.charAt(0)});
    }
    store.writeMergedState("d", states, new byte[] {1});
    store.writeMergedState("d", java.util.Map.of(Bytes.ofUtf8("d"), new byte[0]), new byte[] {1}); // Removed.

    List<java.util.Map.Entry<Bytes, byte[]>> first = store.mergedEntries("d", null, 2);
    List<java.util.Map.Entry<Bytes, byte[]>> rest = store.mergedEntries("d", first.get(1).getKey(), 10);

    assertThat(first).extracting(e -> e.getKey().toUtf8()).containsExactly("a", "b");
    assertThat(rest).extracting(e -> e.getKey().toUtf8()).containsExactly("c", "e");
    assertThat(rest.get(1).getValue()).containsExactly(1, 'e');
    assertThat(store.mergedEntries("one", null, 10)).isEmpty();
  }

  @Test
  void aLogKeptWithoutItsStateStillHoldsEveryChangeInOrderAndRefusesStateReads() {
    ReplicaStore store = newStore();
    store.keepLogOnly("one");

    store.append("one", List.of(put(1, "k", "v1"), put(2, "k", "v2")));
    store.append("one", List.of(put(3, "j", "v3")));
    store.append("two", List.of(put(1, "k", "v1")));

    assertThat(store.lastSequence("one")).isEqualTo(3);
    assertThat(store.readLog("one", 1, 10, Long.MAX_VALUE))
        .containsExactly(put(1, "k", "v1"), put(2, "k", "v2"), put(3, "j", "v3"));
    assertThatThrownBy(() -> store.get("one", Bytes.ofUtf8("k")))
        .as("a multi-primary log's per-key state is never read; reading it is a bug, not an empty answer")
        .isInstanceOf(InvariantViolation.class).hasMessageContaining("keeps its log only");
    assertThat(store.get("two", Bytes.ofUtf8("k"))).as("other datasets keep their state")
        .hasValue(StoredValue.of(put(1, "k", "v1")));
  }
}

package io.meridian.agent.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.InvariantViolation;
import io.meridian.agent.core.clock.HlcTimestamp;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves the in-memory store keeps the log contract: consecutive appends only, bounded reads.
class InMemoryReplicaStoreTest {

  static Change put(long sequence, String key, String value) {
    return new Change(ChangeKind.PUT, Bytes.ofUtf8(key), Bytes.ofUtf8(value),
        new Version(new HlcTimestamp(sequence, 0), "a", sequence, "a", 1));
  }

  @Test
  void appendAppliesChangesToTheKeyValueState() {
    InMemoryReplicaStore store = new InMemoryReplicaStore();

    store.append("d", List.of(put(1, "k", "v1"), put(2, "k", "v2")));

    assertThat(store.lastSequence("d")).isEqualTo(2);
    assertThat(store.get("d", Bytes.ofUtf8("k"))).hasValueSatisfying(v -> assertThat(v.value().toUtf8()).isEqualTo("v2"));
  }

  @Test
  void appendRefusesASkippedOrRepeatedSequenceAndWritesNothing() {
    InMemoryReplicaStore store = new InMemoryReplicaStore();
    store.append("d", List.of(put(1, "k", "v1")));

    assertThatThrownBy(() -> store.append("d", List.of(put(3, "k", "v3"))))
        .isInstanceOf(InvariantViolation.class).hasMessageContaining("append of sequence 3 where 2 was expected");
    assertThatThrownBy(() -> store.append("d", List.of(put(2, "k", "v2"), put(2, "k", "again"))))
        .isInstanceOf(InvariantViolation.class);
    assertThat(store.lastSequence("d")).isEqualTo(1);
  }

  @Test
  void readLogStopsAtTheByteBoundButAlwaysReturnsOneChange() {
    InMemoryReplicaStore store = new InMemoryReplicaStore();
    store.append("d", List.of(put(1, "k1", "v"), put(2, "k2", "v"), put(3, "k3", "v")));
    long oneChange = put(1, "k1", "v").sizeBytes();

    assertThat(store.readLog("d", 1, 10, oneChange * 2)).extracting(Change::sequence).containsExactly(1L, 2L);
    assertThat(store.readLog("d", 2, 10, 1)).extracting(Change::sequence).containsExactly(2L);
    assertThat(store.readLog("d", 3, 1, Long.MAX_VALUE)).extracting(Change::sequence).containsExactly(3L);
    assertThat(store.readLog("d", 4, 10, Long.MAX_VALUE)).isEmpty();
  }

  @Test
  void datasetsAreIndependent() {
    InMemoryReplicaStore store = new InMemoryReplicaStore();
    store.append("one", List.of(put(1, "k", "v")));

    assertThat(store.lastSequence("two")).isZero();
    assertThat(store.get("two", Bytes.ofUtf8("k"))).isEmpty();
  }
}

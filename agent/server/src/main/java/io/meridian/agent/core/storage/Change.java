package io.meridian.agent.core.storage;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.Invariants;
import java.util.Objects;

/**
 * One entry of a dataset's replication log.
 *
 * @param kind what the change does
 * @param key the key it changes
 * @param value the new value; empty for deletes
 * @param version where it came from and its sequence
 */
public record Change(ChangeKind kind, Bytes key, Bytes value, Version version) {
  /** Bytes a change costs beyond its key and value, as an estimate for batching and metrics. */
  public static final int OVERHEAD_BYTES = 48;

  /** Validates the change's shape. */
  public Change {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(version, "version");
    Invariants.check(!key.isEmpty(), "a change needs a key");
    Invariants.check(kind != ChangeKind.DELETE || value.isEmpty(), "a delete carries no value");
  }

  /** The change that leaves {@code key} in {@code state}: how a snapshot carries state entries. */
  public static Change of(Bytes key, StoredValue state) {
    return new Change(state.tombstone() ? ChangeKind.DELETE : ChangeKind.PUT, key, state.value(),
        state.version());
  }

  /** The change's position in its log. */
  public long sequence() {
    return version.sequence();
  }

  /** Approximate encoded size. */
  public long sizeBytes() {
    return OVERHEAD_BYTES + key.size() + value.size();
  }
}

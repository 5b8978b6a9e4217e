package io.meridian.agent.core.storage;

import io.meridian.agent.core.Bytes;
import java.util.Objects;

/**
 * The current state of one key: its value and version, or a tombstone left by a delete.
 *
 * @param value the value; empty for a tombstone
 * @param version the version of the change that produced this state
 * @param tombstone whether the key was deleted
 */
public record StoredValue(Bytes value, Version version, boolean tombstone) {

  /** Validates that both parts are present. */
  public StoredValue {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(version, "version");
  }

  /** The state a change leaves its key in. */
  public static StoredValue of(Change change) {
    return new StoredValue(change.value(), change.version(), change.kind() == ChangeKind.DELETE);
  }

  /** Whether the key holds a value (it exists and is not deleted). */
  public boolean live() {
    return !tombstone;
  }
}

package io.meridian.agent.core.replication;

import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.storage.Version;
import java.util.Objects;
import java.util.Optional;

/** The answer to a {@link ClientOperation}. */
public sealed interface ClientResult {

  /**
   * A write committed.
   *
   * @param version its version, naming the region that committed it
   * @param existedBefore whether the key held a live value before
   */
  record Committed(Version version, boolean existedBefore) implements ClientResult {
    /** Validates presence. */
    public Committed {
      Objects.requireNonNull(version, "version");
    }
  }

  /**
   * A read.
   *
   * @param value the key's live value and version; empty if absent or deleted
   * @param servedBy the region that served it
   */
  record Read(Optional<StoredValue> value, String servedBy) implements ClientResult {
    /** Validates presence and that tombstones are never returned as values. */
    public Read {
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(servedBy, "servedBy");
      if (value.isPresent() && value.get().tombstone()) {
        throw new IllegalArgumentException("a read returns live values only");
      }
    }
  }

  /**
   * A compare-and-set whose expectation did not hold; nothing was written.
   *
   * @param current the key's live value; empty if absent or deleted
   */
  record CompareFailed(Optional<StoredValue> current) implements ClientResult {
    /** Validates presence. */
    public CompareFailed {
      Objects.requireNonNull(current, "current");
    }
  }

  /**
   * The request failed.
   *
   * @param failure the kind of failure
   * @param message what went wrong and what to do, for a person
   */
  record Failed(Failure failure, String message) implements ClientResult {
    /** Validates presence. */
    public Failed {
      Objects.requireNonNull(failure, "failure");
      Objects.requireNonNull(message, "message");
    }
  }
}

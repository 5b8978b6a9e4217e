package io.meridian.agent.core.replication;

import io.meridian.agent.core.Bytes;
import java.util.Objects;
import java.util.Optional;

/** What a client asks of a dataset. */
public sealed interface ClientOperation {

  /** The key the operation concerns. */
  Bytes key();

  /** Whether the operation changes the dataset (and so must be committed by the primary). */
  default boolean isWrite() {
    return !(this instanceof Get);
  }

  /** Set {@code key} to {@code value}. */
  record Put(Bytes key, Bytes value) implements ClientOperation {
    /** Validates presence. */
    public Put {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }
  }

  /** Remove {@code key}. */
  record Delete(Bytes key) implements ClientOperation {
    /** Validates presence. */
    public Delete {
      Objects.requireNonNull(key, "key");
    }
  }

  /**
   * Set {@code key} to {@code newValue} only if it currently holds {@code expected}, or is absent
   * when {@code expected} is empty.
   */
  record CompareAndSet(Bytes key, Optional<Bytes> expected, Bytes newValue) implements ClientOperation {
    /** Validates presence. */
    public CompareAndSet {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(expected, "expected");
      Objects.requireNonNull(newValue, "newValue");
    }
  }

  /** Read {@code key} from the local replica. */
  record Get(Bytes key) implements ClientOperation {
    /** Validates presence. */
    public Get {
      Objects.requireNonNull(key, "key");
    }
  }
}

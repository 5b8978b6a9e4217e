package io.meridian.agent.core.replication;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.conflict.VersionVector;
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

  /**
   * Whether the operation only makes sense in a multi-primary dataset (a conflict-free data type
   * operation or a write with a causal context).
   */
  default boolean isMultiPrimaryOnly() {
    return this instanceof Increment || this instanceof AddElement || this instanceof RemoveElement
        || this instanceof PutEntry || this instanceof RemoveEntry || this instanceof ContextualWrite;
  }

  /**
   * In a {@code version-vector} dataset: write {@code value} (or delete, when empty) replacing the
   * siblings the causal {@code context} from an earlier read covers.
   */
  record ContextualWrite(Bytes key, Optional<Bytes> value, VersionVector context) implements ClientOperation {
    /** Validates presence. */
    public ContextualWrite {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(context, "context");
    }
  }

  /** Add {@code delta} to a counter; negative decrements (pn-counter only). */
  record Increment(Bytes key, long delta) implements ClientOperation {
    /** Validates presence. */
    public Increment {
      Objects.requireNonNull(key, "key");
    }
  }

  /** Add {@code element} to an or-set. */
  record AddElement(Bytes key, Bytes element) implements ClientOperation {
    /** Validates presence. */
    public AddElement {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(element, "element");
    }
  }

  /** Remove {@code element} from an or-set (as far as this region has seen it added). */
  record RemoveElement(Bytes key, Bytes element) implements ClientOperation {
    /** Validates presence. */
    public RemoveElement {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(element, "element");
    }
  }

  /** Set entry {@code field} of an lww-map to {@code value}. */
  record PutEntry(Bytes key, Bytes field, Bytes value) implements ClientOperation {
    /** Validates presence. */
    public PutEntry {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(value, "value");
    }
  }

  /** Remove entry {@code field} of an lww-map. */
  record RemoveEntry(Bytes key, Bytes field) implements ClientOperation {
    /** Validates presence. */
    public RemoveEntry {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(field, "field");
    }
  }

  /**
   * {@code operation} with per-request coordination settings: how many replicas a write or read
   * waits for, and the read consistency. The node unwraps it; a level the dataset's mode cannot
   * honour is refused, never downgraded.
   */
  record Tuned(ClientOperation operation, RequestOptions options) implements ClientOperation {
    /** Validates presence; options are not nested. */
    public Tuned {
      Objects.requireNonNull(operation, "operation");
      Objects.requireNonNull(options, "options");
      if (operation instanceof Tuned) {
        throw new IllegalArgumentException("request options are given once");
      }
    }

    @Override
    public Bytes key() {
      return operation.key();
    }

    @Override
    public boolean isWrite() {
      return operation.isWrite();
    }

    @Override
    public boolean isMultiPrimaryOnly() {
      return operation.isMultiPrimaryOnly();
    }
  }
}

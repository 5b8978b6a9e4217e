package io.meridian.agent.core.replication;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.conflict.VersionVector;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.storage.Version;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;

/** The answer to a {@link ClientOperation}. */
public sealed interface ClientResult {

  /**
   * A write committed.
   *
   * @param version its version, naming the region that committed it
   * @param existedBefore whether the key held a live value before; for a delete or a
   *     compare-and-set (the client is told). A single-primary dataset does not read the key for a
   *     plain put, whose response does not carry it, and reports false there (ADR 0050)
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

  /**
   * A read of a multi-primary key whose state is more than one value: siblings (version-vector,
   * mv-register), a counter, a set or a map. Plain last-writer-wins keys answer with {@link Read}.
   *
   * @param servedBy the region that served it
   * @param values the concurrent values with their versions (siblings, register values); else empty
   * @param context the causal context to write back with to replace these values
   * @param counter the counter's value; zero for other types
   * @param elements the set's elements; else empty
   * @param entries the map's live entries; else empty
   */
  record MergedRead(String servedBy, List<StoredValue> values, VersionVector context, long counter,
      List<Bytes> elements, NavigableMap<Bytes, Bytes> entries) implements ClientResult {
    /** Copies the collections. */
    public MergedRead {
      Objects.requireNonNull(servedBy, "servedBy");
      values = List.copyOf(values);
      Objects.requireNonNull(context, "context");
      elements = List.copyOf(elements);
      entries = java.util.Collections.unmodifiableNavigableMap(new java.util.TreeMap<>(entries));
    }

    /** Whether the key holds anything. */
    public boolean found() {
      return !values.isEmpty() || counter != 0 || !elements.isEmpty() || !entries.isEmpty();
    }
  }
}

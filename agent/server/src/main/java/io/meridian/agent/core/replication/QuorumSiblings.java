package io.meridian.agent.core.replication;

import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.conflict.ConflictDetail;
import io.meridian.agent.core.conflict.ConflictDetail.VersionInfo;
import io.meridian.agent.core.conflict.Dot;
import io.meridian.agent.core.conflict.Operation;
import io.meridian.agent.core.conflict.Siblings;
import io.meridian.agent.core.conflict.Stamp;
import io.meridian.agent.core.conflict.VersionVector;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.ChangeKind;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.storage.Version;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The value side of a {@code quorum} dataset resolving conflicts by {@code version-vector} (ADR
 * 0034): each replica keeps a key as one {@link Siblings} state (dotted version vectors, the same
 * type multi-primary uses), stored and shipped as that state's canonical bytes in an ordinary
 * {@link Change}. Writes, hints and read repairs carry the whole state and replicas join it into
 * theirs, so delivery is idempotent and order free like the last-writer-wins path; a coordinator's
 * read returns the join of the R answers, every sibling and the merged causal context.
 *
 * <p>Pure functions over values; the coordinator ({@link QuorumReplication}) owns the state.
 */
final class QuorumSiblings {
  // The order the coordinator uses for versions: timestamp, then the coordinating region.
  private static final Comparator<Version> NEWEST_LAST = Comparator
      .comparing(Version::timestamp).thenComparing(Version::committedBy);

  private QuorumSiblings() {}

  /** The sibling state a stored (or received) change holds; empty when the key was never written. */
  static Siblings stateOf(Optional<Change> change) {
    if (change.isEmpty()) {
      return new Siblings();
    }
    return stateOf(change.get());
  }

  /** The sibling state {@code change} carries. */
  static Siblings stateOf(Change change) {
    if (change.kind() == ChangeKind.DELETE || change.value().isEmpty()) {
      // Not written by this mode (a hand-made delete, say): nothing to keep.
      return new Siblings();
    }
    try {
      return Siblings.fromBytes(change.value().toByteArray());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("key " + change.key() + " (version " + change.version() + ") holds a value that"
          + " is not a version-vector sibling set (" + e.getMessage() + "); a quorum dataset's data cannot change"
          + " its conflictResolution from lww to version-vector in place: deploy it into an empty state directory",
          e);
    }
  }

  /** A change leaving {@code key} in {@code state}, with {@code version}. */
  static Change changeOf(Bytes key, Siblings state, Version version) {
    return new Change(ChangeKind.PUT, key, Bytes.copyOf(state.toBytes()), version);
  }

  /** The newer of two versions, by the coordinator's order. */
  static Version newer(Version a, Version b) {
    return NEWEST_LAST.compare(a, b) >= 0 ? a : b;
  }

  /**
   * The write a client operation makes on a key whose state at the coordinator is {@code local}:
   * a put without a context adds a sibling, a delete without one removes what this coordinator
   * sees, a write with a context replaces what that context covers. At most {@code siblingsMax}
   * siblings stay besides the new one; the oldest beyond are covered too, and {@code truncated}
   * receives how many.
   *
   * @return the write, or empty when the operation is not a put, delete or contextual write
   */
  static Optional<Operation.VersionedWrite> writeFor(ClientOperation operation, Siblings local, int siblingsMax,
      int[] truncated) {
    Optional<Bytes> value;
    VersionVector context;
    if (operation instanceof ClientOperation.Put put) {
      value = Optional.of(put.value());
      context = VersionVector.EMPTY;
    } else if (operation instanceof ClientOperation.Delete) {
      value = Optional.empty();
      context = local.readContext();
    } else if (operation instanceof ClientOperation.ContextualWrite write) {
      value = write.value();
      context = write.context();
    } else {
      return Optional.empty();
    }
    int remaining = 0;
    for (Dot dot : local.entries().keySet()) {
      remaining += context.covers(dot) ? 0 : 1;
    }
    truncated[0] = 0;
    if (value.isPresent() && remaining >= siblingsMax) {
      List<Dot> oldest = local.oldestBeyond(siblingsMax - 1);
      for (Dot dot : oldest) {
        context = context.with(dot);
      }
      truncated[0] = oldest.size();
    }
    return Optional.of(new Operation.VersionedWrite(value.orElse(Bytes.EMPTY), value.isEmpty(), context));
  }

  /**
   * A join and what it revealed.
   *
   * @param state the joined state
   * @param conflict present when the join kept siblings from both sides that neither had seen
   */
  record Joined(Siblings state, Optional<ConflictDetail> conflict) {}

  /**
   * Joins {@code incoming} into {@code existing} (neither is changed). When the join keeps siblings
   * from both sides that neither side had seen from the other, that is a conflict.
   */
  static Joined join(Siblings existing, Siblings incoming) {
    Siblings joined = existing.copy();
    joined.merge(incoming);
    boolean keptOurs = false;
    boolean keptTheirs = false;
    for (Dot dot : joined.entries().keySet()) {
      keptOurs |= !incoming.entries().containsKey(dot) && existing.entries().containsKey(dot);
      keptTheirs |= !existing.entries().containsKey(dot) && incoming.entries().containsKey(dot);
    }
    return new Joined(joined, keptOurs && keptTheirs ? Optional.of(detail(joined)) : Optional.empty());
  }

  /** The conflict a sibling set stands for: every sibling, no winner (the application merges). */
  static ConflictDetail detail(Siblings state) {
    List<VersionInfo> versions = new ArrayList<>();
    for (Siblings.Sibling sibling : state.entries().values()) {
      versions.add(new VersionInfo(sibling.stamp(), sibling.value(), false));
    }
    return new ConflictDetail(versions, Optional.empty(), List.of());
  }

  /** What a read of {@code state} answers: every sibling and the context that resolves them. */
  static ClientResult.MergedRead read(String servedBy, Siblings state) {
    List<StoredValue> values = new ArrayList<>();
    for (Siblings.Sibling sibling : state.entries().values()) {
      values.add(new StoredValue(sibling.value(), version(sibling.stamp()), false));
    }
    return new ClientResult.MergedRead(servedBy, values, state.readContext(), 0, List.of(), new TreeMap<>());
  }

  /** The version a sibling is shown with: its write's timestamp and dot. */
  static Version version(Stamp stamp) {
    return new Version(stamp.timestamp(), stamp.region(), stamp.dot().counter(), stamp.region(), 1);
  }

  /** The conflict event for {@code detail} on {@code key}. */
  static ReplicationEvent.Conflict conflict(String dataset, Bytes key, ConflictDetail detail) {
    return new ReplicationEvent.Conflict(dataset, key, ConflictResolution.VERSION_VECTOR, detail);
  }
}

package io.meridian.agent.core.conflict;

import io.meridian.agent.config.ConflictResolution;
import java.util.Optional;

/**
 * The merged state of one key of a multi-primary dataset. Every implementation is a
 * join-semilattice: {@link #merge} is commutative, associative and idempotent, and {@link #apply}
 * of stamped operations gives the same state whatever their order and however often each is
 * applied. Mutable, single-threaded.
 */
public sealed interface KeyState permits LwwValue, Siblings, Counter, OrSet, MvRegister, LwwMap {

  /**
   * Applies one stamped operation.
   *
   * @return the conflict it revealed, if any
   * @throws IllegalArgumentException when the operation does not fit this kind of state
   */
  Optional<ConflictDetail> apply(Operation operation, Stamp stamp);

  /** Joins {@code other}'s state into this one (state-based replication, and the lattice laws). */
  void merge(KeyState other);

  /** An independent copy. */
  KeyState copy();

  /**
   * Drops what can no longer matter once {@code frontier} is applied here: causal context entries
   * no later operation can be in, and tombstones no later write can be older than.
   *
   * @return whether nothing is left, so the key can be forgotten
   */
  boolean collect(Frontier frontier);

  /** Writes the state canonically: equal states give equal bytes. */
  void encode(ByteWriter out);

  /** The canonical bytes of this state. */
  default byte[] toBytes() {
    ByteWriter out = new ByteWriter();
    encode(out);
    return out.toByteArray();
  }

  /** A fresh, empty state for a dataset resolving conflicts by {@code rule}. */
  static KeyState empty(ConflictResolution rule) {
    switch (rule) {
      case LWW:
      case CRDT_LWW_REGISTER:
        return new LwwValue();
      case VERSION_VECTOR:
        return new Siblings();
      case CRDT_COUNTER:
      case CRDT_PN_COUNTER:
        return new Counter();
      case CRDT_OR_SET:
        return new OrSet();
      case CRDT_MV_REGISTER:
        return new MvRegister();
      case CRDT_LWW_MAP:
        return new LwwMap();
      default:
        throw new IllegalArgumentException("no state for " + rule);
    }
  }

  /** The operation, cast, or a clear refusal. */
  static <T extends Operation> T expect(Class<T> type, Operation operation, String state) {
    if (!type.isInstance(operation)) {
      throw new IllegalArgumentException(state + " cannot apply " + operation.getClass().getSimpleName());
    }
    return type.cast(operation);
  }
}

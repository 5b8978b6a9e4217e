package io.meridian.agent.core.conflict;

import io.meridian.agent.core.Bytes;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A write to one key of a multi-primary dataset, as the committing region logged it. It becomes
 * a {@link Stamp stamped} operation when committed; {@link KeyState#apply} is idempotent and
 * commutative over stamped operations. Encoded into the value of a log entry, so the replication
 * stream and the store carry it unchanged.
 */
public sealed interface Operation {

  /**
   * Last-writer-wins write (datasets under {@code lww} and {@code crdt:lww-register}).
   *
   * @param value the value; empty for a delete
   * @param delete whether this removes the key
   * @param context what the writer had seen of the key, to tell overwrites from conflicts
   */
  record Write(Bytes value, boolean delete, VersionVector context) implements Operation {
    /** Validates presence. */
    public Write {
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(context, "context");
    }
  }

  /**
   * Version-vector write: replaces the siblings {@code context} covers.
   *
   * @param value the value; empty for a delete
   * @param delete whether this removes the covered siblings without adding one
   * @param context the causal context the client read (empty for a blind write)
   */
  record VersionedWrite(Bytes value, boolean delete, VersionVector context) implements Operation {
    /** Validates presence. */
    public VersionedWrite {
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(context, "context");
    }
  }

  /**
   * Counter change: the committing region's new running totals of increments and decrements.
   * Totals, not deltas, so a duplicate changes nothing.
   */
  record CounterTotals(long incremented, long decremented) implements Operation {
    /** Validates range. */
    public CounterTotals {
      if (incremented < 0 || decremented < 0) {
        throw new IllegalArgumentException("counter totals are not negative");
      }
    }
  }

  /** Add {@code element}, superseding the add tags of it the writer had seen. */
  record AddElement(Bytes element, SortedSet<Dot> observed) implements Operation {
    /** Copies the set. */
    public AddElement {
      Objects.requireNonNull(element, "element");
      observed = new TreeSet<>(observed);
    }
  }

  /** Remove the add tags of {@code element} the writer had seen; concurrent adds survive. */
  record RemoveElement(Bytes element, SortedSet<Dot> observed) implements Operation {
    /** Copies the set. */
    public RemoveElement {
      Objects.requireNonNull(element, "element");
      observed = new TreeSet<>(observed);
    }
  }

  /** Set a multi-value register, replacing the values the writer had seen. */
  record SetValue(Bytes value, SortedSet<Dot> observed) implements Operation {
    /** Copies the set. */
    public SetValue {
      Objects.requireNonNull(value, "value");
      observed = new TreeSet<>(observed);
    }
  }

  /** Set or remove one entry of a last-writer-wins map. */
  record MapEntry(Bytes field, Bytes value, boolean remove) implements Operation {
    /** Validates presence. */
    public MapEntry {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(value, "value");
    }
  }

  /** The operation as log-entry bytes. */
  default Bytes encode() {
    ByteWriter out = new ByteWriter();
    if (this instanceof Write) {
      Write write = (Write) this;
      out.writeByte(1);
      out.writeByte(write.delete() ? 1 : 0);
      out.writeBytes(write.value().sharedArray());
      write.context().encode(out);
    } else if (this instanceof VersionedWrite) {
      VersionedWrite write = (VersionedWrite) this;
      out.writeByte(2);
      out.writeByte(write.delete() ? 1 : 0);
      out.writeBytes(write.value().sharedArray());
      write.context().encode(out);
    } else if (this instanceof CounterTotals) {
      CounterTotals totals = (CounterTotals) this;
      out.writeByte(3);
      out.writeVarint(totals.incremented());
      out.writeVarint(totals.decremented());
    } else if (this instanceof AddElement) {
      AddElement add = (AddElement) this;
      out.writeByte(4);
      out.writeBytes(add.element().sharedArray());
      encodeDots(out, add.observed());
    } else if (this instanceof RemoveElement) {
      RemoveElement remove = (RemoveElement) this;
      out.writeByte(5);
      out.writeBytes(remove.element().sharedArray());
      encodeDots(out, remove.observed());
    } else if (this instanceof SetValue) {
      SetValue set = (SetValue) this;
      out.writeByte(6);
      out.writeBytes(set.value().sharedArray());
      encodeDots(out, set.observed());
    } else {
      MapEntry entry = (MapEntry) this;
      out.writeByte(7);
      out.writeByte(entry.remove() ? 1 : 0);
      out.writeBytes(entry.field().sharedArray());
      out.writeBytes(entry.value().sharedArray());
    }
    return Bytes.wrapOwned(out.toByteArray());
  }

  /**
   * The operation {@link #encode()} produced.
   *
   * @throws IllegalArgumentException when the bytes are not an operation
   */
  static Operation decode(Bytes bytes) {
    ByteReader in = new ByteReader(bytes.sharedArray()); // Only read.
    int tag = in.readByte();
    Operation operation;
    switch (tag) {
      case 1: {
        boolean delete = in.readByte() == 1;
        operation = new Write(Bytes.wrapOwned(in.readBytes()), delete, VersionVector.decode(in));
        break;
      }
      case 2: {
        boolean delete = in.readByte() == 1;
        operation = new VersionedWrite(Bytes.wrapOwned(in.readBytes()), delete, VersionVector.decode(in));
        break;
      }
      case 3:
        operation = new CounterTotals(in.readVarint(), in.readVarint());
        break;
      case 4:
        operation = new AddElement(Bytes.wrapOwned(in.readBytes()), decodeDots(in));
        break;
      case 5:
        operation = new RemoveElement(Bytes.wrapOwned(in.readBytes()), decodeDots(in));
        break;
      case 6:
        operation = new SetValue(Bytes.wrapOwned(in.readBytes()), decodeDots(in));
        break;
      case 7: {
        boolean remove = in.readByte() == 1;
        operation = new MapEntry(Bytes.wrapOwned(in.readBytes()), Bytes.wrapOwned(in.readBytes()), remove);
        break;
      }
      default:
        throw new IllegalArgumentException("unknown operation tag " + tag);
    }
    in.requireEnd("operation");
    return operation;
  }

  private static void encodeDots(ByteWriter out, SortedSet<Dot> dots) {
    out.writeVarint(dots.size());
    for (Dot dot : dots) {
      out.writeString(dot.region());
      out.writeVarint(dot.counter());
    }
  }

  private static SortedSet<Dot> decodeDots(ByteReader in) {
    int size = in.readCount();
    TreeSet<Dot> dots = new TreeSet<>();
    for (int i = 0; i < size; i++) {
      dots.add(new Dot(in.readRegion(), in.readVarint()));
    }
    return dots;
  }
}

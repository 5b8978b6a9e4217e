package io.meridian.agent.core.conflict;

import io.meridian.agent.core.Bytes;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * An observed-remove set where an add wins over a concurrent remove: each add tags its element
 * with a fresh dot; a remove takes away only the tags its writer had seen.
 */
public final class OrSet implements KeyState {
  private final DottedValues<Bytes> tags = new DottedValues<>();

  /** The elements present. */
  public SortedSet<Bytes> elements() {
    return new TreeSet<>(tags.entries.values());
  }

  /** Whether {@code element} is present. */
  public boolean contains(Bytes element) {
    return tags.entries.containsValue(element);
  }

  /** The tags of {@code element} seen here: the context of an add or remove written here. */
  public SortedSet<Dot> tagsOf(Bytes element) {
    TreeSet<Dot> result = new TreeSet<>();
    for (Map.Entry<Dot, Bytes> entry : tags.entries.entrySet()) {
      if (entry.getValue().equals(element)) {
        result.add(entry.getKey());
      }
    }
    return result;
  }

  @Override
  public Optional<ConflictDetail> apply(Operation operation, Stamp stamp) {
    if (operation instanceof Operation.AddElement) {
      Operation.AddElement add = (Operation.AddElement) operation;
      tags.write(stamp.dot(), add.element(), add.observed());
    } else {
      Operation.RemoveElement remove = KeyState.expect(Operation.RemoveElement.class, operation, "an or-set");
      tags.write(stamp.dot(), null, remove.observed());
    }
    return Optional.empty();
  }

  @Override
  public void merge(KeyState other) {
    tags.merge(((OrSet) other).tags);
  }

  @Override
  public OrSet copy() {
    OrSet copy = new OrSet();
    tags.copyInto(copy.tags);
    return copy;
  }

  @Override
  public boolean collect(Frontier frontier) {
    return tags.collect(frontier);
  }

  @Override
  public void encode(ByteWriter out) {
    tags.encode(out, (writer, element) -> writer.writeBytes(element.sharedArray()));
  }

  static OrSet decodeDurable(ByteReader in) {
    OrSet result = new OrSet();
    DottedValues.decodeInto(in, result.tags, reader -> Bytes.wrapOwned(reader.readBytes()));
    return result;
  }
}

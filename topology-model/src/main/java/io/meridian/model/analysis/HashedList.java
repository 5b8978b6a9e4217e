package io.meridian.model.analysis;

import java.util.List;

/**
 * An immutable list with its hash computed once, for memo keys that many lookups share.
 *
 * @param <T> element type
 */
final class HashedList<T> {
  private final List<T> items;
  private final int hash;

  HashedList(List<T> items) {
    this.items = List.copyOf(items);
    this.hash = this.items.hashCode();
  }

  @Override
  public boolean equals(Object other) {
    return this == other
        || other instanceof HashedList<?> list && list.hash == hash && list.items.equals(items);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}

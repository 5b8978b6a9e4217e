package io.meridian.model.diagnostics;

import java.util.Map;
import java.util.Optional;

/**
 * Where each node of a loaded file starts, keyed by JSON Pointer ({@code /regions/2/id}).
 * Problems carry pointers; this map turns them into line and column.
 */
public final class SourceMap {
  /** A map for a topology that came from no file (built in the studio, say). */
  public static final SourceMap EMPTY = new SourceMap(Map.of());

  private final Map<String, SourcePosition> positions;

  /** Wraps pointer-to-position entries; the map is copied. */
  public SourceMap(Map<String, SourcePosition> positions) {
    this.positions = Map.copyOf(positions);
  }

  /**
   * The position of the node at {@code pointer}, or of its nearest ancestor that has one (a
   * missing field is reported where its parent starts).
   */
  public Optional<SourcePosition> find(String pointer) {
    String current = pointer == null ? "" : pointer;
    while (true) {
      SourcePosition position = positions.get(current);
      if (position != null) {
        return Optional.of(position);
      }
      if (current.isEmpty()) {
        return Optional.empty();
      }
      int slash = current.lastIndexOf('/');
      current = slash <= 0 ? "" : current.substring(0, slash);
    }
  }

  /** How many nodes have a position. */
  public int size() {
    return positions.size();
  }
}

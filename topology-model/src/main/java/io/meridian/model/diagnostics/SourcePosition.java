package io.meridian.model.diagnostics;

/**
 * A place in a topology file, 1-based like compilers and editors count.
 *
 * @param line line number, from 1
 * @param column column number, from 1
 */
public record SourcePosition(int line, int column) implements Comparable<SourcePosition> {
  /** The start of a file, used when nothing more precise is known. */
  public static final SourcePosition START = new SourcePosition(1, 1);

  /** Checks both numbers are at least 1. */
  public SourcePosition {
    if (line < 1 || column < 1) {
      throw new IllegalArgumentException("line and column count from 1, got " + line + ":" + column);
    }
  }

  @Override
  public int compareTo(SourcePosition other) {
    return line != other.line ? Integer.compare(line, other.line)
        : Integer.compare(column, other.column);
  }

  @Override
  public String toString() {
    return line + ":" + column;
  }
}

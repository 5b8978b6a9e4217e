package io.meridian.model.format;

import io.meridian.model.diagnostics.Problem;
import java.util.List;

/** A file could not be read as a topology; each problem says what, where and what to do. */
public final class TopologyFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final transient List<Problem> problems;
  private final boolean unreadable;

  TopologyFormatException(String source, List<Problem> problems, boolean unreadable) {
    super(problems.isEmpty() ? source : problems.get(0).format(source));
    this.source = source;
    this.problems = List.copyOf(problems);
    this.unreadable = unreadable;
  }

  /** The file name as given. */
  public String source() {
    return source;
  }

  /** Every problem found, in file order. */
  public List<Problem> problems() {
    return problems;
  }

  /**
   * Whether the file could not be read as a document at all (missing, a directory, empty, binary,
   * too large, not YAML or JSON), as opposed to a document with wrong content.
   */
  public boolean unreadable() {
    return unreadable;
  }
}

package io.meridian.model.diagnostics;

import java.util.Optional;

/**
 * Something wrong or noteworthy in a topology: what, where and what to do.
 *
 * @param code a stable code, such as {@code dangling-reference}; tools and tests match on it
 * @param severity error, warning or info
 * @param message what is wrong, in a sentence that names the elements involved
 * @param path JSON Pointer of the offending node ({@code /datasets/0/replicas/2}); empty for
 *     the whole document
 * @param position line and column in the file, or null when there is no file
 * @param fix what to do about it, or empty when there is nothing useful to suggest
 */
public record Problem(
    String code, Severity severity, String message, String path, SourcePosition position,
    String fix) {

  /** Checks required fields; path and fix default to empty. */
  public Problem {
    if (code == null || code.isBlank()) {
      throw new IllegalArgumentException("problem code is required");
    }
    if (severity == null) {
      throw new IllegalArgumentException("problem severity is required");
    }
    if (message == null || message.isBlank()) {
      throw new IllegalArgumentException("problem message is required");
    }
    path = path == null ? "" : path;
    fix = fix == null ? "" : fix;
  }

  /** A problem at {@code path} with no position yet. */
  public static Problem at(String code, Severity severity, String path, String message, String fix) {
    return new Problem(code, severity, message, path, null, fix);
  }

  /** This problem with its position looked up in {@code map}. */
  public Problem locatedIn(SourceMap map) {
    return new Problem(code, severity, message, path, map.find(path).orElse(null), fix);
  }

  /** The position when known. */
  public Optional<SourcePosition> sourcePosition() {
    return Optional.ofNullable(position);
  }

  /** Whether this problem makes the topology invalid. */
  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /**
   * A compiler-style line: {@code FILE:LINE:COL: error: [code] message (fix)}.
   *
   * @param file the file name to print
   */
  public String format(String file) {
    SourcePosition at = position == null ? SourcePosition.START : position;
    StringBuilder line = new StringBuilder()
        .append(file).append(':').append(at.line()).append(':').append(at.column()).append(": ")
        .append(severity.label()).append(": [").append(code).append("] ").append(message);
    if (!fix.isEmpty()) {
      line.append(" (fix: ").append(fix).append(')');
    }
    return line.toString();
  }
}

package io.meridian.app.studio;

import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import io.meridian.model.diagnostics.SourcePosition;

/**
 * One line of the problems panel.
 *
 * @param severity error, warning or info
 * @param code the problem's stable code
 * @param message what is wrong
 * @param location {@code NAME:LINE:COL}, with the file's name without its folder, or the JSON
 *     Pointer for a design edited since it was read
 * @param fix what to do, or empty
 * @param path JSON Pointer of the node concerned, such as {@code /regions/2/latitude}
 */
public record ProblemRow(
    Severity severity, String code, String message, String location, String fix, String path) {

  /** The row for {@code problem} found in {@code file}. */
  public static ProblemRow of(String file, Problem problem) {
    SourcePosition at = problem.sourcePosition().orElse(SourcePosition.START);
    int slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
    String name = slash < 0 || slash == file.length() - 1 ? file : file.substring(slash + 1);
    return new ProblemRow(problem.severity(), problem.code(), problem.message(),
        name + ":" + at.line() + ":" + at.column(), problem.fix(), problem.path());
  }

  /**
   * The row for a problem of a design edited in the studio, which has no file position yet: the
   * location is the JSON Pointer, such as {@code /datasets/0/policy}.
   */
  public static ProblemRow unplaced(Problem problem) {
    return new ProblemRow(problem.severity(), problem.code(), problem.message(),
        problem.path().isEmpty() ? "design" : problem.path(), problem.fix(), problem.path());
  }
}

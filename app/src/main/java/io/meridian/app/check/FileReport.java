package io.meridian.app.check;

import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import io.meridian.model.format.LoadedTopology;
import java.util.List;
import java.util.Optional;

/**
 * What checking one file found.
 *
 * @param file the file name as the user gave it, for messages
 * @param loaded the topology when the file could be read as one, else null
 * @param problems every problem, placed in the file and sorted by position
 * @param unreadable whether the file could not be read as a document at all (missing, a
 *     directory, empty, binary, too large, not YAML or JSON)
 */
public record FileReport(
    String file, LoadedTopology loaded, List<Problem> problems, boolean unreadable) {

  /** Copies the problem list. */
  public FileReport {
    problems = List.copyOf(problems);
  }

  /** The topology, when the file held one. */
  public Optional<LoadedTopology> topology() {
    return Optional.ofNullable(loaded);
  }

  /** Whether the design may be used: it was read and has no errors (warnings are allowed). */
  public boolean isValid() {
    return !unreadable && loaded != null && count(Severity.ERROR) == 0;
  }

  /** How many problems have this severity. */
  public long count(Severity severity) {
    return problems.stream().filter(p -> p.severity() == severity).count();
  }
}

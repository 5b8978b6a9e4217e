package io.meridian.app.check;

import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import io.meridian.model.diagnostics.SourcePosition;
import io.meridian.model.format.LoadedTopology;
import io.meridian.model.format.TopologyFormatException;
import io.meridian.model.format.TopologyReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads a topology file and runs the design rules over it. Never throws for bad input: every
 * failure comes back as a problem in the {@link FileReport}.
 */
public final class DesignCheck {
  private static final Comparator<Problem> FILE_ORDER = Comparator.comparing(
      (Problem p) -> p.sourcePosition().orElse(SourcePosition.START));

  private final TopologyReader reader = new TopologyReader();
  private final Validation validation;

  /** A check with the rules Meridian ships with. */
  public DesignCheck() {
    this(Validation.standard());
  }

  /** A check with the given rules; tests pass their own. */
  public DesignCheck(Validation validation) {
    this.validation = validation;
  }

  /** Reads and checks {@code file}; the report names the file as {@code file.toString()}. */
  public FileReport check(Path file) {
    String name = file.toString();
    LoadedTopology loaded;
    try {
      loaded = reader.read(file);
    } catch (TopologyFormatException e) {
      return new FileReport(name, null, sorted(e.problems()), e.unreadable());
    } catch (RuntimeException e) {
      // The reader promises positioned problems for every bad input; should it still fail, the
      // user gets one line naming the file rather than a stack trace.
      return new FileReport(name, null, List.of(internalError(e)), true);
    }
    List<Problem> found;
    try {
      found = validation.validate(loaded.topology()).stream()
          .map(p -> p.position() == null ? p.locatedIn(loaded.sourceMap()) : p)
          .toList();
    } catch (RuntimeException e) {
      found = List.of(internalError(e));
    }
    return new FileReport(name, loaded, sorted(found), false);
  }

  private static List<Problem> sorted(List<Problem> problems) {
    List<Problem> copy = new ArrayList<>(problems);
    copy.sort(FILE_ORDER);
    return copy;
  }

  private static Problem internalError(RuntimeException e) {
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new Problem("internal-error", Severity.ERROR,
        "Meridian could not check this file: " + detail, "", SourcePosition.START,
        "report this to the Meridian developers with the file attached");
  }
}

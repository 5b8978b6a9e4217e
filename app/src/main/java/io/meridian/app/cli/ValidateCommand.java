package io.meridian.app.cli;

import io.meridian.app.check.DesignCheck;
import io.meridian.app.check.FileReport;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meridian validate FILE...}: checks topology files and prints each problem as a
 * compiler-style line, {@code FILE:LINE:COL: error|warning: [CODE] message (fix: ...)}, or one
 * JSON document with {@code --format json}. A one-line summary goes to standard error.
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Check topology files and print their problems, compiler style.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
        "0:every file is valid (warnings allowed)",
        "1:some file has errors",
        "2:some file could not be read (missing, a directory, empty, binary, too large, "
            + "not YAML or JSON), or the command line was wrong"})
public final class ValidateCommand implements Callable<Integer> {

  /** How results are printed. */
  public enum OutputFormat {
    /** Compiler-style lines, one per problem. */
    TEXT,
    /** One JSON document for machines. */
    JSON
  }

  @Spec
  private CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Topology files (.yaml, .json).")
  private List<Path> files = new ArrayList<>();

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
      description = "text (default) or json.")
  private OutputFormat format = OutputFormat.TEXT;

  @Option(names = {"-v", "--verbose"}, description = "Also print info lines.")
  private boolean verbose;

  private final DesignCheck check;

  /** The command with Meridian's standard rules. */
  public ValidateCommand() {
    this(new DesignCheck());
  }

  /** The command with the given check; tests pass one with their own rules. */
  public ValidateCommand(DesignCheck check) {
    this.check = check;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<FileReport> reports = files.stream().map(check::check).toList();
    int status = exitStatus(reports);
    if (format == OutputFormat.JSON) {
      out.println(ValidationJson.write(reports, status));
    } else {
      for (FileReport report : reports) {
        for (Problem problem : report.problems()) {
          if (verbose || problem.severity() != Severity.INFO) {
            out.println(problem.format(report.file()));
          }
        }
      }
    }
    out.flush();
    err.println(summary(reports));
    err.flush();
    return status;
  }

  /** 2 when any file could not be read, else 1 when any has errors, else 0. */
  static int exitStatus(List<FileReport> reports) {
    if (reports.stream().anyMatch(FileReport::unreadable)) {
      return ExitCodes.UNUSABLE;
    }
    return reports.stream().allMatch(FileReport::isValid) ? ExitCodes.OK : ExitCodes.PROBLEMS;
  }

  /** For example {@code 3 files checked: 1 error, 2 warnings, 1 file unreadable}. */
  static String summary(List<FileReport> reports) {
    long errors = reports.stream().mapToLong(r -> r.count(Severity.ERROR)).sum();
    long warnings = reports.stream().mapToLong(r -> r.count(Severity.WARNING)).sum();
    long unreadable = reports.stream().filter(FileReport::unreadable).count();
    StringBuilder line = new StringBuilder()
        .append(plural(reports.size(), "file")).append(" checked: ")
        .append(plural(errors, "error")).append(", ").append(plural(warnings, "warning"));
    if (unreadable > 0) {
      line.append(", ").append(plural(unreadable, "file")).append(" unreadable");
    }
    return line.toString();
  }

  private static String plural(long count, String noun) {
    return count + " " + noun + (count == 1 ? "" : "s");
  }
}

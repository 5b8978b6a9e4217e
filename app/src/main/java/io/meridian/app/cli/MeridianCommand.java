package io.meridian.app.cli;

import io.meridian.app.studio.StudioLauncher;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The root {@code meridian} command. Subcommands are registered in the {@code subcommands} list
 * of the annotation below, and only there.
 */
@Command(
    name = "meridian",
    mixinStandardHelpOptions = true,
    versionProvider = MeridianVersion.class,
    customSynopsis = {
        "meridian [FILE]",
        "       meridian [-hV] COMMAND [ARGS...]"},
    description = {
        "Design, check and watch cross-region data replication.",
        "Without arguments, opens the studio; with a topology FILE (.yaml, .yml, .json), "
            + "opens the studio on it."},
    subcommands = {
        // Every subcommand of `meridian` is listed here.
        ValidateCommand.class,
        AnalyzeCommand.class,
        StudioCommand.class,
        ScreenshotCommand.class,
        DeployCommand.class,
        TeardownCommand.class,
        KvCommand.class,
        StatusCommand.class,
        LoadCommand.class,
        FailoverCommand.class,
        QuarantineCommand.class,
        FaultCommand.class,
        RecordCommand.class,
        BenchCommand.class,
        CommandLine.HelpCommand.class,
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
        "0:success (for validate: every file valid, warnings allowed)",
        "1:errors found in the input",
        "2:a file could not be read, or the command line was wrong"})
public final class MeridianCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  /** Runs {@code meridian ARGS...} on the process's standard streams and returns the status. */
  public static int run(String... args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    try {
      return run(out, err, args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /**
   * Runs {@code meridian ARGS...} writing to the given streams and returns the status. A single
   * argument naming a topology file opens the studio on it, as {@code meridian studio FILE} does.
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    if (args.length == 1 && isTopologyFile(args[0])) {
      return StudioLauncher.launch(Path.of(args[0]), err);
    }
    return configure(new CommandLine(new MeridianCommand()), out, err).execute(args);
  }

  /**
   * Applies Meridian's conventions to a command line: enum values in any case, short messages
   * instead of stack traces, and exit status 2 for usage errors.
   *
   * @param commandLine the root or a single subcommand (tests run subcommands on their own)
   * @param out where results go
   * @param err where messages and summaries go
   */
  public static CommandLine configure(CommandLine commandLine, PrintWriter out, PrintWriter err) {
    return commandLine
        .setOut(out)
        .setErr(err)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setParameterExceptionHandler((e, args) -> {
          CommandLine culprit = e.getCommandLine();
          PrintWriter to = culprit.getErr();
          to.println(culprit.getCommandSpec().qualifiedName() + ": " + e.getMessage());
          CommandLine.UnmatchedArgumentException.printSuggestions(e, to);
          to.println("Try '" + culprit.getCommandSpec().qualifiedName() + " --help' for usage.");
          to.flush();
          return ExitCodes.UNUSABLE;
        })
        .setExecutionExceptionHandler((e, culprit, parseResult) -> {
          PrintWriter to = culprit.getErr();
          to.println(culprit.getCommandSpec().qualifiedName() + ": " + describe(e));
          to.flush();
          return ExitCodes.UNUSABLE;
        });
  }

  /**
   * Whether {@code argument} names a topology file rather than a command: it has a topology
   * file's extension or is an existing file. Commands never contain a dot.
   */
  static boolean isTopologyFile(String argument) {
    if (argument.startsWith("-")) {
      return false;
    }
    String lower = argument.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json")) {
      return true;
    }
    try {
      return Files.isRegularFile(Path.of(argument));
    } catch (InvalidPathException e) {
      return false;
    }
  }

  private static String describe(Exception e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? "failed (" + e.getClass().getSimpleName() + ")"
        : message;
  }

  /** {@code meridian} with options but no subcommand: say what to do instead. */
  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    err.println("meridian: name a command, e.g. 'meridian validate FILE', or run 'meridian' "
        + "alone to open the studio.");
    spec.commandLine().usage(err);
    return ExitCodes.UNUSABLE;
  }
}

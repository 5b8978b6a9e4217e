package io.meridian.app.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/**
 * What one in-process run of a command printed and returned.
 *
 * @param status the exit status
 * @param out standard output
 * @param err standard error
 */
record CliRun(int status, String out, String err) {

  /** Runs {@code meridian ARGS...}. */
  static CliRun meridian(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = MeridianCommand.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new CliRun(status, out.toString(), err.toString());
  }

  /** Runs one command object on its own (a validate with test rules, say). */
  static CliRun command(Object command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = MeridianCommand.configure(new CommandLine(command),
        new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    return new CliRun(status, out.toString(), err.toString());
  }

  /** Standard output, line by line. */
  List<String> outLines() {
    return out.lines().toList();
  }

  /** Standard error, line by line. */
  List<String> errLines() {
    return err.lines().toList();
  }

  /** Everything printed, for checks that hold for both streams. */
  String all() {
    return out + err;
  }
}

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

  /**
   * Runs {@code meridian ARGS...} again, for up to a minute, while the agent refuses it with
   * {@code RESOURCE_EXHAUSTED}: its pushback (ADR 0041: an async primary whose replica is more
   * than a second behind, which happens now and then on a loaded machine) writes nothing and asks
   * the client to slow down and retry. Any other outcome is returned as it is.
   */
  static CliRun meridianHonouringPushback(String... args) {
    CliRun[] last = new CliRun[1];
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
        .pollInterval(java.time.Duration.ofMillis(50)).until(() -> {
          last[0] = meridian(args);
          return last[0].status() == 0 || !last[0].err().contains("RESOURCE_EXHAUSTED");
        });
    return last[0];
  }

  /**
   * Runs {@code meridian deploy FILE --target local} into {@code fixture}'s state directory, each
   * agent given {@link io.meridian.app.deploy.LocalDeploymentFixture#AGENT_WAIT_SECONDS} to be
   * ready, with {@code options} added (e.g. {@code --emulate-wan}).
   */
  static CliRun deployLocally(io.meridian.app.deploy.LocalDeploymentFixture fixture, String file, String... options) {
    List<String> args = new java.util.ArrayList<>(List.of("deploy", file, "--target", "local", "--wait",
        io.meridian.app.deploy.LocalDeploymentFixture.AGENT_WAIT_SECONDS, "--state-dir",
        fixture.stateDirectory().toString()));
    args.addAll(List.of(options));
    return meridian(args.toArray(String[]::new));
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

package io.meridian.app.cli;

import io.meridian.app.live.LiveActions.ActionException;
import io.meridian.app.live.LiveConnection;
import io.meridian.app.live.LiveInput;
import io.meridian.app.live.Recording;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meridian record OUT.mlive}: watches a running deployment headless for a while, the way
 * the studio's live view does, and saves the recording for the live view (Live › Open a
 * recording) or {@code meridian screenshot --live}. {@code --rehearse-cut A~B} cuts that link
 * a third of the way in and heals it at two thirds, both recorded as operator actions.
 */
@Command(
    name = "record",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Watch a running deployment for a while and save what its agents report as a "
        + "live recording (open it in the studio: Live > Open a recording).",
    footer = {"", "Example:",
        "  meridian record --duration 30 --rehearse-cut us-east~ap-southeast session.mlive"})
public final class RecordCommand implements Callable<Integer> {
  /** Longest accepted recording, the live view's retention. */
  static final double DURATION_MAX_SECONDS = Recording.RETENTION_MILLIS / 1000.0;

  @Spec
  private CommandSpec spec;

  @Mixin
  private StateDirOption state;

  @Parameters(index = "0", paramLabel = "OUT.mlive", description = "Recording file to write.")
  private Path output;

  @Option(names = "--duration", paramLabel = "S", defaultValue = "30",
      description = "How long to watch, in seconds (default ${DEFAULT-VALUE}).")
  private double durationSeconds;

  @Option(names = "--rehearse-cut", paramLabel = "A~B",
      description = "Cut this link a third of the way in and heal it at two thirds.")
  private String cut;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    if (!(durationSeconds > 0) || durationSeconds > DURATION_MAX_SECONDS) {
      err.println("meridian record: --duration must be within (0, " + DURATION_MAX_SECONDS
          + "] seconds, got " + durationSeconds);
      return ExitCodes.UNUSABLE;
    }
    String[] ends = cut == null ? null : cut.split("~");
    if (ends != null && ends.length != 2) {
      err.println("meridian record: --rehearse-cut takes a link as A~B, e.g. "
          + "us-east~eu-central; got '" + cut + "'");
      return ExitCodes.UNUSABLE;
    }
    LiveConnection connection;
    try {
      connection = LiveConnection.ofStateDirectory(state.resolve());
    } catch (IOException e) {
      err.println("meridian record: " + e.getMessage());
      return ExitCodes.PROBLEMS;
    }
    try {
      if (ends != null && connection.endpoints().stream().map(e -> e.region())
          .filter(r -> r.equals(ends[0]) || r.equals(ends[1])).count() != 2) {
        err.println("meridian record: --rehearse-cut " + cut + ": both ends must be deployed "
            + "regions; deployed: " + connection.endpoints().stream().map(e -> e.region())
            .toList());
        return ExitCodes.PROBLEMS;
      }
      long durationMillis = Math.round(durationSeconds * 1000);
      err.printf(Locale.ROOT, "Recording %s for %.0f s%s%n", connection.topology().name(),
          durationSeconds, ends == null ? "" : ", cutting " + cut + " from "
              + durationMillis / 3000 + " s to " + 2 * durationMillis / 3000 + " s");
      err.flush();
      if (ends == null) {
        Thread.sleep(durationMillis);
      } else {
        Thread.sleep(durationMillis / 3);
        act(connection, ends, true, err);
        Thread.sleep(durationMillis / 3);
        act(connection, ends, false, err);
        Thread.sleep(durationMillis - 2 * (durationMillis / 3));
      }
      Recording recording = connection.session().recording().get(30, TimeUnit.SECONDS);
      recording.save(output);
      err.println("wrote " + output + " (" + recording + ")");
      return ExitCodes.OK;
    } catch (IOException | ExecutionException | TimeoutException e) {
      err.println("meridian record: could not save " + output + ": " + e.getMessage());
      return ExitCodes.PROBLEMS;
    } finally {
      connection.close();
    }
  }

  private static void act(LiveConnection connection, String[] ends, boolean cutting,
      PrintWriter err) {
    String description = (cutting ? "cut" : "heal") + " link " + ends[0] + "~" + ends[1];
    boolean succeeded;
    String outcome;
    try {
      outcome = cutting ? connection.actions().cutLink(ends[0], ends[1])
          : connection.actions().healLink(ends[0], ends[1]);
      succeeded = true;
    } catch (ActionException e) {
      outcome = e.getMessage();
      succeeded = false;
    }
    connection.session().submit(new LiveInput.OperatorAction(connection.session().now(),
        ends[0], description, succeeded, outcome));
    err.println("  " + description + (succeeded ? ": " : " failed: ") + outcome);
    err.flush();
  }
}

package io.meridian.app.cli;

import io.meridian.app.check.DesignCheck;
import io.meridian.app.check.FileReport;
import io.meridian.app.studio.StudioSnapshot;
import io.meridian.model.diagnostics.Problem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meridian screenshot FILE OUT.png}: renders the studio window showing a topology and
 * writes it as a PNG. Needs no display; the README's pictures are made with it.
 */
@Command(
    name = "screenshot",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Render the studio window for a topology file into a PNG, without a display.")
public final class ScreenshotCommand implements Callable<Integer> {
  /** Smallest and largest accepted width or height, in pixels. */
  static final int SIZE_MIN = 320;
  static final int SIZE_MAX = 4096;

  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "Topology file to show.")
  private Path file;

  @Parameters(index = "1", paramLabel = "OUT.png", description = "PNG file to write.")
  private Path output;

  @Option(names = "--width", paramLabel = "W", defaultValue = "1280",
      description = "Window width in pixels (default ${DEFAULT-VALUE}).")
  private int width;

  @Option(names = "--height", paramLabel = "H", defaultValue = "800",
      description = "Window height in pixels (default ${DEFAULT-VALUE}).")
  private int height;

  @Option(names = "--dark", description = "Use the dark theme.")
  private boolean dark;

  @Option(names = "--fail", paramLabel = "REGION|A~B", split = ",",
      description = "Show the what-if with these regions failed and links cut; repeat or "
          + "separate with commas.")
  private List<String> failures = new ArrayList<>();

  @Option(names = "--live", paramLabel = "RECORDING",
      description = "Render the live view replaying this recording (from 'meridian record' or "
          + "the studio's Live > Save recording) instead of the designer.")
  private Path liveRecording;

  @Option(names = "--at", paramLabel = "S",
      description = "With --live: the instant to show, in seconds from the recording's start "
          + "(default: its end).")
  private Double liveAtSeconds;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    if (width < SIZE_MIN || width > SIZE_MAX || height < SIZE_MIN || height > SIZE_MAX) {
      err.println("meridian screenshot: --width and --height must be between " + SIZE_MIN
          + " and " + SIZE_MAX + " pixels, got " + width + "x" + height);
      return ExitCodes.UNUSABLE;
    }
    FileReport report = new DesignCheck().check(file);
    if (report.unreadable()) {
      for (Problem problem : report.problems()) {
        err.println(problem.format(report.file()));
      }
      err.println("meridian screenshot: nothing written; " + report.file()
          + " could not be read");
      return ExitCodes.UNUSABLE;
    }
    if (report.topology().isPresent()) {
      Optional<String> unknown = WhatIfFailures.firstUnknown(report.topology().get().topology(),
          failures, String.valueOf(file.getFileName()));
      if (unknown.isPresent()) {
        err.println("meridian screenshot: " + unknown.get());
        return ExitCodes.UNUSABLE;
      }
    }
    if (liveRecording != null) {
      return writeLive(report, err);
    }
    StudioSnapshot.write(file, report, output, width, height, dark, failures);
    err.println("wrote " + output + " (" + width + "x" + height + ")");
    return ExitCodes.OK;
  }

  private Integer writeLive(FileReport report, PrintWriter err) throws IOException {
    if (report.topology().isEmpty()) {
      err.println("meridian screenshot: " + report.file() + " has no readable design to show "
          + "the recording on");
      return ExitCodes.UNUSABLE;
    }
    io.meridian.app.live.Recording recording;
    try {
      recording = io.meridian.app.live.Recording.open(liveRecording);
    } catch (IOException e) {
      err.println("meridian screenshot: " + e.getMessage());
      return ExitCodes.UNUSABLE;
    }
    if (recording.size() == 0) {
      err.println("meridian screenshot: " + liveRecording + " records nothing");
      return ExitCodes.UNUSABLE;
    }
    long at = liveAtSeconds == null ? recording.lastMillis()
        : recording.firstMillis() + Math.round(liveAtSeconds * 1000);
    if (at < recording.firstMillis() || at > recording.lastMillis()) {
      err.printf(java.util.Locale.ROOT, "meridian screenshot: --at %.1f is outside the recording,"
          + " which lasts %.1f s%n", liveAtSeconds,
          (recording.lastMillis() - recording.firstMillis()) / 1000.0);
      return ExitCodes.UNUSABLE;
    }
    io.meridian.app.live.LiveSnapshot.write(report.topology().get().topology(), recording, at,
        output, width, height, dark);
    err.println("wrote " + output + " (" + width + "x" + height + ", live view of "
        + liveRecording.getFileName() + ")");
    return ExitCodes.OK;
  }
}

package io.meridian.app;

import io.meridian.app.cli.MeridianCommand;
import io.meridian.app.studio.StudioLauncher;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Entry point of {@code meridian.jar}: no arguments opens the studio, anything else is the
 * {@code meridian} command line.
 *
 * <p>This class must not extend {@code javafx.application.Application}: the JavaFX launcher
 * refuses to start an Application main class from a plain (shaded) class-path jar, so the
 * studio's Application is started from here instead.
 */
public final class Main {
  /** Opened when the studio starts without a file and the working directory is the repository. */
  static final Path DEFAULT_DESIGN = Path.of("samples", "global-async.yaml");

  private Main() {}

  /**
   * Runs the studio or a command and exits with its status: 0 success, 1 problems found, 2
   * unreadable input or wrong usage.
   */
  public static void main(String[] args) {
    int status;
    if (args.length == 0) {
      PrintWriter err = new PrintWriter(System.err, true);
      status = StudioLauncher.launch(Files.isRegularFile(DEFAULT_DESIGN) ? DEFAULT_DESIGN : null,
          err);
    } else {
      status = MeridianCommand.run(args);
    }
    // The JavaFX toolkit keeps non-daemon threads alive after a screenshot, so exit explicitly.
    System.exit(status);
  }
}

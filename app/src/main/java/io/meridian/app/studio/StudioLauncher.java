package io.meridian.app.studio;

import io.meridian.app.cli.ExitCodes;
import java.io.PrintWriter;
import java.nio.file.Path;
import javafx.application.Application;

/** Opens the studio window and returns when it is closed. */
public final class StudioLauncher {
  private StudioLauncher() {}

  /**
   * Opens the studio on {@code file}, or on an empty design when it is null, and waits until the
   * window closes.
   *
   * @param err where to say why the studio cannot open
   * @return 0 when the studio ran, 2 when it could not open (no display, or one that cannot be
   *     reached)
   */
  public static int launch(Path file, PrintWriter err) {
    if (!FxPlatform.hasDisplay()) {
      err.println("meridian: cannot open the studio: no display (DISPLAY is not set). "
          + "Without a display, use 'meridian validate FILE' or "
          + "'meridian screenshot FILE OUT.png'.");
      err.flush();
      return ExitCodes.UNUSABLE;
    }
    // Reading the file and the world map need no toolkit: begin them before it starts. The
    // first analysis waits until the window has drawn the map and the design (ADR 0032).
    StudioPreload.start(file, new io.meridian.app.check.DesignCheck()::check, true);
    FxPlatform.quietClassPathWarning();
    String[] arguments = file == null ? new String[0] : new String[] {file.toString()};
    try {
      Application.launch(StudioApplication.class, arguments);
    } catch (RuntimeException e) {
      // Typically a display that is named but cannot be reached (a stale DISPLAY over ssh).
      err.println("meridian: cannot open the studio: " + e.getMessage() + " (DISPLAY="
          + System.getenv("DISPLAY") + "). Check the display, or use 'meridian validate FILE' "
          + "or 'meridian screenshot FILE OUT.png' without one.");
      err.flush();
      return ExitCodes.UNUSABLE;
    }
    return ExitCodes.OK;
  }
}

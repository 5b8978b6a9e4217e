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
   * @return 0 when the studio ran, 2 when it could not open (no display)
   */
  public static int launch(Path file, PrintWriter err) {
    if (!FxPlatform.hasDisplay()) {
      err.println("meridian: cannot open the studio: no display (DISPLAY is not set). "
          + "Without a display, use 'meridian validate FILE' or "
          + "'meridian screenshot FILE OUT.png'.");
      err.flush();
      return ExitCodes.UNUSABLE;
    }
    FxPlatform.quietClassPathWarning();
    String[] arguments = file == null ? new String[0] : new String[] {file.toString()};
    Application.launch(StudioApplication.class, arguments);
    return ExitCodes.OK;
  }
}

package io.meridian.app.studio;

import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;
import javafx.application.Platform;

/** Starting JavaFX with or without a display. */
public final class FxPlatform {
  /**
   * JavaFX's own logger. Held here so its level sticks: java.util.logging keeps loggers weakly.
   */
  private static final Logger JAVAFX_LOGGER = Logger.getLogger("javafx");

  private FxPlatform() {}

  /**
   * Silences JavaFX's start-up warning that it was loaded from the class path rather than as
   * modules. Meridian ships as one class-path jar on purpose (see {@code io.meridian.app.Main}),
   * so the warning tells the user nothing they can act on.
   */
  static void quietClassPathWarning() {
    JAVAFX_LOGGER.setLevel(Level.SEVERE);
  }

  /**
   * Whether a window can be shown: on Linux and other X11 systems a display must be named; macOS
   * and Windows always have one.
   */
  static boolean hasDisplay() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (os.contains("win") || os.contains("mac")) {
      return true;
    }
    return notBlank(System.getenv("DISPLAY")) || notBlank(System.getenv("WAYLAND_DISPLAY"));
  }

  /**
   * Starts the JavaFX toolkit for offscreen rendering, choosing the headless Monocle platform and
   * software rendering when there is no display. Does nothing if the toolkit already runs (as it
   * does in UI tests).
   *
   * @param width widest image that will be rendered, in pixels
   * @param height tallest image that will be rendered, in pixels
   */
  public static void startForRendering(int width, int height) {
    if (!hasDisplay()) {
      setIfAbsent("glass.platform", "Monocle");
      setIfAbsent("monocle.platform", "Headless");
      setIfAbsent("prism.order", "sw");
      setIfAbsent("headless.geometry", Math.max(width, 1280) + "x" + Math.max(height, 800));
    }
    quietClassPathWarning();
    try {
      Platform.startup(() -> { });
    } catch (IllegalStateException alreadyRunning) {
      // The toolkit can be started once per process; a running one serves as well.
    }
    Platform.setImplicitExit(false);
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  private static boolean notBlank(String value) {
    return value != null && !value.isBlank();
  }
}

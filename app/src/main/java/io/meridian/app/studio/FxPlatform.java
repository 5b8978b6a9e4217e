package io.meridian.app.studio;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import javafx.application.Platform;
import javax.imageio.ImageIO;

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

  /**
   * Runs {@code render} on the JavaFX thread, waits at most {@code secondsMax} for the image it
   * completes the future with, and writes that image to {@code output} as a PNG.
   *
   * @param what what is rendered, for error messages ("the studio")
   * @throws IOException when rendering fails, times out, or the file cannot be written
   */
  public static void renderToPng(Consumer<CompletableFuture<BufferedImage>> render, String what,
      long secondsMax, Path output) throws IOException {
    CompletableFuture<BufferedImage> image = new CompletableFuture<>();
    Platform.runLater(() -> {
      try {
        render.accept(image);
      } catch (RuntimeException | Error e) {
        image.completeExceptionally(e);
      }
    });
    BufferedImage rendered;
    try {
      rendered = image.get(secondsMax, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while rendering", e);
    } catch (ExecutionException e) {
      throw new IOException("could not render " + what + ": " + e.getCause().getMessage(), e);
    } catch (TimeoutException e) {
      throw new IOException("rendering took more than " + secondsMax + " s", e);
    }
    Path folder = output.toAbsolutePath().getParent();
    if (folder != null) {
      Files.createDirectories(folder);
    }
    if (!ImageIO.write(rendered, "png", output.toFile())) {
      throw new IOException("no PNG writer available");
    }
  }

  private static boolean notBlank(String value) {
    return value != null && !value.isBlank();
  }
}

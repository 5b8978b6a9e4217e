package io.meridian.app.live;

import io.meridian.app.live.LiveState.LagSample;
import io.meridian.app.studio.FxPlatform;
import io.meridian.model.Topology;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Scene;
import javafx.scene.image.WritableImage;

/**
 * Renders the live view of a saved recording at one instant into a PNG, offscreen and without a
 * display: {@code meridian screenshot FILE OUT.png --live RECORDING}. The lag panel shows the
 * flow whose lag peaked highest, so a rehearsed fault is in the picture.
 */
public final class LiveSnapshot {
  /** How long rendering may take before giving up. */
  static final long RENDER_SECONDS_MAX = 120;

  private LiveSnapshot() {}

  /**
   * Writes the live view of {@code recording} at {@code atMillis} to {@code output}.
   *
   * @param topology the recorded deployment's design
   * @param recording the recording
   * @param atMillis the instant to show (studio clock), within the recording
   * @param output the PNG to write; its folder is created when missing
   * @param width image width in pixels
   * @param height image height in pixels
   * @throws IOException when the image cannot be rendered or written
   */
  public static void write(Topology topology, Recording recording, long atMillis, Path output,
      int width, int height) throws IOException {
    write(topology, recording, atMillis, output, width, height, false);
  }

  /**
   * Writes the live view of {@code recording} at {@code atMillis} to {@code output}, in the
   * studio's light or dark theme.
   *
   * @param topology the recorded deployment's design
   * @param recording the recording
   * @param atMillis the instant to show (studio clock), within the recording
   * @param output the PNG to write; its folder is created when missing
   * @param width image width in pixels
   * @param height image height in pixels
   * @param dark whether to use the dark theme
   * @throws IOException when the image cannot be rendered or written
   */
  public static void write(Topology topology, Recording recording, long atMillis, Path output,
      int width, int height, boolean dark) throws IOException {
    FxPlatform.startForRendering(width, height);
    FxPlatform.renderToPng(image -> render(topology, recording, atMillis, width, height, dark,
        image), "the live view", RENDER_SECONDS_MAX, output);
  }

  private static void render(Topology topology, Recording recording, long atMillis, int width,
      int height, boolean dark, CompletableFuture<BufferedImage> image) {
    io.meridian.app.studio.Theme.apply(dark);
    LiveViewModel model = LiveViewModel.replaying(topology, recording, Runnable::run,
        Runnable::run);
    model.scrubTo(atMillis);
    LiveState state = model.stateProperty().get();
    state.history().entrySet().stream()
        .max(Comparator.comparingLong(e -> e.getValue().stream()
            .mapToLong(LagSample::lagMillis).max().orElse(0)))
        .map(java.util.Map.Entry::getKey)
        .ifPresent(flow -> model.selectedFlowProperty().set(flow));
    LiveView view = new LiveView(model, null);
    view.darkProperty().set(dark);
    Scene scene = new Scene(view.root(), width, height);
    scene.getRoot().applyCss();
    scene.getRoot().layout();
    Runnable snapshot = () -> Platform.runLater(() -> {
      try {
        view.graph().fitAll();
        scene.getRoot().applyCss();
        scene.getRoot().layout();
        Platform.runLater(() -> {
          try {
            WritableImage taken = scene.snapshot(null);
            view.stop();
            image.complete(SwingFXUtils.fromFXImage(taken, null));
          } catch (RuntimeException | Error e) {
            image.completeExceptionally(e);
          }
        });
      } catch (RuntimeException | Error e) {
        image.completeExceptionally(e);
      }
    });
    if (view.graph().isMapLoaded()) {
      snapshot.run();
    } else {
      view.graph().mapLoadedProperty().addListener((o, was, loaded) -> {
        if (loaded) {
          snapshot.run();
        }
      });
    }
  }

}

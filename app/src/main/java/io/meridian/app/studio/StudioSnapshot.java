package io.meridian.app.studio;

import io.meridian.app.check.FileReport;
import io.meridian.app.editor.EditTarget;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import io.meridian.visualization.graph.GraphElement;
import io.meridian.visualization.graph.LinkKey;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Scene;
import javafx.scene.image.WritableImage;

/**
 * Renders the studio window for an already checked file into a PNG, offscreen: the scene is
 * built and snapshotted on the JavaFX thread without ever being shown, so no display is needed.
 */
public final class StudioSnapshot {
  /** How long rendering may take before giving up; a snapshot takes about a second. */
  static final long RENDER_SECONDS_MAX = 60;

  private StudioSnapshot() {}

  /**
   * Writes the studio showing {@code report} to {@code output} as a PNG.
   *
   * @param file the file the report is about, as the title shows it
   * @param report the checked file
   * @param output the PNG to write; its folder is created when missing
   * @param width image width in pixels
   * @param height image height in pixels
   * @param dark whether to use the dark theme
   * @param failures regions ({@code eu-west}) and links ({@code a~b}) to fail in a what-if, or
   *     none for the plain designer
   * @throws IOException when the image cannot be rendered or written
   */
  public static void write(Path file, FileReport report, Path output, int width, int height,
      boolean dark, List<String> failures) throws IOException {
    try {
      FxPlatform.startForRendering(width, height);
    } catch (UnsupportedOperationException e) {
      throw new IOException(e.getMessage() + " (DISPLAY=" + System.getenv("DISPLAY")
          + "); unset DISPLAY to render without a display", e);
    }
    FxPlatform.renderToPng(image -> render(file, report, width, height, dark, failures, image),
        "the studio", RENDER_SECONDS_MAX, output);
  }

  /**
   * Builds the window offscreen and snapshots it once the world map's outlines are loaded (they
   * are parsed on a background thread the first time) and the analysis has been delivered.
   */
  private static void render(Path file, FileReport report, int width, int height, boolean dark,
      List<String> failures, CompletableFuture<BufferedImage> image) {
    StudioViewModel model = new StudioViewModel(path -> report, Runnable::run, Runnable::run);
    model.darkThemeProperty().set(dark);
    model.show(file, report);
    Theme.apply(dark);
    StudioView view = new StudioView(model, () -> { });
    if (model.problems().isEmpty()) {
      view.showAnalysis();
    }
    // Show the first dataset's properties too, so the picture shows the whole designer.
    Topology design = model.topologyProperty().get();
    if (design != null && !design.datasets().isEmpty()) {
      model.selectTarget(new EditTarget.DatasetTarget(design.datasets().get(0).name()));
    }
    for (String failure : failures) {
      String[] ends = failure.split("~");
      model.toggleFailure(ends.length == 2
          ? GraphElement.link(LinkKey.between(RegionId.of(ends[0]), RegionId.of(ends[1])))
          : GraphElement.region(RegionId.of(failure)));
    }
    Scene scene = new Scene(view.root(), width, height);
    // An offscreen scene gets no pulses: applying CSS creates the skins, and with them the map's
    // request for its outlines.
    scene.getRoot().applyCss();
    scene.getRoot().layout();
    Runnable snapshot = () -> Platform.runLater(() -> {
      try {
        view.graph().fitAll();
        scene.getRoot().applyCss();
        scene.getRoot().layout();
        // One more pulse so the graph places its markers at the fitted zoom.
        Platform.runLater(() -> {
          try {
            WritableImage taken = scene.snapshot(null);
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

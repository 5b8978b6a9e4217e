package io.meridian.app.studio;

import io.meridian.app.check.DesignCheck;
import io.meridian.app.check.Validation;
import io.meridian.app.files.RecentFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * The studio as a JavaFX application. Started by {@link StudioLauncher}, never as a jar's main
 * class. The first raw parameter, when present, is the file to open.
 */
public final class StudioApplication extends Application {
  private final ExecutorService background = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "meridian-studio-worker");
    thread.setDaemon(true);
    return thread;
  });

  /** Builds the window and starts reading the file, if any. */
  @Override
  public void start(Stage stage) {
    DesignCheck check = new DesignCheck();
    StudioViewModel model = new StudioViewModel(check::check, Validation.standard(),
        RecentFiles.inUserHome(), background, Platform::runLater);
    // The file first: its reading and checking (begun by the launcher, see StudioPreload) go on
    // in the background while the window is built; the result is shown after start returns.
    List<String> arguments = getParameters().getRaw();
    StudioPreload preload = null;
    if (!arguments.isEmpty()) {
      Path file = Path.of(arguments.get(0));
      preload = StudioPreload.take(file);
      model.open(file, preload);
    }
    Theme.apply(false);
    model.darkThemeProperty().addListener((observable, old, dark) -> Theme.apply(dark));
    StudioView view = new StudioView(model, Platform::exit);
    stage.titleProperty().bind(model.titleProperty());
    Scene scene = new Scene(view.root(), 1440, 900);
    stage.setScene(scene);
    stage.setOnCloseRequest(event -> {
      // The view asks about unsaved changes and quits itself when the user agrees.
      event.consume();
      view.requestQuit();
    });
    stage.show();
    if (preload != null) {
      // The first analysis waited for this (ADR 0032): the map and the design are on screen.
      StudioPreload drawing = preload;
      StartReport.whenDrawn(model, view.graph(), scene, false, drawnMillis ->
          drawing.sampleDrawn());
    }
    StartReport report = StartReport.fromEnvironment();
    if (report != null) {
      report.stageShown();
      report.watch(model, view.graph(), scene);
    }
    model.loadRecentFiles();
    if (arguments.isEmpty()) {
      model.newDesign();
    }
  }

  /** Stops the loader thread. */
  @Override
  public void stop() {
    background.shutdownNow();
  }
}

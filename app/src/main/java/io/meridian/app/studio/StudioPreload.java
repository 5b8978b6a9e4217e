package io.meridian.app.studio;

import io.meridian.app.analysis.LiveCheck;
import io.meridian.app.check.FileReport;
import io.meridian.model.analysis.AnalysisOptions;
import io.meridian.model.analysis.TopologyAnalyzer;
import io.meridian.visualization.map.WorldMapPreload;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * What the studio can do before its window exists: read and check the file it opens, analyse
 * the design, and read the world map, on background daemon threads started with the process,
 * so that this work overlaps the start of the JavaFX toolkit and the building of the window
 * instead of following them (ADR 0024). The window takes the results with {@link
 * StudioViewModel#open(Path, StudioPreload)}; nothing here touches JavaFX.
 */
public final class StudioPreload {
  /**
   * How long a deferred first analysis waits for the window to draw the sample before it runs
   * anyway (a window that never draws must not leave the design unanalysed).
   */
  static final long ANALYSIS_WAIT_MILLIS_MAX = 10_000;

  private static final Object LOCK = new Object();
  private static StudioPreload pending;

  private final Path file;
  private final CompletableFuture<FileReport> report = new CompletableFuture<>();
  private final CompletableFuture<LiveCheck.Result> firstCheck = new CompletableFuture<>();
  private final TopologyAnalyzer analyzer = new TopologyAnalyzer();
  private final CompletableFuture<Void> sampleDrawn = new CompletableFuture<>();
  private final boolean analysisAfterDraw;

  private StudioPreload(Path file, boolean analysisAfterDraw) {
    this.file = file;
    this.analysisAfterDraw = analysisAfterDraw;
  }

  /**
   * Starts reading the world map and, when {@code file} is not null, reading, checking and
   * analysing it; returns at once. The preload is kept for {@link #take}.
   *
   * @param file the design the studio will open, or null for an empty design
   * @param check reads and checks a file, as the studio's view-model does
   * @return the preload, or null when there is no file
   */
  public static StudioPreload start(Path file, Function<Path, FileReport> check) {
    return start(file, check, false);
  }

  /**
   * As {@link #start(Path, Function)}; with {@code analysisAfterDraw} the first analysis (the
   * costliest part, seconds of CPU in a cold JVM) waits until {@link #sampleDrawn()} says the
   * window shows the map and the design (at most {@value #ANALYSIS_WAIT_MILLIS_MAX} ms), so on
   * a machine with few cores it does not compete with the toolkit and the window for the CPU
   * (ADR 0032). Reading and checking the file still begin at once.
   *
   * @param file the design the studio will open, or null for an empty design
   * @param check reads and checks a file, as the studio's view-model does
   * @param analysisAfterDraw whether the first analysis waits for the drawn sample
   * @return the preload, or null when there is no file
   */
  public static StudioPreload start(Path file, Function<Path, FileReport> check,
      boolean analysisAfterDraw) {
    WorldMapPreload.start();
    if (file == null) {
      return null;
    }
    StudioPreload preload = new StudioPreload(file, analysisAfterDraw);
    Thread thread = new Thread(() -> preload.run(check), "meridian-studio-preload");
    thread.setDaemon(true);
    thread.start();
    synchronized (LOCK) {
      pending = preload;
    }
    return preload;
  }

  /**
   * The preload started for {@code file}, once: a second call, or a call for another file,
   * gets null.
   *
   * @param file the file about to be opened
   * @return its preload, or null
   */
  public static StudioPreload take(Path file) {
    synchronized (LOCK) {
      StudioPreload taken = pending;
      if (taken == null || !taken.file.equals(file)) {
        return null;
      }
      pending = null;
      return taken;
    }
  }

  private void run(Function<Path, FileReport> check) {
    FileReport read;
    try {
      read = check.apply(file);
      report.complete(read);
    } catch (RuntimeException | Error e) {
      report.completeExceptionally(e);
      firstCheck.completeExceptionally(e);
      return;
    }
    if (analysisAfterDraw && read.topology().isPresent()) {
      try {
        sampleDrawn.get(ANALYSIS_WAIT_MILLIS_MAX, java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        // Not drawn in time: analyse now rather than never.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // The design's first analysis, with the problems the file check found (the studio shows
    // those, placed in the file, for the design as read).
    firstCheck.complete(read.topology().map(loaded -> LiveCheck.analyzed(loaded.topology(),
        AnalysisOptions.DEFAULTS, read.problems(), analyzer)).orElse(null));
  }

  /**
   * Says that the window now shows the map and the design, so a deferred first analysis may
   * begin. Any thread; later calls do nothing.
   */
  public void sampleDrawn() {
    sampleDrawn.complete(null);
  }

  /** The file being read. */
  public Path file() {
    return file;
  }

  /** Completes with the file's check. */
  CompletableFuture<FileReport> report() {
    return report;
  }

  /** Completes with the design's first check, or null when the file held no design. */
  CompletableFuture<LiveCheck.Result> firstCheck() {
    return firstCheck;
  }

  /** The analyzer that makes the first check; later checks continue with it. */
  TopologyAnalyzer analyzer() {
    return analyzer;
  }

  @Override
  public String toString() {
    return "StudioPreload[" + Objects.toString(file) + "]";
  }
}

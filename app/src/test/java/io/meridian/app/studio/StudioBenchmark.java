package io.meridian.app.studio;

import io.meridian.app.check.DesignCheck;
import io.meridian.app.check.Validation;
import io.meridian.app.files.RecentFiles;
import io.meridian.model.Dataset;
import io.meridian.model.Link;
import io.meridian.model.Policy;
import io.meridian.model.QuorumSpec;
import io.meridian.model.ReadConsistency;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.RegionRole;
import io.meridian.model.ReplicationMode;
import io.meridian.model.Topology;
import io.meridian.model.format.TopologyWriter;
import io.meridian.visualization.graph.TopologyGraph;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * Measures, and prints, what the performance targets ask of the studio: start to a drawn
 * sample, frame times while panning and zooming (from JavaFX pulse timestamps), and the time from
 * an edit to its validation and analysis on screen. A benchmark run by hand, not by {@code
 * verify}; figures go to {@code docs/benchmarks.md}.
 *
 * <p>Run it in a fresh JVM (the start-up figure counts from the JVM's start) with the test class
 * path, with a display ({@code xvfb-run -a}) or without one (headless Monocle, software
 * rendering), as {@code docs/benchmarks.md} shows. Options: {@code --frames N} per measurement
 * (default 300), {@code --edits N} (default 30), {@code --samples DIR} (default {@code
 * samples}), {@code --start-only}, {@code --generated-only} (frames, or with {@code
 * --edits-only} edits, of the generated topology only), {@code --no-preload} (start without {@link StudioPreload}, for comparison), {@code
 * --edits-only} (start, then the edits, no frames); {@code -Dbench.bitmapOnly=true} measures
 * frames only as the studio draws them (bitmap while moving), not also as vectors. With {@code -Djavafx.animation.fullspeed=true} pulses are not held to 60 Hz, so
 * frame times show what a frame costs rather than the 16.7 ms pulse period.
 */
public final class StudioBenchmark {

  private static final int WIDTH = 1440;
  private static final int HEIGHT = 900;
  private static final long WAIT_SECONDS_MAX = 600;
  private static final int GENERATED_REGIONS = 200;
  private static final int GENERATED_LINKS = 1_000;
  private static final long SEED = 42;
  private static final int GENERATED_DATASETS = 30;

  private StudioBenchmark() {}

  /**
   * Runs the benchmark and exits.
   *
   * @param args see the class comment
   * @throws Exception when the studio cannot start or a step does not finish in time
   */
  public static void main(String[] args) throws Exception {
    long jvmStartMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
    long mainMillis = System.currentTimeMillis();
    int frames = intOption(args, "--frames", 300);
    int edits = intOption(args, "--edits", 30);
    Path samples = Path.of(stringOption(args, "--samples", "samples"));
    Path large = samples.resolve("large-global.yaml");

    Phases phases = new Phases(jvmStartMillis);
    phases.mark("main entered", mainMillis);
    // As StudioLauncher does: file, first analysis and map read while JavaFX starts.
    boolean preload = !Arrays.asList(args).contains("--no-preload");
    if (preload) {
      StudioPreload.start(large, new DesignCheck()::check);
    }
    FxPlatform.startForRendering(WIDTH, HEIGHT);
    phases.mark("JavaFX toolkit started");
    StudioBenchmark.Studio studio = onFx(() -> Studio.open(large, phases));
    waitUntil("large-global drawn and checked", () -> studio.shows(large, 64));
    long drawnMillis = onFx(studio::nextPulseMillis);
    phases.mark("first pulse laid out after everything was shown", drawnMillis);
    long fxCpuNanos = onFx(() -> ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
    long processCpuNanos = ((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    System.out.printf(Locale.ROOT, "machine: %d cores, load average %.2f, JavaFX %s, %s%n",
        Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        System.getProperty("javafx.runtime.version"), renderingDescription());
    System.out.printf(Locale.ROOT,
        "start to drawn sample (large-global, graph and analysis shown): %d ms after JVM start"
            + " (%d ms after main)%n", drawnMillis - jvmStartMillis, drawnMillis - mainMillis);
    System.out.printf(Locale.ROOT, "CPU time by then (less sensitive to the machine's load):"
        + " process %d ms, JavaFX thread %d ms%n", processCpuNanos / 1_000_000,
        fxCpuNanos / 1_000_000);
    phases.print();
    if (Arrays.asList(args).contains("--threads")) {
      java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      for (long id : threads.getAllThreadIds()) {
        java.lang.management.ThreadInfo info = threads.getThreadInfo(id);
        long cpu = threads.getThreadCpuTime(id);
        if (info != null && cpu > 50_000_000) {
          System.out.printf(Locale.ROOT, "  thread %-40s %6d ms CPU%n", info.getThreadName(),
              cpu / 1_000_000);
        }
      }
    }

    if (Arrays.asList(args).contains("--start-only")) {
      Platform.exit();
      System.exit(0);
    }
    if (Arrays.asList(args).contains("--edits-only")) {
      if (!Arrays.asList(args).contains("--generated-only")) {
        measureEdits(studio, edits, "large-global");
      }
      measureGeneratedEdits(studio, edits);
      Platform.exit();
      System.exit(0);
    }
    if (!Arrays.asList(args).contains("--generated-only")) {
      measureFrames(studio, "large-global (64 regions, 199 links) in the studio", frames);
      measureEdits(studio, edits, "large-global");
    }

    Topology generated = generated(GENERATED_REGIONS, GENERATED_LINKS, SEED);
    Path file = Files.createTempFile("meridian-bench-studio-", ".yaml");
    try {
      new TopologyWriter().save(generated, file);
      onFx(() -> {
        studio.model.open(file);
        return null;
      });
      waitUntil("generated topology drawn", () -> studio.shows(file, GENERATED_REGIONS));
      measureFrames(studio, "generated (200 regions, 1,000 links) in the studio", frames);
    } finally {
      Files.deleteIfExists(file);
    }
    studio.background.shutdownNow();
    Platform.exit();
    System.exit(0);
  }

  /** The studio window as {@link StudioApplication} builds it. */
  private static final class Studio {
    final ExecutorService background = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "meridian-studio-worker");
      thread.setDaemon(true);
      return thread;
    });
    StudioViewModel model;
    StudioView view;
    Stage stage;

    static Studio open(Path file, Phases phases) throws Exception {
      Studio studio = new Studio();
      DesignCheck check = new DesignCheck();
      int[] tasks = new int[1];
      java.util.concurrent.Executor timedBackground = task -> studio.background.execute(() -> {
        int number = ++tasks[0];
        long started = System.currentTimeMillis();
        task.run();
        if (number <= 3) {
          phases.mark("background task " + number + " ran from "
              + (started - phases.originMillis) + " ms");
        }
      });
      studio.model = new StudioViewModel(check::check, Validation.standard(),
          RecentFiles.none(), timedBackground, Platform::runLater);
      phases.mark("view-model built");
      // As StudioApplication does: the file first, then the window.
      studio.model.open(file, StudioPreload.take(file));
      phases.markWhenFalse("file read, parsed and validated (shown)",
          studio.model.loadingProperty());
      Theme.apply(false);
      phases.mark("theme applied");
      studio.view = new StudioView(studio.model, () -> { });
      phases.mark("view built");
      studio.stage = new Stage();
      studio.stage.setScene(new Scene(studio.view.root(), WIDTH, HEIGHT));
      studio.stage.show();
      phases.mark("stage shown (first CSS and layout)");
      phases.markWhenTrue("world map installed on the FX thread",
          studio.view.graph().mapLoadedProperty());
      studio.model.loadingProperty().addListener((o, was, loading) -> {
        if (!loading) {
          phases.markWhenFalse("first validation and analysis delivered",
              studio.model.checkingProperty());
        }
      });
      return studio;
    }

    boolean shows(Path file, int regions) {
      TopologyGraph graph = view.graph();
      return file.equals(model.fileProperty().get()) && !model.loadingProperty().get()
          && !model.checkingProperty().get() && graph.isMapLoaded()
          && graph.getProjectedTopology().regionCount() == regions;
    }

    /** Completes with the wall-clock time of the end of the next pulse's layout. */
    CompletableFuture<Long> nextPulseMillis() {
      CompletableFuture<Long> done = new CompletableFuture<>();
      Scene scene = stage.getScene();
      Runnable[] listener = new Runnable[1];
      listener[0] = () -> {
        scene.removePostLayoutPulseListener(listener[0]);
        done.complete(System.currentTimeMillis());
      };
      scene.addPostLayoutPulseListener(listener[0]);
      Platform.requestNextPulse();
      return done;
    }
  }

  /** Wall-clock marks of the start's phases, printed as offsets from the JVM's start. */
  private static final class Phases {
    private final long originMillis;
    private final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());

    Phases(long originMillis) {
      this.originMillis = originMillis;
    }

    void mark(String what) {
      mark(what, System.currentTimeMillis());
    }

    void mark(String what, long atMillis) {
      lines.add(String.format(Locale.ROOT, "%7d ms  %s", atMillis - originMillis, what));
    }

    void markWhenTrue(String what, javafx.beans.value.ObservableValue<Boolean> flag) {
      if (Boolean.TRUE.equals(flag.getValue())) {
        mark(what + " (already)");
        return;
      }
      flag.addListener(new javafx.beans.value.ChangeListener<Boolean>() {
        @Override
        public void changed(javafx.beans.value.ObservableValue<? extends Boolean> observable,
            Boolean was, Boolean now) {
          if (Boolean.TRUE.equals(now)) {
            flag.removeListener(this);
            mark(what);
          }
        }
      });
    }

    void markWhenFalse(String what, javafx.beans.value.ObservableValue<Boolean> flag) {
      markWhenTrue(what, flag.map(value -> !value));
    }

    void print() {
      System.out.println("start phases (wall clock after JVM start):");
      synchronized (lines) {
        lines.stream().sorted().forEach(System.out::println);
      }
    }
  }

  /**
   * Pans for a number of pulses, then zooms in and out, and prints the pulse-to-pulse times:
   * first with the map drawn as vectors every frame, then as the studio draws it, from a bitmap
   * while moving (see {@code WorldMapSkin}); the bitmap's redraws are counted.
   */
  private static void measureFrames(Studio studio, String what, int frames) throws Exception {
    TopologyGraph graph = studio.view.graph();
    boolean[] ways = Boolean.getBoolean("bench.bitmapOnly") ? new boolean[] {true}
        : new boolean[] {false, true};
    for (boolean cached : ways) {
      onFx(() -> {
        graph.setAnimated(false);
        graph.setCachedWhileMoving(cached);
        graph.fitAll();
        return null;
      });
      long redrawsBefore = onFx(() -> motionRedraws(graph));
      long[] pan = runFrames(frames, frame -> {
        // Back and forth, so the view stays on the design: 60 frames each way.
        double step = (frame / 60) % 2 == 0 ? 6 : -6;
        graph.panBy(step, step / 3);
      });
      long redrawsAfterPan = onFx(() -> motionRedraws(graph));
      long[] zoom = runFrames(frames, frame -> {
        // In by 1 % a frame for 60 frames, then out again: a wheel held down.
        graph.zoomBy((frame / 60) % 2 == 0 ? 1.01 : 1 / 1.01);
      });
      long redrawsAfterZoom = onFx(() -> motionRedraws(graph));
      print(what + ", panning" + (cached ? " (bitmap while moving, "
          + (redrawsAfterPan - redrawsBefore) + " bitmap draws)" : " (vectors every frame)"), pan);
      print(what + ", zooming" + (cached ? " (bitmap while moving, "
          + (redrawsAfterZoom - redrawsAfterPan) + " bitmap draws)" : " (vectors every frame)"),
          zoom);
    }
  }

  private static long motionRedraws(TopologyGraph graph) {
    return graph.getSkin() instanceof io.meridian.visualization.map.WorldMapSkin skin
        ? skin.getMotionRedraws() : -1;
  }

  private interface FrameAction {
    void apply(int frame);
  }

  /** Moves the view once per pulse for {@code frames} pulses; returns the pulse intervals. */
  private static long[] runFrames(int frames, FrameAction action) throws Exception {
    long[] intervals = new long[frames];
    CompletableFuture<long[]> done = new CompletableFuture<>();
    Platform.runLater(() -> new AnimationTimer() {
      private long last;
      private int frame = -1;

      @Override
      public void handle(long now) {
        if (frame >= 0) {
          intervals[frame] = now - last;
        }
        last = now;
        frame++;
        if (frame == frames) {
          stop();
          done.complete(intervals);
          return;
        }
        action.apply(frame);
      }
    }.start());
    return done.get(WAIT_SECONDS_MAX, TimeUnit.SECONDS);
  }

  /**
   * Edits the open design (one link's RTT each round) and prints the time from the edit until the
   * check's result is delivered and laid out on screen (problems, analysis panel, overlays).
   */
  private static void measureEdits(Studio studio, int edits, String what) throws Exception {
    long[] nanos = new long[edits];
    long[] fxCpu = new long[edits];
    long[] workerCpu = new long[edits];
    // The renderer rasterises what each pulse changed, on its own thread; an edit's frames are
    // counted from its start to the next edit's start (the last frame renders after the pulse
    // that laid the result out, so it falls in that interval too).
    long[] rendererCpu = new long[edits];
    long rendererId = threadNamed("QuantumRenderer");
    long[] rendererAtStart = new long[edits + 1];
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long workerId = CompletableFuture.supplyAsync(() -> Thread.currentThread().getId(),
        studio.background).get(60, java.util.concurrent.TimeUnit.SECONDS);
    long[] fxCpuStart = new long[1];
    long[] fxCpuEnd = new long[1];
    // Where the JavaFX thread's share goes: the edit call itself, what ran between it and the
    // result's hand-over (pulses laying out the edited graph, outline and sheet), the hand-over,
    // and the pulse that lays the result out.
    long[] fxEditCall = new long[edits];
    long[] fxBetween = new long[edits];
    long[] fxDeliver = new long[edits];
    long[] fxLastPulse = new long[edits];
    long[] fxCpuEdited = new long[1];
    long[] fxCpuHandOver = new long[1];
    long[] fxCpuDelivered = new long[1];
    for (int round = -5; round < edits; round++) {
      if (round >= 0 && rendererId >= 0) {
        rendererAtStart[round] = threads.getThreadCpuTime(rendererId);
      }
      // Up one millisecond, then down again: every round is a different design.
      double extraMs = (round & 1) == 0 ? 1 : -1;
      CompletableFuture<Long> shown = new CompletableFuture<>();
      long[] started = new long[1];
      onFx(() -> {
        Scene scene = studio.stage.getScene();
        Runnable[] listener = new Runnable[1];
        listener[0] = () -> {
          scene.removePostLayoutPulseListener(listener[0]);
          fxCpuEnd[0] = threads.getCurrentThreadCpuTime();
          shown.complete(System.nanoTime());
        };
        // When the result has been handed over, the next pulse lays it out (and renders it).
        javafx.beans.value.ChangeListener<Boolean> checked = new javafx.beans.value.ChangeListener<>() {
          @Override
          public void changed(javafx.beans.value.ObservableValue<? extends Boolean> observable,
              Boolean was, Boolean now) {
            if (!now) {
              fxCpuHandOver[0] = threads.getCurrentThreadCpuTime();
              studio.model.checkingProperty().removeListener(this);
              scene.addPostLayoutPulseListener(listener[0]);
              // The rest of the hand-over runs after this listener; its end is the first thing
              // run later on this thread.
              Platform.runLater(() -> fxCpuDelivered[0] = threads.getCurrentThreadCpuTime());
              Platform.requestNextPulse();
            }
          }
        };
        studio.model.checkingProperty().addListener(checked);
        fxCpuStart[0] = threads.getCurrentThreadCpuTime();
        started[0] = System.nanoTime();
        boolean edited = studio.model.edit("change an RTT", design -> design.mapLink(design.links().get(0).a(),
            design.links().get(0).b(), link -> new Link(link.a(), link.b(),
                link.rttMs() + extraMs, link.jitterMs(), link.bandwidthMbps(),
                link.lossPercent(), link.encrypted())));
        if (!edited) {
          throw new IllegalStateException("the edit was refused: "
              + studio.model.statusProperty().get());
        }
        fxCpuEdited[0] = threads.getCurrentThreadCpuTime();
        return null;
      });
      long workerBefore = threads.getThreadCpuTime(workerId);
      long end;
      try {
        end = shown.get(WAIT_SECONDS_MAX, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("edit not shown; checking "
            + onFx(() -> studio.model.checkingProperty().get()) + ", status: "
            + onFx(() -> studio.model.statusProperty().get()), e);
      }
      if (round >= 0) {
        nanos[round] = end - started[0];
        // The rendering of the pulse is not in the FX thread's figure (the renderer thread).
        fxCpu[round] = fxCpuEnd[0] - fxCpuStart[0];
        workerCpu[round] = threads.getThreadCpuTime(workerId) - workerBefore;
        fxEditCall[round] = fxCpuEdited[0] - fxCpuStart[0];
        if (fxCpuHandOver[0] >= fxCpuEdited[0]) {
          fxBetween[round] = fxCpuHandOver[0] - fxCpuEdited[0];
          fxDeliver[round] = Math.max(0, fxCpuDelivered[0] - fxCpuHandOver[0]);
          fxLastPulse[round] = Math.max(0, fxCpuEnd[0] - Math.max(fxCpuDelivered[0],
              fxCpuHandOver[0]));
        }
      }
    }
    // The last edit's frames: wait for one more pulse, whose synchronisation waits for them.
    onFx(studio::nextPulseMillis);
    onFx(studio::nextPulseMillis);
    if (rendererId >= 0) {
      rendererAtStart[edits] = threads.getThreadCpuTime(rendererId);
      for (int round = 0; round < edits; round++) {
        rendererCpu[round] = rendererAtStart[round + 1] - rendererAtStart[round];
      }
    }
    print("edit to validation and analysis on screen, " + what, nanos);
    print("  of which CPU of the check (validation and analysis, background thread)", workerCpu);
    print("  of which CPU of the JavaFX thread (hand-over, panels, layout)", fxCpu);
    print("    JavaFX thread: the edit call (graph, outline, sheet, overlays)", fxEditCall);
    print("    JavaFX thread: from the edit call to the hand-over (pulses)", fxBetween);
    print("    JavaFX thread: the hand-over (problems, analysis, overlays)", fxDeliver);
    print("    JavaFX thread: the pulse that lays the result out", fxLastPulse);
    if (rendererId >= 0) {
      print("  CPU of the renderer thread (rasterising the edit's frames, edit to next edit)",
          rendererCpu);
    }
  }

  /** The id of the first live thread whose name starts with {@code prefix}, or -1. */
  private static long threadNamed(String prefix) {
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (long id : threads.getAllThreadIds()) {
      java.lang.management.ThreadInfo info = threads.getThreadInfo(id);
      if (info != null && info.getThreadName().startsWith(prefix)) {
        return id;
      }
    }
    return -1;
  }

  /**
   * Opens the generated 200-region, 1,000-link topology with datasets on it (see {@link
   * #withDatasets}) and measures its edits as {@link #measureEdits} does for large-global.
   */
  private static void measureGeneratedEdits(Studio studio, int edits) throws Exception {
    Topology generated = withDatasets(generated(GENERATED_REGIONS, GENERATED_LINKS, SEED),
        GENERATED_DATASETS);
    Path file = Files.createTempFile("meridian-bench-studio-edits-", ".yaml");
    try {
      new TopologyWriter().save(generated, file);
      onFx(() -> {
        studio.model.open(file);
        return null;
      });
      waitUntil("generated topology drawn", () -> studio.shows(file, GENERATED_REGIONS));
      measureEdits(studio, edits, "generated (200 regions, 1,000 links, "
          + GENERATED_DATASETS + " datasets)");
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * The generated topology with {@code count} datasets spread over it, cycling through the five
   * replication modes (three replicas, five for quorum and consensus), each with its own policy
   * led by its first replica, so an edit's analysis has as much to do as on a real design.
   */
  static Topology withDatasets(Topology topology, int count) {
    List<Region> data = topology.regions().stream().filter(r -> !r.isWitness()).toList();
    ReplicationMode[] modes = {ReplicationMode.ASYNC, ReplicationMode.SYNC,
        ReplicationMode.QUORUM, ReplicationMode.MULTI_PRIMARY, ReplicationMode.CONSENSUS};
    List<Policy> policies = new ArrayList<>();
    List<Dataset> datasets = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      ReplicationMode mode = modes[k % modes.length];
      int size = mode == ReplicationMode.QUORUM || mode == ReplicationMode.CONSENSUS ? 5 : 3;
      List<RegionId> replicas = new ArrayList<>();
      for (int j = 0; j < size; j++) {
        replicas.add(data.get((k * 7 + j * (data.size() / size)) % data.size()).id());
      }
      boolean led = mode != ReplicationMode.QUORUM && mode != ReplicationMode.MULTI_PRIMARY;
      ReadConsistency read = switch (mode) {
        case SYNC, CONSENSUS -> ReadConsistency.STRONG;
        case QUORUM -> ReadConsistency.QUORUM;
        default -> ReadConsistency.EVENTUAL;
      };
      String name = "dataset-" + k + "-" + mode.name().toLowerCase(Locale.ROOT);
      policies.add(new Policy(name, mode, led ? replicas.get(0) : null,
          led ? replicas.subList(1, replicas.size()) : List.of(),
          mode == ReplicationMode.QUORUM ? new QuorumSpec(5, 3, 3) : null, null, read, null,
          null, null, null, null));
      datasets.add(new Dataset(name, replicas, List.of(), name));
    }
    return topology.withPolicies(policies).withDatasets(datasets);
  }

  private static void print(String what, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    double median = sorted[sorted.length / 2] / 1e6;
    double p99 = sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)]
        / 1e6;
    double max = sorted[sorted.length - 1] / 1e6;
    System.out.printf(Locale.ROOT, "%s: median %.1f ms (%.0f fps), p99 %.1f ms, max %.1f ms"
        + " (n=%d)%n", what, median, 1000 / median, p99, max, sorted.length);
  }

  private static String renderingDescription() {
    String pipeline = com.sun.prism.GraphicsPipeline.getPipeline() == null ? "?"
        : com.sun.prism.GraphicsPipeline.getPipeline().getClass().getSimpleName();
    return "glass " + System.getProperty("glass.platform", "default") + ", prism " + pipeline
        + (Boolean.getBoolean("javafx.animation.fullspeed") ? ", pulses unthrottled"
            : ", pulses at 60 Hz");
  }

  /**
   * A seeded topology like the visualization benchmark's: regions around real cloud metros, a
   * ring of near neighbours, then random links until {@code linkCount} exist.
   */
  static Topology generated(int regionCount, int linkCount, long seed) {
    double[][] metros = {
        {50.1, 8.7}, {53.3, -6.3}, {51.5, -0.1}, {48.9, 2.3}, {59.3, 18.1}, {45.5, 9.2},
        {52.4, 4.9}, {40.4, -3.7}, {52.2, 21.0}, {47.4, 8.5}, {38.9, -77.5}, {40.0, -83.0},
        {37.4, -122.0}, {45.6, -121.2}, {32.8, -96.8}, {41.9, -87.6}, {43.7, -79.4},
        {45.5, -73.6}, {-23.5, -46.6}, {-33.4, -70.6}, {19.4, -99.1}, {35.7, 139.7},
        {34.7, 135.5}, {37.6, 127.0}, {1.35, 103.8}, {22.3, 114.2}, {31.2, 121.5},
        {39.9, 116.4}, {19.1, 72.9}, {28.6, 77.2}, {12.97, 77.6}, {-33.9, 151.2},
        {-37.8, 145.0}, {-36.8, 174.8}, {25.2, 55.3}, {24.7, 46.7}, {32.1, 34.8},
        {-26.2, 28.0}, {-33.9, 18.4}, {6.5, 3.4}};
    Random random = new Random(seed);
    List<Region> regions = new ArrayList<>(regionCount);
    for (int i = 0; i < regionCount; i++) {
      double[] metro = metros[i % metros.length];
      double latitude = Math.max(-89, Math.min(89, metro[0] + random.nextGaussian() * 1.5));
      double longitude = Math.max(-179, Math.min(179, metro[1] + random.nextGaussian() * 2));
      Region region = Region.of("r" + i, latitude, longitude, i % 3 == 0 ? "EU" : "US");
      regions.add(i % 17 == 0 ? region.withRole(RegionRole.WITNESS) : region);
    }
    List<Link> links = new ArrayList<>(linkCount);
    Set<Long> pairs = new HashSet<>();
    int attempts = 0;
    while (links.size() < linkCount && attempts++ < linkCount * 20) {
      int a = random.nextInt(regionCount);
      int b = links.size() < regionCount ? (a + 1 + random.nextInt(3)) % regionCount
          : random.nextInt(regionCount);
      if (a == b || !pairs.add((long) Math.min(a, b) * regionCount + Math.max(a, b))) {
        continue;
      }
      // Never faster than light in fibre, so the design stays valid: 1 ms RTT per 100 km.
      double km = distanceKm(regions.get(a), regions.get(b));
      links.add(Link.of("r" + a, "r" + b, Math.max(1, km / 100 * 1.3)));
    }
    return new Topology("generated-" + regionCount, "", regions, links, List.of(), List.of());
  }

  private static double distanceKm(Region a, Region b) {
    double phi1 = Math.toRadians(a.latitude());
    double phi2 = Math.toRadians(b.latitude());
    double dPhi = phi2 - phi1;
    double dLambda = Math.toRadians(b.longitude() - a.longitude());
    double h = Math.sin(dPhi / 2) * Math.sin(dPhi / 2)
        + Math.cos(phi1) * Math.cos(phi2) * Math.sin(dLambda / 2) * Math.sin(dLambda / 2);
    return 2 * 6371 * Math.asin(Math.sqrt(h));
  }

  private interface FxCall<T> {
    T call() throws Exception;
  }

  /** Runs on the FX thread and waits; a returned future is waited for as well. */
  private static <T> T onFx(FxCall<?> call) throws Exception {
    CompletableFuture<Object> result = new CompletableFuture<>();
    Platform.runLater(() -> {
      try {
        Object value = call.call();
        if (value instanceof CompletableFuture<?> future) {
          future.whenComplete((done, failure) -> {
            if (failure != null) {
              result.completeExceptionally(failure);
            } else {
              result.complete(done);
            }
          });
        } else {
          result.complete(value);
        }
      } catch (Exception | Error e) {
        result.completeExceptionally(e);
      }
    });
    @SuppressWarnings("unchecked")
    T value = (T) result.get(WAIT_SECONDS_MAX, TimeUnit.SECONDS);
    return value;
  }

  private static void waitUntil(String what, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS_MAX);
    while (!Boolean.TRUE.equals(onFx(condition::getAsBoolean))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for: " + what);
      }
      Thread.sleep(5);
    }
  }

  private static int intOption(String[] args, String name, int fallback) {
    return Integer.parseInt(stringOption(args, name, Integer.toString(fallback)));
  }

  private static String stringOption(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }
}

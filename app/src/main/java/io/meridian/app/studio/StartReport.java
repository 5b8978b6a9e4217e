package io.meridian.app.studio;

import io.meridian.model.Topology;
import io.meridian.visualization.graph.TopologyGraph;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.function.LongConsumer;
import javafx.application.Platform;
import javafx.beans.InvalidationListener;
import javafx.beans.Observable;
import javafx.scene.Scene;

/**
 * The studio's own account of its start, asked for with the environment variable (or system
 * property) {@code MERIDIAN_STUDIO_START_REPORT}: {@code print} prints two lines once the window
 * shows the opened design with its first validation and analysis, {@code exit} prints them and
 * then quits with status 0, for a benchmark that starts the studio the way a user does (through
 * {@code ./meridian} and its class-data archive, ADR 0024 and 0032).
 *
 * <p>The first line gives, in milliseconds since the JVM started: the stage shown; the sample
 * drawn (the end of the layout of the first pulse with the world map and every region of the
 * graph); rendered by (the start of the pulse after it, which JavaFX begins only once the
 * renderer has finished that frame); validation and analysis shown (the first pulse laid out
 * after they were delivered). The second gives the process's CPU time by then.
 */
final class StartReport {
  /** The variable's name, also read as a system property. */
  static final String VARIABLE = "MERIDIAN_STUDIO_START_REPORT";

  private static final int THREADS_SHOWN = 6;

  private final boolean exit;
  private final PrintStream out;
  private final long jvmStartMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
  private long stageShownMillis = -1;

  private StartReport(boolean exit, PrintStream out) {
    this.exit = exit;
    this.out = out;
  }

  /** The report the environment asks for, or null when none is asked for. */
  static StartReport fromEnvironment() {
    String asked = System.getProperty(VARIABLE, System.getenv(VARIABLE));
    if (asked == null || asked.isBlank() || asked.equalsIgnoreCase("off")) {
      return null;
    }
    return new StartReport(asked.strip().equalsIgnoreCase("exit"), System.out);
  }

  /** Notes that the stage has just been shown. Call on the JavaFX thread. */
  void stageShown() {
    stageShownMillis = System.currentTimeMillis();
  }

  /**
   * Watches {@code model} and {@code graph} until the opened design is drawn in {@code scene}
   * (map and graph), then until its validation and analysis are laid out too, then reports (and
   * quits when asked to). Call on the JavaFX thread.
   */
  void watch(StudioViewModel model, TopologyGraph graph, Scene scene) {
    whenDrawn(model, graph, scene, false, drawnMillis -> {
      long[] rendered = new long[1];
      afterNextPulse(scene, () -> rendered[0] = System.currentTimeMillis());
      whenDrawn(model, graph, scene, true, checkedMillis -> report(drawnMillis, rendered[0],
          checkedMillis));
    });
  }

  /**
   * Calls {@code then} with the wall-clock time at the end of the layout of the first pulse in
   * which {@code scene} shows the opened design: the world map and every region of the graph,
   * and with {@code checked} also its first validation and analysis. Call on the JavaFX thread.
   */
  static void whenDrawn(StudioViewModel model, TopologyGraph graph, Scene scene,
      boolean checked, LongConsumer then) {
    InvalidationListener check = new InvalidationListener() {
      private boolean seen;

      @Override
      public void invalidated(Observable observable) {
        if (seen || !shows(model, graph, checked)) {
          return;
        }
        seen = true;
        model.loadingProperty().removeListener(this);
        model.checkingProperty().removeListener(this);
        graph.mapLoadedProperty().removeListener(this);
        graph.projectedTopologyProperty().removeListener(this);
        Runnable[] laidOut = new Runnable[1];
        laidOut[0] = () -> {
          scene.removePostLayoutPulseListener(laidOut[0]);
          then.accept(System.currentTimeMillis());
        };
        scene.addPostLayoutPulseListener(laidOut[0]);
        Platform.requestNextPulse();
      }
    };
    model.loadingProperty().addListener(check);
    model.checkingProperty().addListener(check);
    graph.mapLoadedProperty().addListener(check);
    graph.projectedTopologyProperty().addListener(check);
    check.invalidated(null);
  }

  private static boolean shows(StudioViewModel model, TopologyGraph graph, boolean checked) {
    Topology design = model.topologyProperty().get();
    return design != null && !model.loadingProperty().get()
        && (!checked || !model.checkingProperty().get())
        && graph.isMapLoaded() && graph.getProjectedTopology() != null
        && graph.getProjectedTopology().regionCount() == design.regions().size();
  }

  /** Runs {@code action} at the start of the next pulse (when the last frame has rendered). */
  private static void afterNextPulse(Scene scene, Runnable action) {
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      scene.removePreLayoutPulseListener(next[0]);
      action.run();
    };
    scene.addPreLayoutPulseListener(next[0]);
    Platform.requestNextPulse();
  }

  private static long javaThreadsCpuMillis() {
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long total = 0;
    for (long id : threads.getAllThreadIds()) {
      total += Math.max(0, threads.getThreadCpuTime(id));
    }
    return total / 1_000_000;
  }

  /** The threads that used the most CPU so far, most first, as " name N ms," text. */
  private static String busiestThreads() {
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    java.util.List<java.util.Map.Entry<String, Long>> used = new java.util.ArrayList<>();
    for (long id : threads.getAllThreadIds()) {
      java.lang.management.ThreadInfo info = threads.getThreadInfo(id);
      long cpu = threads.getThreadCpuTime(id);
      if (info != null && cpu > 0) {
        used.add(java.util.Map.entry(info.getThreadName(), cpu / 1_000_000));
      }
    }
    used.sort(java.util.Map.Entry.<String, Long>comparingByValue().reversed());
    StringBuilder text = new StringBuilder();
    used.stream().limit(THREADS_SHOWN).forEach(entry -> text.append(' ')
        .append(entry.getKey()).append(' ').append(entry.getValue()).append(" ms,"));
    return text.length() == 0 ? " (not measured)" : text.substring(0, text.length() - 1);
  }

  private void report(long drawnMillis, long renderedMillis, long checkedMillis) {
    out.printf(Locale.ROOT, "meridian: studio start: stage shown at %d ms, sample drawn (map and"
        + " graph) at %d ms, rendered by %d ms, validation and analysis shown at %d ms since JVM"
        + " start%n", stageShownMillis - jvmStartMillis, drawnMillis - jvmStartMillis,
        renderedMillis - jvmStartMillis, checkedMillis - jvmStartMillis);
    long processCpuNanos = ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    long javaThreadsMillis = javaThreadsCpuMillis();
    out.printf(Locale.ROOT, "meridian: studio start: CPU time by then %d ms (the figure that"
        + " depends least on the machine's load): JIT, GC, VM and finished threads %d ms; busiest Java"
        + " threads:%s%n", processCpuNanos / 1_000_000,
        processCpuNanos / 1_000_000 - javaThreadsMillis, busiestThreads());
    out.flush();
    if (exit) {
      Platform.exit();
    }
  }
}

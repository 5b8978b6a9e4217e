package io.meridian.app.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.javafx.perf.PerformanceTracker;
import io.meridian.agent.api.v1.PeerLinkStatus;
import io.meridian.agent.api.v1.Snapshot;
import io.meridian.agent.api.v1.StatusResponse;
import io.meridian.agent.api.v1.WatchEvent;
import io.meridian.model.Dataset;
import io.meridian.model.Link;
import io.meridian.model.Policy;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.ReplicationMode;
import io.meridian.model.StalenessBound;
import io.meridian.model.Topology;
import io.meridian.visualization.graph.TopologyGraph;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * Measures, and prints, what watching a 50-agent deployment costs the JavaFX thread: 50
 * simulated agents each send a snapshot twice a second (10 datasets, each a primary and four
 * replicas, so 40 replication flows with particles) and an event now and then; the real merge
 * session, view model and live view show them. Prints, per period, the JavaFX and renderer
 * threads' CPU share, pulses and frames actually rendered per second, rendered-frame interval
 * percentiles, and the renderer's CPU time per rendered frame (the figure that depends least on
 * what else the machine runs); a paused period gives the cost of a frame where only particles
 * move; the graph's node count and the merge thread's cost. A benchmark, not a test:
 * surefire's default includes skip it; run it with {@code ./mvnw -o -pl app -am test
 * -Dtest=LiveViewBenchmark -Dsurefire.failIfNoSpecifiedTests=false}. Headless Monocle renders in
 * software, so the figures bound a desktop's from above. Seed {@value #SEED}.
 */
@ExtendWith(ApplicationExtension.class)
class LiveViewBenchmark {
  private static final int AGENTS = 50;
  private static final int DATASETS = 10;
  private static final int REPLICAS_PER_DATASET = 4;
  private static final long SNAPSHOT_INTERVAL_MILLIS = 500;
  private static final long WARMUP_MILLIS = 5_000;
  private static final long MEASURE_MILLIS = 20_000;
  private static final long SEED = 20261127L;

  private final AtomicReference<LiveView> view = new AtomicReference<>();
  private LiveSession session;

  @Start
  void start(Stage stage) {
    Topology topology = topology();
    session = new LiveSession(topology.regions().stream().map(r -> r.id().value()).toList(),
        primaries(), System::currentTimeMillis);
    LiveViewModel model = new LiveViewModel(topology, session, new NoActions(),
        Executors.newSingleThreadExecutor(), Platform::runLater);
    LiveView live = new LiveView(model, null);
    view.set(live);
    stage.setScene(new Scene(live.root(), 1280, 800));
    stage.show();
    live.start();
  }

  /** What one measured period cost. */
  private record Period(double fxBusyPercent, double renderBusyPercent, double pulsesPerSecond,
      double framesPerSecond, double p50Millis, double p99Millis, double maxMillis,
      double renderMillisPerFrame, double fxMillisPerPulse, long wallNanos) {
    String line() {
      return String.format(Locale.ROOT, "JavaFX thread busy %.1f%%, renderer thread busy %.1f%%; "
          + "%.1f pulses/s, %.1f frames rendered/s, frame interval p50 %.1f ms, p99 %.1f ms, "
          + "max %.1f ms; renderer %.2f ms CPU per frame, JavaFX thread %.2f ms CPU per pulse",
          fxBusyPercent, renderBusyPercent, pulsesPerSecond, framesPerSecond, p50Millis,
          p99Millis, maxMillis, renderMillisPerFrame, fxMillisPerPulse);
    }
  }

  /**
   * Measures one period: the JavaFX and renderer threads' CPU time, the pulses (an animation
   * timer) and the frames actually rendered (JavaFX's scene performance tracker, which the
   * renderer calls after each frame it paints). The renderer's CPU time per rendered frame
   * depends far less on what else the machine runs than frames per second do.
   */
  private Period measure(FxRobot robot, Thread fxThread, long millis) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    List<Long> pulses = Collections.synchronizedList(new ArrayList<>());
    List<Long> frames = Collections.synchronizedList(new ArrayList<>());
    AnimationTimer counter = new AnimationTimer() {
      @Override
      public void handle(long now) {
        pulses.add(now);
      }
    };
    long renderer = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("QuantumRenderer")).mapToLong(Thread::getId)
        .findFirst().orElse(-1);
    AtomicReference<PerformanceTracker> tracker = new AtomicReference<>();
    robot.interact(() -> {
      tracker.set(PerformanceTracker.getSceneTracker(view.get().root().getScene()));
      tracker.get().setOnRenderedFrameTask(() -> frames.add(System.nanoTime()));
      counter.start();
    });
    long cpuBefore = threads.getThreadCpuTime(fxThread.getId());
    long renderBefore = renderer < 0 ? 0 : threads.getThreadCpuTime(renderer);
    long wallBefore = System.nanoTime();
    Thread.sleep(millis);
    long wall = System.nanoTime() - wallBefore;
    long cpu = threads.getThreadCpuTime(fxThread.getId()) - cpuBefore;
    long render = renderer < 0 ? 0 : threads.getThreadCpuTime(renderer) - renderBefore;
    robot.interact(() -> {
      counter.stop();
      tracker.get().setOnRenderedFrameTask(null);
    });
    List<Long> intervals = new ArrayList<>();
    int frameCount;
    synchronized (frames) {
      frameCount = frames.size();
      for (int i = 1; i < frames.size(); i++) {
        intervals.add(frames.get(i) - frames.get(i - 1));
      }
    }
    Collections.sort(intervals);
    int pulseCount = pulses.size();
    return new Period(100.0 * cpu / wall, 100.0 * render / wall, pulseCount * 1e9 / wall,
        frameCount * 1e9 / wall, percentile(intervals, 0.5), percentile(intervals, 0.99),
        percentile(intervals, 1.0), frameCount == 0 ? 0 : render / 1e6 / frameCount,
        pulseCount == 0 ? 0 : cpu / 1e6 / pulseCount, wall);
  }

  /** How many nodes the graph's scene graph holds, and how many of them are visible. */
  private static String nodeCount(javafx.scene.Parent parent) {
    int[] counts = new int[2];
    count(parent, true, counts);
    return counts[0] + " nodes in the graph, " + counts[1] + " of them visible";
  }

  private static void count(javafx.scene.Node node, boolean shown, int[] counts) {
    counts[0]++;
    boolean visible = shown && node.isVisible() && node.getOpacity() > 0;
    if (visible) {
      counts[1]++;
    }
    if (node instanceof javafx.scene.Parent parent) {
      for (javafx.scene.Node child : parent.getChildrenUnmodifiable()) {
        count(child, visible, counts);
      }
    }
  }

  @Test
  void fiftyAgentsAtTwoSnapshotsASecond(FxRobot robot) throws Exception {
    AtomicReference<Thread> fx = new AtomicReference<>();
    robot.interact(() -> fx.set(Thread.currentThread()));
    Thread.sleep(WARMUP_MILLIS);
    Period idle = measure(robot, fx.get(), MEASURE_MILLIS / 2);
    session.start();
    ScheduledExecutorService agents = Executors.newScheduledThreadPool(2);
    Random random = new Random(SEED);
    AtomicLong sent = new AtomicLong();
    for (int i = 0; i < AGENTS; i++) {
      int agent = i;
      long seedOfAgent = random.nextLong();
      agents.scheduleAtFixedRate(new SimulatedAgent(agent, new Random(seedOfAgent), sent),
          i * SNAPSHOT_INTERVAL_MILLIS / AGENTS, SNAPSHOT_INTERVAL_MILLIS,
          TimeUnit.MILLISECONDS);
    }
    try {
      Thread.sleep(WARMUP_MILLIS);
      TopologyGraph graph = view.get().graph();
      // Before: the map and every layer of the graph rasterised again in each frame.
      robot.interact(() -> {
        graph.setMapCachedAtRest(false);
        graph.setLayersCachedWhileFlowing(false);
      });
      Period vectorMap = measure(robot, fx.get(), MEASURE_MILLIS / 2);
      robot.interact(() -> graph.setMapCachedAtRest(true));
      Period vectorLayers = measure(robot, fx.get(), MEASURE_MILLIS / 2);
      // Paused, the overlays stand still and only particles move: the cost of one particle
      // frame, which does not depend on how many overlay updates a loaded machine fits in.
      robot.interact(() -> view.get().model().pause());
      Period pausedVectorLayers = measure(robot, fx.get(), MEASURE_MILLIS / 2);
      robot.interact(() -> graph.setLayersCachedWhileFlowing(true));
      Period paused = measure(robot, fx.get(), MEASURE_MILLIS / 2);
      robot.interact(() -> view.get().model().resume());
      long mergeBefore = session.mergeNanos();
      long sentBefore = sent.get();
      Period live = measure(robot, fx.get(), MEASURE_MILLIS);
      long merge = session.mergeNanos() - mergeBefore;
      long inputs = sent.get() - sentBefore;
      AtomicReference<String> nodes = new AtomicReference<>();
      robot.interact(() -> nodes.set(nodeCount(graph)));
      robot.interact(() -> view.get().particlesProperty().set(false));
      Period still = measure(robot, fx.get(), MEASURE_MILLIS / 2);
      long wall = live.wallNanos();
      LiveState state = view.get().model().stateProperty().get();
      System.out.printf(Locale.ROOT, "live view, %d simulated agents, %d flows, snapshots every "
          + "%d ms, %.0f inputs/s, measured over %.0f s (seed %d)%n", AGENTS,
          state.flows().size(), SNAPSHOT_INTERVAL_MILLIS, inputs * 1e9 / wall, wall / 1e9, SEED);
      System.out.println("  idle (same window, no agents):            " + idle.line());
      System.out.println("  live, map and graph redrawn every frame:  " + vectorMap.line());
      System.out.println("  live, graph layers redrawn every frame:   " + vectorLayers.line());
      System.out.println("  paused, graph layers redrawn every frame: " + pausedVectorLayers.line());
      System.out.println("  paused (only particles move):             " + paused.line());
      System.out.println("  live:                                     " + live.line());
      System.out.println("  live, particles off:                      " + still.line());
      System.out.println("  " + nodes.get());
      System.out.printf(Locale.ROOT, "  merge thread: %.1f%% busy, %.2f ms per published "
          + "state%n", 100.0 * merge / wall, merge / 1e6 / (wall / 1e9 * 10));
      assertThat(state.flows()).hasSize(DATASETS * REPLICAS_PER_DATASET);
      assertThat(live.framesPerSecond()).isPositive();
    } finally {
      agents.shutdownNow();
      session.close();
      robot.interact(() -> view.get().stop());
    }
  }

  private static double percentile(List<Long> sorted, double q) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int index = (int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1);
    return sorted.get(Math.max(0, index)) / 1e6;
  }

  private static String region(int i) {
    return String.format(Locale.ROOT, "r%02d", i);
  }

  private static int primaryOf(int dataset) {
    return dataset * (REPLICAS_PER_DATASET + 1);
  }

  private static Map<String, String> primaries() {
    Map<String, String> primaries = new java.util.LinkedHashMap<>();
    for (int d = 0; d < DATASETS; d++) {
      primaries.put("d" + d, region(primaryOf(d)));
    }
    return primaries;
  }

  private static Topology topology() {
    Random random = new Random(SEED);
    List<Region> regions = new ArrayList<>();
    for (int i = 0; i < AGENTS; i++) {
      regions.add(Region.of(region(i), -50 + random.nextDouble() * 110,
          -170 + random.nextDouble() * 340, i % 2 == 0 ? "EU" : "US"));
    }
    List<Link> links = new ArrayList<>();
    List<Policy> policies = new ArrayList<>();
    List<Dataset> datasets = new ArrayList<>();
    for (int d = 0; d < DATASETS; d++) {
      int primary = primaryOf(d);
      List<RegionId> replicas = new ArrayList<>();
      replicas.add(RegionId.of(region(primary)));
      for (int r = 1; r <= REPLICAS_PER_DATASET; r++) {
        links.add(Link.of(region(primary), region(primary + r), 40 + random.nextInt(200)));
        replicas.add(RegionId.of(region(primary + r)));
      }
      policies.add(Policy.of("p" + d, ReplicationMode.ASYNC)
          .withPrimary(RegionId.of(region(primary)))
          .withStaleness(new StalenessBound(500, 1000)));
      datasets.add(new Dataset("d" + d, replicas, List.of(), "p" + d));
    }
    for (int i = 0; i < DATASETS - 1; i++) {
      links.add(Link.of(region(primaryOf(i)), region(primaryOf(i + 1)), 120));
    }
    return new Topology("fifty-agents", "", regions, links, policies, datasets);
  }

  /** One agent: a snapshot of its flows every tick, a status reply every other tick. */
  private final class SimulatedAgent implements Runnable {
    private final int index;
    private final Random random;
    private final AtomicLong sent;
    private long ticks;

    SimulatedAgent(int index, Random random, AtomicLong sent) {
      this.index = index;
      this.random = random;
      this.sent = sent;
    }

    @Override
    public void run() {
      String self = region(index);
      int dataset = index / (REPLICAS_PER_DATASET + 1);
      int primary = primaryOf(dataset);
      Snapshot.Builder snapshot = Snapshot.newBuilder();
      if (index == primary) {
        for (int r = 1; r <= REPLICAS_PER_DATASET; r++) {
          snapshot.addLinks(link(region(primary + r), dataset));
        }
      } else {
        snapshot.addLinks(link(region(primary), dataset));
      }
      long now = System.currentTimeMillis();
      session.submit(new LiveInput.Watched(now, self, WatchEvent.newBuilder().setAtMillis(now)
          .setRegion(self).setSnapshot(snapshot).build()));
      sent.incrementAndGet();
      if (ticks++ % 2 == 0) {
        session.submit(new LiveInput.StatusReceived(now, self, StatusResponse.newBuilder()
            .setRegion(self).build()));
        sent.incrementAndGet();
      }
    }

    private PeerLinkStatus link(String peer, int dataset) {
      double changes = 50 + random.nextInt(450);
      return PeerLinkStatus.newBuilder().setPeerRegion(peer).setDataset("d" + dataset)
          .setConnected(true).setLagMillis(50 + random.nextInt(400))
          .setLagVersions(random.nextInt(20)).setChangesPerSecondIn(changes)
          .setChangesPerSecondOut(changes).setBytesPerSecondIn(changes * 300)
          .setBytesPerSecondOut(changes * 300).build();
    }
  }

  /** The benchmark acts on nothing. */
  private static final class NoActions implements LiveActions {
    @Override
    public java.util.Optional<String> unsupported(Action action) {
      return java.util.Optional.of("benchmark");
    }

    @Override
    public String cutLink(String a, String b) {
      return "";
    }

    @Override
    public String healLink(String a, String b) {
      return "";
    }

    @Override
    public String kill(String region) {
      return "";
    }

    @Override
    public String restart(String region) {
      return "";
    }
  }
}

package io.meridian.visualization.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.Topology;
import io.meridian.visualization.testing.Snapshots;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javafx.animation.AnimationTimer;
import javafx.scene.Scene;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * Measures, and prints, what panning and zooming a 200-region, 1,000-link graph costs: the
 * placement pass the skin runs per moved frame, and the pulse-to-pulse frame time while the
 * view pans every frame. A benchmark, not a test: surefire's default includes skip it; run
 * it with {@code ./mvnw -o -pl visualization -am verify -Dtest=TopologyGraphPanBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}. Headless Monocle renders in software, so frame
 * times here bound a desktop's from above.
 */
@ExtendWith(ApplicationExtension.class)
class TopologyGraphPanBenchmark {

  private static final int REGIONS = 200;
  private static final int LINKS = 1_000;
  private static final int PLACEMENT_STEPS = 400;
  private static final int FRAMES = 120;

  private TopologyGraph graph;
  private long projectNanos;

  @Start
  void start(Stage stage) {
    Topology topology = SampleTopologies.generated(REGIONS, LINKS, 42);
    long started = System.nanoTime();
    ProjectedTopology.of(topology, io.meridian.visualization.projection.EqualEarthProjection.INSTANCE);
    projectNanos = System.nanoTime() - started;
    graph = new TopologyGraph(topology);
    graph.setAnimated(false);
    stage.setScene(new Scene(new StackPane(graph), 1280, 800));
    stage.show();
  }

  @Test
  void panAndZoomAGraphOfTwoHundredRegionsAndAThousandLinks(FxRobot robot) throws Exception {
    assertThat(graph.getProjectedTopology().linkCount()).isEqualTo(LINKS);
    System.out.printf(Locale.ROOT, "projecting %d regions and %d links: %.2f ms%n", REGIONS,
        LINKS, projectNanos / 1e6);

    List<Long> pan = new ArrayList<>();
    List<Long> zoom = new ArrayList<>();
    robot.interact(() -> {
      for (int i = 0; i < PLACEMENT_STEPS; i++) {
        long started = System.nanoTime();
        graph.panBy(i % 2 == 0 ? 3 : -3, 1);
        graph.layout();
        pan.add(System.nanoTime() - started);
      }
      for (int i = 0; i < PLACEMENT_STEPS; i++) {
        long started = System.nanoTime();
        graph.zoomBy(i < PLACEMENT_STEPS / 2 ? 1.01 : 1 / 1.01);
        graph.layout();
        zoom.add(System.nanoTime() - started);
      }
    });
    print("placement per pan step", pan);
    print("placement per zoom step (with fan-out)", zoom);

    List<Long> frames = new ArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    robot.interact(() -> new AnimationTimer() {
      private long last;

      @Override
      public void handle(long now) {
        if (last != 0) {
          frames.add(now - last);
        }
        last = now;
        graph.panBy(2, 0);
        if (frames.size() >= FRAMES) {
          stop();
          done.countDown();
        }
      }
    }.start());
    assertThat(done.await(10, TimeUnit.MINUTES)).isTrue();
    print("frame time while panning every pulse", frames);
    Snapshots.write(robot, graph, "topology-graph-200-regions");
  }

  private static void print(String what, List<Long> nanos) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    double median = sorted.get(sorted.size() / 2) / 1e6;
    double p99 = sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.99)))
        / 1e6;
    System.out.printf(Locale.ROOT, "%s: median %.2f ms, p99 %.2f ms (n=%d)%n", what, median,
        p99, sorted.size());
  }
}

package io.meridian.visualization.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Proves that zooming a large graph (100 regions, 400 links) does not place every marker, arc
 * and label on every frame while the zooming bitmap hides them: one placement when the bitmap
 * must be drawn again, one when the movement ends; and that a hit test in the middle of the
 * zoom still answers for the current scale, as it does once the movement has ended.
 */
@ExtendWith(ApplicationExtension.class)
class GraphZoomFramesTest {

  private static final int WIDTH = 1000;
  private static final int HEIGHT = 600;
  /** Frames of a wheel held down: 1 % a frame, in to 1.82×, past the bitmap's 1.4× limit. */
  private static final int FRAMES = 60;
  private static final int GRID_STEP_PX = 25;

  private TopologyGraph graph;

  @Start
  void start(Stage stage) {
    graph = new TopologyGraph(SampleTopologies.generated(100, 400, 11));
    graph.setAnimated(false);
    stage.setScene(new Scene(new StackPane(graph), WIDTH, HEIGHT));
    stage.show();
  }

  @Test
  void zoomingPlacesTheGraphOnlyWhenTheBitmapIsDrawnAgainAndHitTestsStayRight(FxRobot robot)
      throws Exception {
    WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, graph.mapLoadedProperty());
    robot.interact(() -> {
      graph.fitAll();
      graph.layout();
    });
    TopologyGraphSkin skin = (TopologyGraphSkin) graph.getSkin();
    long[] placements = new long[2];
    long[] redraws = new long[2];
    List<Optional<GraphElement>> duringZoom = new ArrayList<>();
    // One runnable on the FX thread: the movement cannot end in between.
    robot.interact(() -> {
      placements[0] = skin.getPlacements();
      redraws[0] = skin.getMotionRedraws();
      for (int frame = 0; frame < FRAMES; frame++) {
        graph.zoomBy(1.01);
        graph.layout();
      }
      assertThat(graph.isMoving()).isTrue();
      placements[1] = skin.getPlacements();
      redraws[1] = skin.getMotionRedraws();
      duringZoom.addAll(hitsOnAGrid());
    });
    // The gesture's first frame draws the old placement; the step past 1.4× draws again, and
    // only that one places the graph.
    assertThat(redraws[1] - redraws[0]).isEqualTo(2);
    assertThat(placements[1] - placements[0]).isEqualTo(1);

    WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !graph.isMoving());
    List<Optional<GraphElement>> atRest = new ArrayList<>();
    robot.interact(() -> {
      graph.layout();
      atRest.addAll(hitsOnAGrid());
    });
    assertThat(atRest.stream().filter(Optional::isPresent).count()).isGreaterThan(20);
    assertThat(duringZoom).isEqualTo(atRest);
  }

  private List<Optional<GraphElement>> hitsOnAGrid() {
    List<Optional<GraphElement>> hits = new ArrayList<>();
    for (int y = 0; y < HEIGHT; y += GRID_STEP_PX) {
      for (int x = 0; x < WIDTH; x += GRID_STEP_PX) {
        hits.add(graph.elementAt(x, y));
      }
    }
    return hits;
  }
}

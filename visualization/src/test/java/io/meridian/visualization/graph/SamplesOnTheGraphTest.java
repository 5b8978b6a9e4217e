package io.meridian.visualization.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.Topology;
import io.meridian.model.format.TopologyReader;
import io.meridian.visualization.testing.Snapshots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javafx.geometry.Bounds;
import javafx.scene.Scene;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Proves that every bundled sample topology draws all its regions and links inside the view after fit-all, and leaves a snapshot of each. */
@ExtendWith(ApplicationExtension.class)
class SamplesOnTheGraphTest {

  private static final Path SAMPLES = Path.of("..", "samples");

  private TopologyGraph graph;

  @Start
  void start(Stage stage) {
    graph = new TopologyGraph();
    graph.setAnimated(false);
    stage.setScene(new Scene(new StackPane(graph), 1280, 720));
    stage.show();
  }

  @Test
  void everySampleDrawsAllItsRegionsAndLinksInsideTheView(FxRobot robot) throws Exception {
    List<Path> samples;
    try (Stream<Path> files = Files.list(SAMPLES)) {
      samples = files.filter(file -> file.toString().endsWith(".yaml")).sorted()
          .collect(Collectors.toList());
    }
    assertThat(samples).isNotEmpty();
    WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, graph.mapLoadedProperty());
    for (Path sample : samples) {
      Topology topology = new TopologyReader().read(sample).topology();
      robot.interact(() -> {
        graph.setTopology(topology);
        graph.fitAll();
      });
      WaitForAsyncUtils.waitForFxEvents();
      String name = sample.getFileName().toString();
      assertThat(graph.lookupAll(".region-node")).as(name)
          .hasSize((int) topology.regions().stream().map(r -> r.id()).distinct().count());
      // A link across the antimeridian is drawn in two pieces, the second `.link-continuation`.
      assertThat(graph.lookupAll(".link").size() - graph.lookupAll(".link-continuation").size())
          .as(name).isEqualTo(topology.links().size());
      Bounds view = graph.getLayoutBounds();
      assertThat(graph.lookupAll(".region-node"))
          .allSatisfy(node -> assertThat(view.contains(
              graph.sceneToLocal(node.localToScene(0, 0))))
              .as(name + " " + node.getAccessibleText()).isTrue());
      Snapshots.write(robot, graph, "sample-" + name.replace(".yaml", ""));
    }
  }
}

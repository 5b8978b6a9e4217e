package io.meridian.visualization.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.model.RegionId;
import java.util.List;
import javafx.scene.Scene;
import javafx.scene.layout.StackPane;
import javafx.scene.shape.QuadCurve;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Proves, headless, that live traffic shows as particles moving along a link in its direction, denser for more traffic, and disappears when the flow is removed. */
@ExtendWith(ApplicationExtension.class)
class LinkFlowTest {
  private static final LinkKey ATLANTIC =
      LinkKey.between(RegionId.of("eu-central"), RegionId.of("us-east"));

  private TopologyGraph graph;

  @Start
  void start(Stage stage) {
    graph = new TopologyGraph(SampleTopologies.fiveRegions());
    graph.setAnimated(false);
    stage.setScene(new Scene(new StackPane(graph), 900, 520));
    stage.show();
  }

  private QuadCurve flow(FxRobot robot) {
    return robot.lookup(".link-flow").queryAllAs(QuadCurve.class).stream()
        .filter(c -> c.getAccessibleText() != null && c.getAccessibleText().contains(
            ATLANTIC.toString()))
        .findFirst().orElseThrow();
  }

  @Test
  void particlesAppearMoveAndDisappearWithTheFlow(FxRobot robot) throws Exception {
    // A design without flows holds no particle arcs at all (ADR 0054).
    assertThat(robot.lookup(".link-flow").queryAll()).isEmpty();

    robot.interact(() -> graph.getLinkFlows().put(ATLANTIC,
        new LinkFlow(RegionId.of("us-east"), 0.2)));
    robot.interact(graph::layout);
    QuadCurve flow = flow(robot);
    assertThat(flow.isVisible()).isTrue();
    // Made on demand, it lies on its link's arc.
    QuadCurve arc = robot.lookup(".link-hit").queryAllAs(QuadCurve.class).stream()
        .filter(c -> c.getAccessibleText().startsWith("Link " + ATLANTIC + ","))
        .findFirst().orElseThrow();
    assertThat(List.of(flow.getStartX(), flow.getStartY(), flow.getControlX(),
        flow.getControlY(), flow.getEndX(), flow.getEndY())).isEqualTo(List.of(
        arc.getStartX(), arc.getStartY(), arc.getControlX(), arc.getControlY(), arc.getEndX(),
        arc.getEndY()));
    double before = flow.getStrokeDashOffset();
    // Particles move: the dash offset changes from frame to frame.
    WaitForAsyncUtils.waitFor(60, java.util.concurrent.TimeUnit.SECONDS,
        () -> flow.getStrokeDashOffset() != before);

    double sparseGap = flow.getStrokeDashArray().get(1);
    robot.interact(() -> graph.getLinkFlows().put(ATLANTIC,
        new LinkFlow(RegionId.of("us-east"), 1)));
    assertThat(flow.getStrokeDashArray().get(1)).as("denser for more traffic")
        .isLessThan(sparseGap);

    robot.interact(() -> graph.getLinkFlows().remove(ATLANTIC));
    assertThat(flow.isVisible()).isFalse();
  }

  @Test
  void layersAreBitmapsOnlyWhileParticlesFlowAndTheMapIsSmall(FxRobot robot) {
    TopologyGraphSkin skin = (TopologyGraphSkin) graph.getSkin();
    assertThat(skin.isLayersCached()).as("no particles: vectors").isFalse();

    robot.interact(() -> graph.getLinkFlows().put(ATLANTIC,
        new LinkFlow(RegionId.of("us-east"), 0.5)));
    robot.interact(graph::layout);
    assertThat(skin.isLayersCached()).as("particles at the fitted zoom: bitmaps").isTrue();

    // Zoomed far in, a bitmap of a whole layer would be many views large: vectors again.
    robot.interact(() -> graph.zoomBy(8));
    robot.interact(graph::layout);
    assertThat(skin.isLayersCached()).as("zoomed in").isFalse();
    robot.interact(graph::fitAll);
    robot.interact(graph::layout);
    assertThat(skin.isLayersCached()).isTrue();

    robot.interact(() -> graph.setLayersCachedWhileFlowing(false));
    robot.interact(graph::layout);
    assertThat(skin.isLayersCached()).as("switched off").isFalse();
    robot.interact(() -> graph.setLayersCachedWhileFlowing(true));
    robot.interact(() -> graph.getLinkFlows().remove(ATLANTIC));
    robot.interact(graph::layout);
    assertThat(skin.isLayersCached()).as("particles gone").isFalse();
  }

  @Test
  void densityGrowsWithTheRateAndIsRefusedOutOfRange() {
    assertThat(LinkFlow.densityOf(0)).isZero();
    assertThat(LinkFlow.densityOf(1)).isPositive().isLessThan(LinkFlow.densityOf(100));
    assertThat(LinkFlow.densityOf(1_000_000)).isEqualTo(1);
    assertThatThrownBy(() -> new LinkFlow(RegionId.of("us-east"), 0))
        .hasMessageContaining("within (0, 1]");
  }
}

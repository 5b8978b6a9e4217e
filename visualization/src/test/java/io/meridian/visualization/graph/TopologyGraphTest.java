package io.meridian.visualization.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.visualization.map.GeoPosition;
import io.meridian.visualization.testing.Snapshots;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javafx.css.PseudoClass;
import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.StackPane;
import javafx.scene.shape.QuadCurve;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Proves, headless, that the topology graph draws one marker per region and one arc per link, selects by click, shows overlays as pseudo-classes, and fits and centres its content. */
@ExtendWith(ApplicationExtension.class)
class TopologyGraphTest {

  private static final double WIDTH = 900;
  private static final double HEIGHT = 520;

  private TopologyGraph graph;

  @Start
  void start(Stage stage) {
    graph = new TopologyGraph(SampleTopologies.fiveRegions());
    graph.setAnimated(false);
    stage.setScene(new Scene(new StackPane(graph), WIDTH, HEIGHT));
    stage.show();
  }

  @Test
  void drawsOneMarkerPerRegionAndOneArcPerLink(FxRobot robot) {
    assertThat(robot.lookup(".region-node").queryAll()).hasSize(5);
    // Five links; the one across the Pacific (us-east to Tokyo) is drawn in two pieces.
    assertThat(robot.lookup(".link").queryAll()).hasSize(6);
    assertThat(robot.lookup(".link-continuation").queryAll()).hasSize(1);
    assertThat(robot.lookup(".region-node").queryAll().stream()
        .filter(node -> node.getPseudoClassStates().contains(PseudoClass.getPseudoClass("witness"))))
        .hasSize(1);
  }

  @Test
  void replacingTheTopologyKeepsMarkersOfRegionsThatStay(FxRobot robot) {
    RegionNode tokyo = node("ap-tokyo");
    robot.interact(() -> graph.setTopology(graph.getTopology()
        .minusRegion(RegionId.of("us-east"))
        .plusRegion(Region.of("sa-east", -23.5, -46.6, "BR"))
        .plusLink(Link.of("sa-east", "eu-central", 190))));
    assertThat(robot.lookup(".region-node").queryAll()).hasSize(5);
    assertThat(robot.lookup(".link").queryAll()).hasSize(4);
    assertThat(node("ap-tokyo")).isSameAs(tokyo);
  }

  @Test
  void clickingARegionSelectsIt(FxRobot robot) {
    RegionNode tokyo = node("ap-tokyo");
    robot.clickOn(tokyo.localToScreen(0, 0));
    assertThat(graph.getSelection()).isEqualTo(GraphElement.region(RegionId.of("ap-tokyo")));
    assertThat(tokyo.getPseudoClassStates()).contains(RegionNode.SELECTED);
  }

  @Test
  void clickingALinkSelectsItAndClickingTheOceanClearsTheSelection(FxRobot robot) {
    LinkKey atlantic = LinkKey.between(RegionId.of("eu-central"), RegionId.of("us-east"));
    QuadCurve hit = robot.lookup(".link-hit").queryAllAs(QuadCurve.class).stream()
        .filter(curve -> curve.getAccessibleText().contains(atlantic.toString()))
        .findFirst().orElseThrow();
    double midX = 0.25 * hit.getStartX() + 0.5 * hit.getControlX() + 0.25 * hit.getEndX();
    double midY = 0.25 * hit.getStartY() + 0.5 * hit.getControlY() + 0.25 * hit.getEndY();
    robot.clickOn(hit.localToScreen(midX, midY));
    assertThat(graph.getSelection()).isEqualTo(GraphElement.link(atlantic));

    // Bottom centre of the view: south of every region, and links bow north.
    robot.clickOn(graph.localToScreen(WIDTH / 2, HEIGHT - 20));
    assertThat(graph.getSelection()).isNull();
  }

  @Test
  void elementAtFindsTheRegionUnderAMarkerTheLinkUnderAnArcAndNothingOnTheOcean(
      FxRobot robot) {
    RegionNode tokyo = node("ap-tokyo");
    Point2D onTokyo = graph.sceneToLocal(tokyo.localToScene(0, 0));
    assertThat(graph.elementAt(onTokyo.getX() + 2, onTokyo.getY() - 1))
        .contains(GraphElement.region(RegionId.of("ap-tokyo")));

    LinkKey atlantic = LinkKey.between(RegionId.of("eu-central"), RegionId.of("us-east"));
    Point2D onAtlantic = curveMiddle(linkCurves(atlantic).get(0));
    assertThat(graph.elementAt(onAtlantic.getX(), onAtlantic.getY() + 2))
        .contains(GraphElement.link(atlantic));
    // Bottom centre of the view: south of every region, and links bow north.
    assertThat(graph.elementAt(WIDTH / 2, HEIGHT - 20)).isEmpty();
  }

  @Test
  void theLinkAcrossThePacificIsDrawnTheShortWayAndBothPiecesAnswerForIt(FxRobot robot) {
    LinkKey pacific = LinkKey.between(RegionId.of("us-east"), RegionId.of("ap-tokyo"));
    List<QuadCurve> pieces = linkCurves(pacific);
    assertThat(pieces).hasSize(2);
    Point2D virginia = graph.sceneToLocal(node("us-east").localToScene(0, 0));
    Point2D tokyo = graph.sceneToLocal(node("ap-tokyo").localToScene(0, 0));
    for (QuadCurve piece : pieces) {
      Point2D start = graph.sceneToLocal(piece.localToScene(piece.getStartX(), piece.getStartY()));
      Point2D end = graph.sceneToLocal(piece.localToScene(piece.getEndX(), piece.getEndY()));
      // Each piece joins one end to the nearer edge of the map: Virginia's runs west, Tokyo's
      // east; neither crosses the Atlantic, Europe and Asia the long way.
      boolean touchesVirginia = start.distance(virginia) < 1 || end.distance(virginia) < 1;
      boolean touchesTokyo = start.distance(tokyo) < 1 || end.distance(tokyo) < 1;
      assertThat(touchesVirginia ^ touchesTokyo).as("piece touches exactly one end").isTrue();
      double edgeX = start.distance(virginia) < 1 || start.distance(tokyo) < 1 ? end.getX()
          : start.getX();
      if (touchesVirginia) {
        assertThat(edgeX).isLessThan(virginia.getX());
      } else {
        assertThat(edgeX).isGreaterThan(tokyo.getX());
      }
      assertThat(graph.elementAt(curveMiddle(piece).getX(), curveMiddle(piece).getY()))
          .contains(GraphElement.link(pacific));
    }
  }

  @Test
  void removingTheSelectedRegionClearsTheSelectionButKeepingItDoesNot(FxRobot robot) {
    GraphElement tokyo = GraphElement.region(RegionId.of("ap-tokyo"));
    robot.interact(() -> {
      graph.setSelection(tokyo);
      graph.setTopology(graph.getTopology().minusRegion(RegionId.of("us-east")));
    });
    assertThat(graph.getSelection()).isEqualTo(tokyo);
    robot.interact(() -> graph.setTopology(
        graph.getTopology().minusRegion(RegionId.of("ap-tokyo"))));
    assertThat(graph.getSelection()).isNull();
  }

  @Test
  void dimmedOverlayFadesTheRegion(FxRobot robot) {
    RegionNode tokyo = node("ap-tokyo");
    robot.interact(() -> {
      graph.getRegionOverlays().put(RegionId.of("ap-tokyo"),
          RegionOverlay.NONE.withDimmed(true));
      tokyo.applyCss();
    });
    assertThat(tokyo.getPseudoClassStates()).contains(RegionNode.DIMMED);
    assertThat(tokyo.getOpacity()).isLessThan(1);
  }

  @Test
  void regionOverlayStatusBecomesAPseudoClass(FxRobot robot) {
    RegionNode tokyo = node("ap-tokyo");
    RegionId id = RegionId.of("ap-tokyo");
    robot.interact(() -> graph.getRegionOverlays().put(id, RegionOverlay.of(Status.DEGRADED)));
    assertThat(tokyo.getPseudoClassStates()).contains(Status.DEGRADED.pseudoClass())
        .doesNotContain(Status.FAILING.pseudoClass());

    robot.interact(() -> graph.getRegionOverlays().put(id,
        RegionOverlay.of(Status.FAILING).withBadge("2")));
    assertThat(tokyo.getPseudoClassStates()).contains(Status.FAILING.pseudoClass())
        .doesNotContain(Status.DEGRADED.pseudoClass());
    // Visibility of the status mark is the stylesheet's decision: apply CSS now rather than
    // waiting for the next pulse.
    robot.interact(tokyo::applyCss);
    Label badge = (Label) tokyo.lookup(".overlay-badge");
    assertThat(badge.getText()).isEqualTo("2");
    assertThat(badge.isVisible()).isTrue();
    assertThat(tokyo.lookup(".status-mark").isVisible()).isTrue();

    robot.interact(() -> {
      graph.getRegionOverlays().remove(id);
      tokyo.applyCss();
    });
    assertThat(tokyo.getPseudoClassStates()).doesNotContain(Status.FAILING.pseudoClass());
    assertThat(tokyo.lookup(".status-mark").isVisible()).isFalse();
  }

  @Test
  void linkOverlayStatusBecomesAPseudoClassAndADashPattern(FxRobot robot) {
    LinkKey atlantic = LinkKey.between(RegionId.of("eu-central"), RegionId.of("us-east"));
    robot.interact(() -> graph.getLinkOverlays().put(atlantic,
        LinkOverlay.of(Status.FAILING).withWidthPx(4).withBadge("cut")));
    QuadCurve line = robot.lookup(".link").queryAllAs(QuadCurve.class).stream()
        .filter(curve -> curve.getPseudoClassStates().contains(Status.FAILING.pseudoClass()))
        .findFirst().orElseThrow();
    robot.interact(line::applyCss);
    assertThat(line.getStrokeDashArray()).isNotEmpty();
    assertThat(line.getStrokeWidth()).isEqualTo(4);
    assertThat(robot.lookup(".link-label").queryAllAs(Label.class).stream()
        .map(Label::getText).collect(Collectors.toList())).contains("88 ms · cut");
  }

  @Test
  void pulsingOverlayShowsThePulseRing(FxRobot robot) {
    RegionNode virginia = node("us-east");
    robot.interact(() -> graph.getRegionOverlays().put(RegionId.of("us-east"),
        RegionOverlay.of(Status.OK).withPulse(true)));
    assertThat(virginia.lookup(".pulse-ring").isVisible()).isTrue();
    robot.interact(() -> graph.getRegionOverlays().put(RegionId.of("us-east"),
        RegionOverlay.of(Status.OK)));
    assertThat(virginia.lookup(".pulse-ring").isVisible()).isFalse();
  }

  @Test
  void fitAllPutsEveryRegionInsideTheViewport(FxRobot robot) {
    robot.interact(() -> {
      graph.centerOn(new GeoPosition(-60, -50), 40);
    });
    assertThat(regionsInside()).isLessThan(5);
    robot.interact(graph::fitAll);
    assertThat(regionsInside()).isEqualTo(5);
    Bounds view = graph.getLayoutBounds();
    for (Node node : robot.lookup(".region-node").queryAll()) {
      Bounds marker = graph.sceneToLocal(node.lookup(".region-marker")
          .localToScene(node.lookup(".region-marker").getLayoutBounds()));
      assertThat(view.contains(marker)).as(node.getAccessibleText()).isTrue();
    }
  }

  @Test
  void panningMovesOneLayerAndTouchesNoMarker(FxRobot robot) {
    RegionNode tokyo = node("ap-tokyo");
    double layoutX = tokyo.getLayoutX();
    double layoutY = tokyo.getLayoutY();
    Point2D before = tokyo.localToScene(0, 0);
    robot.interact(() -> {
      graph.panBy(40, 15);
      graph.layout();
    });
    assertThat(tokyo.getLayoutX()).isEqualTo(layoutX);
    assertThat(tokyo.getLayoutY()).isEqualTo(layoutY);
    Point2D after = tokyo.localToScene(0, 0);
    assertThat(after.getX() - before.getX()).isCloseTo(40, within(1e-6));
    assertThat(after.getY() - before.getY()).isCloseTo(15, within(1e-6));
  }

  @Test
  void regionsInTheSamePlaceFanOutInsteadOfOverlapping() {
    RegionNode aws = node("eu-central");
    RegionNode gcp = node("eu-central-gcp");
    double distance = Math.hypot(aws.getLayoutX() - gcp.getLayoutX(),
        aws.getLayoutY() - gcp.getLayoutY());
    assertThat(distance).isGreaterThanOrEqualTo(TopologyGraphSkin.FAN_SEPARATION_PX - 1e-6);
  }

  @Test
  void labelsKeepTheirScreenSizeAtEveryZoom(FxRobot robot) {
    Node label = node("ap-tokyo").lookup(".region-label");
    double height = label.getBoundsInParent().getHeight();
    double width = label.getBoundsInParent().getWidth();
    robot.interact(() -> graph.zoomBy(6));
    WaitForAsyncUtils.waitForFxEvents();
    assertThat(label.localToScene(label.getLayoutBounds()).getHeight())
        .isCloseTo(height, within(0.01));
    assertThat(label.getBoundsInParent().getWidth()).isCloseTo(width, within(0.01));
  }

  @Test
  void shownLabelsAndBadgesNeverOverlapEvenWhenRegionsCrowd(FxRobot robot) {
    robot.interact(() -> {
      graph.setTopology(SampleTopologies.generated(120, 400, 7));
      graph.fitAll();
    });
    WaitForAsyncUtils.waitForFxEvents();
    List<Bounds> shown = java.util.stream.Stream.concat(
            java.util.stream.Stream.concat(graph.lookupAll(".region-label").stream(),
                graph.lookupAll(".jurisdiction-badge").stream()),
            graph.lookupAll(".link-label").stream())
        .filter(node -> node.isVisible() && node.getParent().isVisible())
        .map(node -> graph.sceneToLocal(node.localToScene(node.getLayoutBounds())))
        .collect(Collectors.toList());
    assertThat(shown).hasSizeGreaterThan(20);
    for (int i = 0; i < shown.size(); i++) {
      for (int j = i + 1; j < shown.size(); j++) {
        Bounds a = shown.get(i);
        Bounds b = shown.get(j);
        boolean overlap = a.getMinX() < b.getMaxX() - 0.5 && b.getMinX() < a.getMaxX() - 0.5
            && a.getMinY() < b.getMaxY() - 0.5 && b.getMinY() < a.getMaxY() - 0.5;
        assertThat(overlap).as("%s overlaps %s", a, b).isFalse();
      }
    }
  }

  @Test
  void enterCentresOnTheSelectionAndEscapeClearsIt(FxRobot robot) {
    robot.clickOn(node("ap-tokyo").localToScreen(0, 0));
    robot.type(KeyCode.ENTER);
    WaitForAsyncUtils.waitForFxEvents();
    Point2D tokyo = graph.toLocal(new GeoPosition(139.7, 35.7)).orElseThrow();
    assertThat(tokyo.getX()).isCloseTo(WIDTH / 2, within(1e-6));
    robot.type(KeyCode.ESCAPE);
    WaitForAsyncUtils.waitForFxEvents();
    assertThat(graph.getSelection()).isNull();
  }

  @Test
  void centreOnARegionPutsItInTheMiddle(FxRobot robot) {
    robot.interact(() -> graph.centerOn(GraphElement.region(RegionId.of("ap-tokyo"))));
    Point2D tokyo = graph.toLocal(new GeoPosition(139.7, 35.7)).orElseThrow();
    assertThat(tokyo.getX()).isCloseTo(WIDTH / 2, within(1e-6));
    assertThat(tokyo.getY()).isCloseTo(HEIGHT / 2, within(1e-6));
    assertThat(graph.getZoom()).isGreaterThanOrEqualTo(TopologyGraph.CENTER_ZOOM_MIN);
  }

  @Test
  void legendShowsEveryStatus(FxRobot robot) {
    Set<String> texts = robot.lookup(".graph-legend .label").queryAllAs(Label.class).stream()
        .map(Label::getText).collect(Collectors.toSet());
    assertThat(texts).contains("OK", "Degraded", "Failing", "Witness");
  }

  @Test
  void snapshotOfOverlaysForPeopleToCheck(FxRobot robot) throws Exception {
    WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, graph.mapLoadedProperty());
    robot.interact(() -> {
      graph.getRegionOverlays().put(RegionId.of("ap-tokyo"), RegionOverlay.of(Status.FAILING));
      graph.getRegionOverlays().put(RegionId.of("us-east"),
          RegionOverlay.of(Status.DEGRADED).withBadge("1"));
      graph.getRegionOverlays().put(RegionId.of("eu-central"), RegionOverlay.of(Status.OK));
      graph.getLinkOverlays().put(LinkKey.between(RegionId.of("us-east"),
          RegionId.of("ap-tokyo")), LinkOverlay.of(Status.FAILING));
      graph.getLinkOverlays().put(LinkKey.between(RegionId.of("eu-central"),
          RegionId.of("us-east")), LinkOverlay.of(Status.DEGRADED).withBadge("lag 2 s"));
      graph.setSelection(GraphElement.region(RegionId.of("eu-witness")));
    });
    assertThat(Snapshots.write(robot, graph, "topology-graph")).exists();
    robot.interact(() -> graph.getStyleClass().add("dark"));
    assertThat(robot.lookup(".graph-legend").query().getStyleClass()).contains("dark");
    assertThat(Snapshots.write(robot, graph, "topology-graph-dark")).exists();
  }

  /** The click twins drawn for a link, named in their accessible text (independent of elementAt). */
  private List<QuadCurve> linkCurves(LinkKey key) {
    return graph.lookupAll(".link-hit").stream().map(QuadCurve.class::cast)
        .filter(curve -> curve.getAccessibleText().startsWith("Link " + key + ","))
        .collect(Collectors.toList());
  }

  /** The point half-way along a curve, in the graph's coordinates. */
  private Point2D curveMiddle(QuadCurve curve) {
    double midX = 0.25 * curve.getStartX() + 0.5 * curve.getControlX() + 0.25 * curve.getEndX();
    double midY = 0.25 * curve.getStartY() + 0.5 * curve.getControlY() + 0.25 * curve.getEndY();
    return graph.sceneToLocal(curve.localToScene(midX, midY));
  }

  private RegionNode node(String id) {
    return (RegionNode) graph.lookupAll(".region-node").stream()
        .filter(node -> ((RegionNode) node).region().id().value().equals(id))
        .findFirst().orElseThrow();
  }

  private long regionsInside() {
    Bounds view = graph.getLayoutBounds();
    return graph.lookupAll(".region-node").stream()
        .filter(node -> view.contains(graph.sceneToLocal(node.localToScene(0, 0))))
        .count();
  }
}

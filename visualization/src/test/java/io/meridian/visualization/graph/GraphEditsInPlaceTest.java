package io.meridian.visualization.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.layout.StackPane;
import javafx.scene.shape.QuadCurve;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * Proves that an edit of a large topology (100 regions, 400 links) updates the graph in place:
 * an RTT edit restyles one link and adds or removes no node, a new link adds only its own nodes,
 * a removed region takes only its own marker and links with it, and after a run of edits the
 * graph shows exactly what a graph built afresh from the same topology shows.
 */
@ExtendWith(ApplicationExtension.class)
class GraphEditsInPlaceTest {

  private static final long SEED = 7;
  private static final int REGIONS = 100;
  private static final int LINKS = 400;

  private TopologyGraph graph;

  @Start
  void start(Stage stage) {
    graph = new TopologyGraph(SampleTopologies.generated(REGIONS, LINKS, SEED));
    graph.setAnimated(false);
    graph.getLinkOverlays().put(LinkKey.of(graph.getTopology().links().get(0)),
        LinkOverlay.of(Status.DEGRADED).withBadge("lag"));
    stage.setScene(new Scene(new StackPane(graph), 1000, 600));
    stage.show();
  }

  @Test
  void anRttEditRestylesOneLinkAndAddsOrRemovesNoNode(FxRobot robot) {
    Link edited = graph.getTopology().links().get(0);
    Label label = linkLabel(edited);
    long replacedBefore = skin().getLayerNodesReplaced();
    long restyledBefore = skin().getRestyledOnRebuild();

    robot.interact(() -> graph.setTopology(graph.getTopology().mapLink(edited.a(), edited.b(),
        link -> link.withRttMs(link.rttMs() + 1))));

    assertThat(skin().getLayerNodesReplaced() - replacedBefore).isZero();
    assertThat(skin().getRestyledOnRebuild() - restyledBefore).isEqualTo(1);
    // The same label node shows the new RTT, and keeps its overlay's badge and status.
    assertThat(linkLabel(edited)).isSameAs(label);
    assertThat(label.getText()).isEqualTo(
        TopologyGraphSkin.formatRtt(edited.rttMs() + 1) + " · lag");
    assertThat(label.getPseudoClassStates()).contains(Status.DEGRADED.pseudoClass());
  }

  @Test
  void anRttEditPlacesOnlyTheLabelsAndThemAsAFreshGraphDoes(FxRobot robot) {
    Topology topology = graph.getTopology();
    robot.interact(() -> graph.layout());
    List<Boolean> shownBefore = linkLabelsShown(graph);
    long placementsBefore = skin().getPlacements();
    long relabelsBefore = skin().getRelabels();
    // Long enough a label to change which neighbours fit: every edited link's label grows.
    Topology edited = topology;
    for (Link link : topology.links().subList(0, 40)) {
      edited = edited.mapLink(link.a(), link.b(), l -> l.withRttMs(l.rttMs() * 10 + 1234.5));
    }
    Topology shownTopology = edited;

    robot.interact(() -> {
      graph.setTopology(shownTopology);
      graph.layout();
    });

    assertThat(skin().getPlacements() - placementsBefore).isZero();
    assertThat(skin().getRelabels() - relabelsBefore).isEqualTo(1);
    TopologyGraph fresh = new TopologyGraph(shownTopology);
    fresh.setAnimated(false);
    fresh.getLinkOverlays().putAll(graph.getLinkOverlays());
    robot.interact(() -> {
      Stage stage = new Stage();
      stage.setScene(new Scene(new StackPane(fresh), 1000, 600));
      stage.show();
      fresh.layout();
    });
    try {
      assertThat(labelPlaces(graph)).isEqualTo(labelPlaces(fresh));
      // The longer labels changed which labels fit, so the decluttering was really redone.
      assertThat(linkLabelsShown(graph)).isNotEqualTo(shownBefore);
    } finally {
      robot.interact(() -> fresh.getScene().getWindow().hide());
    }
  }

  private static List<Boolean> linkLabelsShown(TopologyGraph graph) {
    return graph.lookupAll(".link-label").stream().map(Node::isVisible).toList();
  }

  /** Every link and region label: its text, whether it is shown, and where. */
  private static List<String> labelPlaces(TopologyGraph graph) {
    List<String> places = new java.util.ArrayList<>();
    for (Node node : graph.lookupAll(".link-label")) {
      Label label = (Label) node;
      places.add(label.getText() + (label.isVisible() ? String.format(java.util.Locale.ROOT,
          " at %.1f,%.1f", label.getLayoutX(), label.getLayoutY()) : " hidden"));
    }
    for (Node node : graph.lookupAll(".region-node")) {
      places.add(node.getAccessibleText() + String.format(java.util.Locale.ROOT,
          " at %.1f,%.1f", node.getLayoutX(), node.getLayoutY()));
    }
    for (Node node : graph.lookupAll(".region-node .label")) {
      places.add(((Label) node).getText() + " " + node.isVisible());
    }
    return places;
  }

  @Test
  void aNewLinkAddsOnlyItsOwnNodes(FxRobot robot) {
    long replacedBefore = skin().getLayerNodesReplaced();
    long restyledBefore = skin().getRestyledOnRebuild();
    Topology topology = graph.getTopology();
    Link added = Link.of(topology.regions().get(3).id().value(),
        topology.regions().get(90).id().value(), 400);
    assertThat(topology.link(added.a(), added.b())).isEmpty();

    robot.interact(() -> graph.setTopology(topology.plusLink(added)));

    // Its arc, its click twin and its label (and a second arc and twin if it crosses the
    // antimeridian; no particle arc until it carries a flow); nothing removed.
    assertThat(skin().getLayerNodesReplaced() - replacedBefore).isBetween(3L, 5L);
    assertThat(skin().getRestyledOnRebuild() - restyledBefore).isEqualTo(1);
    assertThat(linkLabel(added).getText()).isEqualTo("400 ms");
  }

  @Test
  void removingARegionRemovesOnlyItsMarkerAndItsLinks(FxRobot robot) {
    Topology topology = graph.getTopology();
    RegionId removed = topology.regions().get(10).id();
    long linksOfIt = topology.links().stream().filter(l -> l.touches(removed)).count();
    long replacedBefore = skin().getLayerNodesReplaced();
    long restyledBefore = skin().getRestyledOnRebuild();

    robot.interact(() -> graph.setTopology(topology.minusRegion(removed)));

    // Per link at least its arc, twin and label; one marker and one leader.
    assertThat(skin().getLayerNodesReplaced() - replacedBefore)
        .isBetween(3 * linksOfIt + 2, 5 * linksOfIt + 2);
    assertThat(skin().getRestyledOnRebuild() - restyledBefore).isZero();
    assertThat(graph.lookupAll(".region-node")).hasSize(REGIONS - 1);
  }

  @Test
  void afterARunOfEditsTheGraphShowsWhatAFreshGraphShows(FxRobot robot) {
    Topology topology = graph.getTopology();
    Link first = topology.links().get(0);
    Link fifth = topology.links().get(5);
    Topology edited = topology
        .mapLink(first.a(), first.b(), link -> link.withRttMs(link.rttMs() + 3))
        .minusLink(fifth.a(), fifth.b())
        .plusRegion(Region.of("new-sydney", -33.9, 151.2, "AU"))
        .plusLink(Link.of("new-sydney", "r1", 290))
        .minusRegion(topology.regions().get(20).id())
        .mapRegion(topology.regions().get(30).id(), region -> region.withDisplayName("Renamed"));
    // The same edits one at a time, as a user makes them.
    robot.interact(() -> {
      graph.setTopology(topology.mapLink(first.a(), first.b(),
          link -> link.withRttMs(link.rttMs() + 3)));
      graph.setTopology(graph.getTopology().minusLink(fifth.a(), fifth.b()));
      graph.setTopology(graph.getTopology().plusRegion(Region.of("new-sydney", -33.9, 151.2,
          "AU")));
      graph.setTopology(graph.getTopology().plusLink(Link.of("new-sydney", "r1", 290)));
      graph.setTopology(graph.getTopology().minusRegion(topology.regions().get(20).id()));
      graph.setTopology(graph.getTopology().mapRegion(topology.regions().get(30).id(),
          region -> region.withDisplayName("Renamed")));
      graph.layout();
    });
    assertThat(graph.getTopology()).isEqualTo(edited);

    TopologyGraph fresh = new TopologyGraph(edited);
    fresh.getLinkOverlays().putAll(graph.getLinkOverlays());
    robot.interact(() -> {
      Stage stage = new Stage();
      stage.setScene(new Scene(new StackPane(fresh), 1000, 600));
      stage.show();
      fresh.layout();
    });
    try {
      assertThat(shown(graph)).isEqualTo(shown(fresh));
      assertThat(graph.lookupAll(".region-node")).hasSameSizeAs(fresh.lookupAll(".region-node"));
    } finally {
      robot.interact(() -> fresh.getScene().getWindow().hide());
    }
  }

  /** What a user can read off a graph: every region's text and every arc's text and style. */
  private static Map<String, String> shown(TopologyGraph graph) {
    Map<String, String> shown = new TreeMap<>();
    for (Node node : graph.lookupAll(".region-node")) {
      shown.put("region " + node.getAccessibleText(), node.getPseudoClassStates().toString());
    }
    for (Node node : graph.lookupAll(".link-hit")) {
      QuadCurve twin = (QuadCurve) node;
      shown.merge("link " + twin.getAccessibleText(), "1", (a, b) -> a + "+" + b);
    }
    for (Node node : graph.lookupAll(".link")) {
      shown.merge("style " + node.getPseudoClassStates(), "1", (a, b) -> a + "+" + b);
    }
    return shown;
  }

  private TopologyGraphSkin skin() {
    return (TopologyGraphSkin) graph.getSkin();
  }

  private Label linkLabel(Link link) {
    String text = "Link " + LinkKey.of(link) + ",";
    List<Node> hits = graph.lookupAll(".link-hit").stream()
        .filter(node -> ((QuadCurve) node).getAccessibleText().startsWith(text)).toList();
    assertThat(hits).isNotEmpty();
    int index = graph.getProjectedTopology().indexOf(LinkKey.of(link)).orElseThrow();
    // The labels' layer holds one label per link in topology order.
    return (Label) graph.lookupAll(".link-label").stream().toList().get(index);
  }
}

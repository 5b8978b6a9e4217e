package io.meridian.app.studio;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.app.check.DesignCheck;
import io.meridian.app.check.Validation;
import io.meridian.app.files.RecentFiles;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import io.meridian.visualization.graph.GraphElement;
import io.meridian.visualization.graph.LinkKey;
import io.meridian.visualization.graph.TopologyGraph;
import io.meridian.visualization.map.GeoPosition;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javafx.embed.swing.SwingFXUtils;
import javax.imageio.ImageIO;
import javafx.application.Platform;
import javafx.css.PseudoClass;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

// Proves, headless and with the mouse and keyboard as a user would, that the designer adds two
// catalogue regions and links them, sets a policy, shows a validation problem appear and
// disappear as the policy is broken and fixed, undoes and redoes with the shortcuts, saves the
// YAML the expected file holds, and that the what-if on the three-region quorum sample shows
// which regions can still write, and that the context menus of a region and a link delete
// and fail them.
@ExtendWith(ApplicationExtension.class)
class DesignerUiTest {
  private static final long WAIT_SECONDS = 30;
  private final ExecutorService background = Executors.newSingleThreadExecutor();
  private StudioViewModel model;
  private StudioView view;
  private Path folder;

  @Start
  void start(Stage stage) throws IOException {
    folder = Files.createTempDirectory("meridian-designer-test");
    model = new StudioViewModel(new DesignCheck()::check, Validation.standard(),
        new RecentFiles(folder.resolve("recent.txt")), background, Platform::runLater);
    Theme.apply(false);
    view = new StudioView(model, stage::close);
    // Fit all (the button, and the studio's own fit when the first region arrives) otherwise moves
    // the map for 350 ms: a click aimed at a region's marker while it moves can land beside it.
    view.graph().setAnimated(false);
    stage.setScene(new Scene(view.root(), 1280, 800));
    stage.show();
  }

  @AfterEach
  void stopWorkerAndCleanUp() throws IOException {
    background.shutdownNow();
    try (var paths = Files.walk(folder)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  @Test
  void drawsADesignWithTheMouseChecksItUndoesAndSaves(FxRobot robot) throws Exception {
    robot.interact(model::newDesign);
    waitUntil(() -> view.graph().isMapLoaded());

    addFromCatalogue(robot, "aws:eu-central-1");
    addFromCatalogue(robot, "aws:eu-west-1");
    waitUntil(() -> model.topologyProperty().get().regions().size() == 2);

    robot.clickOn("#fit-all");
    robot.clickOn("#tool-link");
    clickRegion(robot, "Frankfurt");
    clickRegion(robot, "Dublin");
    waitUntil(() -> model.topologyProperty().get().links().size() == 1);

    robot.clickOn("#tool-select");
    robot.clickOn("#new-dataset");
    waitUntil(() -> model.topologyProperty().get().datasets().size() == 1);
    waitUntil(() -> !model.checkingProperty().get());
    assertThat(codes()).doesNotContain("missing-quorum");

    robot.clickOn("#property-mode");
    robot.clickOn(cellOfPopup(robot, "quorum"));
    waitUntil(() -> codes().contains("missing-quorum"));
    assertThat(tableCodes(robot)).contains("missing-quorum");

    robot.clickOn("#property-quorum-n-w-r").write("2/2/1").type(KeyCode.ENTER);
    waitUntil(() -> !codes().contains("missing-quorum") && !model.checkingProperty().get());
    assertThat(tableCodes(robot)).doesNotContain("missing-quorum");

    robot.clickOn("#outline");
    robot.press(KeyCode.CONTROL, KeyCode.Z).release(KeyCode.Z, KeyCode.CONTROL);
    waitUntil(() -> codes().contains("missing-quorum"));
    robot.press(KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.Z)
        .release(KeyCode.Z, KeyCode.SHIFT, KeyCode.CONTROL);
    waitUntil(() -> !codes().contains("missing-quorum") && !model.checkingProperty().get());
    robot.press(KeyCode.CONTROL, KeyCode.Z).release(KeyCode.Z, KeyCode.CONTROL);
    waitUntil(() -> codes().contains("missing-quorum"));
    robot.press(KeyCode.CONTROL, KeyCode.Y).release(KeyCode.Y, KeyCode.CONTROL);
    waitUntil(() -> !codes().contains("missing-quorum") && !model.checkingProperty().get());

    Path saved = folder.resolve("drawn.yaml");
    robot.interact(() -> model.saveAs(saved, () -> { }));
    waitUntil(() -> !model.dirtyProperty().get());
    assertThat(Files.readString(saved, StandardCharsets.UTF_8)).isEqualTo(Files.readString(
        Path.of("src/test/resources/io/meridian/app/studio/drawn-with-the-mouse.yaml"),
        StandardCharsets.UTF_8));
    assertThat(robot.lookup("#status").queryLabeled().getText()).startsWith("Saved ");
  }

  @Test
  void whatIfOnTheQuorumSampleShowsWhoCanStillWrite(FxRobot robot) throws Exception {
    Path sample = Path.of("../samples/quorum-3.yaml");
    robot.interact(() -> model.open(sample));
    waitUntil(() -> sample.equals(model.fileProperty().get()) && view.graph().isMapLoaded()
        && !model.checkingProperty().get());
    robot.clickOn("#fit-all");

    robot.clickOn("#tool-what-if");
    clickRegion(robot, "Oregon");
    waitUntil(() -> model.failedRegions().equals(List.of(RegionId.of("oregon")))
        && !model.checkingProperty().get());
    assertThat(model.analysis().canDo(RegionId.of("virginia"), "write")).contains(true);
    assertThat(regionNode(robot, "N. Virginia").getPseudoClassStates())
        .contains(PseudoClass.getPseudoClass("ok"));

    clickRegion(robot, "Ohio");
    waitUntil(() -> model.failedRegions().size() == 2 && !model.checkingProperty().get());
    WaitForAsyncUtils.waitForFxEvents();

    robot.clickOn("Analysis");
    robot.clickOn("Who can write and read");
    ListView<String> verdicts = robot.lookup("#verdicts").queryListView();
    assertThat(verdicts.getItems()).anySatisfy(line ->
        assertThat(line).startsWith("virginia: cannot write — "));
    assertThat(verdicts.getItems()).contains("oregon: failed in this what-if",
        "ohio: failed in this what-if");
    assertThat(regionNode(robot, "Oregon").getPseudoClassStates())
        .contains(PseudoClass.getPseudoClass("failing"));
    assertThat(regionNode(robot, "N. Virginia").getPseudoClassStates())
        .contains(PseudoClass.getPseudoClass("degraded"));
    assertThat(robot.lookup("#status").queryLabeled().getText())
        .isEqualTo("What-if: oregon down, ohio down");
    snapshot(robot, "what-if-quorum-3.png");
  }

  /** Saves what the window shows to target/snapshots, for looking at after a run. */
  private void snapshot(FxRobot robot, String name) throws IOException {
    AtomicReference<BufferedImage> image = new AtomicReference<>();
    robot.interact(() -> image.set(SwingFXUtils.fromFXImage(
        view.root().getScene().snapshot(null), null)));
    Path folder = Files.createDirectories(Path.of("target/snapshots"));
    ImageIO.write(image.get(), "png", folder.resolve(name).toFile());
  }

  @Test
  void theContextMenuOfARegionDeletesItAndUndoBringsItBack(FxRobot robot) throws Exception {
    Path sample = Path.of("../samples/global-async.yaml");
    robot.interact(() -> model.open(sample));
    waitUntil(() -> sample.equals(model.fileProperty().get()) && view.graph().isMapLoaded());
    robot.clickOn("#fit-all");

    robot.rightClickOn(regionNode(robot, "Singapore").localToScreen(0, 0));
    clickMenuItem(robot, "Delete");
    waitUntil(() -> model.topologyProperty().get().regions().size() == 2);
    assertThat(model.topologyProperty().get().links()).hasSize(1);
    assertThat(model.titleProperty().get()).isEqualTo("• global-async.yaml — Meridian");

    robot.clickOn("#outline");
    robot.press(KeyCode.CONTROL, KeyCode.Z).release(KeyCode.Z, KeyCode.CONTROL);
    waitUntil(() -> model.topologyProperty().get().regions().size() == 3);
    assertThat(model.dirtyProperty().get()).isFalse();
  }

  @Test
  void theContextMenuOfALinkCutsItInTheWhatIf(FxRobot robot) throws Exception {
    Path sample = Path.of("../samples/quorum-3.yaml");
    robot.interact(() -> model.open(sample));
    waitUntil(() -> sample.equals(model.fileProperty().get()) && view.graph().isMapLoaded());
    robot.clickOn("#fit-all");
    GraphElement link = GraphElement.link(
        LinkKey.between(RegionId.of("ohio"), RegionId.of("oregon")));
    laidOut(robot);
    Point2D onLink = pointOn(link, RegionId.of("ohio"), RegionId.of("oregon"));
    robot.rightClickOn(view.graph().localToScreen(onLink));
    clickMenuItem(robot, "Fail in what-if");

    waitUntil(() -> model.cutLinks().size() == 1 && !model.checkingProperty().get());
    assertThat(model.cutLinks().get(0).toString()).contains("ohio").contains("oregon");
    assertThat(model.toolProperty().get()).isEqualTo(Tool.WHAT_IF);
  }

  /**
   * A point of the graph on a link's arc: the arc bows north of the chord between its ends, so
   * walk up from the chord's middle until the graph's hit test names the link.
   */
  private Point2D pointOn(GraphElement link, RegionId a, RegionId b) {
    TopologyGraph graph = view.graph();
    Topology design = model.topologyProperty().get();
    Point2D from = graph.toLocal(geo(design, a)).orElseThrow();
    Point2D to = graph.toLocal(geo(design, b)).orElseThrow();
    Point2D middle = from.midpoint(to);
    for (int up = 0; up < 200; up++) {
      if (graph.elementAt(middle.getX(), middle.getY() - up).equals(Optional.of(link))) {
        return new Point2D(middle.getX(), middle.getY() - up);
      }
    }
    throw new AssertionError("no point of " + link + " above the middle of its chord");
  }

  private static GeoPosition geo(Topology design, RegionId id) {
    Region region = design.region(id).orElseThrow();
    return new GeoPosition(region.longitude(), region.latitude());
  }

  private void addFromCatalogue(FxRobot robot, String code) throws TimeoutException {
    robot.clickOn("#catalogue-search");
    robot.press(KeyCode.CONTROL, KeyCode.A).release(KeyCode.A, KeyCode.CONTROL);
    robot.write(code);
    WaitForAsyncUtils.waitForFxEvents();
    // The list filters as the text changes; its cells show the rows from the next layout.
    laidOut(robot);
    Node cell = robot.lookup("#catalogue-results .list-cell").queryAll().stream()
        .filter(n -> n instanceof ListCell<?> c && c.getText() != null
            && c.getText().startsWith(code + " "))
        .findFirst().orElseThrow(() -> new AssertionError("no catalogue row for " + code));
    int before = model.topologyProperty().get().regions().size();
    robot.doubleClickOn(cell);
    waitUntil(() -> model.topologyProperty().get().regions().size() == before + 1);
  }

  /** Clicks an item of the context menu just opened, once its window has laid the items out. */
  private static void clickMenuItem(FxRobot robot, String text) throws TimeoutException {
    waitUntil(() -> robot.lookup(".context-menu .label").queryAll().stream()
        .anyMatch(n -> n instanceof Label label && text.equals(label.getText())));
    robot.clickOn(text);
  }

  private static Node cellOfPopup(FxRobot robot, String text) throws TimeoutException {
    // The popup's list fills its cells when it is first laid out, on a pulse after it shows.
    waitUntil(() -> robot.lookup(".combo-box-popup .list-cell").queryAll().stream()
        .anyMatch(n -> n instanceof ListCell<?> c && text.equals(c.getText())));
    return robot.lookup(".combo-box-popup .list-cell").queryAll().stream()
        .filter(n -> n instanceof ListCell<?> c && text.equals(c.getText()))
        .findFirst().orElseThrow(() -> new AssertionError("no choice " + text));
  }

  /**
   * Lays the window out now. The graph places its markers, and lists fill their cells, when laid
   * out, which is on the next pulse after a change (a fit, an edit, typed text): a position or
   * a cell read before that pulse would be the old one.
   */
  private void laidOut(FxRobot robot) {
    robot.interact(() -> {
      view.root().applyCss();
      view.root().layout();
    });
  }

  private Node regionNode(FxRobot robot, String name) {
    laidOut(robot);
    return robot.lookup(".region-node").queryAll().stream()
        .filter(n -> n.lookup(".region-label") instanceof Label label
            && name.equals(label.getText()))
        .findFirst().orElseThrow(() -> new AssertionError("no region " + name + " on the map"));
  }

  private void clickRegion(FxRobot robot, String name) {
    robot.clickOn(regionNode(robot, name).localToScreen(0, 0));
    WaitForAsyncUtils.waitForFxEvents();
  }

  private List<String> codes() {
    return model.problemList().stream().map(ProblemRow::code).toList();
  }

  private static List<String> tableCodes(FxRobot robot) {
    WaitForAsyncUtils.waitForFxEvents();
    TableView<ProblemRow> table = robot.lookup("#problems").queryTableView();
    return table.getItems().stream().map(ProblemRow::code).toList();
  }

  private static void waitUntil(Callable<Boolean> condition) throws TimeoutException {
    WaitForAsyncUtils.waitForFxEvents();
    WaitForAsyncUtils.waitFor(WAIT_SECONDS, TimeUnit.SECONDS, condition);
    WaitForAsyncUtils.waitForFxEvents();
  }
}

package io.meridian.app.studio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.app.check.DesignCheck;
import io.meridian.app.check.TestRules;
import io.meridian.model.Link;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Labeled;
import javafx.scene.control.TableView;
import javafx.scene.control.TreeCell;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

// Proves, headless, that the studio window opens a sample off the JavaFX thread and lists its
// regions in the outline, that a broken file shows its problem in the problems panel, and that
// selecting a problem selects what it concerns, and the File and View menus act on the
// view-model.
@ExtendWith(ApplicationExtension.class)
class StudioViewTest {
  private final ExecutorService background = Executors.newSingleThreadExecutor();
  private StudioViewModel model;

  @Start
  void start(Stage stage) {
    model = new StudioViewModel(new DesignCheck(TestRules.DANGLING_REPLICAS)::check, background,
        Platform::runLater);
    Theme.apply(false);
    stage.setScene(new Scene(new StudioView(model, stage::close).root(), 1024, 700));
    stage.show();
  }

  @AfterEach
  void stopLoader() {
    background.shutdownNow();
  }

  @Test
  void opensASampleAndListsItsRegions(FxRobot robot) throws TimeoutException {
    openAndWait(Path.of("../samples/global-async.yaml"));

    TreeView<OutlineLine> outline = robot.lookup("#outline").queryAs(TreeView.class);
    TreeItem<OutlineLine> regions = outline.getRoot().getChildren().get(0);
    assertThat(regions.getValue().text()).isEqualTo("Regions (3)");
    assertThat(regions.getChildren().stream().map(item -> item.getValue().text()).toList())
        .containsExactly("us-east — N. Virginia (US)", "eu-central — Frankfurt (EU)",
            "ap-southeast — Singapore (SG)");
    assertThat(robot.lookup("#status").queryLabeled().getText())
        .isEqualTo("global-async · 3 regions, 3 links, 1 dataset · no problems");
    assertThat(robot.lookup("#problems").queryTableView().getItems()).isEmpty();
  }

  @Test
  void anEditChangesItsOutlineLineInPlaceAndKeepsTheCells(FxRobot robot) throws Exception {
    openAndWait(Path.of("../samples/global-async.yaml"));
    List<TreeCell<?>> before = outlineCells(robot);
    Link first = model.topologyProperty().get().links().get(0);
    String oldLine = StudioViewModel.describe(first);

    WaitForAsyncUtils.asyncFx(() -> model.edit("change an RTT", design -> design.mapLink(
        first.a(), first.b(), link -> new Link(link.a(), link.b(), link.rttMs() + 7,
            link.jitterMs(), link.bandwidthMbps(), link.lossPercent(), link.encrypted()))))
        .get(10, TimeUnit.SECONDS);
    WaitForAsyncUtils.waitForFxEvents();

    Link edited = model.topologyProperty().get().links().get(0);
    List<TreeCell<?>> after = outlineCells(robot);
    // The same cell objects: JavaFX rebuilds every visible cell when an item's value is replaced.
    assertThat(after).containsExactlyInAnyOrderElementsOf(before);
    assertThat(after).extracting(TreeCell::getText)
        .contains(StudioViewModel.describe(edited)).doesNotContain(oldLine);
  }

  private static List<TreeCell<?>> outlineCells(FxRobot robot) throws Exception {
    return WaitForAsyncUtils.asyncFx(() -> robot.lookup("#outline").lookup(".tree-cell")
        .queryAllAs(TreeCell.class).stream()
        .filter(cell -> !cell.isEmpty() && cell.isVisible())
        .<TreeCell<?>>map(cell -> cell).toList()).get(10, TimeUnit.SECONDS);
  }

  @Test
  void showsTheProblemOfABrokenFile(FxRobot robot) throws TimeoutException {
    Path broken = Path.of("src/test/resources/io/meridian/app/cli/unknown-field.yaml");

    openAndWait(broken);

    TableView<ProblemRow> problems = robot.lookup("#problems").queryTableView();
    List<ProblemRow> rows = List.copyOf(problems.getItems());
    assertThat(rows).singleElement().satisfies(row -> {
      assertThat(row.code()).isEqualTo("unknown-field");
      assertThat(row.location()).isEqualTo("unknown-field.yaml:16:5");
    });
    assertThat(robot.lookup("#problems-heading").queryLabeled().getText())
        .isEqualTo("Problems (1)");
    assertThat(robot.lookup("#problems").lookup(".label").queryAllAs(Labeled.class))
        .extracting(Labeled::getText).contains("error");
  }

  @Test
  void selectingAProblemSelectsTheElementItConcerns(FxRobot robot) throws TimeoutException {
    openAndWait(Path.of("src/test/resources/io/meridian/app/cli/dangling-replica.yaml"));

    robot.clickOn("dangling-reference");
    WaitForAsyncUtils.waitForFxEvents();

    TreeView<OutlineLine> outline = robot.lookup("#outline").queryAs(TreeView.class);
    assertThat(outline.getSelectionModel().getSelectedItem().getValue().text())
        .isEqualTo("orders · async-orders · 3 replicas");
  }

  @Test
  void viewMenuTogglesTheDarkTheme(FxRobot robot) {
    assertThat(model.darkThemeProperty().get()).isFalse();

    robot.clickOn("View").clickOn("Dark theme");
    WaitForAsyncUtils.waitForFxEvents();

    assertThat(model.darkThemeProperty().get()).isTrue();
  }

  @Test
  void fileMenuStartsAnEmptyDesign(FxRobot robot) throws TimeoutException {
    openAndWait(Path.of("../samples/global-async.yaml"));

    robot.clickOn("File").clickOn("New empty design");
    WaitForAsyncUtils.waitForFxEvents();

    TreeView<OutlineLine> outline = robot.lookup("#outline").queryAs(TreeView.class);
    assertThat(outline.getRoot().getChildren().get(0).getValue().text()).isEqualTo("Regions (0)");
    // The menu shows "Empty design" at once; this line comes with the check of the empty design,
    // which runs on the background thread (behind the sample's own check, perhaps).
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(WaitForAsyncUtils.asyncFx(() -> robot.lookup("#status").queryLabeled().getText())
            .get(10, TimeUnit.SECONDS))
            .isEqualTo("untitled · 0 regions, 0 links, 0 datasets · no problems"));
  }

  private void openAndWait(Path file) throws TimeoutException {
    WaitForAsyncUtils.asyncFx(() -> model.open(file));
    WaitForAsyncUtils.waitForFxEvents();
    WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS,
        () -> !model.loadingProperty().get() && file.equals(model.fileProperty().get()));
    WaitForAsyncUtils.waitForFxEvents();
  }
}

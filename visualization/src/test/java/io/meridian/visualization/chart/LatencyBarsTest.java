package io.meridian.visualization.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.meridian.visualization.graph.Status;
import io.meridian.visualization.testing.Snapshots;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * Proves, headless, that latency bars share one scale, show each figure beside its floor, mark
 * unavailable and failing rows, and build only the rows that fit the view of a long table while
 * every row can still be scrolled to, in the same columns.
 */
@ExtendWith(ApplicationExtension.class)
class LatencyBarsTest {

  private LatencyBars bars;

  @Start
  void start(Stage stage) {
    bars = new LatencyBars();
    bars.setTitle("Write latency, quorum");
    bars.getBars().setAll(
        LatencyBar.of("Frankfurt", 50, 12),
        new LatencyBar("Virginia", 100, 41, Status.DEGRADED, "waits for EU"),
        new LatencyBar("Tokyo", Double.NaN, 88, Status.FAILING, "cut off"));
    stage.setScene(new Scene(new StackPane(bars), 560, 140));
    stage.show();
  }

  @Test
  void barsShareOneScaleSetByTheLargestFigure(FxRobot robot) {
    List<LatencyBarsSkin.Bar> shown = robot.lookup(".bar-track")
        .queryAllAs(LatencyBarsSkin.Bar.class).stream().toList();
    assertThat(shown).hasSize(3);
    assertThat(shown.get(0).valueFraction()).isCloseTo(0.5, within(1e-9));
    assertThat(shown.get(1).valueFraction()).isCloseTo(1, within(1e-9));
    assertThat(shown.get(0).valuePart().getWidth() * 2)
        .isCloseTo(shown.get(1).valuePart().getWidth(), within(1.0));
    Snapshots.write(robot, bars, "latency-bars");
  }

  @Test
  void figuresShowTheFloorAndTheNote(FxRobot robot) {
    assertThat(robot.lookup(".latency-figure").queryAllAs(Label.class))
        .extracting(Label::getText)
        .containsExactly("50 ms (floor 12 ms)", "100 ms (floor 41 ms) · waits for EU",
            "unavailable · cut off");
  }

  @Test
  void unavailableAndFailingRowsCarryTheirPseudoClasses(FxRobot robot) {
    Node tokyo = robot.lookup(".latency-figure").nth(2).query();
    assertThat(tokyo.getPseudoClassStates()).contains(Status.FAILING.pseudoClass())
        .anyMatch(state -> state.getPseudoClassName().equals("unavailable"));
  }

  @Test
  void replacingTheRowsRedrawsTheTable(FxRobot robot) {
    robot.interact(() -> bars.getBars().setAll(LatencyBar.of("Sydney", 3.25, 1)));
    assertThat(robot.lookup(".latency-figure").queryAllAs(Label.class))
        .extracting(Label::getText).containsExactly("3.3 ms (floor 1.0 ms)");
  }

  @Test
  void newFiguresUpdateTheRowsAlreadyShownAndClearOldStatuses(FxRobot robot) {
    List<Label> before = robot.lookup(".latency-figure").queryAllAs(Label.class).stream()
        .toList();
    robot.interact(() -> bars.getBars().setAll(
        LatencyBar.of("Frankfurt", 200, 12),
        LatencyBar.of("Virginia", 100, 41),
        LatencyBar.of("Tokyo", 50, 88)));

    List<Label> after = robot.lookup(".latency-figure").queryAllAs(Label.class).stream()
        .toList();
    assertThat(after).containsExactlyElementsOf(before);
    assertThat(after).extracting(Label::getText).containsExactly("200 ms (floor 12 ms)",
        "100 ms (floor 41 ms)", "50 ms (floor 88 ms)");
    assertThat(after.get(2).getPseudoClassStates()).doesNotContain(Status.FAILING.pseudoClass())
        .noneMatch(state -> state.getPseudoClassName().equals("unavailable"));
    List<LatencyBarsSkin.Bar> shown = robot.lookup(".bar-track")
        .queryAllAs(LatencyBarsSkin.Bar.class).stream().toList();
    assertThat(shown.get(0).valueFraction()).isCloseTo(1, within(1e-9));
    assertThat(shown.get(2).valueFraction()).isCloseTo(0.25, within(1e-9));
    assertThat(shown.get(0).valuePart().getWidth())
        .isCloseTo(shown.get(2).valuePart().getWidth() * 4, within(1.0));
  }

  @Test
  void aLongTableBuildsOnlyTheRowsThatFitAndScrollsToEveryRow(FxRobot robot) {
    List<LatencyBar> rows = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      rows.add(LatencyBar.of("region-" + i + (i == 137 ? "-with-a-much-longer-name" : ""),
          10 + i, 5));
    }
    // Laid out at once rather than at the next pulse, so the assertions see the rows shown.
    robot.interact(() -> {
      bars.getBars().setAll(rows);
      bars.applyCss();
      bars.layout();
    });

    LatencyBarsSkin skin = (LatencyBarsSkin) bars.getSkin();
    // 140 px tall: the heading and about six rows, not 200 rows of nodes.
    assertThat(skin.createdRowCount()).isBetween(1, 20);
    assertThat(visibleFigures(robot)).hasSizeLessThan(20)
        .first().extracting(Label::getText).isEqualTo("10 ms (floor 5.0 ms)");

    javafx.scene.control.ListView<?> list = robot.lookup(".latency-list")
        .queryAs(javafx.scene.control.ListView.class);
    robot.interact(() -> {
      list.scrollTo(199);
      bars.layout();
    });
    assertThat(visibleFigures(robot)).extracting(Label::getText)
        .contains("209 ms (floor 5.0 ms)");
    robot.interact(() -> {
      list.scrollTo(137);
      bars.layout();
    });
    // The label column is as wide as the longest label anywhere in the table, so the longest
    // one is shown whole and every bar starts at the same place.
    Label longest = robot.lookup(".latency-label").queryAllAs(Label.class).stream()
        .filter(label -> label.getText() != null && label.getText().endsWith("longer-name"))
        .filter(Node::isVisible).findFirst().orElseThrow();
    assertThat(longest.getWidth()).isGreaterThanOrEqualTo(longest.prefWidth(-1));
    assertThat(robot.lookup(".bar-track").queryAllAs(LatencyBarsSkin.Bar.class).stream()
        .filter(bar -> bar.getParent().getParent() != null && bar.getParent().getParent()
            .isVisible())
        .map(bar -> bar.getBoundsInParent().getMinX()).distinct().toList()).hasSize(1);
    assertThat(skin.createdRowCount()).isBetween(1, 30);
  }

  private static List<Label> visibleFigures(FxRobot robot) {
    // Cells the list keeps aside for reuse are hidden; a shown row's cell is visible.
    return robot.lookup(".latency-figure").queryAllAs(Label.class).stream()
        .filter(label -> label.getParent() != null && label.getParent().getParent() != null
            && label.getParent().getParent().isVisible()
            && label.getScene() != null && label.getText() != null)
        .sorted(java.util.Comparator.comparingDouble(
            label -> label.localToScene(0, 0).getY()))
        .toList();
  }

  @Test
  void negativeLatencyIsRefused() {
    assertThatThrownBy(() -> LatencyBar.of("x", -1, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x'");
  }
}

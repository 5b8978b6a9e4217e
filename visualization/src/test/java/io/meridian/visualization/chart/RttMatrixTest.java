package io.meridian.visualization.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.Topology;
import io.meridian.visualization.testing.Snapshots;
import java.util.List;
import java.util.stream.Collectors;
import javafx.scene.Scene;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** Proves, headless, that the RTT matrix shows a row per region, columns grouped by jurisdiction, and sorts rows by a column's RTT. */
@ExtendWith(ApplicationExtension.class)
class RttMatrixTest {

  private RttMatrix matrix;

  @Start
  void start(Stage stage) {
    matrix = new RttMatrix();
    matrix.setTopology(Topology.empty("matrix")
        .plusRegion(Region.of("us-east", 38.9, -77.5, "US"))
        .plusRegion(Region.of("eu-west", 53.3, -6.3, "EU"))
        .plusRegion(Region.of("eu-central", 50.1, 8.7, "EU"))
        .plusRegion(Region.of("ap-tokyo", 35.7, 139.7, "JP"))
        .plusLink(Link.of("us-east", "eu-west", 70))
        .plusLink(Link.of("us-east", "eu-central", 88))
        .plusLink(Link.of("eu-west", "eu-central", 25))
        .plusLink(Link.of("eu-central", "ap-tokyo", 230))
        .plusLink(Link.of("us-east", "ap-tokyo", 150)));
    stage.setScene(new Scene(new StackPane(matrix), 700, 260));
    stage.show();
  }

  @Test
  void showsARowPerRegionAndColumnsGroupedByJurisdiction(FxRobot robot) {
    TableView<Integer> table = table(robot);
    assertThat(table.getItems()).hasSize(4);
    assertThat(table.getColumns()).extracting(TableColumn::getText)
        .containsExactly("Region", "EU", "JP", "US");
    assertThat(table.getColumns().get(1).getColumns()).extracting(TableColumn::getText)
        .containsExactly("eu-central", "eu-west");
    Snapshots.write(robot, matrix, "rtt-matrix");
  }

  @Test
  void sortingByARegionsColumnPutsItsNearestRegionsFirst(FxRobot robot) {
    TableView<Integer> table = table(robot);
    @SuppressWarnings("unchecked")
    TableColumn<Integer, ?> tokyo = (TableColumn<Integer, ?>) table.getColumns().get(2)
        .getColumns().get(0);
    robot.interact(() -> {
      table.getSortOrder().setAll(List.of(tokyo));
      table.sort();
    });
    List<String> order = table.getItems().stream()
        .map(row -> matrix.getModel().regions().get(row).id().value())
        .collect(Collectors.toList());
    // Tokyo itself (0), us-east (150 direct), eu-west (~220 routed through us-east, faster
    // than through eu-central at 255), then eu-central (230 direct).
    assertThat(order).containsExactly("ap-tokyo", "us-east", "eu-west", "eu-central");
  }

  @Test
  void hoveringACellExplainsItsPairInATooltip(FxRobot robot) {
    javafx.scene.control.TableCell<?, ?> routed = robot.lookup(".rtt-cell").queryAll().stream()
        .map(node -> (javafx.scene.control.TableCell<?, ?>) node)
        .filter(cell -> cell.getText() != null && cell.getText().startsWith("~"))
        .findFirst().orElseThrow();
    // No tooltip is made for cells nobody pointed at: thousands of popups would stall the UI.
    assertThat(routed.getTooltip()).isNull();
    robot.moveTo(routed);
    assertThat(routed.getTooltip()).isNotNull();
    assertThat(routed.getTooltip().getText()).contains("through other regions");
  }

  @Test
  void changingAnRttKeepsTheColumnsAndShowsTheNewValue(FxRobot robot) {
    TableView<Integer> table = table(robot);
    TableColumn<Integer, ?> usEast = table.getColumns().get(3).getColumns().get(0);
    Topology before = matrix.getTopology();
    robot.interact(() -> matrix.setTopology(before.mapLink(
        before.links().get(0).a(), before.links().get(0).b(),
        link -> Link.of(link.a().value(), link.b().value(), 64))));
    assertThat(table.getColumns().get(3).getColumns().get(0)).isSameAs(usEast);
    int euWest = matrix.getModel().indexOf(io.meridian.model.RegionId.of("eu-west"))
        .orElseThrow();
    assertThat(usEast.getCellData(euWest)).isEqualTo(64.0);
    assertThat(robot.lookup(".rtt-cell").queryAll().stream()
        .map(node -> ((javafx.scene.control.TableCell<?, ?>) node).getText()))
        .contains("64").doesNotContain("70");
  }

  @Test
  void rttsShowWholeMillisecondsAndOneDecimalBelowTen() {
    assertThat(RttMatrixSkin.format(7.46)).isEqualTo("7.5");
    assertThat(RttMatrixSkin.format(0.04)).isEqualTo("0.0");
    assertThat(RttMatrixSkin.format(9.96)).isEqualTo("10.0");
    assertThat(RttMatrixSkin.format(84.5)).isEqualTo("85");
    assertThat(RttMatrixSkin.format(230)).isEqualTo("230");
  }

  @SuppressWarnings("unchecked")
  private TableView<Integer> table(FxRobot robot) {
    return (TableView<Integer>) robot.lookup(".rtt-table").query();
  }

  @Test
  void aMatrixComputedElsewhereIsShownAsHandedOver(FxRobot robot) {
    Topology two = Topology.empty("two")
        .plusRegion(Region.of("us-east", 38.9, -77.5, "US"))
        .plusRegion(Region.of("eu-west", 53.3, -6.3, "EU"))
        .plusLink(Link.of("us-east", "eu-west", 71));
    RttMatrixModel computed = RttMatrixModel.of(two);

    robot.interact(() -> matrix.show(two, computed));

    assertThat(matrix.getModel()).isSameAs(computed);
    assertThat(matrix.getTopology()).isSameAs(two);
    assertThat(table(robot).getItems()).hasSize(2);
  }
}

package io.meridian.app.studio;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.app.check.DesignCheck;
import io.meridian.model.RegionId;
import io.meridian.visualization.graph.GraphElement;
import io.meridian.visualization.graph.LinkKey;
import io.meridian.visualization.graph.Status;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

// Proves, without JavaFX, that the what-if on the three-region quorum sample (N=3, W=2, R=2)
// gives the verdicts the quorum arithmetic demands: one region down leaves the other two writing,
// two down leave the last one unable to write, and an isolated region cannot write while the
// connected pair can; the graph overlays and the panel's explanations agree.
class WhatIfTest {
  private static final Path QUORUM = Path.of("../samples/quorum-3.yaml");
  private static final RegionId VIRGINIA = RegionId.of("virginia");
  private static final RegionId OHIO = RegionId.of("ohio");
  private static final RegionId OREGON = RegionId.of("oregon");

  private final StudioViewModel model =
      new StudioViewModel(new DesignCheck()::check, Runnable::run, Runnable::run);

  @Test
  void oneRegionDownLeavesTheOtherTwoWriting() {
    model.open(QUORUM);
    model.toolProperty().set(Tool.WHAT_IF);

    model.graphClicked(GraphElement.region(OREGON));

    assertThat(model.analysis().canDo(VIRGINIA, "write")).contains(true);
    assertThat(model.analysis().canDo(OHIO, "write")).contains(true);
    assertThat(model.analysis().canDo(OREGON, "write")).contains(false);
    assertThat(model.overlaysProperty().get().regions().get(OREGON).status())
        .isEqualTo(Status.FAILING);
    assertThat(model.overlaysProperty().get().regions().get(VIRGINIA).status())
        .isEqualTo(Status.OK);
    assertThat(model.analysis().verdicts()).anySatisfy(line ->
        assertThat(line).startsWith("virginia: can write — "));
    assertThat(model.statusProperty().get()).isEqualTo("What-if: oregon down");
  }

  @Test
  void twoRegionsDownLeaveTheLastOneUnableToWrite() {
    model.open(QUORUM);
    model.toolProperty().set(Tool.WHAT_IF);

    model.graphClicked(GraphElement.region(OREGON));
    model.graphClicked(GraphElement.region(OHIO));

    assertThat(model.analysis().canDo(VIRGINIA, "write")).contains(false);
    assertThat(model.analysis().canDo(VIRGINIA, "eventual")).contains(true);
    assertThat(model.overlaysProperty().get().regions().get(VIRGINIA).status())
        .isEqualTo(Status.DEGRADED);
    assertThat(model.analysis().verdicts()).anySatisfy(line ->
        assertThat(line).startsWith("virginia: cannot write — "));
  }

  @Test
  void anIsolatedRegionCannotWriteButTheConnectedPairCan() {
    model.open(QUORUM);
    model.toolProperty().set(Tool.WHAT_IF);

    model.graphClicked(GraphElement.link(LinkKey.between(OREGON, VIRGINIA)));
    model.graphClicked(GraphElement.link(LinkKey.between(OREGON, OHIO)));

    assertThat(model.analysis().canDo(OREGON, "write")).contains(false);
    assertThat(model.analysis().canDo(VIRGINIA, "write")).contains(true);
    assertThat(model.analysis().canDo(OHIO, "write")).contains(true);
    assertThat(model.overlaysProperty().get().links()
        .get(LinkKey.between(OHIO, OREGON)).badge()).isEqualTo("cut");
  }

  @Test
  void clickingAFailedRegionAgainBringsItBackAndLeavingTheModeRestoresAll() {
    model.open(QUORUM);
    model.toolProperty().set(Tool.WHAT_IF);
    model.graphClicked(GraphElement.region(OREGON));
    model.graphClicked(GraphElement.region(OREGON));
    assertThat(model.failedRegions()).isEmpty();

    model.graphClicked(GraphElement.region(OHIO));
    model.toolProperty().set(Tool.SELECT);

    assertThat(model.failedRegions()).isEmpty();
    assertThat(model.analysis().canDo(OHIO, "write")).contains(true);
  }
}

package io.meridian.visualization.graph;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Proves that decluttering keeps labels in priority order, never shows two that overlap, and never covers an obstacle. */
class LabelDeclutterTest {

  private final LabelDeclutter declutter = new LabelDeclutter();

  @Test
  void separateLabelsAreAllShown() {
    double[] boxes = {0, 0, 10, 10, 20, 0, 10, 10, 0, 20, 10, 10};
    boolean[] accepted = new boolean[3];
    declutter.place(boxes, 3, 0, accepted);
    assertThat(accepted).containsExactly(true, true, true);
  }

  @Test
  void anOverlappingLabelOfLowerPriorityIsHidden() {
    double[] boxes = {0, 0, 50, 10, 40, 5, 50, 10, 100, 0, 10, 10};
    boolean[] accepted = new boolean[3];
    declutter.place(boxes, 3, 0, accepted);
    assertThat(accepted).containsExactly(true, false, true);
  }

  @Test
  void touchingEdgesDoNotCountAsOverlap() {
    double[] boxes = {0, 0, 10, 10, 10, 0, 10, 10};
    boolean[] accepted = new boolean[2];
    declutter.place(boxes, 2, 0, accepted);
    assertThat(accepted).containsExactly(true, true);
  }

  @Test
  void obstaclesAreKeptAndLabelsOnThemAreHidden() {
    // Two overlapping obstacles both stay; the label over the second one goes.
    double[] boxes = {0, 0, 10, 10, 5, 5, 10, 10, 12, 12, 30, 8};
    boolean[] accepted = new boolean[3];
    declutter.place(boxes, 3, 2, accepted);
    assertThat(accepted).containsExactly(true, true, false);
  }
}

package io.meridian.visualization.graph;

/**
 * Decides which labels to show so that no two shown labels overlap: boxes are taken in
 * priority order and a box is shown only if it overlaps none already shown. Obstacles
 * (region markers) come first and are always "shown", so labels never cover a marker.
 *
 * <p>Positions are screen pixels without the pan translation: panning moves every label by
 * the same amount and cannot change the answer, so this runs only when the scale or the
 * labels change, never per frame. The check is against every shown box; at 200 regions and
 * 1,000 links that is at most 1,400 × 1,400 / 2 comparisons of four numbers, about a
 * millisecond. Scratch arrays are kept and reused.
 */
final class LabelDeclutter {

  private int[] shown = new int[0];

  /**
   * @param boxes {@code left, top, width, height} per box, in priority order
   * @param count how many boxes
   * @param obstacleCount how many of the first boxes are obstacles, always kept
   * @param accepted receives whether each box is shown; at least {@code count} long
   */
  void place(double[] boxes, int count, int obstacleCount, boolean[] accepted) {
    if (shown.length < count) {
      shown = new int[count];
    }
    int shownCount = 0;
    for (int i = 0; i < count; i++) {
      double left = boxes[4 * i];
      double top = boxes[4 * i + 1];
      double right = left + boxes[4 * i + 2];
      double bottom = top + boxes[4 * i + 3];
      boolean free = true;
      if (i >= obstacleCount) {
        for (int s = 0; s < shownCount && free; s++) {
          int j = shown[s];
          double otherLeft = boxes[4 * j];
          double otherTop = boxes[4 * j + 1];
          free = right <= otherLeft || left >= otherLeft + boxes[4 * j + 2]
              || bottom <= otherTop || top >= otherTop + boxes[4 * j + 3];
        }
      }
      accepted[i] = free;
      if (free) {
        shown[shownCount++] = i;
      }
    }
  }
}

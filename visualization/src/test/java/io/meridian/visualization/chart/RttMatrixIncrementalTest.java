package io.meridian.visualization.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Proves that the RTT matrix computed after an edit from the matrix before it equals one computed
 * afresh, cell by cell, for seeded random edits of link round trips (small whole numbers, so
 * equally fast routes are common), links added and removed and regions added; and that an edit
 * of a link no fastest path uses computes no row again.
 */
class RttMatrixIncrementalTest {
  private static final int SEEDS = 40;
  private static final int EDITS = 15;

  @Test
  void aMatrixKeptAcrossEditsEqualsAFreshOneAfterEveryEdit() {
    for (long seed = 1; seed <= SEEDS; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      Topology design = ring(12, random);
      RttMatrixModel kept = RttMatrixModel.of(design);
      for (int step = 0; step < EDITS; step++) {
        design = edit(design, random);
        kept = RttMatrixModel.of(design, kept);
        assertSameCells(kept, RttMatrixModel.of(design),
            "reproduce with seed " + seed + ", edit " + step);
      }
    }
  }

  @Test
  void aSlowerLinkOnNoFastestPathComputesNoRowAgain() {
    Topology design = ring(10, new SplittableRandom(3)).plusLink(Link.of("r0", "r5", 5_000));
    RttMatrixModel before = RttMatrixModel.of(design);

    Topology slower = design.mapLink(Region.of("r0", 0, 0, "EU").id(),
        Region.of("r5", 0, 0, "EU").id(), l -> l.withRttMs(6_000));
    RttMatrixModel after = RttMatrixModel.of(slower, before);

    assertThat(before.rowsComputed()).isEqualTo(10);
    assertThat(after.rowsComputed()).isZero();
    assertSameCells(after, RttMatrixModel.of(slower), "slower satellite link");
  }

  @Test
  void aFasterLinkComputesTheRowsItImproves() {
    Topology design = ring(10, new SplittableRandom(3)).plusLink(Link.of("r0", "r5", 5_000));
    RttMatrixModel before = RttMatrixModel.of(design);

    Topology faster = design.mapLink(Region.of("r0", 0, 0, "EU").id(),
        Region.of("r5", 0, 0, "EU").id(), l -> l.withRttMs(1));
    RttMatrixModel after = RttMatrixModel.of(faster, before);

    assertThat(after.rowsComputed()).isPositive();
    assertSameCells(after, RttMatrixModel.of(faster), "faster satellite link");
  }

  private static Topology ring(int size, SplittableRandom random) {
    Topology design = Topology.empty("ring");
    for (int i = 0; i < size; i++) {
      design = design.plusRegion(Region.of("r" + i, i, i * 3, i % 2 == 0 ? "EU" : "US"));
    }
    for (int i = 0; i < size; i++) {
      design = design.plusLink(Link.of("r" + i, "r" + ((i + 1) % size), 1 + random.nextInt(20)));
    }
    for (int i = 0; i < size / 2; i++) {
      int a = random.nextInt(size);
      int b = random.nextInt(size);
      if (a != b && design.link(design.regions().get(a).id(), design.regions().get(b).id())
          .isEmpty()) {
        design = design.plusLink(Link.of("r" + a, "r" + b, 1 + random.nextInt(20)));
      }
    }
    return design;
  }

  private static Topology edit(Topology design, SplittableRandom random) {
    List<Link> links = design.links();
    Link link = links.get(random.nextInt(links.size()));
    List<Region> regions = design.regions();
    Region x = regions.get(random.nextInt(regions.size()));
    Region y = regions.get(random.nextInt(regions.size()));
    switch (random.nextInt(6)) {
      case 0, 1, 2 -> {
        return design.mapLink(link.a(), link.b(), l -> l.withRttMs(1 + random.nextInt(20)));
      }
      case 3 -> {
        if (x.equals(y) || design.link(x.id(), y.id()).isPresent()) {
          return design.minusLink(link.a(), link.b());
        }
        return design.plusLink(Link.of(x.id().value(), y.id().value(), 1 + random.nextInt(20)));
      }
      case 4 -> {
        // A second, faster or slower link between a linked pair: the matrix takes the faster.
        return design.plusLink(Link.of(link.a().value(), link.b().value(),
            1 + random.nextInt(20)));
      }
      default -> {
        String id = "n" + design.regions().size();
        return design.plusRegion(Region.of(id, x.latitude() + 1, x.longitude(), "EU"))
            .plusLink(Link.of(id, x.id().value(), 1 + random.nextInt(20)));
      }
    }
  }

  private static void assertSameCells(RttMatrixModel actual, RttMatrixModel expected,
      String where) {
    assertThat(actual.regions()).as(where).isEqualTo(expected.regions());
    List<String> differences = new ArrayList<>();
    for (int row = 0; row < expected.size(); row++) {
      for (int column = 0; column < expected.size(); column++) {
        if (Double.compare(actual.rttMs(row, column), expected.rttMs(row, column)) != 0
            || actual.source(row, column) != expected.source(row, column)) {
          differences.add(row + "," + column);
        }
      }
    }
    assertThat(differences).as(where).isEmpty();
  }
}

package io.meridian.visualization.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import io.meridian.visualization.projection.EqualEarthProjection;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Proves that projecting an edited design from the projection before the edit gives exactly
 * what a fresh projection gives, for edits of link properties, links added, removed and
 * duplicated, and regions moved; and that an RTT edit projects nothing again.
 */
class ProjectedTopologyReuseTest {
  private final EqualEarthProjection projection = EqualEarthProjection.INSTANCE;

  @Test
  void aProjectionKeptAcrossEditsEqualsAFreshOne() {
    Topology design = SampleTopologies.fiveRegions();
    ProjectedTopology kept = ProjectedTopology.of(design, projection);
    Link first = design.links().get(0);
    Link last = design.links().get(design.links().size() - 1);
    List<UnaryOperator<Topology>> edits = List.of(
        t -> t.mapLink(first.a(), first.b(), l -> l.withRttMs(l.rttMs() + 1)),
        t -> t.minusLink(first.a(), first.b()),
        t -> t.plusLink(Link.of(first.a().value(), first.b().value(), 300)),
        t -> t.plusLink(Link.of(last.b().value(), last.a().value(), 5)),
        t -> t.mapRegion(first.a(), r -> r.withLocation(r.latitude() + 3, r.longitude() - 2)),
        t -> t.plusRegion(Region.of("new", -10, 170, "NZ"))
            .plusLink(Link.of("new", first.b().value(), 150)),
        t -> t.mapLink(last.a(), last.b(), l -> l.withJitterMs(4)));
    for (int step = 0; step < edits.size(); step++) {
      design = edits.get(step).apply(design);
      kept = ProjectedTopology.of(design, projection, kept);
      assertSameGeometry(kept, ProjectedTopology.of(design, projection), "edit " + step);
    }
  }

  @Test
  void anRttEditReprojectsNothing() {
    Topology design = SampleTopologies.fiveRegions();
    ProjectedTopology before = ProjectedTopology.of(design, projection);
    Link link = design.links().get(1);

    ProjectedTopology after = ProjectedTopology.of(
        design.mapLink(link.a(), link.b(), l -> l.withRttMs(l.rttMs() + 7)), projection, before);

    assertThat(after.regionXy()).isSameAs(before.regionXy());
    assertThat(after.links().get(1).rttMs()).isEqualTo(link.rttMs() + 7);
  }

  private static void assertSameGeometry(ProjectedTopology actual, ProjectedTopology expected,
      String where) {
    assertThat(actual.regions()).as(where).isEqualTo(expected.regions());
    assertThat(actual.links()).as(where).isEqualTo(expected.links());
    for (Region region : expected.regions()) {
      RegionId id = region.id();
      assertThat(actual.indexOf(id)).as(where).isEqualTo(expected.indexOf(id));
    }
    assertThat(actual.regionXy()).as(where).isEqualTo(expected.regionXy());
    for (int i = 0; i < expected.linkCount(); i++) {
      assertThat(actual.indexOf(LinkKey.of(expected.links().get(i)))).as(where)
          .isEqualTo(expected.indexOf(LinkKey.of(expected.links().get(i))));
      assertThat(actual.linkFrom(i)).as(where).isEqualTo(expected.linkFrom(i));
      assertThat(actual.linkTo(i)).as(where).isEqualTo(expected.linkTo(i));
      assertThat(actual.controlX(i)).as(where).isEqualTo(expected.controlX(i));
      assertThat(actual.controlY(i)).as(where).isEqualTo(expected.controlY(i));
      assertThat(actual.crossesAntimeridian(i)).as(where)
          .isEqualTo(expected.crossesAntimeridian(i));
      if (expected.crossesAntimeridian(i)) {
        for (int side = 0; side < 2; side++) {
          assertThat(actual.edgeX(i, side)).as(where).isEqualTo(expected.edgeX(i, side));
          assertThat(actual.edgeY(i, side)).as(where).isEqualTo(expected.edgeY(i, side));
        }
        assertThat(actual.wrapControlX(i)).as(where).isEqualTo(expected.wrapControlX(i));
        assertThat(actual.wrapControlY(i)).as(where).isEqualTo(expected.wrapControlY(i));
      }
    }
    assertThat(actual.bounds()).as(where).isEqualTo(expected.bounds());
  }
}

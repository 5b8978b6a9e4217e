package io.meridian.app.studio;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.Dataset;
import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.Topology;
import io.meridian.model.analysis.LinkRef;
import io.meridian.model.diagnostics.Severity;
import io.meridian.model.format.TopologyReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

// Proves that the studio may skip recomputing the graph's overlays on an edit only when they could
// not change: for each kind of edit, designs with the same overlay inputs give equal overlays
// (with problems, a focused dataset and the what-if on), and edits that move, add or re-place
// elements are never skipped.
class OverlayInputsTest {

  private static final Topology LARGE = read("../samples/large-global.yaml");

  @Test
  void editsThatKeepTheInputsGiveEqualOverlays() {
    Link first = LARGE.links().get(0);
    Region third = LARGE.regions().get(2);
    List<UnaryOperator<Topology>> keeping = List.of(
        t -> t.mapLink(first.a(), first.b(), link -> link.withRttMs(link.rttMs() + 1)),
        t -> t.mapRegion(third.id(), region -> region.withDisplayName("Renamed")),
        t -> t.mapRegion(third.id(), region -> region.withLocation(region.latitude() + 0.5,
            region.longitude())),
        t -> t.withName("renamed design"));
    for (UnaryOperator<Topology> edit : keeping) {
      Topology edited = edit.apply(LARGE);
      assertThat(edited).isNotEqualTo(LARGE);
      assertThat(StudioViewModel.sameOverlayInputs(LARGE, edited)).isTrue();
      for (String focus : focuses()) {
        assertThat(overlays(edited, focus)).isEqualTo(overlays(LARGE, focus));
      }
    }
  }

  @Test
  void editsThatChangeTheInputsAreNotSkipped() {
    Link first = LARGE.links().get(0);
    Dataset dataset = LARGE.datasets().get(0);
    List<UnaryOperator<Topology>> changing = List.of(
        t -> t.minusLink(first.a(), first.b()),
        t -> t.plusRegion(Region.of("new-place", 10, 10, "EU")),
        t -> t.minusRegion(LARGE.regions().get(5).id()),
        t -> t.withDatasets(t.datasets().subList(1, t.datasets().size())),
        t -> t.withDatasets(t.datasets().stream().map(d -> d.name().equals(dataset.name())
            ? new Dataset(d.name(), d.replicas().subList(0, d.replicas().size() - 1),
                d.allowedJurisdictions(), d.policy())
            : d).toList()),
        t -> t.withPolicies(t.policies().subList(1, t.policies().size())));
    for (UnaryOperator<Topology> edit : changing) {
      assertThat(StudioViewModel.sameOverlayInputs(LARGE, edit.apply(LARGE))).isFalse();
    }
    assertThat(StudioViewModel.sameOverlayInputs(LARGE, null)).isFalse();
    assertThat(StudioViewModel.sameOverlayInputs(null, null)).isTrue();
  }

  private static List<String> focuses() {
    return List.of(LARGE.datasets().get(0).name(), LARGE.datasets().get(3).name());
  }

  /** Overlays with a problem on a region and one on a link, a focus, and the what-if on. */
  private static GraphOverlays overlays(Topology design, String focus) {
    List<ProblemRow> problems = List.of(
        new ProblemRow(Severity.ERROR, "code", "message", "/regions/2", "fix", "/regions/2"),
        new ProblemRow(Severity.WARNING, "code", "message", "/links/4", "fix", "/links/4"));
    Link cut = design.links().get(7);
    return GraphOverlays.of(design, problems, focus, true,
        Set.of(design.regions().get(1).id()), Set.of(LinkRef.of(cut)), Optional.empty(),
        "eventual");
  }

  private static Topology read(String file) {
    try {
      return new TopologyReader().read(Path.of(file)).topology();
    } catch (Exception e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
  }
}

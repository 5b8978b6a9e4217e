package io.meridian.app.studio;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.Topology;
import io.meridian.model.format.TopologyReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

// Proves that focusing a dataset shades exactly the countries its residency rule allows, and
// that a dataset allowed anywhere shades nothing.
class GraphOverlaysTest {
  private static final String GERMANY = "276";
  private static final String FRANCE = "250";
  private static final String UNITED_STATES = "840";

  @Test
  void focusingAnEuOnlyDatasetShadesTheTwentySevenMemberStates() throws Exception {
    Topology design = new TopologyReader().read(Path.of("../samples/eu-residency.yaml"))
        .topology();

    GraphOverlays focused = GraphOverlays.of(design, List.of(), "customers", false, Set.of(),
        Set.of(), Optional.empty(), "eventual");

    assertThat(focused.shadedCountries()).hasSize(27).contains(GERMANY, FRANCE)
        .doesNotContain(UNITED_STATES);
  }

  @Test
  void aDatasetAllowedAnywhereOrNoFocusShadesNothing() throws Exception {
    Topology design = new TopologyReader().read(Path.of("../samples/global-async.yaml"))
        .topology();

    GraphOverlays focused = GraphOverlays.of(design, List.of(), "orders", false, Set.of(),
        Set.of(), Optional.empty(), "eventual");
    GraphOverlays unfocused = GraphOverlays.of(design, List.of(), null, false, Set.of(),
        Set.of(), Optional.empty(), "eventual");

    assertThat(focused.shadedCountries()).isEmpty();
    assertThat(unfocused.shadedCountries()).isEmpty();
  }
}

package io.meridian.app.palette;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.catalogue.CatalogueEntry;
import io.meridian.model.catalogue.RegionCatalogue;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves, without JavaFX, that the palette filters the catalogue as the user types and adds the
// chosen match, or the best one when none is chosen.
class PaletteViewModelTest {
  private final List<CatalogueEntry> added = new ArrayList<>();
  private final PaletteViewModel model =
      new PaletteViewModel(RegionCatalogue.builtIn(), added::add);

  @Test
  void typingFiltersAndAddingTakesTheBestMatch() {
    model.queryProperty().set("aws:eu-central-1");

    assertThat(model.results()).first()
        .satisfies(e -> assertThat(e.qualifiedCode()).isEqualTo("aws:eu-central-1"));
    assertThat(model.addChosen()).isTrue();
    assertThat(added).extracting(CatalogueEntry::qualifiedCode).containsExactly("aws:eu-central-1");
  }

  @Test
  void nothingIsAddedWhenNothingMatches() {
    model.queryProperty().set("atlantis");

    assertThat(model.results()).isEmpty();
    assertThat(model.addChosen()).isFalse();
    assertThat(added).isEmpty();
  }

  @Test
  void aBlankQueryListsAtMostTheResultLimit() {
    assertThat(model.results()).hasSizeLessThanOrEqualTo(PaletteViewModel.RESULTS_MAX)
        .isNotEmpty();
  }
}

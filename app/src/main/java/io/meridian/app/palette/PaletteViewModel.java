package io.meridian.app.palette;

import io.meridian.model.catalogue.CatalogueEntry;
import io.meridian.model.catalogue.RegionCatalogue;
import java.util.Objects;
import java.util.function.Consumer;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * State of the palette: the search text, the matching catalogue regions and the chosen one.
 * Searching a few hundred entries takes microseconds, so it runs as the user types.
 */
public final class PaletteViewModel {
  /** How many matches the list shows; a blank query would otherwise list the whole catalogue. */
  public static final int RESULTS_MAX = 200;

  private final RegionCatalogue catalogue;
  private final Consumer<CatalogueEntry> add;
  private final StringProperty query = new SimpleStringProperty("");
  private final ObservableList<CatalogueEntry> results = FXCollections.observableArrayList();
  private final ObjectProperty<CatalogueEntry> chosen = new SimpleObjectProperty<>();

  /**
   * @param catalogue the regions to search
   * @param add what adding a region does; the studio turns it into an edit of the design
   */
  public PaletteViewModel(RegionCatalogue catalogue, Consumer<CatalogueEntry> add) {
    this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
    this.add = Objects.requireNonNull(add, "add");
    query.addListener((observable, old, now) -> search());
    search();
  }

  private void search() {
    results.setAll(catalogue.search(query.get(), RESULTS_MAX));
  }

  /** Adds the chosen region, or the first match when none is chosen; false when none matches. */
  public boolean addChosen() {
    CatalogueEntry entry = chosen.get() != null ? chosen.get()
        : results.isEmpty() ? null : results.get(0);
    if (entry == null) {
      return false;
    }
    add.accept(entry);
    return true;
  }

  /** One line for the result list: {@code aws:eu-central-1 — Frankfurt, Germany (EU)}. */
  public static String describe(CatalogueEntry entry) {
    return entry.qualifiedCode() + " — " + entry.city() + ", " + entry.country() + " ("
        + entry.jurisdiction().code() + ")";
  }

  /** The search text. */
  public StringProperty queryProperty() {
    return query;
  }

  /** Catalogue regions matching the search, best first. */
  public ObservableList<CatalogueEntry> results() {
    return results;
  }

  /** The result the user picked, or null. */
  public ObjectProperty<CatalogueEntry> chosenProperty() {
    return chosen;
  }
}

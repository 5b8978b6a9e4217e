package io.meridian.app.studio;

import io.meridian.app.check.FileReport;
import io.meridian.model.Dataset;
import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.Topology;
import io.meridian.model.diagnostics.Severity;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.function.Function;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * State and logic of the studio's main window: the open design, its outline (regions, links,
 * datasets), its problems and a status line.
 *
 * <p>Uses observable properties and lists only, never a {@code Node}, so it is tested without
 * starting JavaFX. Opening a file runs the check on {@code background} and applies the result on
 * {@code ui} (the JavaFX thread in the studio; the calling thread in tests).
 */
public final class StudioViewModel {
  private static final String APP_NAME = "Meridian";
  private static final String NO_DESIGN_MESSAGE = "No design open: File › Open…";

  private final Function<Path, FileReport> check;
  private final Executor background;
  private final Executor ui;

  private final ReadOnlyObjectWrapper<Topology> topology = new ReadOnlyObjectWrapper<>();
  private final ReadOnlyObjectWrapper<Path> file = new ReadOnlyObjectWrapper<>();
  private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper(APP_NAME);
  private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("No design open");
  private final ReadOnlyStringWrapper mapMessage =
      new ReadOnlyStringWrapper(NO_DESIGN_MESSAGE);
  private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper(false);
  private final BooleanProperty darkTheme = new SimpleBooleanProperty(false);
  private final ObservableList<String> regions = FXCollections.observableArrayList();
  private final ObservableList<String> links = FXCollections.observableArrayList();
  private final ObservableList<String> datasets = FXCollections.observableArrayList();
  private final ObservableList<ProblemRow> problems = FXCollections.observableArrayList();
  private final ObservableList<String> regionsView =
      FXCollections.unmodifiableObservableList(regions);
  private final ObservableList<String> linksView = FXCollections.unmodifiableObservableList(links);
  private final ObservableList<String> datasetsView =
      FXCollections.unmodifiableObservableList(datasets);
  private final ObservableList<ProblemRow> problemsView =
      FXCollections.unmodifiableObservableList(problems);

  private final ReadOnlyObjectWrapper<OutlineSelection> selection = new ReadOnlyObjectWrapper<>();

  /** Counts opens so that a slow, older load never overwrites a newer one. */
  private long openGeneration;

  /**
   * A view-model with no design open.
   *
   * @param check reads and checks a file; must be safe to call on {@code background}
   * @param background runs the checks
   * @param ui runs the hand-over of results; the JavaFX thread in the studio
   */
  public StudioViewModel(Function<Path, FileReport> check, Executor background, Executor ui) {
    this.check = check;
    this.background = background;
    this.ui = ui;
  }

  /** Reads and checks {@code path} in the background, then shows it. Call on the UI thread. */
  public void open(Path path) {
    long generation = ++openGeneration;
    loading.set(true);
    status.set("Opening " + path + " …");
    background.execute(() -> {
      FileReport report = check.apply(path);
      ui.execute(() -> {
        if (generation == openGeneration) {
          show(path, report);
        }
      });
    });
  }

  /** Shows a file that was already checked (the headless snapshot uses this). */
  public void show(Path path, FileReport report) {
    loading.set(false);
    file.set(path);
    Topology design = report.topology().map(loaded -> loaded.topology()).orElse(null);
    topology.set(design);
    setOutline(design);
    problems.setAll(report.problems().stream().map(p -> ProblemRow.of(report.file(), p)).toList());
    String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
    title.set(name + " — " + APP_NAME);
    mapMessage.set(design == null ? "Could not read " + name + ": see Problems below"
        : "No regions yet");
    status.set(design == null
        ? "Could not open " + report.file() + ": see the problems below"
        : describe(design) + " · " + describeProblems(report));
  }

  /**
   * Selects in the outline the region, link or dataset a problem concerns, when it concerns one
   * of them; otherwise leaves the selection as it is.
   */
  public void reveal(ProblemRow problem) {
    OutlineSelection.of(problem.path())
        .filter(target -> target.index() < sectionSize(target.section()))
        .ifPresent(selection::set);
  }

  private int sectionSize(OutlineSelection.Section section) {
    return switch (section) {
      case REGIONS -> regions.size();
      case LINKS -> links.size();
      case DATASETS -> datasets.size();
    };
  }

  /** Closes the design and shows an empty one. */
  public void newDesign() {
    ++openGeneration;
    loading.set(false);
    file.set(null);
    topology.set(Topology.empty("untitled"));
    setOutline(topology.get());
    problems.clear();
    title.set("untitled — " + APP_NAME);
    mapMessage.set("No regions yet");
    status.set("Empty design");
  }

  private void setOutline(Topology design) {
    selection.set(null);
    if (design == null) {
      regions.clear();
      links.clear();
      datasets.clear();
      return;
    }
    regions.setAll(design.regions().stream().map(StudioViewModel::describe).toList());
    links.setAll(design.links().stream().map(StudioViewModel::describe).toList());
    datasets.setAll(design.datasets().stream().map(StudioViewModel::describe).toList());
  }

  static String describe(Region region) {
    String detail = region.displayName().equals(region.id().value()) ? ""
        : " — " + region.displayName();
    return region.id() + detail + " (" + region.jurisdiction()
        + (region.isWitness() ? ", witness" : "") + ")";
  }

  static String describe(Link link) {
    return link.a() + " ↔ " + link.b() + " · " + number(link.rttMs()) + " ms"
        + (link.encrypted() ? "" : " · unencrypted");
  }

  static String describe(Dataset dataset) {
    return dataset.name() + " · " + dataset.policy() + " · " + count(dataset.replicas().size(),
        "replica");
  }

  private static String describe(Topology design) {
    return design.name() + " · " + count(design.regions().size(), "region") + ", "
        + count(design.links().size(), "link") + ", " + count(design.datasets().size(), "dataset");
  }

  private static String describeProblems(FileReport report) {
    long errors = report.count(Severity.ERROR);
    long warnings = report.count(Severity.WARNING);
    if (errors == 0 && warnings == 0) {
      return "no problems";
    }
    return count(errors, "error") + ", " + count(warnings, "warning");
  }

  private static String number(double value) {
    return value == Math.rint(value) ? Long.toString((long) value)
        : String.format(Locale.ROOT, "%.1f", value);
  }

  private static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  /** The open design, or null when none is open or the file could not be read. */
  public ReadOnlyObjectProperty<Topology> topologyProperty() {
    return topology.getReadOnlyProperty();
  }

  /** The open file, or null for an empty design. */
  public ReadOnlyObjectProperty<Path> fileProperty() {
    return file.getReadOnlyProperty();
  }

  /** The window title. */
  public ReadOnlyStringProperty titleProperty() {
    return title.getReadOnlyProperty();
  }

  /** One line on what is open and how healthy it is. */
  public ReadOnlyStringProperty statusProperty() {
    return status.getReadOnlyProperty();
  }

  /** The outline entry to select, or null; set by {@link #reveal(ProblemRow)}. */
  public ReadOnlyObjectProperty<OutlineSelection> selectionProperty() {
    return selection.getReadOnlyProperty();
  }

  /** What the map says when it has no regions to draw. */
  public ReadOnlyStringProperty mapMessageProperty() {
    return mapMessage.getReadOnlyProperty();
  }

  /** Whether a file is being read. */
  public ReadOnlyBooleanProperty loadingProperty() {
    return loading.getReadOnlyProperty();
  }

  /** Whether the dark theme is on; the View menu toggles it. */
  public BooleanProperty darkThemeProperty() {
    return darkTheme;
  }

  /** Regions of the open design, one line each. */
  public ObservableList<String> regions() {
    return regionsView;
  }

  /** Links of the open design, one line each. */
  public ObservableList<String> links() {
    return linksView;
  }

  /** Datasets of the open design, one line each. */
  public ObservableList<String> datasets() {
    return datasetsView;
  }

  /** Problems of the open file, in file order. */
  public ObservableList<ProblemRow> problems() {
    return problemsView;
  }

  /** Problems as plain values, for tests and for copying. */
  public List<ProblemRow> problemList() {
    return List.copyOf(problems);
  }
}

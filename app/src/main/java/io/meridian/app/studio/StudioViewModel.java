package io.meridian.app.studio;

import io.meridian.app.analysis.AnalysisViewModel;
import io.meridian.app.analysis.LiveCheck;
import io.meridian.app.check.FileReport;
import io.meridian.app.check.Validation;
import io.meridian.app.editor.EditHistory;
import io.meridian.app.editor.EditTarget;
import io.meridian.app.editor.Properties;
import io.meridian.app.editor.PropertyRow;
import io.meridian.app.files.RecentFiles;
import io.meridian.app.palette.PaletteViewModel;
import io.meridian.model.Dataset;
import io.meridian.model.Geo;
import io.meridian.model.Jurisdiction;
import io.meridian.model.Link;
import io.meridian.model.Policy;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.RegionRole;
import io.meridian.model.ReplicationMode;
import io.meridian.model.Topology;
import io.meridian.model.analysis.AnalysisOptions;
import io.meridian.model.analysis.LinkRef;
import io.meridian.model.catalogue.CatalogueEntry;
import io.meridian.model.catalogue.RegionCatalogue;
import io.meridian.model.diagnostics.Severity;
import io.meridian.model.format.TopologyWriter;
import io.meridian.visualization.graph.GraphElement;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * State and logic of the studio's main window: the open design and its edit history, its outline
 * (regions, links, datasets), its problems, the selection and its properties, the palette, the
 * analysis panel, the what-if, the overlays on the graph, files and a status line.
 *
 * <p>Uses observable properties and lists only, never a {@code Node}, so it is tested without
 * starting JavaFX. Reading, checking, analysing and writing files run on {@code background} and
 * hand their results over on {@code ui} (the JavaFX thread in the studio; the calling thread in
 * tests). Every edit is a new {@link Topology} value recorded in an {@link EditHistory}; each one
 * re-runs validation and analysis through a {@link LiveCheck}, newest request wins.
 */
public final class StudioViewModel {
  private static final String APP_NAME = "Meridian";
  private static final String NO_DESIGN_MESSAGE = "No design open: File › Open…";

  private final Function<Path, FileReport> check;
  private final Executor background;
  private final Executor ui;
  private final LiveCheck liveCheck;
  private final RecentFiles recentFiles;
  private final RegionCatalogue catalogue = RegionCatalogue.builtIn();
  private final TopologyWriter writer = new TopologyWriter();

  private final ReadOnlyObjectWrapper<Topology> topology = new ReadOnlyObjectWrapper<>();
  private final ReadOnlyObjectWrapper<Path> file = new ReadOnlyObjectWrapper<>();
  private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper(APP_NAME);
  private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("No design open");
  private final ReadOnlyStringWrapper mapMessage =
      new ReadOnlyStringWrapper(NO_DESIGN_MESSAGE);
  private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper(false);
  private final ReadOnlyBooleanWrapper checking = new ReadOnlyBooleanWrapper(false);
  private final ReadOnlyBooleanWrapper dirty = new ReadOnlyBooleanWrapper(false);
  private final ReadOnlyBooleanWrapper canUndo = new ReadOnlyBooleanWrapper(false);
  private final ReadOnlyBooleanWrapper canRedo = new ReadOnlyBooleanWrapper(false);
  private final ReadOnlyStringWrapper undoLabel = new ReadOnlyStringWrapper("Undo");
  private final ReadOnlyStringWrapper redoLabel = new ReadOnlyStringWrapper("Redo");
  private final BooleanProperty darkTheme = new SimpleBooleanProperty(false);
  private final ObjectProperty<Tool> tool = new SimpleObjectProperty<>(Tool.SELECT);
  private final ReadOnlyObjectWrapper<RegionId> pendingLinkEnd = new ReadOnlyObjectWrapper<>();
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
  private final ObservableList<PropertyRow> properties = FXCollections.observableArrayList();
  private final ObservableList<Path> recent = FXCollections.observableArrayList();
  private final ReadOnlyObjectWrapper<OutlineSelection> selection = new ReadOnlyObjectWrapper<>();
  private final ReadOnlyObjectWrapper<EditTarget> target = new ReadOnlyObjectWrapper<>();
  private final ReadOnlyObjectWrapper<GraphOverlays> overlays =
      new ReadOnlyObjectWrapper<>(GraphOverlays.NONE);
  private final ReadOnlyObjectWrapper<GraphElement> graphSelection = new ReadOnlyObjectWrapper<>();
  private final ObservableList<RegionId> failedRegions = FXCollections.observableArrayList();
  private final ObservableList<LinkRef> cutLinks = FXCollections.observableArrayList();
  private final AnalysisViewModel analysis = new AnalysisViewModel();
  private final PaletteViewModel palette;

  private EditHistory history;
  private String fileName = "";
  /** The topology as read from the file, whose problems carry file positions. */
  private Topology asRead;
  private List<ProblemRow> problemsAsRead = List.of();
  private Consumer<GraphElement> centerRequests = element -> { };
  /** Counts opens so that a slow, older load never overwrites a newer one. */
  private long openGeneration;
  /** The design whose check was submitted last; its result is the one to show. */
  private Topology checkedDesign;

  /**
   * A view-model with no design open.
   *
   * @param check reads and checks a file; must be safe to call on {@code background}
   * @param validation the rules re-run after each edit
   * @param recentFiles where the recent-files list is kept
   * @param background runs file work, checks and analysis
   * @param ui runs the hand-over of results; the JavaFX thread in the studio
   */
  public StudioViewModel(Function<Path, FileReport> check, Validation validation,
      RecentFiles recentFiles, Executor background, Executor ui) {
    this.check = check;
    this.background = background;
    this.ui = ui;
    this.recentFiles = recentFiles;
    this.liveCheck = new LiveCheck(validation, background, ui);
    this.palette = new PaletteViewModel(catalogue, this::addRegion);
    analysis.datasetProperty().addListener((o, old, now) -> refreshOverlays());
    analysis.operationProperty().addListener((o, old, now) -> refreshOverlays());
    pendingLinkEnd.addListener((o, old, now) -> refreshOverlays());
    tool.addListener((o, old, now) -> {
      pendingLinkEnd.set(null);
      if (now == Tool.WHAT_IF) {
        status.set("What-if: click regions or links to fail them; click again to bring them back");
      } else if (old == Tool.WHAT_IF) {
        clearWhatIf();
      }
      if (now == Tool.LINK) {
        status.set("Link: click the first region");
      } else if (now == Tool.ADD_REGION) {
        status.set("Add region: click the map where the region is");
      }
      runCheck();
    });
  }

  /**
   * A view-model with no design open that checks with {@code check} (tests and snapshots);
   * validation of edits uses the standard rules and recent files are kept in memory only.
   */
  public StudioViewModel(Function<Path, FileReport> check, Executor background, Executor ui) {
    this(check, Validation.standard(), RecentFiles.none(),
        background, ui);
  }

  // ---------------------------------------------------------------------------------- files

  /** Loads the recent-files list in the background. */
  public void loadRecentFiles() {
    background.execute(() -> {
      List<Path> loaded = recentFiles.load();
      ui.execute(() -> recent.setAll(loaded));
    });
  }

  /** Reads and checks {@code path} in the background, then shows it. Call on the UI thread. */
  public void open(Path path) {
    open(path, () -> check.apply(path));
  }

  /**
   * Opens {@code path} with the work {@code preload} started before the window existed: its
   * file check and its first analysis are taken instead of being done again. Without a preload,
   * or with one for another file, the same as {@link #open(Path)}. Call on the UI thread.
   *
   * @param path the file
   * @param preload what the launcher started for it, or null
   */
  public void open(Path path, StudioPreload preload) {
    if (preload == null || !preload.file().equals(path)) {
      open(path);
      return;
    }
    liveCheck.offer(preload.firstCheck(), preload.analyzer());
    open(path, () -> {
      try {
        return preload.report().join();
      } catch (RuntimeException failed) {
        return check.apply(path);
      }
    });
  }

  private void open(Path path, java.util.function.Supplier<FileReport> read) {
    long generation = ++openGeneration;
    loading.set(true);
    status.set("Opening " + path + " …");
    background.execute(() -> {
      FileReport report = read.get();
      ui.execute(() -> {
        if (generation == openGeneration) {
          show(path, report);
          if (report.topology().isPresent()) {
            remember(path);
          }
        }
      });
    });
  }

  /** Shows a file that was already checked (the headless snapshot uses this). */
  public void show(Path path, FileReport report) {
    file.set(path);
    fileName = path.getFileName() == null ? path.toString() : path.getFileName().toString();
    Topology design = report.topology().map(loaded -> loaded.topology()).orElse(null);
    asRead = design;
    problemsAsRead = report.problems().stream()
        .map(p -> ProblemRow.of(report.file(), p)).toList();
    history = design == null ? null : new EditHistory(design);
    clearWhatIf();
    tool.set(Tool.SELECT);
    target.set(null);
    problems.setAll(problemsAsRead);
    current(design);
    mapMessage.set(design == null ? "Could not read " + fileName + ": see Problems below"
        : "No regions yet");
    status.set(design == null
        ? "Could not open " + report.file() + ": see the problems below"
        : describe(design) + " · " + describeProblems(problems));
    if (design != null) {
      runCheck();
    } else {
      analysis.setAnalysis(null, "the file could not be read");
    }
    // Last, so that whoever waits for the load sees the design, its problems and its outline.
    loading.set(false);
  }

  /** Closes the design and shows an empty one. */
  public void newDesign() {
    ++openGeneration;
    loading.set(false);
    file.set(null);
    fileName = "untitled";
    asRead = null;
    problemsAsRead = List.of();
    Topology empty = Topology.empty("untitled");
    history = new EditHistory(empty);
    clearWhatIf();
    target.set(null);
    problems.clear();
    current(empty);
    mapMessage.set("No regions yet: search the catalogue on the left, or pick the"
        + " Add region tool and click the map");
    status.set("Empty design");
    runCheck();
  }

  /** Whether the design can be saved without asking for a file name. */
  public boolean hasFile() {
    return file.get() != null;
  }

  /**
   * Writes the design to {@code path} (YAML, or JSON for {@code .json}) in the background; on
   * success the file becomes the design's file, the design counts as saved and {@code then}
   * runs on the UI thread.
   */
  public void saveAs(Path path, Runnable then) {
    if (history == null) {
      return;
    }
    Topology saving = history.current();
    status.set("Saving " + path + " …");
    background.execute(() -> {
      try {
        writer.save(saving, path);
        List<Path> updated = recentFiles.add(List.copyOf(recent), path);
        ui.execute(() -> {
          file.set(path);
          fileName = path.getFileName() == null ? path.toString()
              : path.getFileName().toString();
          if (history != null && history.current().equals(saving)) {
            history.markSaved();
          }
          recent.setAll(updated);
          refreshHistoryState();
          status.set("Saved " + path);
          then.run();
        });
      } catch (IOException | RuntimeException e) {
        ui.execute(() -> status.set("Could not save " + path + ": " + e.getMessage()
            + "; choose another folder or file name"));
      }
    });
  }

  /** Saves to the design's file; see {@link #saveAs(Path, Runnable)}. Needs {@link #hasFile()}. */
  public void save(Runnable then) {
    if (file.get() != null) {
      saveAs(file.get(), then);
    }
  }

  /** Writes a PNG image in the background and reports the outcome in the status line. */
  public void exportImage(java.awt.image.BufferedImage image, Path path) {
    background.execute(() -> {
      try {
        Path folder = path.toAbsolutePath().getParent();
        if (folder != null) {
          java.nio.file.Files.createDirectories(folder);
        }
        boolean written = javax.imageio.ImageIO.write(image, "png", path.toFile());
        ui.execute(() -> status.set(written ? "Exported the graph to " + path
            : "Could not export: no PNG writer in this Java runtime"));
      } catch (IOException | RuntimeException e) {
        ui.execute(() -> status.set("Could not export " + path + ": " + e.getMessage()));
      }
    });
  }

  private void remember(Path path) {
    List<Path> before = List.copyOf(recent);
    background.execute(() -> {
      try {
        List<Path> updated = recentFiles.add(before, path);
        ui.execute(() -> recent.setAll(updated));
      } catch (IOException e) {
        // The recent list is a convenience; failing to store it must not disturb opening.
      }
    });
  }

  // ---------------------------------------------------------------------------------- edits

  /**
   * Applies an edit to the design as a new topology value, records it for undo and re-runs the
   * checks. An edit the model rejects (a negative RTT, a duplicate link) changes nothing and says
   * why in the status line.
   *
   * @param description what the edit does, as Undo names it
   * @param change the edit
   * @return whether the design changed
   */
  public boolean edit(String description, UnaryOperator<Topology> change) {
    if (history == null) {
      status.set("Nothing to edit: start a new design or open one");
      return false;
    }
    Topology next;
    try {
      next = change.apply(history.current());
    } catch (IllegalArgumentException | IllegalStateException e) {
      status.set("Cannot " + description + ": " + e.getMessage());
      return false;
    }
    if (!history.apply(next, description)) {
      return false;
    }
    showAndCheck(next, capitalised(description));
    return true;
  }

  /** Takes back the last edit. */
  public void undo() {
    if (history != null) {
      String what = history.undoDescription();
      if (history.undo()) {
        showAndCheck(history.current(), "Undid " + what);
      }
    }
  }

  /** Does the last undone edit again. */
  public void redo() {
    if (history != null) {
      String what = history.redoDescription();
      if (history.redo()) {
        showAndCheck(history.current(), "Redid " + what);
      }
    }
  }

  /** Adds a catalogue region under its suggested id (made unique) at its real location. */
  public void addRegion(CatalogueEntry entry) {
    edit("add region " + entry.qualifiedCode(), t -> {
      RegionId id = unique(t, entry.suggestedId().value());
      return t.plusRegion(entry.toRegion(id));
    });
  }

  /**
   * Adds a custom region at a place on the map; its jurisdiction is taken from the nearest
   * catalogue region, and can be changed in the property sheet.
   */
  public void addCustomRegion(double latitude, double longitude) {
    Optional<CatalogueEntry> nearest = catalogue.entries().stream().min(Comparator.comparingDouble(
        e -> Geo.greatCircleKm(latitude, longitude, e.latitude(), e.longitude())));
    Jurisdiction jurisdiction = nearest.map(CatalogueEntry::jurisdiction)
        .orElse(Jurisdiction.of("XX"));
    String near = nearest.map(e -> " near " + e.city()).orElse("");
    double lat = Math.round(latitude * 1000) / 1000.0;
    double lon = Math.round(longitude * 1000) / 1000.0;
    edit("add a custom region" + near, t -> {
      RegionId id = unique(t, "custom");
      Region region = new Region(id, "Custom" + near, lat, lon, jurisdiction, null,
          RegionRole.DATA);
      return t.plusRegion(region);
    });
    Topology now = topology.get();
    if (now != null && !now.regions().isEmpty()) {
      selectTarget(new EditTarget.RegionTarget(now.regions().get(now.regions().size() - 1).id()));
    }
  }

  /** Links two regions with the catalogue's default link for their distance. */
  public void link(RegionId a, RegionId b) {
    edit("link " + a + " and " + b, t -> {
      if (t.link(a, b).isPresent()) {
        throw new IllegalArgumentException(a + " and " + b + " are already linked");
      }
      Region first = t.region(a).orElseThrow(() -> new IllegalArgumentException(
          "no region " + a));
      Region second = t.region(b).orElseThrow(() -> new IllegalArgumentException(
          "no region " + b));
      return t.plusLink(RegionCatalogue.defaultLink(first, second));
    });
  }

  /**
   * Adds a dataset on up to three data regions (the first in the design), following the first
   * policy, or a new async policy with the first region as primary when there is none.
   */
  public void newDataset() {
    edit("add a dataset", t -> {
      String name = uniqueName(t.datasets().stream().map(Dataset::name).toList(), "dataset");
      List<RegionId> replicas = t.regions().stream().filter(r -> !r.isWitness())
          .limit(3).map(Region::id).toList();
      Topology withPolicy = t;
      String policy;
      if (t.policies().isEmpty()) {
        policy = uniqueName(List.of(), "policy");
        Policy created = Policy.of(policy, ReplicationMode.ASYNC);
        if (!replicas.isEmpty()) {
          created = created.withPrimary(replicas.get(0))
              .withFailoverPriority(replicas.subList(1, replicas.size()));
        }
        withPolicy = t.plusPolicy(created);
      } else {
        policy = t.policies().get(0).name();
      }
      return withPolicy.plusDataset(new Dataset(name, replicas, List.of(), policy));
    });
    Topology now = topology.get();
    if (now != null && !now.datasets().isEmpty()) {
      String added = now.datasets().get(now.datasets().size() - 1).name();
      selectTarget(new EditTarget.DatasetTarget(added));
      analysis.datasetProperty().set(added);
    }
  }

  /**
   * Adds an async policy; when a dataset is selected, the dataset follows the new policy, with
   * its first replica as primary.
   */
  public void newPolicy() {
    Optional<Dataset> selected = target.get() instanceof EditTarget.DatasetTarget d
        ? Optional.ofNullable(topology.get()).flatMap(t -> t.dataset(d.name()))
        : Optional.empty();
    edit("add a policy", t -> {
      String name = uniqueName(t.policies().stream().map(Policy::name).toList(), "policy");
      Policy created = Policy.of(name, ReplicationMode.ASYNC);
      if (selected.isPresent() && !selected.get().replicas().isEmpty()) {
        List<RegionId> replicas = selected.get().replicas();
        created = created.withPrimary(replicas.get(0))
            .withFailoverPriority(replicas.subList(1, replicas.size()));
      }
      Topology added = t.plusPolicy(created);
      return selected.map(d -> added.mapDataset(d.name(), x -> x.withPolicy(name)))
          .orElse(added);
    });
  }

  /** Deletes the selected region (with its links), link or dataset. */
  public void deleteSelection() {
    EditTarget chosen = target.get();
    if (chosen instanceof EditTarget.RegionTarget r) {
      edit("delete region " + r.id(), t -> t.minusRegion(r.id()));
    } else if (chosen instanceof EditTarget.LinkTarget l) {
      edit("delete link " + l.a() + "~" + l.b(), t -> t.minusLink(l.a(), l.b()));
    } else if (chosen instanceof EditTarget.DatasetTarget d) {
      edit("delete dataset " + d.name(), t -> t.minusDataset(d.name()));
    }
    target.set(null);
    refreshProperties();
  }

  /**
   * Sets one property of the selection from text.
   *
   * @return whether the design changed
   */
  public boolean setProperty(PropertyRow row, String text) {
    return edit("set " + row.name().toLowerCase(Locale.ROOT) + " to " + text,
        t -> row.apply().apply(t, text == null ? "" : text));
  }

  // ------------------------------------------------------------------------------ selection

  /**
   * A click on the graph selected {@code element} (or cleared it). What happens depends on the
   * tool: select it, use it as a link end, or fail it in the what-if.
   *
   * @return whether the graph should clear its selection, so the next click on the same element
   *     counts again
   */
  public boolean graphClicked(GraphElement element) {
    graphSelection.set(element);
    if (element == null) {
      return false;
    }
    switch (tool.get()) {
      case LINK -> {
        if (element instanceof GraphElement.RegionElement r) {
          RegionId first = pendingLinkEnd.get();
          if (first == null || first.equals(r.id())) {
            pendingLinkEnd.set(r.id());
            status.set("Link from " + r.id() + ": click the other region");
          } else {
            pendingLinkEnd.set(null);
            link(first, r.id());
          }
        }
        return true;
      }
      case WHAT_IF -> {
        toggleFailure(element);
        return true;
      }
      default -> {
        selectTarget(toTarget(element));
        return false;
      }
    }
  }

  /** Selects an element on the graph for the property sheet, whatever the tool. */
  public void selectOnGraph(GraphElement element) {
    graphSelection.set(element);
    selectTarget(element == null ? null : toTarget(element));
  }

  /** Fails or restores a region or link in the what-if. */
  public void toggleFailure(GraphElement element) {
    if (element instanceof GraphElement.RegionElement r) {
      if (!failedRegions.remove(r.id())) {
        failedRegions.add(r.id());
      }
    } else if (element instanceof GraphElement.LinkElement l) {
      LinkRef ref = new LinkRef(l.key().first(), l.key().second());
      if (!cutLinks.remove(ref)) {
        cutLinks.add(ref);
      }
    }
    if (tool.get() != Tool.WHAT_IF) {
      tool.set(Tool.WHAT_IF);
    }
    status.set("What-if: " + describeFailures());
    runCheck();
  }

  /** Restores every failed region and link. */
  public void clearWhatIf() {
    failedRegions.clear();
    cutLinks.clear();
  }

  /** Selects a region, link or dataset for the property sheet. */
  public void selectTarget(EditTarget value) {
    target.set(value);
    if (value instanceof EditTarget.DatasetTarget d) {
      analysis.datasetProperty().set(d.name());
    }
    refreshProperties();
  }

  /**
   * Selects the region, link or dataset a problem concerns, when it concerns one of them, and
   * asks the graph to centre on it; otherwise leaves the selection as it is.
   */
  public void reveal(ProblemRow problem) {
    Optional<OutlineSelection> at = OutlineSelection.of(problem.path())
        .filter(t -> t.index() < sectionSize(t.section()));
    at.ifPresent(selection::set);
    at.ifPresent(this::selectOutline);
  }

  /** Selects an outline entry: its properties are shown and the graph centres on it. */
  public void selectOutline(OutlineSelection entry) {
    Topology design = topology.get();
    if (design == null || entry == null) {
      return;
    }
    switch (entry.section()) {
      case REGIONS -> {
        if (entry.index() < design.regions().size()) {
          RegionId id = design.regions().get(entry.index()).id();
          selectTarget(new EditTarget.RegionTarget(id));
          focusGraph(GraphElement.region(id));
        }
      }
      case LINKS -> {
        if (entry.index() < design.links().size()) {
          Link l = design.links().get(entry.index());
          selectTarget(new EditTarget.LinkTarget(l.a(), l.b()));
          focusGraph(GraphElement.link(io.meridian.visualization.graph.LinkKey.of(l)));
        }
      }
      case DATASETS -> {
        if (entry.index() < design.datasets().size()) {
          selectTarget(new EditTarget.DatasetTarget(design.datasets().get(entry.index()).name()));
        }
      }
    }
  }

  private void focusGraph(GraphElement element) {
    graphSelection.set(element);
    centerRequests.accept(element);
  }

  /** Where requests to centre the graph on an element go; the view passes the graph's. */
  public void setCenterRequests(Consumer<GraphElement> value) {
    centerRequests = value == null ? element -> { } : value;
  }

  private static EditTarget toTarget(GraphElement element) {
    if (element instanceof GraphElement.RegionElement r) {
      return new EditTarget.RegionTarget(r.id());
    }
    if (element instanceof GraphElement.LinkElement l) {
      return new EditTarget.LinkTarget(l.key().first(), l.key().second());
    }
    return null;
  }

  private int sectionSize(OutlineSelection.Section section) {
    return switch (section) {
      case REGIONS -> regions.size();
      case LINKS -> links.size();
      case DATASETS -> datasets.size();
    };
  }

  // ------------------------------------------------------------------------------- checking

  private void runCheck() {
    submitCheck(topology.get());
    refreshOverlays();
  }

  /**
   * Shows an edited design and checks it. The check is submitted first, so that the worker
   * validates and analyses it while this thread updates the graph, the outline and the property
   * sheet: the edit's result is then on screen after the longer of the two, not after both. The
   * status is set first, as the check's result sets it again (at once, with a same-thread
   * executor).
   */
  private void showAndCheck(Topology design, String statusText) {
    status.set(statusText);
    Topology shown = topology.get();
    submitCheck(design);
    current(design);
    if (!sameOverlayInputs(shown, design)) {
      refreshOverlays();
    }
  }

  /**
   * Whether two designs give the same graph overlays for the same problems, focus and what-if:
   * the overlays read only the regions' ids and the links' ends (by position, as problems point
   * at them), the datasets and the policies. An RTT or region-name edit changes none of these,
   * and computing the overlays of 1,000 links again only to find them equal cost about a tenth
   * of such an edit's JavaFX thread time (ADR 0054); the check's result recomputes them anyway.
   */
  static boolean sameOverlayInputs(Topology before, Topology after) {
    if (before == null || after == null) {
      return before == after;
    }
    if (before.regions().size() != after.regions().size()
        || before.links().size() != after.links().size()
        || !before.datasets().equals(after.datasets())
        || !before.policies().equals(after.policies())) {
      return false;
    }
    for (int i = 0; i < before.regions().size(); i++) {
      if (!before.regions().get(i).id().equals(after.regions().get(i).id())) {
        return false;
      }
    }
    for (int i = 0; i < before.links().size(); i++) {
      Link a = before.links().get(i);
      Link b = after.links().get(i);
      if (a != b && !(a.a().equals(b.a()) && a.b().equals(b.b()))) {
        return false;
      }
    }
    return true;
  }

  private void submitCheck(Topology design) {
    checkedDesign = design;
    if (design == null) {
      liveCheck.cancel();
      checking.set(false);
      return;
    }
    AnalysisOptions options = AnalysisOptions.DEFAULTS;
    if (tool.get() == Tool.WHAT_IF) {
      options = options.withFailedRegions(List.copyOf(failedRegions))
          .withCutLinks(List.copyOf(cutLinks));
    }
    checking.set(true);
    liveCheck.submit(design, options, this::deliver);
  }

  private void deliver(LiveCheck.Result result) {
    checking.set(false);
    // The design last submitted: the one shown, or about to be (see showAndCheck).
    if (result.topology() != checkedDesign) {
      return;
    }
    List<ProblemRow> rows = result.topology().equals(asRead) ? problemsAsRead
        : result.problems().stream().map(ProblemRow::unplaced).toList();
    if (!rows.equals(problems)) {
      problems.setAll(rows);
    }
    analysis.setAnalysis(result.analysis(), result.analysisError());
    analysis.setRttMatrix(result.topology(), result.rttMatrix());
    if (tool.get() == Tool.WHAT_IF) {
      status.set("What-if: " + describeFailures());
    } else if (pendingLinkEnd.get() == null) {
      status.set(describe(result.topology()) + " · " + describeProblems(problems));
    }
    refreshOverlays();
  }

  private void refreshOverlays() {
    GraphOverlays computed = GraphOverlays.of(topology.get(), List.copyOf(problems),
        analysis.datasetProperty().get(), tool.get() == Tool.WHAT_IF,
        Set.copyOf(failedRegions), Set.copyOf(cutLinks), analysis.chosenDataset(),
        readLevel());
    RegionId first = pendingLinkEnd.get();
    overlays.set(first == null ? computed : computed.withPulse(first));
  }

  private String readLevel() {
    String op = analysis.operationProperty().get();
    if (op == null || AnalysisViewModel.WRITE.equals(op)) {
      return "eventual";
    }
    return op;
  }

  private String describeFailures() {
    List<String> parts = new ArrayList<>();
    failedRegions.forEach(r -> parts.add(r.value() + " down"));
    cutLinks.forEach(l -> parts.add(l.a() + "~" + l.b() + " cut"));
    return parts.isEmpty() ? "nothing failed; click regions or links to fail them"
        : String.join(", ", parts);
  }

  // --------------------------------------------------------------------------------- state

  private void current(Topology design) {
    topology.set(design);
    setOutline(design);
    refreshProperties();
    refreshHistoryState();
  }

  private void refreshHistoryState() {
    boolean changed = history != null && history.isDirty();
    dirty.set(changed);
    canUndo.set(history != null && history.canUndo());
    canRedo.set(history != null && history.canRedo());
    undoLabel.set(history == null || !history.canUndo() ? "Undo"
        : "Undo " + history.undoDescription());
    redoLabel.set(history == null || !history.canRedo() ? "Redo"
        : "Redo " + history.redoDescription());
    if (history == null && topology.get() == null && fileName.isEmpty()) {
      title.set(APP_NAME);
    } else {
      title.set((changed ? "• " : "") + fileName + " — " + APP_NAME);
    }
  }

  private void refreshProperties() {
    Topology design = topology.get();
    EditTarget chosen = target.get();
    properties.setAll(design == null || chosen == null ? List.of()
        : Properties.of(design, chosen));
  }

  private final OutlineLines<Region> regionLines = new OutlineLines<>();
  private final OutlineLines<Link> linkLines = new OutlineLines<>();
  private final OutlineLines<Dataset> datasetLines = new OutlineLines<>();

  private void setOutline(Topology design) {
    selection.set(null);
    if (design == null) {
      regions.clear();
      links.clear();
      datasets.clear();
      return;
    }
    // Only the lists an edit changed: a list set to equal lines still rebuilds its branch of the
    // outline (every tree item and visible cell), which an RTT edit of a large design need not.
    setIfChanged(regions, regionLines.describe(design.regions(), StudioViewModel::describe));
    setIfChanged(links, linkLines.describe(design.links(), StudioViewModel::describe));
    setIfChanged(datasets, datasetLines.describe(design.datasets(), StudioViewModel::describe));
  }

  /**
   * The outline's lines of one kind of element, remembered with the model values they describe:
   * an edit replaces one value and keeps the others (the same objects), so only the new ones are
   * described again. Formatting a thousand links' RTTs on every edit took a tenth of the JavaFX
   * thread's share of an edit of a large design.
   */
  private static final class OutlineLines<T> {
    private List<T> described = List.of();
    private List<String> lines = List.of();

    List<String> describe(List<T> values, java.util.function.Function<T, String> describer) {
      List<String> next = new ArrayList<>(values.size());
      for (int i = 0; i < values.size(); i++) {
        T value = values.get(i);
        next.add(i < described.size() && described.get(i) == value ? lines.get(i)
            : describer.apply(value));
      }
      described = values;
      lines = next;
      return next;
    }
  }

  private static void setIfChanged(ObservableList<String> shown, List<String> lines) {
    if (shown.size() != lines.size()) {
      shown.setAll(lines);
      return;
    }
    for (int i = 0; i < lines.size(); i++) {
      if (!shown.get(i).equals(lines.get(i))) {
        shown.set(i, lines.get(i));
      }
    }
  }

  private static RegionId unique(Topology t, String base) {
    Set<String> taken = new LinkedHashSet<>();
    t.regions().forEach(r -> taken.add(r.id().value()));
    if (!taken.contains(base)) {
      return RegionId.of(base);
    }
    for (int i = 2; ; i++) {
      String candidate = base + "-" + i;
      if (!taken.contains(candidate)) {
        return RegionId.of(candidate);
      }
    }
  }

  private static String uniqueName(List<String> taken, String base) {
    for (int i = 1; ; i++) {
      String candidate = base + "-" + i;
      if (!taken.contains(candidate)) {
        return candidate;
      }
    }
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

  private static String describeProblems(List<ProblemRow> rows) {
    long errors = rows.stream().filter(p -> p.severity() == Severity.ERROR).count();
    long warnings = rows.stream().filter(p -> p.severity() == Severity.WARNING).count();
    if (errors == 0 && warnings == 0) {
      return "no problems";
    }
    return count(errors, "error") + ", " + count(warnings, "warning");
  }

  private static String capitalised(String text) {
    return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }

  private static String number(double value) {
    return value == Math.rint(value) ? Long.toString((long) value)
        : io.meridian.visualization.chart.Figures.fixed(value, 1);
  }

  private static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  // ---------------------------------------------------------------------------- properties

  /** The open design, or null when none is open or the file could not be read. */
  public ReadOnlyObjectProperty<Topology> topologyProperty() {
    return topology.getReadOnlyProperty();
  }

  /** The open file, or null for a design never saved. */
  public ReadOnlyObjectProperty<Path> fileProperty() {
    return file.getReadOnlyProperty();
  }

  /** The window title; starts with a dot while there are unsaved changes. */
  public ReadOnlyStringProperty titleProperty() {
    return title.getReadOnlyProperty();
  }

  /** One line on what is open and how healthy it is, or what the last action did. */
  public ReadOnlyStringProperty statusProperty() {
    return status.getReadOnlyProperty();
  }

  /** The outline entry to select, or null; set by {@link #reveal(ProblemRow)}. */
  public ReadOnlyObjectProperty<OutlineSelection> selectionProperty() {
    return selection.getReadOnlyProperty();
  }

  /** The region, link or dataset the property sheet shows, or null. */
  public ReadOnlyObjectProperty<EditTarget> targetProperty() {
    return target.getReadOnlyProperty();
  }

  /** The element selected on the graph, or null. */
  public ReadOnlyObjectProperty<GraphElement> graphSelectionProperty() {
    return graphSelection.getReadOnlyProperty();
  }

  /** What the map says when it has no regions to draw. */
  public ReadOnlyStringProperty mapMessageProperty() {
    return mapMessage.getReadOnlyProperty();
  }

  /** Whether a file is being read. */
  public ReadOnlyBooleanProperty loadingProperty() {
    return loading.getReadOnlyProperty();
  }

  /** Whether validation and analysis of the current design are still running. */
  public ReadOnlyBooleanProperty checkingProperty() {
    return checking.getReadOnlyProperty();
  }

  /** Whether the design has changes not yet saved. */
  public ReadOnlyBooleanProperty dirtyProperty() {
    return dirty.getReadOnlyProperty();
  }

  /** Whether there is an edit to undo. */
  public ReadOnlyBooleanProperty canUndoProperty() {
    return canUndo.getReadOnlyProperty();
  }

  /** Whether there is an edit to redo. */
  public ReadOnlyBooleanProperty canRedoProperty() {
    return canRedo.getReadOnlyProperty();
  }

  /** The Undo menu item's text, naming the edit. */
  public ReadOnlyStringProperty undoLabelProperty() {
    return undoLabel.getReadOnlyProperty();
  }

  /** The Redo menu item's text, naming the edit. */
  public ReadOnlyStringProperty redoLabelProperty() {
    return redoLabel.getReadOnlyProperty();
  }

  /** Whether the dark theme is on; the View menu toggles it. */
  public BooleanProperty darkThemeProperty() {
    return darkTheme;
  }

  /** What a click on the map does. */
  public ObjectProperty<Tool> toolProperty() {
    return tool;
  }

  /** The first region chosen with the link tool, waiting for the second; or null. */
  public ReadOnlyObjectProperty<RegionId> pendingLinkEndProperty() {
    return pendingLinkEnd.getReadOnlyProperty();
  }

  /** Overlays for the graph: problems, dataset focus and what-if. */
  public ReadOnlyObjectProperty<GraphOverlays> overlaysProperty() {
    return overlays.getReadOnlyProperty();
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

  /** Problems of the design, in file order for a design as read. */
  public ObservableList<ProblemRow> problems() {
    return problemsView;
  }

  /** Problems as plain values, for tests and for copying. */
  public List<ProblemRow> problemList() {
    return List.copyOf(problems);
  }

  /** The property rows of the selection. */
  public ObservableList<PropertyRow> properties() {
    return properties;
  }

  /** Recently opened or saved files, newest first. */
  public ObservableList<Path> recentFiles() {
    return recent;
  }

  /** Regions failed in the what-if. */
  public ObservableList<RegionId> failedRegions() {
    return failedRegions;
  }

  /** Links cut in the what-if. */
  public ObservableList<LinkRef> cutLinks() {
    return cutLinks;
  }

  /** The analysis panel's state. */
  public AnalysisViewModel analysis() {
    return analysis;
  }

  /** The palette's state. */
  public PaletteViewModel palette() {
    return palette;
  }
}

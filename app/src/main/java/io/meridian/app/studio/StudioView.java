package io.meridian.app.studio;

import atlantafx.base.theme.Styles;
import io.meridian.app.analysis.AnalysisPanel;
import io.meridian.app.editor.EditTarget;
import io.meridian.app.editor.PropertyRow;
import io.meridian.app.palette.PaletteView;
import io.meridian.model.Dataset;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import io.meridian.model.diagnostics.Severity;
import io.meridian.visualization.graph.GraphElement;
import io.meridian.visualization.graph.LinkKey;
import io.meridian.visualization.graph.TopologyGraph;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.collections.ObservableMap;
import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.ComboBox;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.ToolBar;
import javafx.scene.control.Tooltip;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.image.WritableImage;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.Dragboard;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Window;

/**
 * The studio's main window content: menus and a tool bar; the palette and the outline on the
 * left; the topology graph in the centre; the property sheet of the selection on the right;
 * problems and the analysis below; a status line. Builds controls and binds them to a
 * {@link StudioViewModel}; dialogs (file choosers, the unsaved-changes prompt) live here too.
 *
 * <p>Node ids for tests and styling: {@code #outline}, {@code #graph}, {@code #map-message},
 * {@code #properties}, {@code #problems}, {@code #problems-heading}, {@code #status},
 * {@code #tool-select}, {@code #tool-add-region}, {@code #tool-link}, {@code #tool-what-if},
 * {@code #new-dataset}, {@code #new-policy}, {@code #undo}, {@code #redo}, and
 * {@code #property-NAME} for each property editor (the name in lower case, dashes for spaces).
 */
public final class StudioView {
  /** The property the sheet shows as a list to reorder by dragging. */
  private static final String FAILOVER_ORDER = "Failover order";

  /** Row height of the failover-order list, so it shows every entry without scrolling. */
  private static final double FAILOVER_CELL_PX = 28;

  private final StudioViewModel model;
  private final Runnable quit;
  private final BorderPane root = new BorderPane();
  private final TreeView<OutlineLine> outline =
      new TreeView<>(new TreeItem<>(new OutlineLine("design")));
  private final TreeItem<OutlineLine> regions = new TreeItem<>(new OutlineLine("Regions"));
  private final TreeItem<OutlineLine> links = new TreeItem<>(new OutlineLine("Links"));
  private final TreeItem<OutlineLine> datasets = new TreeItem<>(new OutlineLine("Datasets"));
  private final TopologyGraph graph = new TopologyGraph();
  private final GridPane propertyGrid = new GridPane();
  private final Label propertyHeading = new Label("Properties");
  private boolean syncingSelection;
  private TabPane bottom;

  /**
   * Builds the window content.
   *
   * @param model the state to show
   * @param quit what quitting does once unsaved changes are dealt with
   */
  public StudioView(StudioViewModel model, Runnable quit) {
    this.model = model;
    this.quit = quit;
    root.setTop(new VBox(menuBar(), toolBar()));
    SplitPane left = new SplitPane(new PaletteView(model.palette()).root(), outline());
    left.setOrientation(Orientation.VERTICAL);
    left.setDividerPositions(0.5);
    SplitPane top = new SplitPane(left, graphPane(), propertiesPanel());
    top.setDividerPositions(0.21, 0.74);
    SplitPane.setResizableWithParent(left, false);
    bottom = new TabPane(tab("Problems", problemsPanel()),
        tab("Analysis", new AnalysisPanel(model.analysis(), model.topologyProperty(),
            model.darkThemeProperty()).root()));
    bottom.setId("bottom-tabs");
    // After opening a file: its problems if it has any, else what the design costs.
    model.loadingProperty().addListener((o, was, loading) -> {
      if (!loading) {
        bottom.getSelectionModel().select(model.problems().isEmpty() ? 1 : 0);
      }
    });
    SplitPane main = new SplitPane(top, bottom);
    main.setOrientation(Orientation.VERTICAL);
    main.setDividerPositions(0.66);
    root.setCenter(main);
    root.setBottom(statusBar());
    acceptDroppedFiles();
    root.sceneProperty().addListener((o, old, scene) -> {
      if (scene != null) {
        // A second shortcut for redo, as on Windows; a menu item holds only one accelerator.
        scene.getAccelerators().put(KeyCombination.keyCombination("Shortcut+Y"), model::redo);
        // Escape leaves the link, add-region and what-if tools, as in drawing programs.
        scene.getAccelerators().put(KeyCombination.keyCombination("Esc"),
            () -> model.toolProperty().set(Tool.SELECT));
      }
    });
  }

  /** The content to put in a scene. */
  public Parent root() {
    return root;
  }

  /** The graph control, for tests and the snapshot. */
  public TopologyGraph graph() {
    return graph;
  }

  /** Brings the analysis tab to the front (the screenshot of a design without problems). */
  public void showAnalysis() {
    bottom.getSelectionModel().select(1);
  }

  /** Asks about unsaved changes, then quits. */
  public void requestQuit() {
    confirmDiscard(quit);
  }

  private static Tab tab(String name, javafx.scene.Node content) {
    Tab tab = new Tab(name, content);
    tab.setClosable(false);
    return tab;
  }

  // ----------------------------------------------------------------------------- menus

  private MenuBar menuBar() {
    MenuItem empty = item("New empty design", "Shortcut+N",
        () -> confirmDiscard(model::newDesign));
    MenuItem open = item("Open…", "Shortcut+O", () -> confirmDiscard(this::chooseFile));
    Menu recent = new Menu("Open recent");
    Runnable refreshRecent = () -> {
      recent.getItems().setAll(model.recentFiles().stream().map(path -> {
        MenuItem entry = new MenuItem(path.toString());
        entry.setMnemonicParsing(false);
        entry.setOnAction(event -> confirmDiscard(() -> model.open(path)));
        return entry;
      }).toList());
      recent.setDisable(model.recentFiles().isEmpty());
    };
    model.recentFiles().addListener((ListChangeListener<Path>) change -> refreshRecent.run());
    refreshRecent.run();
    MenuItem save = item("Save", "Shortcut+S", () -> save(() -> { }));
    MenuItem saveAs = item("Save as…", "Shortcut+Shift+S", () -> saveAs(() -> { }));
    MenuItem export = item("Export graph as PNG…", "Shortcut+E", this::exportPng);
    MenuItem exit = item("Quit", "Shortcut+Q", this::requestQuit);
    Menu file = new Menu("File", null, empty, open, recent, new SeparatorMenuItem(), save, saveAs,
        export, new SeparatorMenuItem(), exit);

    MenuItem undo = item("Undo", "Shortcut+Z", model::undo);
    undo.textProperty().bind(model.undoLabelProperty());
    undo.disableProperty().bind(model.canUndoProperty().not());
    MenuItem redo = item("Redo", "Shortcut+Shift+Z", model::redo);
    redo.textProperty().bind(model.redoLabelProperty());
    redo.disableProperty().bind(model.canRedoProperty().not());
    MenuItem delete = item("Delete selection", "Delete", () -> {
      if (!(root.getScene() != null
          && root.getScene().getFocusOwner() instanceof TextInputControl)) {
        model.deleteSelection();
      }
    });
    MenuItem dataset = item("New dataset", "Shortcut+Shift+N", model::newDataset);
    MenuItem policy = item("New policy", "Shortcut+Shift+P", model::newPolicy);
    Menu edit = new Menu("Edit", null, undo, redo, new SeparatorMenuItem(), delete,
        new SeparatorMenuItem(), dataset, policy);

    CheckMenuItem dark = new CheckMenuItem("Dark theme");
    dark.setAccelerator(KeyCombination.keyCombination("Shortcut+Shift+D"));
    dark.selectedProperty().bindBidirectional(model.darkThemeProperty());
    MenuItem fit = item("Fit all", "Shortcut+0", graph::fitAll);
    Menu view = new Menu("View", null, dark, fit);
    for (Tool tool : Tool.values()) {
      MenuItem choose = item(tool.label(), "Shortcut+" + (tool.ordinal() + 1),
          () -> model.toolProperty().set(tool));
      view.getItems().add(choose);
    }
    MenuItem restore = item("Restore everything failed", "Shortcut+R", () -> {
      model.clearWhatIf();
      model.toolProperty().set(Tool.SELECT);
    });
    view.getItems().add(restore);
    // The live view (deploy, connect, recordings) lives in app.live; this is its one hook.
    Menu live = io.meridian.app.live.LiveWindows.menu(model.fileProperty()::get,
        model.topologyProperty()::get, () -> root.getScene().getWindow(),
        model.darkThemeProperty());
    return new MenuBar(file, edit, view, live);
  }

  private static MenuItem item(String text, String accelerator, Runnable action) {
    MenuItem item = new MenuItem(text);
    item.setMnemonicParsing(false);
    item.setAccelerator(KeyCombination.keyCombination(accelerator));
    item.setOnAction(event -> action.run());
    return item;
  }

  private ToolBar toolBar() {
    ToggleGroup tools = new ToggleGroup();
    ToolBar bar = new ToolBar();
    for (Tool tool : Tool.values()) {
      ToggleButton button = new ToggleButton(tool.label());
      button.setId("tool-" + tool.name().toLowerCase(Locale.ROOT).replace('_', '-'));
      button.setToggleGroup(tools);
      button.setUserData(tool);
      button.setTooltip(new Tooltip(switch (tool) {
        case SELECT -> "Click a region or link to see and edit its properties (Ctrl+1)";
        case ADD_REGION -> "Click the map to add a custom region there (Ctrl+2)";
        case LINK -> "Click two regions to link them with a realistic default RTT (Ctrl+3)";
        case WHAT_IF -> "Click regions or links to fail them and see who can still write and"
            + " read (Ctrl+4)";
      }));
      bar.getItems().add(button);
    }
    Runnable showTool = () -> tools.getToggles().forEach(
        t -> t.setSelected(t.getUserData() == model.toolProperty().get()));
    model.toolProperty().addListener((o, old, now) -> showTool.run());
    showTool.run();
    tools.selectedToggleProperty().addListener((o, old, now) -> {
      if (now == null) {
        showTool.run();
      } else {
        model.toolProperty().set((Tool) now.getUserData());
      }
    });
    Button dataset = button("New dataset", "new-dataset", model::newDataset,
        "Adds a dataset on up to three regions with an async policy; edit it on the right");
    Button policy = button("New policy", "new-policy", model::newPolicy,
        "Adds a replication policy; the selected dataset follows it");
    Button undo = button("Undo", "undo", model::undo, "Undo the last edit (Ctrl+Z)");
    undo.disableProperty().bind(model.canUndoProperty().not());
    Button redo = button("Redo", "redo", model::redo, "Redo (Ctrl+Shift+Z or Ctrl+Y)");
    redo.disableProperty().bind(model.canRedoProperty().not());
    Button fit = button("Fit all", "fit-all", graph::fitAll, "Zoom to show every region (Ctrl+0)");
    bar.getItems().addAll(new javafx.scene.control.Separator(), dataset, policy,
        new javafx.scene.control.Separator(), undo, redo, fit);
    return bar;
  }

  private static Button button(String text, String id, Runnable action, String help) {
    Button button = new Button(text);
    button.setId(id);
    button.setOnAction(event -> action.run());
    button.setTooltip(new Tooltip(help));
    return button;
  }

  // ----------------------------------------------------------------------------- files

  private void confirmDiscard(Runnable proceed) {
    if (!model.dirtyProperty().get()) {
      proceed.run();
      return;
    }
    ButtonType save = new ButtonType("Save", ButtonBar.ButtonData.YES);
    ButtonType discard = new ButtonType("Don't save", ButtonBar.ButtonData.NO);
    Alert alert = new Alert(Alert.AlertType.CONFIRMATION,
        "The design has changes that are not saved. Save them first?", save, discard,
        ButtonType.CANCEL);
    alert.setHeaderText("Unsaved changes");
    alert.initOwner(window());
    Optional<ButtonType> answer = alert.showAndWait();
    if (answer.isEmpty() || answer.get() == ButtonType.CANCEL) {
      return;
    }
    if (answer.get() == save) {
      save(proceed);
    } else {
      proceed.run();
    }
  }

  private void save(Runnable then) {
    if (model.hasFile()) {
      model.save(then);
    } else {
      saveAs(then);
    }
  }

  private void saveAs(Runnable then) {
    FileChooser chooser = chooser("Save topology as");
    Topology design = model.topologyProperty().get();
    chooser.setInitialFileName(design == null ? "topology.yaml" : design.name() + ".yaml");
    File chosen = chooser.showSaveDialog(window());
    if (chosen != null) {
      model.saveAs(chosen.toPath(), then);
    }
  }

  private void chooseFile() {
    File chosen = chooser("Open topology").showOpenDialog(window());
    if (chosen != null) {
      model.open(chosen.toPath());
    }
  }

  private FileChooser chooser(String title) {
    FileChooser chooser = new FileChooser();
    chooser.setTitle(title);
    chooser.getExtensionFilters().addAll(
        new FileChooser.ExtensionFilter("Topologies (*.yaml, *.yml, *.json)", "*.yaml", "*.yml",
            "*.json"),
        new FileChooser.ExtensionFilter("All files", "*.*"));
    Path current = model.fileProperty().get();
    File folder = current == null || current.toAbsolutePath().getParent() == null
        ? new File(System.getProperty("user.dir"))
        : current.toAbsolutePath().getParent().toFile();
    if (folder.isDirectory()) {
      chooser.setInitialDirectory(folder);
    }
    return chooser;
  }

  private void exportPng() {
    FileChooser chooser = new FileChooser();
    chooser.setTitle("Export graph as PNG");
    chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("PNG image", "*.png"));
    Topology design = model.topologyProperty().get();
    chooser.setInitialFileName(design == null ? "graph.png" : design.name() + ".png");
    File chosen = chooser.showSaveDialog(window());
    if (chosen != null) {
      // The snapshot must be taken on the JavaFX thread; encoding and writing happen elsewhere.
      WritableImage image = graph.snapshot(null, null);
      model.exportImage(SwingFXUtils.fromFXImage(image, null), chosen.toPath());
    }
  }

  private void acceptDroppedFiles() {
    root.setOnDragOver(event -> {
      if (event.getDragboard().hasFiles()) {
        event.acceptTransferModes(TransferMode.COPY);
      }
      event.consume();
    });
    root.setOnDragDropped(event -> {
      List<File> files = event.getDragboard().hasFiles() ? event.getDragboard().getFiles()
          : List.of();
      event.setDropCompleted(!files.isEmpty());
      event.consume();
      if (!files.isEmpty()) {
        Path dropped = files.get(0).toPath();
        // After the drop finishes, so the prompt does not run inside the drag-and-drop gesture.
        Platform.runLater(() -> confirmDiscard(() -> model.open(dropped)));
      }
    });
  }

  private Window window() {
    return root.getScene() == null ? null : root.getScene().getWindow();
  }

  // ----------------------------------------------------------------------------- graph

  private StackPane graphPane() {
    graph.setId("graph");
    graph.setMinSize(0, 0);
    graph.topologyProperty().bind(model.topologyProperty());
    model.topologyProperty().addListener((o, old, now) -> {
      if (now != null && (old == null || !old.name().equals(now.name())
          || old.regions().isEmpty())) {
        graph.fitAll();
      }
    });
    model.darkThemeProperty().addListener((o, old, dark) -> applyDark(dark));
    applyDark(model.darkThemeProperty().get());
    model.overlaysProperty().addListener((o, old, now) -> applyOverlays(now));
    applyOverlays(model.overlaysProperty().get());
    model.setCenterRequests(graph::centerOn);

    graph.selectionProperty().addListener((o, old, now) -> {
      if (syncingSelection) {
        return;
      }
      if (model.graphClicked(now)) {
        Platform.runLater(() -> {
          syncingSelection = true;
          graph.setSelection(null);
          syncingSelection = false;
        });
      }
    });
    model.graphSelectionProperty().addListener((o, old, now) -> {
      if (graph.getSelection() == null ? now != null : !graph.getSelection().equals(now)) {
        syncingSelection = true;
        graph.setSelection(now);
        syncingSelection = false;
      }
    });
    graph.addEventHandler(MouseEvent.MOUSE_CLICKED, event -> {
      if (model.toolProperty().get() == Tool.ADD_REGION
          && event.getButton() == MouseButton.PRIMARY && event.isStillSincePress()
          && event.getClickCount() == 1) {
        graph.toGeoPosition(event.getX(), event.getY()).ifPresent(
            at -> model.addCustomRegion(at.latitude(), at.longitude()));
      }
    });
    // A secondary click rather than the context-menu event, which not every platform (nor the
    // headless one the tests use) sends for the map.
    graph.addEventHandler(MouseEvent.MOUSE_CLICKED, event -> {
      if (event.getButton() != MouseButton.SECONDARY || !event.isStillSincePress()) {
        return;
      }
      // The graph selects on a primary click only; a right-click on a region or a link acts on
      // that element.
      graph.elementAt(event.getX(), event.getY()).ifPresent(model::selectOnGraph);
      ContextMenu menu = graphMenu();
      if (!menu.getItems().isEmpty()) {
        menu.show(graph, event.getScreenX(), event.getScreenY());
      }
      event.consume();
    });

    Label message = new Label();
    message.setId("map-message");
    message.textProperty().bind(model.mapMessageProperty());
    message.visibleProperty().bind(Bindings.createBooleanBinding(() -> {
      Topology design = model.topologyProperty().get();
      return design == null || design.regions().isEmpty();
    }, model.topologyProperty()));
    message.setMouseTransparent(true);
    message.getStyleClass().addAll(Styles.TEXT_MUTED);
    message.setWrapText(true);
    message.setMaxWidth(420);
    StackPane pane = new StackPane(graph, message);
    pane.setMinSize(0, 0);
    return pane;
  }

  private void applyDark(boolean dark) {
    if (dark) {
      if (!graph.getStyleClass().contains("dark")) {
        graph.getStyleClass().add("dark");
      }
    } else {
      graph.getStyleClass().remove("dark");
    }
  }

  private void applyOverlays(GraphOverlays overlays) {
    sync(graph.getRegionOverlays(), overlays.regions());
    sync(graph.getLinkOverlays(), overlays.links());
    graph.getHighlightedCountries().retainAll(overlays.shadedCountries());
    graph.getHighlightedCountries().addAll(overlays.shadedCountries());
  }

  /** Changes only the entries that differ, so the graph restyles only those. */
  private static <K, V> void sync(ObservableMap<K, V> target, Map<K, V> wanted) {
    target.keySet().removeIf(key -> !wanted.containsKey(key));
    wanted.forEach((key, value) -> {
      if (!value.equals(target.get(key))) {
        target.put(key, value);
      }
    });
  }

  private ContextMenu graphMenu() {
    ContextMenu menu = new ContextMenu();
    GraphElement selected = model.graphSelectionProperty().get();
    if (selected == null) {
      MenuItem fit = new MenuItem("Fit all");
      fit.setOnAction(event -> graph.fitAll());
      menu.getItems().add(fit);
      return menu;
    }
    MenuItem delete = new MenuItem("Delete");
    delete.setOnAction(event -> model.deleteSelection());
    boolean failed = selected instanceof GraphElement.RegionElement r
        ? model.failedRegions().contains(r.id())
        : selected instanceof GraphElement.LinkElement l && model.cutLinks().stream().anyMatch(
            c -> LinkKey.between(c.a(), c.b()).equals(l.key()));
    MenuItem fail = new MenuItem(failed ? "Restore in what-if" : "Fail in what-if");
    fail.setOnAction(event -> model.toggleFailure(selected));
    menu.getItems().addAll(delete, fail);
    if (selected instanceof GraphElement.RegionElement r) {
      MenuItem linkFrom = new MenuItem("Link from here…");
      linkFrom.setOnAction(event -> {
        model.toolProperty().set(Tool.LINK);
        model.graphClicked(GraphElement.region(r.id()));
      });
      menu.getItems().add(linkFrom);
      Topology design = model.topologyProperty().get();
      List<Dataset> holding = design == null ? List.of() : design.datasets().stream()
          .filter(d -> d.replicas().contains(r.id())).toList();
      if (!holding.isEmpty()) {
        Menu focus = new Menu("Focus dataset");
        holding.forEach(d -> {
          MenuItem entry = new MenuItem(d.name());
          entry.setOnAction(event -> model.selectTarget(new EditTarget.DatasetTarget(d.name())));
          focus.getItems().add(entry);
        });
        menu.getItems().add(focus);
      }
    }
    return menu;
  }

  // --------------------------------------------------------------------------- outline

  private TreeView<OutlineLine> outline() {
    outline.setId("outline");
    outline.setShowRoot(false);
    outline.setMinWidth(180);
    outline.setCellFactory(view -> new OutlineCell());
    outline.getRoot().getChildren().addAll(List.of(regions, links, datasets));
    bindBranch(regions, "Regions", model.regions());
    bindBranch(links, "Links", model.links());
    bindBranch(datasets, "Datasets", model.datasets());
    model.selectionProperty().addListener((observable, old, target) -> {
      if (target == null) {
        outline.getSelectionModel().clearSelection();
        return;
      }
      TreeItem<OutlineLine> item = branch(target.section()).getChildren().get(target.index());
      outline.getSelectionModel().select(item);
      outline.scrollTo(outline.getRow(item));
    });
    outline.setOnMouseClicked(event -> {
      TreeItem<OutlineLine> item = outline.getSelectionModel().getSelectedItem();
      if (item == null || item.getParent() == null || item.getParent() == outline.getRoot()) {
        return;
      }
      TreeItem<OutlineLine> parent = item.getParent();
      int index = parent.getChildren().indexOf(item);
      OutlineSelection.Section section = parent == regions ? OutlineSelection.Section.REGIONS
          : parent == links ? OutlineSelection.Section.LINKS : OutlineSelection.Section.DATASETS;
      model.selectOutline(new OutlineSelection(section, index));
    });
    MenuItem delete = new MenuItem("Delete");
    delete.setOnAction(event -> model.deleteSelection());
    outline.setContextMenu(new ContextMenu(delete));
    return outline;
  }

  private TreeItem<OutlineLine> branch(OutlineSelection.Section section) {
    return switch (section) {
      case REGIONS -> regions;
      case LINKS -> links;
      case DATASETS -> datasets;
    };
  }

  private static void bindBranch(TreeItem<OutlineLine> branch, String name,
      ObservableList<String> lines) {
    Runnable refresh = () -> {
      branch.getValue().setText(name + " (" + lines.size() + ")");
      ObservableList<TreeItem<OutlineLine>> items = branch.getChildren();
      if (items.size() == lines.size()) {
        // An edit that renamed or re-described entries: change those lines' text only, which
        // updates their cells; a new item value would rebuild every visible cell (ADR 0058).
        for (int i = 0; i < lines.size(); i++) {
          OutlineLine line = items.get(i).getValue();
          if (!lines.get(i).equals(line.text())) {
            line.setText(lines.get(i));
          }
        }
      } else {
        items.setAll(lines.stream().map(line -> new TreeItem<>(new OutlineLine(line))).toList());
      }
    };
    lines.addListener((ListChangeListener<String>) change -> refresh.run());
    branch.setExpanded(true);
    refresh.run();
  }

  // ------------------------------------------------------------------------ properties

  private VBox propertiesPanel() {
    propertyHeading.getStyleClass().add(Styles.TEXT_BOLD);
    propertyHeading.setWrapText(true);
    propertyGrid.setHgap(8);
    propertyGrid.setVgap(6);
    propertyGrid.setPadding(new Insets(4, 0, 4, 0));
    propertyGrid.setId("properties");
    model.properties().addListener((ListChangeListener<PropertyRow>) change -> showProperties());
    model.targetProperty().addListener((o, old, now) -> showProperties());
    showProperties();
    ScrollPane scroll = new ScrollPane(propertyGrid);
    scroll.setFitToWidth(true);
    VBox.setVgrow(scroll, Priority.ALWAYS);
    VBox panel = new VBox(6, propertyHeading, scroll);
    panel.setPadding(new Insets(6, 8, 6, 8));
    panel.setMinWidth(0);
    return panel;
  }

  private void showProperties() {
    EditTarget chosen = model.targetProperty().get();
    propertyHeading.setText(chosen instanceof EditTarget.RegionTarget r ? "Region " + r.id()
        : chosen instanceof EditTarget.LinkTarget l ? "Link " + l.a() + " ↔ " + l.b()
        : chosen instanceof EditTarget.DatasetTarget d ? "Dataset " + d.name()
        : "Properties: select a region, link or dataset");
    propertyGrid.getChildren().clear();
    int line = 0;
    for (PropertyRow row : model.properties()) {
      Label label = new Label(row.name());
      label.setMinWidth(Region.USE_PREF_SIZE);
      Tooltip help = new Tooltip(row.help());
      help.setWrapText(true);
      help.setMaxWidth(360);
      label.setTooltip(help);
      javafx.scene.control.Control editor = editor(row);
      if (editor instanceof TextInputControl || editor instanceof ComboBox) {
        editor.setTooltip(help);
      }
      editor.setId("property-" + row.name().toLowerCase(Locale.ROOT)
          .replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", ""));
      editor.setMaxWidth(Double.MAX_VALUE);
      GridPane.setHgrow(editor, Priority.ALWAYS);
      propertyGrid.addRow(line++, label, editor);
    }
  }

  private javafx.scene.control.Control editor(PropertyRow row) {
    if (row.name().equals(FAILOVER_ORDER) && !row.value().isBlank()) {
      return failoverOrder(row);
    }
    if (!row.choices().isEmpty()) {
      ComboBox<String> box = new ComboBox<>();
      box.getItems().setAll(row.choices());
      if (!row.choices().contains(row.value()) && !row.value().isEmpty()) {
        box.getItems().add(0, row.value());
      }
      box.setValue(row.value().isEmpty() ? null : row.value());
      box.setOnAction(event -> {
        String chosen = box.getValue();
        if (chosen != null && !chosen.equals(row.value())) {
          Platform.runLater(() -> model.setProperty(row, chosen));
        }
      });
      return box;
    }
    TextField field = new TextField(row.value());
    boolean readOnly = List.of("Id", "Ends", "Dataset").contains(row.name());
    field.setEditable(!readOnly);
    if (readOnly) {
      field.getStyleClass().add(Styles.TEXT_MUTED);
    }
    Runnable commit = () -> {
      if (!readOnly && !field.getText().equals(row.value())) {
        model.setProperty(row, field.getText());
      }
    };
    field.setOnAction(event -> commit.run());
    field.focusedProperty().addListener((o, was, focused) -> {
      if (!focused) {
        // Committing rebuilds the sheet; do it after focus has moved on.
        Platform.runLater(commit);
      }
    });
    return field;
  }

  /**
   * The failover order as a list whose entries are dragged into a new order; a drop writes the
   * new order through the view-model like any other property edit.
   */
  private javafx.scene.control.Control failoverOrder(PropertyRow row) {
    ListView<String> list = new ListView<>();
    list.getItems().setAll(Arrays.stream(row.value().split(",")).map(String::strip)
        .filter(id -> !id.isEmpty()).toList());
    list.setFixedCellSize(FAILOVER_CELL_PX);
    list.setPrefHeight(Math.min(6, list.getItems().size()) * FAILOVER_CELL_PX + 4);
    list.setTooltip(new Tooltip(row.help() + " Drag a region up or down to change the order."));
    list.setCellFactory(view -> {
      ListCell<String> cell = new ListCell<>() {
        @Override
        protected void updateItem(String item, boolean empty) {
          super.updateItem(item, empty);
          setText(empty || item == null ? null : (getIndex() + 1) + ". " + item);
        }
      };
      cell.setOnDragDetected(event -> {
        if (!cell.isEmpty()) {
          Dragboard board = cell.startDragAndDrop(TransferMode.MOVE);
          ClipboardContent content = new ClipboardContent();
          content.putString(Integer.toString(cell.getIndex()));
          board.setContent(content);
          event.consume();
        }
      });
      cell.setOnDragOver(event -> {
        if (event.getGestureSource() instanceof ListCell<?> && event.getDragboard().hasString()) {
          event.acceptTransferModes(TransferMode.MOVE);
        }
        event.consume();
      });
      cell.setOnDragDropped(event -> {
        List<String> order = new ArrayList<>(list.getItems());
        int from = Integer.parseInt(event.getDragboard().getString());
        int to = cell.isEmpty() ? order.size() - 1 : cell.getIndex();
        if (from >= 0 && from < order.size() && to >= 0 && to < order.size() && from != to) {
          order.add(to, order.remove(from));
          String text = String.join(", ", order);
          // After the gesture ends: the edit rebuilds the sheet, and with it this list.
          Platform.runLater(() -> model.setProperty(row, text));
        }
        event.setDropCompleted(true);
        event.consume();
      });
      return cell;
    });
    return list;
  }

  // -------------------------------------------------------------------------- problems

  private VBox problemsPanel() {
    Label heading = new Label();
    heading.setId("problems-heading");
    heading.textProperty().bind(Bindings.size(model.problems()).asString("Problems (%d)"));
    heading.getStyleClass().add(Styles.TEXT_BOLD);
    heading.setPadding(new Insets(4, 10, 4, 10));
    TableView<ProblemRow> table = problems();
    VBox.setVgrow(table, Priority.ALWAYS);
    return new VBox(heading, table);
  }

  private TableView<ProblemRow> problems() {
    TableView<ProblemRow> table = new TableView<>(model.problems());
    table.setId("problems");
    table.setPlaceholder(new Label("No problems"));
    table.getSelectionModel().selectedItemProperty().addListener((observable, old, row) -> {
      if (row != null) {
        model.reveal(row);
      }
    });
    table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
    TableColumn<ProblemRow, Severity> severity = new TableColumn<>("Severity");
    severity.setCellValueFactory(row -> new ReadOnlyObjectWrapper<>(
        row.getValue().severity()));
    severity.setCellFactory(column -> new SeverityCell());
    severity.setPrefWidth(70);
    table.getColumns().add(severity);
    table.getColumns().add(textColumn("Location", ProblemRow::location, 170));
    table.getColumns().add(textColumn("Code", ProblemRow::code, 220));
    table.getColumns().add(textColumn("Message", ProblemRow::message, 360));
    table.getColumns().add(textColumn("Fix", ProblemRow::fix, 300));
    return table;
  }

  private static TableColumn<ProblemRow, String> textColumn(
      String title, Function<ProblemRow, String> value, double width) {
    TableColumn<ProblemRow, String> column = new TableColumn<>(title);
    column.setCellValueFactory(row -> new ReadOnlyStringWrapper(value.apply(row.getValue())));
    column.setPrefWidth(width);
    return column;
  }

  private HBox statusBar() {
    Label status = new Label();
    status.setId("status");
    status.textProperty().bind(model.statusProperty());
    Label checking = new Label("checking…");
    checking.visibleProperty().bind(model.checkingProperty());
    checking.getStyleClass().add(Styles.TEXT_MUTED);
    ProgressIndicator busy = new ProgressIndicator();
    busy.setPrefSize(14, 14);
    busy.visibleProperty().bind(model.loadingProperty());
    busy.managedProperty().bind(busy.visibleProperty());
    Region spring = new Region();
    HBox.setHgrow(spring, Priority.ALWAYS);
    HBox bar = new HBox(8, status, spring, checking, busy);
    bar.setAlignment(Pos.CENTER_LEFT);
    bar.setPadding(new Insets(4, 10, 4, 10));
    bar.getStyleClass().add(Styles.TEXT_SMALL);
    return bar;
  }

  /** An outline cell whose text follows its line's text, so a changed line updates in place. */
  private static final class OutlineCell extends javafx.scene.control.TreeCell<OutlineLine> {
    @Override
    protected void updateItem(OutlineLine item, boolean empty) {
      super.updateItem(item, empty);
      textProperty().unbind();
      if (empty || item == null) {
        setText(null);
      } else {
        textProperty().bind(item.textProperty());
      }
    }
  }

  /**
   * Severity in the theme's danger, warning or muted colour. One label per cell, updated in
   * place: the table updates its visible cells after every check, and a new label each time was
   * styled and skinned afresh (ADR 0054).
   */
  private static final class SeverityCell extends TableCell<ProblemRow, Severity> {
    private static final List<String> SEVERITY_STYLES =
        List.of(Styles.DANGER, Styles.WARNING, Styles.TEXT_MUTED);
    private final Label label = new Label();

    @Override
    protected void updateItem(Severity item, boolean empty) {
      super.updateItem(item, empty);
      if (empty || item == null) {
        setGraphic(null);
        return;
      }
      String style = switch (item) {
        case ERROR -> Styles.DANGER;
        case WARNING -> Styles.WARNING;
        case INFO -> Styles.TEXT_MUTED;
      };
      label.setText(item.label());
      if (!label.getStyleClass().contains(style)) {
        label.getStyleClass().removeAll(SEVERITY_STYLES);
        label.getStyleClass().add(style);
      }
      if (getGraphic() != label) {
        setGraphic(label);
      }
    }
  }
}

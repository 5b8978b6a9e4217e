package io.meridian.app.live;

import io.meridian.agent.api.v1.ReadConsistency;
import io.meridian.app.client.LoadGenerator;
import io.meridian.app.client.LoadOptions;
import io.meridian.app.client.LoadResult;
import io.meridian.app.live.LiveActions.Action;
import io.meridian.app.live.LiveState.ConflictRecord;
import io.meridian.app.live.LiveState.EntryKind;
import io.meridian.app.live.LiveState.FlowKey;
import io.meridian.app.live.LiveState.LagSample;
import io.meridian.app.live.LiveState.TimelineEntry;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.visualization.chart.LagChart;
import io.meridian.visualization.graph.GraphElement;
import io.meridian.visualization.graph.LinkKey;
import io.meridian.visualization.graph.TopologyGraph;
import io.meridian.visualization.map.GeoPosition;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import javafx.animation.Animation;
import javafx.animation.KeyFrame;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ObservableMap;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Point2D;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.CustomMenuItem;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.Separator;
import javafx.scene.control.Slider;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToolBar;
import javafx.scene.control.Tooltip;
import javafx.scene.input.ContextMenuEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.util.Duration;
import javafx.util.StringConverter;

/**
 * The live view: the deployed design on the map with live overlays, a tool bar (pause, scrub,
 * save the recording, actions on the selection), and below it the lag of one flow against its
 * prediction and bound, the event timeline, the conflicts and the load generator. Right-click a
 * region or link for its actions. Binds to a {@link LiveViewModel}; a {@link
 * javafx.animation.Timeline} pulls the newest state every {@link #FRAME_TICK}, so however fast
 * the agents talk, the JavaFX thread does a fixed amount of work.
 *
 * <p>Node ids for tests: {@code #live-graph}, {@code #live-pause}, {@code #live-scrub},
 * {@code #live-save}, {@code #live-cut}, {@code #live-heal}, {@code #live-kill}, {@code
 * #live-restart}, {@code #live-failover-planned}, {@code #live-failover-forced}, {@code
 * #live-repair}, {@code #live-lag-chart}, {@code #live-flow}, {@code #live-timeline},
 * {@code #live-timeline-filter}, {@code #live-timeline-kind}, {@code #live-conflicts},
 * {@code #live-message}, {@code #live-load-start}, {@code #live-load-rate}, {@code
 * #live-load-status}, {@code #live-load-consistency}, {@code #live-teardown}.
 */
public final class LiveView {
  /** How often the view takes the newest state: ten times a second. */
  public static final Duration FRAME_TICK = Duration.millis(100);
  /** How much lag history the lag panel shows. */
  public static final long LAG_WINDOW_MILLIS = 5 * 60_000;
  /** The lag panel's shortest span, while little history has been received. */
  public static final long LAG_WINDOW_MIN_MILLIS = 60_000;
  private static final double REGION_HIT_RADIUS_PX = 14;
  /** Ticks between checks of which actions the deployment supports: one second. */
  private static final int SUPPORT_CHECK_TICKS = 10;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT).withZone(ZoneId.systemDefault());

  private final LiveViewModel model;
  private final LiveConnection connection;
  private final BorderPane root = new BorderPane();
  private final TopologyGraph graph = new TopologyGraph();
  private final LagChart lagChart = new LagChart();
  private final ComboBox<FlowKey> flowChoice = new ComboBox<>();
  private final Label message = new Label();
  private final javafx.animation.Timeline ticker;
  private final List<Runnable> selectionListeners = new ArrayList<>();
  // What a deployment supports can change while the window is open (the agents answer whether
  // they offer failover a moment after connecting), so the action controls are checked again
  // once a second.
  private final List<Runnable> supportListeners = new ArrayList<>();
  private int ticksSinceSupportCheck;
  private final javafx.beans.property.BooleanProperty particles =
      new javafx.beans.property.SimpleBooleanProperty(this, "particles", true);
  private final javafx.beans.property.BooleanProperty dark =
      new javafx.beans.property.SimpleBooleanProperty(this, "dark");
  private Thread loadThread;

  /**
   * Builds the view.
   *
   * @param model the state and logic
   * @param connection the watched deployment, for the load generator; null when replaying
   */
  public LiveView(LiveViewModel model, LiveConnection connection) {
    this.model = model;
    this.connection = connection;
    graph.setId("live-graph");
    graph.setMinSize(0, 0);
    graph.setTopology(model.topology());
    graph.setOnContextMenuRequested(this::showContextMenu);
    graph.selectionProperty().addListener(o -> selectionListeners.forEach(Runnable::run));
    model.overlaysProperty().addListener((o, before, now) -> applyOverlays(now));
    model.failoverConfirmationProperty().addListener((o, before, now) -> {
      if (now != null) {
        confirmForcedFailover(now);
      }
    });
    model.stateProperty().addListener((o, before, now) -> refreshFlowsAndChart());
    model.selectedFlowProperty().addListener((o, before, now) -> {
      flowChoice.getSelectionModel().select(now);
      refreshFlowsAndChart();
    });
    flowChoice.valueProperty().addListener((o, before, now) -> {
      if (now != null) {
        model.selectedFlowProperty().set(now);
      }
    });

    SplitPane split = new SplitPane(new StackPane(graph), bottomTabs());
    split.setOrientation(Orientation.VERTICAL);
    split.setDividerPositions(0.62);
    // No background under the graph: the theme's split pane background (two fills) is drawn
    // from the region image cache as a nine-slice copy under every particle frame, about half
    // of a software particle frame (ADR 0025). The graph and the tabs paint their own.
    split.setStyle("-fx-background-color: null;");
    root.setTop(toolBar());
    root.setCenter(split);
    message.setId("live-message");
    message.textProperty().bind(model.messageProperty());
    message.setPadding(new Insets(2, 8, 2, 8));
    root.setBottom(message);
    root.getStyleClass().add("live-view");
    dark.addListener((o, was, now) -> applyDark(now));

    // What the model shows already (a replay starts with a state).
    applyOverlays(model.overlaysProperty().get());
    refreshFlowsAndChart();

    ticker = new javafx.animation.Timeline(new KeyFrame(FRAME_TICK, e -> {
      model.tick();
      if (++ticksSinceSupportCheck >= SUPPORT_CHECK_TICKS) {
        ticksSinceSupportCheck = 0;
        supportListeners.forEach(Runnable::run);
      }
    }));
    ticker.setCycleCount(Animation.INDEFINITE);
    graph.sceneProperty().addListener((o, before, scene) -> {
      if (scene != null) {
        Platform.runLater(graph::fitAll);
      }
    });
  }

  /** @return the view's root, to put in a scene */
  public Parent root() {
    return root;
  }

  /** @return the graph, for tests and snapshots */
  public TopologyGraph graph() {
    return graph;
  }

  /** @return the view model */
  public LiveViewModel model() {
    return model;
  }

  /** Starts pulling states at {@link #FRAME_TICK}. */
  public void start() {
    ticker.play();
  }

  /** Stops pulling states and any load run. */
  public void stop() {
    ticker.stop();
    graph.getLinkFlows().clear();
    if (loadThread != null) {
      loadThread.interrupt();
    }
  }

  // ---------------------------------------------------------------- overlays

  private void applyOverlays(LiveOverlays overlays) {
    sync(graph.getRegionOverlays(), overlays.regions());
    sync(graph.getLinkOverlays(), overlays.links());
    sync(graph.getLinkFlows(), particles.get() ? overlays.flows() : Map.of());
  }

  /**
   * Whether traffic is drawn as moving particles. Default on; off saves a software renderer
   * from redrawing the map every frame (a slow machine, a remote desktop).
   *
   * @return the property
   */
  public javafx.beans.property.BooleanProperty particlesProperty() {
    return particles;
  }

  /**
   * Whether the live overlays, map and lag chart use their dark colours (the controls follow
   * the application's AtlantaFX theme by themselves). The studio binds it to its dark theme.
   *
   * @return the property
   */
  public javafx.beans.property.BooleanProperty darkProperty() {
    return dark;
  }

  private void applyDark(boolean on) {
    for (Node node : List.of(graph, lagChart, root)) {
      if (on && !node.getStyleClass().contains("dark")) {
        node.getStyleClass().add("dark");
      } else if (!on) {
        node.getStyleClass().remove("dark");
      }
    }
  }

  /** Changes only what differs, so unchanged regions and links are not restyled. */
  private static <K, V> void sync(ObservableMap<K, V> shown, Map<K, V> wanted) {
    shown.keySet().retainAll(wanted.keySet());
    wanted.forEach((key, value) -> {
      if (!value.equals(shown.get(key))) {
        shown.put(key, value);
      }
    });
  }

  // ----------------------------------------------------------------- tool bar

  private ToolBar toolBar() {
    ToggleButton pause = new ToggleButton("Pause");
    pause.setId("live-pause");
    pause.setTooltip(new Tooltip("Freeze the view; drag the slider to scrub back through the "
        + "last 30 minutes"));
    pause.selectedProperty().addListener((o, was, now) -> {
      if (now) {
        model.pause();
      } else {
        model.resume();
      }
    });
    model.pausedProperty().addListener((o, was, now) -> pause.setSelected(now));
    pause.setSelected(model.pausedProperty().get());
    pause.disableProperty().bind(model.replayingProperty());

    Slider scrub = new Slider();
    scrub.setId("live-scrub");
    scrub.setPrefWidth(220);
    scrub.minProperty().bind(model.rangeStartProperty());
    scrub.maxProperty().bind(model.rangeEndProperty());
    scrub.disableProperty().bind(model.pausedProperty().not());
    scrub.setTooltip(new Tooltip("Pause, then drag to see any instant of the recording"));
    model.shownAtProperty().addListener((o, was, now) -> {
      if (!scrub.isValueChanging()) {
        scrub.setValue(now.doubleValue());
      }
    });
    scrub.setValue(model.shownAtProperty().get());
    scrub.valueProperty().addListener((o, was, now) -> {
      if (model.pausedProperty().get() && Math.abs(now.longValue()
          - model.shownAtProperty().get()) >= 50) {
        model.scrubTo(now.longValue());
      }
    });
    Label shownAt = new Label();
    shownAt.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(
        () -> model.shownAtProperty().get() == 0 ? "waiting for agents"
            : TIME.format(Instant.ofEpochMilli(model.shownAtProperty().get()))
                + (model.pausedProperty().get() ? " (paused)" : " (live)"),
        model.shownAtProperty(), model.pausedProperty()));

    Button save = new Button("Save recording…");
    save.setId("live-save");
    save.setTooltip(new Tooltip("Save everything received (the last 30 minutes) to a file to "
        + "open later with Live › Open recording"));
    save.setOnAction(e -> {
      FileChooser chooser = new FileChooser();
      chooser.setTitle("Save the live recording");
      chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter(
          "Meridian live recording", "*.mlive"));
      chooser.setInitialFileName(model.topology().name() + ".mlive");
      java.io.File file = chooser.showSaveDialog(root.getScene().getWindow());
      if (file != null) {
        model.saveRecording(file.toPath());
      }
    });

    javafx.scene.control.CheckBox particleBox = new javafx.scene.control.CheckBox("Particles");
    particleBox.setId("live-particles");
    particleBox.selectedProperty().bindBidirectional(particles);
    particleBox.setTooltip(new Tooltip("Draw replication traffic as particles moving from the "
        + "primary, denser for more changes per second; turn off on a slow machine"));
    particles.addListener(o -> applyOverlays(model.overlaysProperty().get()));

    ToolBar bar = new ToolBar(pause, scrub, shownAt, save, particleBox, new Separator(),
        actionButton("live-cut", "Cut link", Action.CUT_LINK, true,
            () -> selectedLink().ifPresent(k -> model.cutLink(k.first().value(),
                k.second().value()))),
        actionButton("live-heal", "Heal link", Action.HEAL_LINK, true,
            () -> selectedLink().ifPresent(k -> model.healLink(k.first().value(),
                k.second().value()))),
        actionButton("live-kill", "Kill region", Action.KILL_REGION, false,
            () -> selectedRegion().ifPresent(model::kill)),
        actionButton("live-restart", "Restart region", Action.RESTART_REGION, false,
            () -> selectedRegion().ifPresent(model::restart)),
        actionButton("live-failover-planned", "Planned failover", Action.PLANNED_FAILOVER, false,
            () -> selectedRegion().ifPresent(r -> model.failoverDatasets(r).stream().findFirst()
                .ifPresent(d -> model.plannedFailover(d, r)))),
        actionButton("live-failover-forced", "Forced failover", Action.FORCED_FAILOVER, false,
            () -> selectedRegion().ifPresent(r -> model.failoverDatasets(r).stream().findFirst()
                .ifPresent(d -> model.requestForcedFailover(d, r)))),
        actionButton("live-repair", "Repair now", Action.REPAIR, false,
            () -> selectedRegion().ifPresent(model::repair)),
        new Separator(), teardownButton());
    return bar;
  }

  /**
   * Stops every agent of a local deployment after the operator confirms; disabled, saying why,
   * for recordings and deployments connected by address.
   */
  private Node teardownButton() {
    Button button = new Button("Tear down…");
    button.setId("live-teardown");
    button.setOnAction(e -> {
      Alert alert = new Alert(Alert.AlertType.CONFIRMATION, "Every agent of this deployment "
          + "is stopped (SIGTERM, then SIGKILL after " + io.meridian.app.deploy.LocalDeployer.STOP_TIMEOUT.toSeconds()
          + " s), as 'meridian teardown' does. Their data and logs stay in the state "
          + "directory.", ButtonType.CANCEL, ButtonType.OK);
      alert.setTitle("Tear down");
      alert.setHeaderText("Stop every agent of " + model.topology().name() + "?");
      alert.getDialogPane().setId("live-teardown-confirmation");
      if (graph.getScene() != null) {
        alert.initOwner(graph.getScene().getWindow());
      }
      alert.resultProperty().addListener((o, before, answer) -> {
        if (answer == ButtonType.OK) {
          model.teardown();
        }
      });
      alert.show();
    });
    StackPane wrapper = new StackPane(button);
    Tooltip tooltip = new Tooltip();
    tooltip.setWrapText(true);
    tooltip.setMaxWidth(420);
    Tooltip.install(wrapper, tooltip);
    Runnable update = () -> {
      Optional<String> unsupported = model.whyDisabled(Action.TEARDOWN);
      button.setDisable(unsupported.isPresent());
      setIfChanged(tooltip, unsupported.map(reason -> "Tear down is not available: " + reason)
          .orElse("Stop every agent of this deployment (as 'meridian teardown')"));
    };
    supportListeners.add(update);
    model.replayingProperty().addListener(o -> update.run());
    update.run();
    return wrapper;
  }

  /** Sets a tooltip's text only when it changes, so a steady refresh costs no layout. */
  private static void setIfChanged(Tooltip tooltip, String text) {
    if (!text.equals(tooltip.getText())) {
      tooltip.setText(text);
    }
  }

  /**
   * A button acting on the selected link or region; disabled, with a tooltip saying why, when
   * the deployment cannot do it or nothing suitable is selected. (A disabled control shows no
   * tooltip, so the tooltip sits on a wrapper.)
   */
  private Node actionButton(String id, String text, Action action, boolean onLink,
      Runnable run) {
    Button button = new Button(text);
    button.setId(id);
    button.setOnAction(e -> run.run());
    StackPane wrapper = new StackPane(button);
    Tooltip tooltip = new Tooltip();
    tooltip.setWrapText(true);
    tooltip.setMaxWidth(420);
    Tooltip.install(wrapper, tooltip);
    Runnable update = () -> {
      Optional<String> unsupported = model.whyDisabled(action);
      boolean selected = onLink ? selectedLink().isPresent() : selectedRegion().isPresent();
      button.setDisable(unsupported.isPresent() || !selected);
      setIfChanged(tooltip, unsupported.map(reason -> text + " is not available: " + reason)
          .orElse(selected ? text + " " + describeSelection()
              : "Select a " + (onLink ? "link" : "region") + " on the map first"));
    };
    selectionListeners.add(update);
    supportListeners.add(update);
    model.replayingProperty().addListener(o -> update.run());
    update.run();
    return wrapper;
  }

  private String describeSelection() {
    return selectedLink().map(LinkKey::toString)
        .or(() -> selectedRegion()).orElse("");
  }

  private Optional<LinkKey> selectedLink() {
    return graph.getSelection() instanceof GraphElement.LinkElement link
        ? Optional.of(link.key()) : Optional.empty();
  }

  private Optional<String> selectedRegion() {
    return graph.getSelection() instanceof GraphElement.RegionElement region
        ? Optional.of(region.id().value()) : Optional.empty();
  }

  // ------------------------------------------------------------ context menu

  private void showContextMenu(ContextMenuEvent event) {
    Optional<GraphElement> target = linkUnder(event.getPickResult().getIntersectedNode())
        .or(() -> nearestRegion(event.getX(), event.getY()).map(GraphElement::region));
    if (target.isEmpty()) {
      return;
    }
    graph.setSelection(target.get());
    ContextMenu menu = new ContextMenu();
    if (target.get() instanceof GraphElement.LinkElement link) {
      String a = link.key().first().value();
      String b = link.key().second().value();
      menu.getItems().addAll(
          item("Cut link " + link.key(), Action.CUT_LINK, () -> model.cutLink(a, b)),
          item("Heal link " + link.key(), Action.HEAL_LINK, () -> model.healLink(a, b)));
    } else if (target.get() instanceof GraphElement.RegionElement region) {
      String id = region.id().value();
      List<String> datasets = model.failoverDatasets(id);
      if (datasets.isEmpty()) {
        MenuItem none = new MenuItem("Failover to " + id + ": already primary of all it holds");
        none.setDisable(true);
        menu.getItems().add(none);
      }
      for (String dataset : datasets) {
        String suffix = datasets.size() == 1 ? "" : " (" + dataset + ")";
        menu.getItems().addAll(
            item("Planned failover to " + id + suffix, Action.PLANNED_FAILOVER,
                () -> model.plannedFailover(dataset, id)),
            item("Forced failover to " + id + suffix + "…", Action.FORCED_FAILOVER,
                () -> model.requestForcedFailover(dataset, id)));
      }
      menu.getItems().addAll(
          item("Kill " + id, Action.KILL_REGION, () -> model.kill(id)),
          item("Restart " + id, Action.RESTART_REGION, () -> model.restart(id)),
          item("Repair " + id + " now", Action.REPAIR, () -> model.repair(id)));
    }
    menu.show(graph, event.getScreenX(), event.getScreenY());
    event.consume();
  }

  /**
   * Asks the operator to confirm a forced failover, stating the current lag and the
   * acknowledged writes that would be lost. Shown without blocking the FX thread's pulse
   * ({@code show}, not {@code showAndWait}).
   */
  private void confirmForcedFailover(LiveViewModel.FailoverConfirmation pending) {
    Alert alert = new Alert(Alert.AlertType.CONFIRMATION, pending.text(),
        ButtonType.CANCEL, ButtonType.OK);
    alert.setTitle("Forced failover");
    alert.setHeaderText("Force " + pending.region() + " to be the primary of "
        + pending.dataset() + " now?");
    alert.getDialogPane().setId("live-forced-failover-confirmation");
    alert.getDialogPane().setMinWidth(520);
    alert.getDialogPane().setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
    if (graph.getScene() != null) {
      alert.initOwner(graph.getScene().getWindow());
    }
    alert.resultProperty().addListener((o, before, answer) ->
        model.answerForcedFailover(answer == ButtonType.OK));
    alert.setOnHidden(e -> {
      if (alert.getResult() == null) {
        model.answerForcedFailover(false);
      }
    });
    alert.show();
  }

  /** A menu item, or a greyed one whose tooltip says why the action is not available. */
  private MenuItem item(String text, Action action, Runnable run) {
    Optional<String> unsupported = model.whyDisabled(action);
    if (unsupported.isEmpty()) {
      MenuItem item = new MenuItem(text);
      item.setOnAction(e -> run.run());
      return item;
    }
    Label label = new Label(text);
    label.setOpacity(0.45);
    Tooltip tooltip = new Tooltip(text + " is not available: " + unsupported.get());
    tooltip.setWrapText(true);
    tooltip.setMaxWidth(420);
    Tooltip.install(label, tooltip);
    CustomMenuItem item = new CustomMenuItem(label, false);
    item.getStyleClass().add("unavailable");
    item.setOnAction(e -> model.act(action, "", text, () -> "")); // explains in the status line
    return item;
  }

  /** The link whose click twin was hit: the graph names it in its accessible text. */
  private Optional<GraphElement> linkUnder(Node picked) {
    if (picked == null || !picked.getStyleClass().contains("link-hit")
        || picked.getAccessibleText() == null) {
      return Optional.empty();
    }
    String text = picked.getAccessibleText();
    return model.topology().links().stream().map(LinkKey::of)
        .filter(key -> text.startsWith("Link " + key + ","))
        .findFirst().map(GraphElement::link);
  }

  private Optional<RegionId> nearestRegion(double x, double y) {
    RegionId best = null;
    double bestDistance = REGION_HIT_RADIUS_PX;
    for (Region region : model.topology().regions()) {
      Optional<Point2D> at = graph.toLocal(new GeoPosition(region.longitude(),
          region.latitude()));
      if (at.isPresent() && at.get().distance(x, y) <= bestDistance) {
        bestDistance = at.get().distance(x, y);
        best = region.id();
      }
    }
    return Optional.ofNullable(best);
  }

  // ------------------------------------------------------------ bottom tabs

  private TabPane bottomTabs() {
    TabPane tabs = new TabPane(tab("Lag", lagPanel()), tab("Timeline", timelinePanel()),
        tab("Conflicts", conflictsPanel()), tab("Load", loadPanel()));
    tabs.setId("live-tabs");
    return tabs;
  }

  private static Tab tab(String name, Node content) {
    Tab tab = new Tab(name, content);
    tab.setClosable(false);
    return tab;
  }

  private Node lagPanel() {
    flowChoice.setId("live-flow");
    flowChoice.setPromptText("no replication flow reported yet");
    lagChart.setId("live-lag-chart");
    Label legend = new Label("solid: measured lag · thin grey: versions behind · dashed: the "
        + "analysis' predicted p99 · dotted red: the dataset's bound · shaded: faults");
    legend.setOpacity(0.8);
    HBox top = new HBox(8, new Label("Flow"), flowChoice, legend);
    top.setAlignment(Pos.CENTER_LEFT);
    VBox box = new VBox(6, top, lagChart);
    VBox.setVgrow(lagChart, Priority.ALWAYS);
    box.setPadding(new Insets(6));
    return box;
  }

  private void refreshFlowsAndChart() {
    LiveState state = model.stateProperty().get();
    List<FlowKey> flows = state.flows().keySet().stream()
        .sorted(java.util.Comparator.comparing(FlowKey::toString)).toList();
    if (!flows.equals(flowChoice.getItems())) {
      FlowKey selected = model.selectedFlowProperty().get();
      flowChoice.getItems().setAll(flows);
      flowChoice.getSelectionModel().select(selected);
    }
    FlowKey flow = model.selectedFlowProperty().get();
    if (flow == null) {
      lagChart.setData(LagChart.Data.EMPTY);
      return;
    }
    List<LagSample> samples = state.history().getOrDefault(flow, List.of());
    long end = state.atMillis();
    // The last five minutes, or less while less has been received, but never under a minute.
    long start = Math.max(end - LAG_WINDOW_MILLIS, Math.min(end - LAG_WINDOW_MIN_MILLIS,
        samples.isEmpty() ? end : samples.get(0).atMillis()));
    long[] at = new long[samples.size()];
    long[] lag = new long[samples.size()];
    long[] versions = new long[samples.size()];
    for (int i = 0; i < samples.size(); i++) {
      at[i] = samples.get(i).atMillis();
      lag[i] = samples.get(i).lagMillis();
      versions[i] = samples.get(i).lagVersions();
    }
    OptionalLong bound = LiveOverlays.boundMillis(model.topology(), flow.dataset());
    List<long[]> faults = state.faults().stream()
        .filter(f -> f.endMillis() >= start)
        .map(f -> new long[] {f.startMillis(), f.endMillis()}).toList();
    lagChart.setData(new LagChart.Data(flow.toString(), start, end, at, lag, versions,
        model.predictedLagMillis(flow).orElse(Double.NaN),
        bound.isPresent() ? bound.getAsLong() : Double.NaN, faults));
  }

  private Node timelinePanel() {
    TextField filter = new TextField();
    filter.setId("live-timeline-filter");
    filter.setPromptText("Filter by region or text");
    filter.textProperty().bindBidirectional(model.timelineFilterProperty());
    ComboBox<EntryKind> kind = new ComboBox<>();
    kind.setId("live-timeline-kind");
    kind.getItems().add(null);
    kind.getItems().addAll(EntryKind.values());
    kind.setConverter(new StringConverter<>() {
      @Override
      public String toString(EntryKind value) {
        return value == null ? "all events" : value.name().toLowerCase(Locale.ROOT);
      }

      @Override
      public EntryKind fromString(String text) {
        return null;
      }
    });
    kind.valueProperty().bindBidirectional(model.timelineKindProperty());

    TableView<TimelineEntry> table = new TableView<>(model.timeline());
    table.setId("live-timeline");
    table.setPlaceholder(new Label("No events yet: cuts, heals, peers up and down, agents "
        + "lost, failovers and your actions appear here"));
    table.getColumns().add(column("Time", e -> TIME.format(Instant.ofEpochMilli(e.atMillis())),
        110));
    table.getColumns().add(column("Region", TimelineEntry::region, 120));
    table.getColumns().add(column("Kind", e -> e.kind().name().toLowerCase(Locale.ROOT), 80));
    table.getColumns().add(column("What happened", TimelineEntry::text, 640));
    table.setRowFactory(t -> new TableRow<>() {
      @Override
      protected void updateItem(TimelineEntry item, boolean empty) {
        super.updateItem(item, empty);
        pseudoClassStateChanged(javafx.css.PseudoClass.getPseudoClass("failed"),
            !empty && item != null && item.failed());
        // Kiali's failing red, lighter on the dark theme so it keeps its contrast there.
        setStyle(!empty && item != null && item.failed() ? "-fx-text-background-color: "
            + (dark.get() ? "#ff7b72;" : "#c9190b;") : "");
      }
    });
    HBox top = new HBox(8, filter, kind);
    VBox box = new VBox(6, top, table);
    VBox.setVgrow(table, Priority.ALWAYS);
    box.setPadding(new Insets(6));
    return box;
  }

  private Node conflictsPanel() {
    TableView<ConflictRecord> table = new TableView<>(model.conflicts());
    table.setId("live-conflicts");
    table.setPlaceholder(new Label("No conflicts reported. Multi-primary datasets report each "
        + "conflict between concurrent writes here: key, versions, rule, winner, discarded."));
    table.getColumns().add(column("Time", c -> TIME.format(Instant.ofEpochMilli(c.atMillis())),
        110));
    table.getColumns().add(column("Region", ConflictRecord::region, 100));
    table.getColumns().add(column("Dataset", ConflictRecord::dataset, 100));
    table.getColumns().add(column("Key", ConflictRecord::key, 140));
    table.getColumns().add(column("Concurrent versions",
        c -> Integer.toString(c.concurrentVersions()), 130));
    table.getColumns().add(column("Rule", ConflictRecord::rule, 100));
    table.getColumns().add(column("Winner", ConflictRecord::winner, 160));
    table.getColumns().add(column("Discarded", ConflictRecord::discarded, 200));
    return table;
  }

  private static <T> TableColumn<T, String> column(String name, Function<T, String> value,
      double width) {
    TableColumn<T, String> column = new TableColumn<>(name);
    column.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(value.apply(
        cell.getValue())));
    column.setPrefWidth(width);
    return column;
  }

  // -------------------------------------------------------------------- load

  private Node loadPanel() {
    TextField rate = new TextField("200");
    rate.setId("live-load-rate");
    TextField readRatio = new TextField("0.2");
    TextField valueBytes = new TextField("256");
    TextField seconds = new TextField("60");
    TextField regions = new TextField();
    regions.setPromptText("the primary");
    ComboBox<String> consistency = new ComboBox<>();
    consistency.setId("live-load-consistency");
    consistency.getItems().addAll(LiveViewModel.LOAD_READ_LEVELS.keySet());
    consistency.getSelectionModel().select(0);
    consistency.setTooltip(new Tooltip("The consistency level of every read the load makes. "
        + "A level the dataset's mode cannot honour is refused by the agents; the refusals "
        + "count as errors and their reason is shown here when the run ends"));
    Button start = new Button("Start load");
    start.setId("live-load-start");
    Label status = new Label("idle");
    status.setId("live-load-status");
    GridPane grid = new GridPane();
    grid.setHgap(8);
    grid.setVgap(6);
    grid.setPadding(new Insets(8));
    grid.addRow(0, new Label("Rate (ops/s)"), rate, new Label("Read ratio"), readRatio);
    grid.addRow(1, new Label("Value size (bytes)"), valueBytes, new Label("Duration (s)"),
        seconds);
    grid.addRow(2, new Label("Regions"), regions, new Label("Read consistency"), consistency);
    grid.addRow(3, start, status);
    GridPane.setColumnSpan(status, 3);
    if (connection == null) {
      start.setDisable(true);
      status.setText("not available: this is a saved recording, not a running deployment");
      return grid;
    }
    start.setOnAction(e -> {
      if (loadThread != null && loadThread.isAlive()) {
        loadThread.interrupt();
        return;
      }
      LoadOptions options;
      try {
        options = loadOptions(rate.getText(), readRatio.getText(), valueBytes.getText(),
            seconds.getText(), regions.getText(), consistency.getValue());
      } catch (IllegalArgumentException bad) {
        status.setText(bad.getMessage());
        return;
      }
      start.setText("Stop load");
      model.loadRunningProperty().set(true);
      status.setText("starting " + options.ratePerSecond() + " ops/s on " + options.dataset());
      loadThread = new Thread(() -> runLoad(options, status, start), "meridian-live-load");
      loadThread.setDaemon(true);
      loadThread.start();
    });
    return grid;
  }

  private LoadOptions loadOptions(String rate, String readRatio, String valueBytes,
      String seconds, String regions, String readLevel) {
    Map<String, String> primaries = connection.primaries();
    if (primaries.isEmpty()) {
      throw new IllegalArgumentException("no dataset is deployed to put load on");
    }
    String dataset = primaries.keySet().iterator().next();
    String primary = model.stateProperty().get().regions().values().stream()
        .filter(r -> r.primaryOf().contains(dataset)).map(LiveState.RegionState::id)
        .findFirst().orElse(primaries.get(dataset));
    List<String> replicas = model.topology().datasets().stream()
        .filter(d -> d.name().equals(dataset)).findFirst()
        .map(d -> d.replicas().stream().map(RegionId::value)
            .filter(r -> !r.equals(primary)).toList()).orElse(List.of());
    List<String> targets = regions.isBlank() ? List.of(primary)
        : Arrays.stream(regions.split(",")).map(String::strip).filter(s -> !s.isEmpty())
            .toList();
    try {
      return new LoadOptions(dataset, Double.parseDouble(rate.strip()),
          java.time.Duration.ofMillis(Math.round(Double.parseDouble(seconds.strip()) * 1000)),
          Integer.parseInt(valueBytes.strip()), Double.parseDouble(readRatio.strip()), targets,
          primary, replicas, LoadOptions.IN_FLIGHT_MAX_DEFAULT, LoadOptions.KEY_SPACE_DEFAULT,
          LoadOptions.LAG_PROBES_PER_SECOND_DEFAULT, LiveViewModel.loadReadLevel(readLevel));
    } catch (NumberFormatException bad) {
      throw new IllegalArgumentException("rate, read ratio, value size and duration must be "
          + "numbers: " + bad.getMessage());
    }
  }

  private void runLoad(LoadOptions options, Label status, Button start) {
    String description = String.format(Locale.ROOT, "load %.0f ops/s on %s for %.0f s",
        options.ratePerSecond(), options.dataset(), options.duration().toMillis() / 1000.0)
        + (options.readConsistency() == ReadConsistency.READ_CONSISTENCY_UNSPECIFIED ? ""
            : ", reads at " + LiveViewModel.LOAD_READ_LEVELS.entrySet().stream()
                .filter(e -> e.getValue() == options.readConsistency()).findFirst()
                .map(Map.Entry::getKey).orElse(options.readConsistency().name()));
    Platform.runLater(() -> model.record(options.primary(), description + " started", true,
        "read ratio " + options.readRatio() + ", " + options.valueBytes() + "-byte values"));
    String outcome;
    boolean succeeded;
    try {
      LoadResult result = connection.load(options, (LoadGenerator.Progress p) ->
          Platform.runLater(() -> status.setText(String.format(Locale.ROOT,
              "%.0f ops/s · p50 %.1f ms · p99 %.1f ms · errors %d · shed %d", p.opsPerSecond(),
              p.p50Millis(), p.p99Millis(), p.errors(), p.shed()))));
      outcome = LiveViewModel.loadOutcome(result);
      succeeded = result.errors() == 0;
    } catch (InterruptedException stopped) {
      outcome = "stopped by the operator";
      succeeded = true;
    } catch (RuntimeException e) {
      outcome = e.getMessage();
      succeeded = false;
    }
    String finalOutcome = outcome;
    boolean finalSucceeded = succeeded;
    Platform.runLater(() -> {
      model.record(options.primary(), description, finalSucceeded, finalOutcome);
      model.loadRunningProperty().set(false);
      start.setText("Start load");
      status.setText(finalOutcome);
    });
  }

  /** Opens a recording file chooser; for the studio's menu. */
  static Optional<Path> chooseRecording(javafx.stage.Window owner) {
    FileChooser chooser = new FileChooser();
    chooser.setTitle("Open a live recording");
    chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter(
        "Meridian live recording", "*.mlive"));
    java.io.File file = chooser.showOpenDialog(owner);
    return Optional.ofNullable(file).map(java.io.File::toPath);
  }
}

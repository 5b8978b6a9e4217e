package io.meridian.app.live;

import io.meridian.agent.api.v1.ReadConsistency;
import io.meridian.app.client.LoadResult;
import io.meridian.app.live.LiveActions.Action;
import io.meridian.app.live.LiveActions.ActionException;
import io.meridian.app.live.LiveState.ConflictRecord;
import io.meridian.app.live.LiveState.EntryKind;
import io.meridian.app.live.LiveState.FlowKey;
import io.meridian.app.live.LiveState.TimelineEntry;
import io.meridian.model.Topology;
import io.meridian.model.analysis.AnalysisOptions;
import io.meridian.model.analysis.DatasetAnalysis;
import io.meridian.model.analysis.TopologyAnalysis;
import io.meridian.model.analysis.TopologyAnalyzer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The live view's state and logic, without a single {@code Node}: which {@link LiveState} is
 * shown (the newest, or a past one while paused or replaying a file), the overlays for it, the
 * filtered timeline, the conflicts table, the lag of the selected flow with the analysis'
 * prediction, and the operator's actions, each run on a background executor and recorded in
 * the timeline with its outcome.
 *
 * <p>Threads: everything here is called on the JavaFX thread; work goes to {@code background}
 * and results come back through {@code ui}. {@link #tick()} is the view's steady-rate pull (ten
 * times a second), never a push per event.
 */
public final class LiveViewModel {
  private final Topology topology;
  private final LiveSession session;
  private final LiveActions actions;
  private final Executor background;
  private final Executor ui;
  private final ReadOnlyObjectWrapper<LiveState> state =
      new ReadOnlyObjectWrapper<>(this, "state", LiveState.EMPTY);
  private final ReadOnlyObjectWrapper<LiveOverlays> overlays = new ReadOnlyObjectWrapper<>(this,
      "overlays", new LiveOverlays(Map.of(), Map.of(), Map.of()));
  private final ReadOnlyBooleanWrapper paused = new ReadOnlyBooleanWrapper(this, "paused");
  private final ReadOnlyBooleanWrapper replaying = new ReadOnlyBooleanWrapper(this, "replaying");
  private final LongProperty rangeStart = new SimpleLongProperty(this, "rangeStart");
  private final LongProperty rangeEnd = new SimpleLongProperty(this, "rangeEnd");
  private final LongProperty shownAt = new SimpleLongProperty(this, "shownAt");
  private final ReadOnlyObjectWrapper<FailoverConfirmation> failoverConfirmation =
      new ReadOnlyObjectWrapper<>(this, "failoverConfirmation");
  private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "");
  private final StringProperty timelineFilter = new SimpleStringProperty(this, "timelineFilter",
      "");
  private final ObjectProperty<EntryKind> timelineKind =
      new SimpleObjectProperty<>(this, "timelineKind");
  private final ObservableList<TimelineEntry> timeline = FXCollections.observableArrayList();
  private final ObservableList<ConflictRecord> conflicts = FXCollections.observableArrayList();
  private final ObjectProperty<FlowKey> selectedFlow =
      new SimpleObjectProperty<>(this, "selectedFlow");
  private final BooleanProperty loadRunning = new SimpleBooleanProperty(this, "loadRunning");
  private final Map<FlowKey, Double> predictedLagMillis = new ConcurrentHashMap<>();
  private final AtomicLong scrubRequest = new AtomicLong();
  private Recording replay;
  private List<TimelineEntry> timelineSource = List.of();

  /**
   * A view model watching a live session.
   *
   * @param topology the deployed design
   * @param session the merged agents' streams
   * @param actions what the operator may do
   * @param background where slow work runs
   * @param ui where results are handed to the view (the JavaFX thread)
   */
  public LiveViewModel(Topology topology, LiveSession session, LiveActions actions,
      Executor background, Executor ui) {
    this.topology = topology;
    this.session = session;
    this.actions = actions;
    this.background = background;
    this.ui = ui;
    timelineFilter.addListener(o -> refilter());
    timelineKind.addListener(o -> refilter());
    background.execute(this::predict);
  }

  /**
   * A view model replaying a saved recording: paused, scrubbable, no actions.
   *
   * @param topology the recorded deployment's design
   * @param recording the recording
   * @param background where slow work runs
   * @param ui where results are handed to the view
   */
  public static LiveViewModel replaying(Topology topology, Recording recording,
      Executor background, Executor ui) {
    LiveViewModel model = new LiveViewModel(topology, null, null, background, ui);
    model.replay = recording;
    model.replaying.set(true);
    model.paused.set(true);
    model.rangeStart.set(recording.firstMillis());
    model.rangeEnd.set(recording.lastMillis());
    model.scrubTo(recording.lastMillis());
    return model;
  }

  // ------------------------------------------------------------------ properties

  /** @return the design shown */
  public Topology topology() {
    return topology;
  }

  /** @return the state shown */
  public ReadOnlyObjectProperty<LiveState> stateProperty() {
    return state.getReadOnlyProperty();
  }

  /** @return the overlays of the state shown */
  public ReadOnlyObjectProperty<LiveOverlays> overlaysProperty() {
    return overlays.getReadOnlyProperty();
  }

  /** @return whether the view is frozen on a past instant */
  public ReadOnlyBooleanProperty pausedProperty() {
    return paused.getReadOnlyProperty();
  }

  /** @return whether a saved recording is shown (no live agents, no actions) */
  public ReadOnlyBooleanProperty replayingProperty() {
    return replaying.getReadOnlyProperty();
  }

  /** @return the oldest instant one can scrub to */
  public LongProperty rangeStartProperty() {
    return rangeStart;
  }

  /** @return the newest instant one can scrub to */
  public LongProperty rangeEndProperty() {
    return rangeEnd;
  }

  /** @return the instant shown */
  public LongProperty shownAtProperty() {
    return shownAt;
  }

  /** @return the last action's outcome or a problem, for the status line */
  public ReadOnlyStringProperty messageProperty() {
    return message.getReadOnlyProperty();
  }

  /** @return text the timeline entries must contain (case-insensitive) */
  public StringProperty timelineFilterProperty() {
    return timelineFilter;
  }

  /** @return the kind of timeline entries shown, or null for all */
  public ObjectProperty<EntryKind> timelineKindProperty() {
    return timelineKind;
  }

  /** @return the filtered timeline, oldest first */
  public ObservableList<TimelineEntry> timeline() {
    return timeline;
  }

  /** @return the conflicts, newest last */
  public ObservableList<ConflictRecord> conflicts() {
    return conflicts;
  }

  /** @return the flow whose lag the lag panel shows */
  public ObjectProperty<FlowKey> selectedFlowProperty() {
    return selectedFlow;
  }

  /** @return whether the load generator runs */
  public BooleanProperty loadRunningProperty() {
    return loadRunning;
  }

  /**
   * The analysis' prediction for a flow: the time after commit by which 99% of eventual reads
   * at the replica see a write.
   *
   * @param flow the flow
   * @return the predicted lag, if the analysis has one
   */
  public Optional<Double> predictedLagMillis(FlowKey flow) {
    return Optional.ofNullable(predictedLagMillis.get(flow));
  }

  // ------------------------------------------------------------------ showing

  /** Pulls the newest merged state, unless paused. Called by the view at a steady rate. */
  public void tick() {
    if (paused.get() || session == null) {
      return;
    }
    LiveState newest = session.latest();
    if (newest != state.get()) {
      show(newest);
      rangeEnd.set(newest.atMillis());
    }
  }

  private void show(LiveState shown) {
    state.set(shown);
    shownAt.set(shown.atMillis());
    overlays.set(LiveOverlays.of(topology, shown));
    if (shown.timeline() != timelineSource) {
      timelineSource = shown.timeline();
      refilter();
    }
    if (conflicts.size() != shown.conflicts().size()) {
      conflicts.setAll(shown.conflicts());
    }
    if (selectedFlow.get() == null && !shown.flows().isEmpty()) {
      selectedFlow.set(shown.flows().keySet().stream()
          .sorted(java.util.Comparator.comparing(FlowKey::toString)).findFirst().orElseThrow());
    }
  }

  private void refilter() {
    String text = timelineFilter.get() == null ? "" : timelineFilter.get().strip()
        .toLowerCase(Locale.ROOT);
    EntryKind kind = timelineKind.get();
    timeline.setAll(timelineSource.stream()
        .filter(e -> kind == null || e.kind() == kind)
        .filter(e -> text.isEmpty() || (e.region() + " " + e.text()).toLowerCase(Locale.ROOT)
            .contains(text))
        .toList());
  }

  /** Freezes the view on what it shows now and fetches the recording to scrub through. */
  public void pause() {
    if (paused.get() || session == null) {
      return;
    }
    paused.set(true);
    session.recording().thenAccept(copy -> ui.execute(() -> {
      replay = copy;
      rangeStart.set(copy.firstMillis());
      rangeEnd.set(Math.max(copy.lastMillis(), state.get().atMillis()));
    }));
  }

  /** Follows the newest state again. */
  public void resume() {
    if (replaying.get()) {
      return;
    }
    paused.set(false);
    replay = null;
    tick();
  }

  /**
   * Shows the view as it was at an instant of the recording; pauses first. Replays off the
   * JavaFX thread; when the operator drags faster than replays finish, only the last wins.
   *
   * @param atMillis the instant
   */
  public void scrubTo(long atMillis) {
    if (!paused.get()) {
      pause();
    }
    long request = scrubRequest.incrementAndGet();
    shownAt.set(atMillis);
    Recording recording = replay;
    if (recording == null) {
      // The recording is on its way (pause just asked for it): replay once it is here.
      session.recording().thenAccept(copy -> ui.execute(() -> {
        replay = copy;
        if (scrubRequest.get() == request) {
          scrubTo(atMillis);
        }
      }));
      return;
    }
    background.execute(() -> {
      LiveState then = recording.stateAt(atMillis);
      ui.execute(() -> {
        if (scrubRequest.get() == request) {
          show(then);
        }
      });
    });
  }

  // ----------------------------------------------------------------- files

  /**
   * Saves everything received (the last 30 minutes) to a file, in the background.
   *
   * @param file where
   */
  public void saveRecording(Path file) {
    if (replay != null && session == null) {
      saveInBackground(replay, file);
    } else if (session != null) {
      session.recording().thenAccept(copy -> saveInBackground(copy, file));
    }
  }

  private void saveInBackground(Recording recording, Path file) {
    background.execute(() -> {
      try {
        recording.save(file);
        ui.execute(() -> message.set("Saved " + recording + " to " + file));
      } catch (java.io.IOException e) {
        ui.execute(() -> message.set("Could not save the recording: " + e.getMessage()));
      }
    });
  }

  // --------------------------------------------------------------- actions

  /**
   * Why an action is disabled now, or empty when it can be done.
   *
   * @param action the action
   * @return the reason, for the control's tooltip
   */
  public Optional<String> whyDisabled(Action action) {
    if (replaying.get() || actions == null) {
      return Optional.of("this is a saved recording, not a running deployment");
    }
    return actions.unsupported(action);
  }

  /** Cuts a link (both ends). */
  public void cutLink(String a, String b) {
    act(Action.CUT_LINK, a, "cut link " + LiveModel.linkName(a, b), () -> actions.cutLink(a, b));
  }

  /** Heals a link (both ends). */
  public void healLink(String a, String b) {
    act(Action.HEAL_LINK, a, "heal link " + LiveModel.linkName(a, b),
        () -> actions.healLink(a, b));
  }

  /**
   * A forced failover waiting for the operator's confirmation.
   *
   * @param dataset the dataset
   * @param region the region to promote
   * @param text what it would do: current lag and acknowledged writes that would be lost
   */
  public record FailoverConfirmation(String dataset, String region, String text) {}

  /** @return the forced failover the view should ask the operator to confirm, or null */
  public ReadOnlyObjectProperty<FailoverConfirmation> failoverConfirmationProperty() {
    return failoverConfirmation.getReadOnlyProperty();
  }

  /**
   * The datasets a region could be promoted in: those it is a replica of (by the design) and not
   * the primary of now.
   *
   * @param region the region
   * @return dataset names, in the design's order
   */
  public List<String> failoverDatasets(String region) {
    List<String> leading = state.get().region(region)
        .map(LiveState.RegionState::primaryOf).orElse(List.of());
    return topology.datasets().stream()
        .filter(d -> d.replicas().stream().anyMatch(r -> r.value().equals(region)))
        .map(io.meridian.model.Dataset::name)
        .filter(name -> !leading.contains(name))
        .toList();
  }

  private List<String> replicasOf(String dataset) {
    return topology.datasets().stream().filter(d -> d.name().equals(dataset)).findFirst()
        .map(d -> d.replicas().stream().map(io.meridian.model.RegionId::value).toList())
        .orElse(List.of());
  }

  /** A planned failover (switchover) of a dataset to a region, run in the background. */
  public void plannedFailover(String dataset, String region) {
    act(Action.PLANNED_FAILOVER, region, "planned failover of " + dataset + " to " + region,
        () -> actions.failover(dataset, replicasOf(dataset), region, false));
  }

  /**
   * Works out, in the background, what a forced failover would lose and then offers it for
   * confirmation through {@link #failoverConfirmationProperty()}; nothing changes yet.
   */
  public void requestForcedFailover(String dataset, String region) {
    String description = "forced failover of " + dataset + " to " + region;
    Optional<String> disabled = whyDisabled(Action.FORCED_FAILOVER);
    if (disabled.isPresent()) {
      message.set(description + ": not available — " + disabled.get());
      return;
    }
    message.set(description + ": asking the agents what it would lose…");
    background.execute(() -> {
      try {
        String text = actions.failoverConfirmation(dataset, replicasOf(dataset), region, true);
        ui.execute(() -> failoverConfirmation.set(
            new FailoverConfirmation(dataset, region, text)));
      } catch (Exception e) {
        String outcome = e instanceof ActionException ? e.getMessage() : e.toString();
        session.submit(new LiveInput.OperatorAction(session.now(), region, description, false,
            outcome));
        ui.execute(() -> message.set(description + " failed: " + outcome));
      }
    });
  }

  /**
   * The operator answered the confirmation: a confirmed forced failover runs in the background
   * (re-planned from the agents' views at that moment); a declined one changes nothing.
   */
  public void answerForcedFailover(boolean confirmed) {
    FailoverConfirmation pending = failoverConfirmation.get();
    failoverConfirmation.set(null);
    if (pending == null) {
      return;
    }
    String description = "forced failover of " + pending.dataset() + " to " + pending.region();
    if (!confirmed) {
      message.set(description + ": cancelled, nothing changed");
      return;
    }
    act(Action.FORCED_FAILOVER, pending.region(), description,
        () -> actions.failover(pending.dataset(), replicasOf(pending.dataset()),
            pending.region(), true));
  }

  /**
   * Runs anti-entropy repair now for every single-primary dataset the region holds; the figures
   * (or the reason it failed) go to the timeline like every other action's outcome.
   */
  public void repair(String region) {
    List<String> datasets = topology.datasets().stream()
        .filter(d -> d.replicas().stream().anyMatch(r -> r.value().equals(region)))
        .filter(d -> topology.policyOf(d).map(p -> p.mode() != io.meridian.model.ReplicationMode.MULTI_PRIMARY)
            .orElse(false))
        .map(io.meridian.model.Dataset::name)
        .toList();
    act(Action.REPAIR, region, "repair " + region, () -> actions.repair(region, datasets));
  }

  /** Kills a region's agent (local rehearsals). */
  public void kill(String region) {
    act(Action.KILL_REGION, region, "kill region " + region, () -> actions.kill(region));
  }

  /** Restarts a region's agent (local rehearsals). */
  public void restart(String region) {
    act(Action.RESTART_REGION, region, "restart region " + region,
        () -> actions.restart(region));
  }

  /**
   * Stops every agent of the deployment (local deployments only); the view asks first. The
   * watchers then see the agents go, and the timeline keeps the outcome.
   */
  public void teardown() {
    act(Action.TEARDOWN, "", "tear down the deployment", () -> actions.teardown());
  }

  /**
   * Runs an action in the background and records it, with its outcome, in the timeline.
   *
   * @param action which, to check it is supported
   * @param region where
   * @param description what, for the timeline
   * @param work the action
   */
  void act(Action action, String region, String description, Callable<String> work) {
    Optional<String> disabled = whyDisabled(action);
    if (disabled.isPresent()) {
      message.set(description + ": not available — " + disabled.get());
      return;
    }
    message.set(description + "…");
    background.execute(() -> {
      boolean succeeded;
      String outcome;
      try {
        outcome = work.call();
        succeeded = true;
      } catch (ActionException e) {
        outcome = e.getMessage();
        succeeded = false;
      } catch (Exception e) {
        outcome = e.toString();
        succeeded = false;
      }
      session.submit(new LiveInput.OperatorAction(session.now(), region, description, succeeded,
          outcome));
      String line = description + (succeeded ? ": " : " failed: ") + outcome;
      ui.execute(() -> message.set(line));
    });
  }

  /**
   * Records an action run elsewhere (the load generator) in the timeline.
   *
   * @param region where
   * @param description what
   * @param succeeded whether it worked
   * @param outcome what happened
   */
  public void record(String region, String description, boolean succeeded, String outcome) {
    if (session != null) {
      session.submit(new LiveInput.OperatorAction(session.now(), region, description, succeeded,
          outcome));
    }
    message.set(description + (succeeded ? ": " : " failed: ") + outcome);
  }

  // ------------------------------------------------------------------ load

  /**
   * The read consistency levels the load panel offers, by the name an operator knows them by
   * (the names {@code meridian kv|load --consistency} takes), in the order shown. The first
   * reads at each dataset's default.
   */
  public static final Map<String, ReadConsistency> LOAD_READ_LEVELS = loadReadLevels();

  private static Map<String, ReadConsistency> loadReadLevels() {
    Map<String, ReadConsistency> levels = new java.util.LinkedHashMap<>();
    levels.put("dataset default", ReadConsistency.READ_CONSISTENCY_UNSPECIFIED);
    levels.put("eventual", ReadConsistency.READ_CONSISTENCY_EVENTUAL);
    levels.put("session", ReadConsistency.READ_CONSISTENCY_SESSION);
    levels.put("bounded-staleness", ReadConsistency.READ_CONSISTENCY_BOUNDED_STALENESS);
    levels.put("quorum", ReadConsistency.READ_CONSISTENCY_QUORUM);
    levels.put("strong", ReadConsistency.READ_CONSISTENCY_STRONG);
    return java.util.Collections.unmodifiableMap(levels);
  }

  /**
   * The level a load-panel choice stands for.
   *
   * @param choice one of {@link #LOAD_READ_LEVELS}' names
   * @return the level
   * @throws IllegalArgumentException naming the levels there are, for any other text
   */
  public static ReadConsistency loadReadLevel(String choice) {
    ReadConsistency level = choice == null ? null : LOAD_READ_LEVELS.get(choice);
    if (level == null) {
      throw new IllegalArgumentException("unknown consistency level '" + choice + "'; choose "
          + String.join(", ", LOAD_READ_LEVELS.keySet()));
    }
    return level;
  }

  /**
   * What a finished load run did, in one line for the panel and the timeline: throughput and
   * errors, and when there were errors up to two of them as the agents worded them, with their
   * counts, so a
   * level the dataset's mode refuses ({@code FAILED_PRECONDITION: …}) reads as the reason.
   *
   * @param result the run's result
   * @return the sentence
   */
  public static String loadOutcome(LoadResult result) {
    String outcome = String.format(Locale.ROOT, "%.0f ops/s achieved, %d errors",
        result.achievedOpsPerSecond(), result.errors());
    if (result.errors() > 0 && !result.errorSamples().isEmpty()) {
      outcome += ": " + String.join("; ", result.errorSamples().subList(0,
          Math.min(2, result.errorSamples().size())));
    }
    return outcome;
  }

  // ------------------------------------------------------------ prediction

  private void predict() {
    try {
      TopologyAnalysis analysis = TopologyAnalyzer.analyzeOnce(topology, AnalysisOptions.DEFAULTS);
      for (DatasetAnalysis dataset : analysis.datasets()) {
        if (dataset.writeLeader() == null) {
          continue;
        }
        for (var region : dataset.regions()) {
          Double p99 = region.staleness().consistent99Ms();
          if (p99 != null && !region.region().equals(dataset.writeLeader())) {
            predictedLagMillis.put(new FlowKey(dataset.name(), dataset.writeLeader().value(),
                region.region().value()), p99);
          }
        }
      }
    } catch (RuntimeException e) {
      ui.execute(() -> message.set("No predicted lag: the analysis failed (" + e.getMessage()
          + ")"));
    }
  }
}

package io.meridian.app.analysis;

import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import io.meridian.model.analysis.CurvePoint;
import io.meridian.model.analysis.DatasetAnalysis;
import io.meridian.model.analysis.Operation;
import io.meridian.model.analysis.Recovery;
import io.meridian.model.analysis.RegionAnalysis;
import io.meridian.model.analysis.RtoTerm;
import io.meridian.model.analysis.Staleness;
import io.meridian.model.analysis.TopologyAnalysis;
import io.meridian.visualization.chart.Figures;
import io.meridian.visualization.chart.LatencyBar;
import io.meridian.visualization.chart.RttMatrixModel;
import io.meridian.visualization.chart.VisibilitySeries;
import io.meridian.visualization.graph.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * What the analysis panel shows for one dataset and one operation: latency per region next to
 * its physical floor, the staleness curves, RPO and RTO with their terms, and one verdict line
 * per region (can it write, can it read at the chosen level, and why).
 *
 * <p>Never touches a {@code Node}; fed a {@link TopologyAnalysis} by the studio after each check.
 */
public final class AnalysisViewModel {
  /** The operation shown by default: writes. */
  public static final String WRITE = "write";
  /** Operations in the order the panel offers them. */
  public static final List<String> OPERATIONS =
      List.of(WRITE, "eventual", "session", "bounded-staleness", "quorum", "strong");

  private final ObservableList<String> datasets = FXCollections.observableArrayList();
  private final ObjectProperty<String> dataset = new SimpleObjectProperty<>();
  private final ObjectProperty<String> operation = new SimpleObjectProperty<>(WRITE);
  private final ObservableList<LatencyBar> bars = FXCollections.observableArrayList();
  private final ObservableList<VisibilitySeries> curves = FXCollections.observableArrayList();
  private final ObservableList<String> recovery = FXCollections.observableArrayList();
  private final ObservableList<String> verdicts = FXCollections.observableArrayList();
  private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper("No analysis yet");
  private TopologyAnalysis analysis;
  private String unavailableReason = "";
  /** What the panels show now, to skip rebuilding them for equal figures. */
  private DatasetAnalysis shownDataset;
  private String shownOperation;
  private final ReadOnlyObjectWrapper<CheckedMatrix> rttMatrix =
      new ReadOnlyObjectWrapper<>(this, "rttMatrix");

  /**
   * A checked design and its RTT matrix, computed together off the JavaFX thread.
   *
   * @param topology the design
   * @param matrix its matrix, or null when the check did not compute one
   */
  public record CheckedMatrix(Topology topology, RttMatrixModel matrix) {}

  /** An empty panel. */
  public AnalysisViewModel() {
    dataset.addListener((observable, old, now) -> refresh());
    operation.addListener((observable, old, now) -> refresh());
  }

  /**
   * Shows a new analysis; keeps the chosen dataset when it still exists.
   *
   * @param value the analysis, or null when it could not run
   * @param reason why it could not run, shown when {@code value} is null
   */
  public void setAnalysis(TopologyAnalysis value, String reason) {
    analysis = value;
    unavailableReason = reason == null ? "" : reason;
    List<String> names = value == null ? List.of()
        : value.datasets().stream().map(DatasetAnalysis::name).toList();
    String chosen = dataset.get();
    if (!names.equals(datasets)) {
      datasets.setAll(names);
    }
    if (chosen == null || !names.contains(chosen)) {
      dataset.set(names.isEmpty() ? null : names.get(0));
    }
    refresh();
  }

  /**
   * Shows the RTT matrix a check computed for its design.
   *
   * @param topology the checked design
   * @param matrix its matrix, or null to let the matrix compute it
   */
  public void setRttMatrix(Topology topology, RttMatrixModel matrix) {
    CheckedMatrix shown = rttMatrix.get();
    if (shown == null || shown.topology() != topology || shown.matrix() != matrix) {
      rttMatrix.set(new CheckedMatrix(topology, matrix));
    }
  }

  /** The checked design and its RTT matrix, for the matrix tab; null before the first check. */
  public ReadOnlyObjectProperty<CheckedMatrix> rttMatrixProperty() {
    return rttMatrix.getReadOnlyProperty();
  }

  /** The analysis shown, or null. */
  public TopologyAnalysis analysis() {
    return analysis;
  }

  /** The chosen dataset's analysis, when there is one. */
  public Optional<DatasetAnalysis> chosenDataset() {
    return analysis == null || dataset.get() == null ? Optional.empty()
        : analysis.dataset(dataset.get());
  }

  /** The operation of a region's analysis by name: {@code write} or a read level. */
  public static Optional<Operation> operation(RegionAnalysis region, String name) {
    return WRITE.equals(name) ? Optional.ofNullable(region.write()) : region.read(name);
  }

  private void refresh() {
    Optional<DatasetAnalysis> chosen = chosenDataset();
    String shownOp = operation.get() == null ? WRITE : operation.get();
    if (chosen.isPresent() && shownOp.equals(shownOperation)
        && sameFigures(chosen.get(), shownDataset)) {
      // An edit elsewhere in the design: the analysis reused this dataset's results, and the
      // panels already show them (rebuilding 200 rows would only lay them out again).
      shownDataset = chosen.get();
      return;
    }
    shownDataset = chosen.orElse(null);
    shownOperation = shownOp;
    if (chosen.isEmpty()) {
      bars.clear();
      curves.clear();
      recovery.clear();
      verdicts.clear();
      summary.set(analysis == null
          ? (unavailableReason.isEmpty() ? "No analysis yet" : "No analysis: " + unavailableReason)
          : "No datasets: add one from the palette to see its latency and staleness");
      return;
    }
    DatasetAnalysis d = chosen.get();
    String op = operation.get() == null ? WRITE : operation.get();
    List<LatencyBar> rows = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    List<VisibilitySeries> series = new ArrayList<>();
    for (RegionAnalysis region : d.regions()) {
      Optional<Operation> found = operation(region, op);
      rows.add(bar(region, found));
      lines.add(verdict(region, op));
      curve(region).ifPresent(series::add);
    }
    // Only the lists whose content changed: an equal list set again still rebuilds its rows.
    setIfChanged(bars, rows);
    setIfChanged(curves, series);
    setIfChanged(verdicts, lines);
    setIfChanged(recovery, recoveryLines(d.recovery()));
    summary.set(d.name() + " · " + (d.mode() == null ? "no mode" : d.mode().fileName()) + " · "
        + d.pacelc() + " · " + d.classification());
  }

  private static <T> void setIfChanged(ObservableList<T> shown, List<T> wanted) {
    if (!shown.equals(wanted)) {
      shown.setAll(wanted);
    }
  }

  /**
   * Whether two analyses of a dataset show the same: the same per-region results (the analysis
   * hands out the same objects for results it reused, so they compare by identity first) and the
   * same recovery and classification.
   */
  private static boolean sameFigures(DatasetAnalysis now, DatasetAnalysis before) {
    if (before == null || now == before) {
      return now == before;
    }
    List<RegionAnalysis> a = now.regions();
    List<RegionAnalysis> b = before.regions();
    if (a.size() != b.size() || !now.name().equals(before.name()) || now.mode() != before.mode()
        || !java.util.Objects.equals(now.pacelc(), before.pacelc())
        || !java.util.Objects.equals(now.classification(), before.classification())
        || !java.util.Objects.equals(now.recovery(), before.recovery())) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i) && !a.get(i).equals(b.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static LatencyBar bar(RegionAnalysis region, Optional<Operation> found) {
    String label = region.region().value();
    if (found.isEmpty() || !found.get().offered()) {
      return new LatencyBar(label, Double.NaN, Double.NaN, null,
          found.map(Operation::explanation).orElse("not offered"));
    }
    Operation o = found.get();
    if (!o.available() || o.latency() == null) {
      return new LatencyBar(label, Double.NaN, Double.NaN, Status.FAILING, o.explanation());
    }
    double overFloor = o.latency().p50OverFloor();
    Status status = overFloor > 3 ? Status.DEGRADED : Status.OK;
    return new LatencyBar(label, o.latency().p50Ms(), o.latency().floorMs(), status,
        "p99 " + ms(o.latency().p99Ms()));
  }

  /** One line: can the region do the operation, and why (the analysis's own explanation). */
  static String verdict(RegionAnalysis region, String op) {
    String who = region.region().value();
    if (!region.alive()) {
      return who + ": failed in this what-if";
    }
    Optional<Operation> found = operation(region, op);
    if (found.isEmpty()) {
      return who + ": " + op + " not analysed";
    }
    Operation o = found.get();
    String verb = !o.offered() ? "not offered" : o.available() ? "can " + op : "cannot " + op;
    return who + ": " + verb + " — " + withoutRepeatedSubject(o.explanation(), who);
  }

  /**
   * The analysis's explanations often start by naming the region and verdict again ("virginia
   * cannot write: quorum W=2 needs ..."); the line already says both, so keep only the reason.
   */
  private static String withoutRepeatedSubject(String explanation, String who) {
    int colon = explanation.indexOf(": ");
    if (explanation.startsWith(who + " ") && colon > 0 && colon < who.length() + 24) {
      return explanation.substring(colon + 2);
    }
    return explanation;
  }

  private static Optional<VisibilitySeries> curve(RegionAnalysis region) {
    Staleness staleness = region.staleness();
    if (staleness == null || !staleness.applicable() || staleness.visibility().isEmpty()) {
      return Optional.empty();
    }
    List<CurvePoint> points = staleness.visibility();
    int step = Math.max(1, (points.size() + VisibilitySeries.POINTS_MAX - 1)
        / VisibilitySeries.POINTS_MAX);
    int size = (points.size() + step - 1) / step;
    double[] times = new double[size];
    double[] probabilities = new double[size];
    for (int i = 0; i < size; i++) {
      CurvePoint point = points.get(i * step);
      times[i] = point.tMs();
      probabilities[i] = Math.max(0, Math.min(1, point.probability()));
    }
    try {
      return Optional.of(new VisibilitySeries(region.region().value(), times, probabilities));
    } catch (IllegalArgumentException e) {
      // A curve the chart cannot draw is left out rather than breaking the panel.
      return Optional.empty();
    }
  }

  static List<String> recoveryLines(Recovery recovery) {
    if (recovery == null) {
      return List.of("RPO/RTO: not analysed for this dataset");
    }
    List<String> lines = new ArrayList<>();
    lines.add("Scenario: " + recovery.scenario());
    if (recovery.rpo() != null) {
      var rpo = recovery.rpo();
      lines.add("RPO: " + (rpo.bounded() && rpo.expectedMs() != null
          ? "expected " + ms(rpo.expectedMs()) + (rpo.p99Ms() == null ? ""
              : ", p99 " + ms(rpo.p99Ms()))
          : "unbounded")
          + target(rpo.targetMs(), rpo.meetsTarget()) + " — " + rpo.explanation());
    }
    if (recovery.rto() != null) {
      var rto = recovery.rto();
      lines.add("RTO: " + (rto.totalMs() == null ? "no automatic recovery" : ms(rto.totalMs()))
          + (rto.automatic() ? "" : " + operator reaction")
          + target(rto.targetMs(), rto.meetsTarget()) + " — " + rto.explanation());
      for (RtoTerm term : rto.terms()) {
        lines.add("   " + term.name() + ": " + ms(term.ms()) + " — " + term.explanation());
      }
    }
    return lines;
  }

  private static String target(Long targetMs, Boolean meets) {
    if (targetMs == null) {
      return "";
    }
    return " (target " + ms(targetMs) + (Boolean.TRUE.equals(meets) ? ", met)" : ", missed)");
  }

  static String ms(double value) {
    return Figures.fixed(value, value >= 100 ? 0 : 1) + " ms";
  }

  /** Whether {@code region} can complete {@code op} under the analysed what-if. */
  public Optional<Boolean> canDo(RegionId region, String op) {
    return chosenDataset().flatMap(d -> d.region(region))
        .map(r -> r.alive() && operation(r, op).map(Operation::available).orElse(false));
  }

  /** Dataset names of the analysis, in topology order. */
  public ObservableList<String> datasets() {
    return datasets;
  }

  /** The dataset shown; null when there is none. */
  public ObjectProperty<String> datasetProperty() {
    return dataset;
  }

  /** The operation shown: {@code write} or a read level. */
  public ObjectProperty<String> operationProperty() {
    return operation;
  }

  /** Latency per client region for the chosen operation. */
  public ObservableList<LatencyBar> bars() {
    return bars;
  }

  /** Staleness curves of eventual reads, one per region where reads can be stale. */
  public ObservableList<VisibilitySeries> curves() {
    return curves;
  }

  /** RPO, RTO and RTO's terms, one line each. */
  public ObservableList<String> recovery() {
    return recovery;
  }

  /** One line per region: can it do the chosen operation, and why. */
  public ObservableList<String> verdicts() {
    return verdicts;
  }

  /** The chosen dataset's mode and class, or why there is nothing to show. */
  public ReadOnlyStringProperty summaryProperty() {
    return summary.getReadOnlyProperty();
  }
}

package io.meridian.app.analysis;

import io.meridian.app.check.Validation;
import io.meridian.model.Topology;
import io.meridian.model.analysis.AnalysisOptions;
import io.meridian.model.analysis.TopologyAnalysis;
import io.meridian.model.analysis.TopologyAnalyzer;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import io.meridian.model.diagnostics.SourcePosition;
import io.meridian.visualization.chart.RttMatrixModel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Runs validation and analysis of a topology on a background executor and hands the result to
 * the UI executor, newest request wins: a result is delivered only if no newer request was made
 * in the meantime, and a request that is already stale when its turn comes is skipped without
 * doing the work.
 */
public final class LiveCheck {
  private final Validation validation;
  private final Executor background;
  private final Executor ui;
  private final AtomicLong generation = new AtomicLong();
  /** Keeps the link shape's routes between checks; used by one check at a time, under this. */
  private TopologyAnalyzer analyzer = new TopologyAnalyzer();
  /** A check made before this one existed (the studio's start), taken by the first submit. */
  private final AtomicReference<Offered> offered = new AtomicReference<>();
  /** The last RTT matrix and the design it was computed for; background thread only. */
  private RttMatrixModel matrix;
  private Topology matrixTopology;

  /** A check computed elsewhere, and the analyzer that computed it (holding its memo). */
  private record Offered(CompletableFuture<Result> result, TopologyAnalyzer analyzer) {}

  /**
   * @param validation the design rules
   * @param background where the work runs; a single thread in the studio
   * @param ui where results are delivered; the JavaFX thread in the studio
   */
  public LiveCheck(Validation validation, Executor background, Executor ui) {
    this.validation = validation;
    this.background = background;
    this.ui = ui;
  }

  /**
   * What one check found.
   *
   * @param topology the topology checked
   * @param options the what-if it was analysed under
   * @param problems the validation problems, positioned by JSON Pointer only
   * @param analysis the prediction, or null when the analysis could not run on this design
   * @param analysisError why the analysis could not run, or empty
   * @param rttMatrix the design's region-by-region RTT matrix (shortest paths computed with the
   *     check, off the UI thread), or null when not computed
   */
  public record Result(Topology topology, AnalysisOptions options, List<Problem> problems,
      TopologyAnalysis analysis, String analysisError, RttMatrixModel rttMatrix) {
    /** Copies the list. */
    public Result {
      problems = List.copyOf(problems);
    }

    /** A result without its RTT matrix (the panel then computes it itself). */
    public Result(Topology topology, AnalysisOptions options, List<Problem> problems,
        TopologyAnalysis analysis, String analysisError) {
      this(topology, options, problems, analysis, analysisError, null);
    }

    /** The same result with the design's RTT matrix. */
    public Result withRttMatrix(RttMatrixModel value) {
      return new Result(topology, options, problems, analysis, analysisError, value);
    }
  }

  /**
   * Checks {@code topology} under {@code options} in the background; {@code deliver} gets the
   * result on the UI executor unless a newer request was made meanwhile.
   */
  public void submit(Topology topology, AnalysisOptions options, Consumer<Result> deliver) {
    long mine = generation.incrementAndGet();
    background.execute(() -> {
      if (generation.get() != mine) {
        return;
      }
      Result result = takeOffered(topology, options);
      if (result == null) {
        result = run(topology, options);
      }
      Result done = result.withRttMatrix(rttMatrix(topology));
      ui.execute(() -> {
        if (generation.get() == mine) {
          deliver.accept(done);
        }
      });
    });
  }

  /**
   * Hands over a check that is being computed elsewhere, typically started with the
   * application before the window exists: the next {@link #submit} of the same topology and
   * options waits for it instead of checking again, and later checks go on with {@code
   * computedBy}, so they keep what it has learnt. A different first request, or a failed
   * future, is checked as usual.
   *
   * @param result completes with the check of one topology
   * @param computedBy the analyzer that computes it; not used by anyone else afterwards
   */
  public void offer(CompletableFuture<Result> result, TopologyAnalyzer computedBy) {
    offered.set(new Offered(result, computedBy));
  }

  private Result takeOffered(Topology topology, AnalysisOptions options) {
    Offered taken = offered.getAndSet(null);
    if (taken == null) {
      return null;
    }
    Result result;
    try {
      result = taken.result().join();
    } catch (RuntimeException failed) {
      return null;
    }
    synchronized (this) {
      analyzer = taken.analyzer();
    }
    return result != null && result.topology().equals(topology)
        && result.options().equals(options) ? result : null;
  }

  /**
   * The RTT matrix of a design, computed again only when its regions or links changed (most
   * edits touch datasets and policies), and then only in the rows the edit can have changed
   * (see {@link RttMatrixModel#of(Topology, RttMatrixModel)}). Runs on the background thread
   * only.
   */
  private RttMatrixModel rttMatrix(Topology topology) {
    Topology before = matrixTopology;
    if (matrix == null || before == null || !before.regions().equals(topology.regions())
        || !before.links().equals(topology.links())) {
      matrix = RttMatrixModel.of(topology, matrix);
    }
    matrixTopology = topology;
    return matrix;
  }

  /** Makes every pending request stale, so none of them delivers. */
  public void cancel() {
    generation.incrementAndGet();
  }

  /** Runs the check on the calling thread. */
  public Result run(Topology topology, AnalysisOptions options) {
    List<Problem> problems;
    try {
      problems = validation.validate(topology);
    } catch (RuntimeException e) {
      problems = List.of(new Problem("internal-error", Severity.ERROR,
          "Meridian could not check this design: " + e.getMessage(), "", SourcePosition.START,
          "report this to the Meridian developers with the design attached"));
    }
    synchronized (this) {
      return analyzed(topology, options, problems, analyzer);
    }
  }

  /**
   * Analyses a design whose validation problems are already known (the file check made when it
   * was opened), on the calling thread; for a check made before the studio's window exists,
   * handed over with {@link #offer}.
   *
   * @param topology the design
   * @param options the what-if to analyse under
   * @param problems its validation problems
   * @param analyzer the analyzer to use; it keeps routes and samples for later checks
   * @return the result, with the reason instead of an analysis when the analyzer refuses
   */
  public static Result analyzed(Topology topology, AnalysisOptions options,
      List<Problem> problems, TopologyAnalyzer analyzer) {
    try {
      return new Result(topology, options, problems, analyzer.analyze(topology, options), "");
    } catch (RuntimeException e) {
      // The analyzer may refuse designs the rules already flag (a dataset without a policy, say);
      // the panel then says why instead of showing stale figures.
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new Result(topology, options, problems, null, why);
    }
  }
}

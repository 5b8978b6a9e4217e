package io.meridian.app.analysis;

import io.meridian.app.check.Validation;
import io.meridian.model.Topology;
import io.meridian.model.analysis.AnalysisOptions;
import io.meridian.model.analysis.TopologyAnalysis;
import io.meridian.model.analysis.TopologyAnalyzer;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import io.meridian.model.diagnostics.SourcePosition;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
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
  /** Keeps the link shape's routes between checks; used by one check at a time. */
  private final TopologyAnalyzer analyzer = new TopologyAnalyzer();

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
   */
  public record Result(Topology topology, AnalysisOptions options, List<Problem> problems,
      TopologyAnalysis analysis, String analysisError) {
    /** Copies the list. */
    public Result {
      problems = List.copyOf(problems);
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
      Result result = run(topology, options);
      ui.execute(() -> {
        if (generation.get() == mine) {
          deliver.accept(result);
        }
      });
    });
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
    try {
      TopologyAnalysis analysis;
      synchronized (analyzer) {
        analysis = analyzer.analyze(topology, options);
      }
      return new Result(topology, options, problems, analysis, "");
    } catch (RuntimeException e) {
      // The analyzer may refuse designs the rules already flag (a dataset without a policy, say);
      // the panel then says why instead of showing stale figures.
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new Result(topology, options, problems, null, why);
    }
  }
}

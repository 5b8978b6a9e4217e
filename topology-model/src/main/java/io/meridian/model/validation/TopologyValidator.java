package io.meridian.model.validation;

import io.meridian.model.Topology;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.format.LoadedTopology;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a topology against every rule of the {@link RuleCatalogue} (or a chosen set) and returns
 * the problems found.
 *
 * <p>Pure and deterministic: the same topology always gives the same problems in the same order,
 * and nothing is read or written. Fast enough to run on every edit in the studio: the shared
 * indexes are built once per call, rules look elements up in maps rather than scanning lists, and
 * graph questions (reachability, routes) go to JGraphT, computed only when a rule asks.
 * Instances hold no mutable state and may be shared between threads.
 */
public final class TopologyValidator {
  private final List<Rule> rules;

  /** A validator running every rule in the catalogue. */
  public TopologyValidator() {
    this(RuleCatalogue.all());
  }

  /**
   * A validator running only {@code rules}, for tools that let users switch rules off.
   *
   * @param rules rules from {@link RuleCatalogue}
   */
  public TopologyValidator(List<? extends Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** The rules this validator runs, in catalogue order. */
  public List<Rule> rules() {
    return rules;
  }

  /**
   * Validates a topology that has no file (built in the studio, say).
   *
   * @return the problems found, each with a JSON Pointer path and no position, sorted by path
   */
  public List<Problem> validate(Topology topology) {
    ValidationContext context = new ValidationContext(topology);
    List<Problem> problems = new ArrayList<>();
    for (Rule rule : rules) {
      rule.check(context, problems);
    }
    problems.sort(ProblemOrder.BY_PATH);
    return List.copyOf(problems);
  }

  /**
   * Validates a topology read from a file.
   *
   * @return the problems found, each with the line and column of the node it concerns, in file
   *     order
   */
  public List<Problem> validate(LoadedTopology loaded) {
    List<Problem> problems = new ArrayList<>();
    for (Problem problem : validate(loaded.topology())) {
      problems.add(problem.locatedIn(loaded.sourceMap()));
    }
    problems.sort(ProblemOrder.BY_POSITION);
    return List.copyOf(problems);
  }

  /** Whether any of {@code problems} is an error, which makes a topology invalid. */
  public static boolean hasErrors(List<Problem> problems) {
    return problems.stream().anyMatch(Problem::isError);
  }
}

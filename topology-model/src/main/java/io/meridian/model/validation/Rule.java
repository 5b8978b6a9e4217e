package io.meridian.model.validation;

import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One check a topology must pass: a stable kebab-case code that tools and tests match on, the
 * severity of what it reports, and a one-line description for listings. Every problem a rule
 * reports carries its code and severity.
 *
 * <p>Rules are implemented in this package and listed by {@link RuleCatalogue}; the check itself
 * is package-private so the public surface stays the catalogue and {@link TopologyValidator}.
 */
public abstract class Rule {
  private static final Pattern CODE_FORM = Pattern.compile("[a-z]+(-[a-z]+)*");

  private final String code;
  private final Severity severity;
  private final String description;

  Rule(String code, Severity severity, String description) {
    if (code == null || !CODE_FORM.matcher(code).matches()) {
      throw new IllegalArgumentException("rule code must be kebab-case, was " + code);
    }
    if (severity == null || description == null || description.isBlank()) {
      throw new IllegalArgumentException("rule " + code + " needs a severity and a description");
    }
    this.code = code;
    this.severity = severity;
    this.description = description;
  }

  /** The stable code, such as {@code dangling-reference}. */
  public final String code() {
    return code;
  }

  /** The severity of every problem this rule reports. */
  public final Severity severity() {
    return severity;
  }

  /** What the rule checks, in one line. */
  public final String description() {
    return description;
  }

  /** Adds a problem for each violation found in {@code context} to {@code problems}. */
  abstract void check(ValidationContext context, List<Problem> problems);

  /** A problem of this rule at the JSON Pointer {@code path}. */
  final Problem problem(String path, String message, String fix) {
    return Problem.at(code, severity, path, message, fix);
  }

  @Override
  public String toString() {
    return code + " (" + severity.label() + "): " + description;
  }
}

package io.meridian.app.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import io.meridian.model.diagnostics.SourcePosition;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves that checking a file places the validator's problems at their line and column, sorts
// them in file order, and turns a failing rule into a reported problem rather than a crash.
class DesignCheckTest {
  private static final Path SAMPLE = Path.of("../samples/global-async.yaml");
  private static final Path VALID = Path.of("src/test/resources/io/meridian/app/cli/valid.yaml");

  @Test
  void validatorProblemsArePlacedAndSortedInFileOrder() {
    DesignCheck check = new DesignCheck(topology -> List.of(
        Problem.at("later", Severity.WARNING, "/datasets/0", "b", ""),
        Problem.at("earlier", Severity.ERROR, "/regions/0/id", "a", "")));

    FileReport report = check.check(VALID);

    assertThat(report.problems()).extracting(Problem::code).containsExactly("earlier", "later");
    assertThat(report.problems().get(0).position()).isEqualTo(new SourcePosition(8, 9));
    assertThat(report.isValid()).isFalse();
    assertThat(report.unreadable()).isFalse();
  }

  @Test
  void theStandardRulesAcceptTheSample() {
    FileReport report = new DesignCheck().check(SAMPLE);

    assertThat(report.isValid()).isTrue();
    assertThat(report.topology()).isPresent();
  }

  @Test
  void aRuleThatThrowsBecomesAnInternalErrorProblem() {
    DesignCheck check = new DesignCheck(topology -> {
      throw new IllegalStateException("rule broke");
    });

    FileReport report = check.check(SAMPLE);

    assertThat(report.problems()).singleElement().satisfies(problem -> {
      assertThat(problem.code()).isEqualTo("internal-error");
      assertThat(problem.message()).contains("rule broke");
    });
  }
}

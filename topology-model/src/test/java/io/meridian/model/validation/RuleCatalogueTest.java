package io.meridian.model.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.diagnostics.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

// The catalogue is complete and honest: codes are unique kebab-case, every rule has a fixture that
// makes it fire with its catalogued severity, and the rules document lists every code.
class RuleCatalogueTest {
  private static final Path RULES_DOC = Path.of("../docs/validation-rules.md");

  @Test
  void codesAreUniqueKebabCase() {
    List<String> codes = RuleCatalogue.all().stream().map(Rule::code).toList();

    assertThat(codes).doesNotHaveDuplicates().allMatch(code -> code.matches("[a-z]+(-[a-z]+)*"));
    assertThat(RuleCatalogue.all()).allSatisfy(rule -> assertThat(rule.description()).isNotBlank());
  }

  @Test
  void ruleIsFoundByItsCode() {
    assertThat(RuleCatalogue.byCode("faster-than-light")).get()
        .extracting(Rule::code).isEqualTo("faster-than-light");
    assertThat(RuleCatalogue.byCode("no-such-rule")).isEmpty();
  }

  @TestFactory
  Stream<DynamicTest> everyRuleFiresOnItsFixtureWithItsSeverity() {
    return RuleCatalogue.all().stream().map(rule -> DynamicTest.dynamicTest(rule.code(), () -> {
      List<Problem> problems = Fixtures.problems(rule.code());
      List<Problem> own = problems.stream().filter(p -> p.code().equals(rule.code())).toList();

      assertThat(own).as("problems of %s in its fixture", rule.code()).isNotEmpty()
          .allSatisfy(p -> {
            assertThat(p.severity()).isEqualTo(rule.severity());
            assertThat(p.position()).isNotNull();
            assertThat(p.fix()).isNotBlank();
          });
    }));
  }

  @Test
  void rulesDocumentListsEveryCodeWithItsSeverity() throws IOException {
    String document = Files.readString(RULES_DOC);

    assertThat(RuleCatalogue.all()).allSatisfy(rule -> assertThat(document)
        .contains("| `" + rule.code() + "` | " + rule.severity().label() + " |"));
  }
}

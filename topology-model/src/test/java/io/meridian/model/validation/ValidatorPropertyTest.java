package io.meridian.model.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.model.Topology;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.format.TopologyArbitraries;
import io.meridian.model.format.TopologyWriter;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

// On any topology the file format can hold, however inconsistent, the validator finishes, reports
// only catalogued codes with their catalogued severity, and points every problem at a node that
// exists in the saved file (or, for a field left at its default, at the element holding it).
class ValidatorPropertyTest {
  private final TopologyValidator validator = new TopologyValidator();
  private final ObjectMapper json = new ObjectMapper();

  @Provide
  Arbitrary<Topology> topologies() {
    return TopologyArbitraries.topology();
  }

  @Property(tries = 100)
  void everyProblemIsCataloguedAndPointsIntoTheSavedFile(@ForAll("topologies") Topology topology)
      throws Exception {
    List<Problem> problems = validator.validate(topology);
    JsonNode saved = json.readTree(new TopologyWriter().toJson(topology));

    assertThat(problems).allSatisfy(problem -> {
      Rule rule = RuleCatalogue.byCode(problem.code()).orElseThrow();
      assertThat(problem.severity()).isEqualTo(rule.severity());
      String parent = problem.path().substring(0, Math.max(0, problem.path().lastIndexOf('/')));
      assertThat(!saved.at(problem.path()).isMissingNode() || !saved.at(parent).isMissingNode())
          .as("%s points into the saved file", problem.path()).isTrue();
    });
    assertThat(problems).isSortedAccordingTo(ProblemOrder.BY_PATH);
  }
}

package io.meridian.model.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.diagnostics.Problem;
import io.meridian.model.format.LoadedTopology;
import io.meridian.model.format.TopologyFormatException;
import io.meridian.model.format.TopologyReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

// Every topology in samples/ (whatever files are there) loads and validates without errors, so
// users start from designs that work.
class SamplesValidationTest {
  private static final Path SAMPLES = Path.of("../samples");

  @TestFactory
  Stream<DynamicTest> everySampleLoadsAndHasNoErrors() throws IOException {
    List<Path> samples;
    try (Stream<Path> files = Files.list(SAMPLES)) {
      samples = files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")
          || f.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(samples).as("sample topologies in %s", SAMPLES.toAbsolutePath()).isNotEmpty();
    TopologyValidator validator = new TopologyValidator();
    return samples.stream().map(sample -> DynamicTest.dynamicTest(
        sample.getFileName().toString(), () -> {
          LoadedTopology loaded;
          try {
            loaded = new TopologyReader().read(sample);
          } catch (TopologyFormatException e) {
            throw new AssertionError(String.join("\n",
                e.problems().stream().map(p -> p.format(sample.toString())).toList()), e);
          }
          List<String> errors = validator.validate(loaded).stream().filter(Problem::isError)
              .map(p -> p.format(sample.toString())).toList();
          assertThat(errors).as("errors in %s", sample).isEmpty();
        }));
  }
}

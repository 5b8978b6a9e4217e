package io.meridian.model.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.Topology;
import io.meridian.model.format.AnalysisJson;
import io.meridian.model.format.TopologyReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every sample topology in the repository analyses cleanly: no missing policies, no
 * faster-than-light links, every dataset writable somewhere, and failing the first region of a
 * dataset changes at least one verdict, as a person would expect.
 */
class SampleAnalysisTest {
  private static final Path SAMPLES = Path.of("..", "samples");

  private static List<Path> samples() throws IOException {
    try (Stream<Path> files = Files.list(SAMPLES)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @Test
  void everySampleAnalysesWithoutWarningsAndEveryDatasetIsWritable() throws Exception {
    List<Path> samples = samples();
    assertThat(samples).isNotEmpty();
    for (Path file : samples) {
      Topology topology = new TopologyReader().read(file).topology();
      TopologyAnalysis analysis = TopologyAnalyzer.analyzeOnce(topology,
          AnalysisOptions.DEFAULTS.withSamples(AnalysisOptions.SAMPLES_MIN));

      assertThat(analysis.warnings()).as(file.toString()).isEmpty();
      assertThat(analysis.datasets()).as(file.toString()).allSatisfy(d ->
          assertThat(d.regions()).anyMatch(r -> r.write().available()));
      assertThat(new AnalysisJson().toJson(analysis)).startsWith("{");
    }
  }

  @Test
  void failingADatasetsFirstReplicaTakesThatRegionDown() throws Exception {
    for (Path file : samples()) {
      Topology topology = new TopologyReader().read(file).topology();
      var dataset = topology.datasets().get(0);
      var first = dataset.replicas().get(0);

      TopologyAnalysis analysis = TopologyAnalyzer.analyzeOnce(topology,
          AnalysisOptions.DEFAULTS.withSamples(AnalysisOptions.SAMPLES_MIN)
              .withFailedRegions(List.of(first)));

      RegionAnalysis down = analysis.dataset(dataset.name()).orElseThrow().region(first)
          .orElseThrow();
      assertThat(down.alive()).as(file.toString()).isFalse();
      assertThat(down.write().available()).as(file.toString()).isFalse();
    }
  }
}

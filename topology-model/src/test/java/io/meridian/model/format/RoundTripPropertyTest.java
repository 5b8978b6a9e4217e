package io.meridian.model.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

// Saving any topology and loading it again gives back the same topology, in YAML and in JSON,
// however awkward its text and numbers.
class RoundTripPropertyTest {
  private static final int TRIES = 200;
  private static Path directory;

  private final TopologyWriter writer = new TopologyWriter();
  private final TopologyReader reader = new TopologyReader();

  @BeforeContainer
  static void createDirectory() throws IOException {
    directory = Files.createTempDirectory("meridian-round-trip");
  }

  @AfterContainer
  static void deleteDirectory() throws IOException {
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  @Provide
  Arbitrary<Topology> topologies() {
    return TopologyArbitraries.topology();
  }

  @Property(tries = TRIES)
  void yamlTextReadsBackAsTheSameTopology(@ForAll("topologies") Topology topology)
      throws TopologyFormatException {
    String yaml = writer.toYaml(topology);

    assertThat(reader.parse(yaml, FileFormat.YAML, "generated.yaml").topology())
        .as(yaml).isEqualTo(topology);
  }

  @Property(tries = TRIES)
  void jsonTextReadsBackAsTheSameTopology(@ForAll("topologies") Topology topology)
      throws TopologyFormatException {
    String json = writer.toJson(topology);

    assertThat(reader.parse(json, FileFormat.JSON, "generated.json").topology())
        .as(json).isEqualTo(topology);
  }

  @Property(tries = TRIES / 3)
  void savedFileLoadsAsTheSameTopologyInEitherFormat(
      @ForAll("topologies") Topology topology, @ForAll boolean json)
      throws IOException, TopologyFormatException {
    Path file = directory.resolve(json ? "saved.json" : "saved.yaml");

    writer.save(topology, file);

    assertThat(reader.read(file).topology()).isEqualTo(topology);
  }

  @Property(tries = TRIES / 3)
  void savingWhatWasLoadedWritesTheSameText(@ForAll("topologies") Topology topology)
      throws TopologyFormatException {
    String yaml = writer.toYaml(topology);

    Topology loaded = reader.parse(yaml, FileFormat.YAML, "generated.yaml").topology();

    assertThat(writer.toYaml(loaded)).isEqualTo(yaml);
  }
}

package io.meridian.model.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import org.junit.jupiter.api.Test;

// The writer quotes whatever YAML would otherwise read as something else, so the cases the
// round-trip properties found stay fixed.
class TopologyWriterTest {
  private final TopologyWriter writer = new TopologyWriter();
  private final TopologyReader reader = new TopologyReader();

  @Test
  void textThatLooksLikeABooleanIsQuoted() {
    String yaml = writer.toYaml(Topology.empty("NO").plusRegion(Region.of("no", 1, 2, "NO")));

    assertThat(yaml).contains("name: \"NO\"").contains("id: \"no\"")
        .contains("jurisdiction: \"NO\"");
  }

  @Test
  void nextLineCharacterIsEscapedRatherThanFoldedIntoASpace() throws TopologyFormatException {
    Topology topology = Topology.empty("x\u0085y").plusRegion(Region.of("a", 1, 2, "EU"));

    String yaml = writer.toYaml(topology);

    assertThat(yaml).contains("name: \"x\\Ny\"");
    assertThat(reader.parse(yaml, FileFormat.YAML, "t.yaml").topology()).isEqualTo(topology);
  }

  @Test
  void negativeZeroKeepsItsSign() throws TopologyFormatException {
    Topology topology = Topology.empty("zero").plusRegion(Region.of("a", -0.0, 2, "EU"));

    Topology loaded = reader.parse(writer.toYaml(topology), FileFormat.YAML, "t.yaml").topology();

    double latitude = loaded.region(RegionId.of("a")).orElseThrow().latitude();
    assertThat(Double.doubleToRawLongBits(latitude)).isEqualTo(Double.doubleToRawLongBits(-0.0));
  }

  @Test
  void fieldsComeInTheDocumentedOrder() {
    String yaml = writer.toYaml(Topology.empty("order").plusRegion(Region.of("a", 1, 2, "EU")));

    assertThat(yaml).startsWith("apiVersion: meridian/v1\nkind: Topology\nmetadata:\n  name: order\n"
        + "regions:\n");
  }
}

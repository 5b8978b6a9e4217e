package io.meridian.model.format;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.model.Dataset;
import io.meridian.model.Link;
import io.meridian.model.Policy;
import io.meridian.model.QuorumSpec;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.ReplicationMode;
import io.meridian.model.Topology;
import io.meridian.model.analysis.AnalysisOptions;
import io.meridian.model.analysis.TopologyAnalyzer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The analysis JSON is stable (same input, same text), names its format, spells ids, links and
 * enums as in topology files, and has exactly the fields docs/analysis.md documents.
 */
class AnalysisJsonTest {
  private static final Topology TOPOLOGY = new Topology("json", "", List.of(
      Region.of("us-east", 38.9, -77.4, "US"), Region.of("eu-west", 53.3, -6.3, "EU"),
      Region.of("ap-south", 19.1, 72.9, "IN")),
      List.of(new Link(RegionId.of("us-east"), RegionId.of("eu-west"), 80, 3, 1000, 0, true),
          Link.of("eu-west", "ap-south", 120), Link.of("us-east", "ap-south", 190)),
      List.of(Policy.of("q", ReplicationMode.QUORUM).withQuorum(new QuorumSpec(3, 1, 1))),
      List.of(new Dataset("carts", List.of(RegionId.of("us-east"), RegionId.of("eu-west"),
          RegionId.of("ap-south")), List.of(), "q")));

  private static String json(AnalysisOptions options) {
    return new AnalysisJson().toJson(TopologyAnalyzer.analyzeOnce(TOPOLOGY, options));
  }

  @Test
  void theSameInputGivesTheSameText() {
    AnalysisOptions options = AnalysisOptions.DEFAULTS.withFailures(List.of("us-east~eu-west"));

    assertThat(json(options)).isEqualTo(json(options));
  }

  @Test
  void documentNamesItsFormatAndSpellsValuesAsInTopologyFiles() throws Exception {
    JsonNode root = new ObjectMapper().readTree(json(AnalysisOptions.DEFAULTS
        .withFailures(List.of("eu-west~us-east"))));

    assertThat(root.get("format").asText()).isEqualTo("meridian/analysis/v1");
    assertThat(root.at("/options/cutLinks/0").asText()).isEqualTo("eu-west~us-east");
    assertThat(root.at("/options/delayModel").asText()).isEqualTo("shifted-lognormal");
    JsonNode dataset = root.at("/datasets/0");
    assertThat(dataset.get("mode").asText()).isEqualTo("quorum");
    assertThat(dataset.at("/regions/0/region").asText()).isEqualTo("us-east");
    assertThat(dataset.at("/regions/0/reads/0/name").asText()).isEqualTo("eventual");
    assertThat(dataset.at("/regions/0/staleness/visibility/0/tMs").isNumber()).isTrue();
    assertThat(root.at("/links/0/status").asText()).isEqualTo("OK");
  }

  @Test
  void everyFieldIsOneThatTheDocumentationLists() throws Exception {
    JsonNode root = new ObjectMapper().readTree(json(AnalysisOptions.DEFAULTS));

    List<String> paths = new ArrayList<>();
    collect(root, "", paths);

    assertThat(paths).isSubsetOf(DOCUMENTED).contains("datasets[].regions[].write.latency.p99Ms",
        "datasets[].recovery.rto.terms[].ms", "links[].floorRttMs");
  }

  /** Field paths as in docs/analysis.md ({@code []} stands for any array element). */
  private static final List<String> DOCUMENTED = List.of(
      "format", "topology",
      "options.writeRatePerSecond", "options.valueBytes", "options.failedRegions",
      "options.cutLinks", "options.seed", "options.samples", "options.delayModel",
      "options.versionThresholds", "options.diskSyncMs",
      "monteCarlo.samples", "monteCarlo.seed", "monteCarlo.delayModel", "monteCarlo.confidence",
      "monteCarlo.curveErrorBound", "monteCarlo.method",
      "links[].name", "links[].a", "links[].b", "links[].rttMs", "links[].jitterMs",
      "links[].greatCircleKm", "links[].floorRttMs", "links[].rttOverFloor",
      "links[].fasterThanLight", "links[].cut", "links[].bandwidthMbps",
      "links[].trafficAToBMbps", "links[].trafficBToAMbps", "links[].utilisation",
      "links[].status", "links[].datasets",
      "datasets[].name", "datasets[].policy", "datasets[].mode", "datasets[].replicas",
      "datasets[].writeLeader", "datasets[].cap", "datasets[].pacelc",
      "datasets[].classification", "datasets[].notes",
      "datasets[].regions[].region", "datasets[].regions[].alive",
      "datasets[].regions[].write.name", "datasets[].regions[].write.offered",
      "datasets[].regions[].write.available", "datasets[].regions[].write.explanation",
      "datasets[].regions[].write.latency.p50Ms", "datasets[].regions[].write.latency.p99Ms",
      "datasets[].regions[].write.latency.p50CiMs.low",
      "datasets[].regions[].write.latency.p50CiMs.high",
      "datasets[].regions[].write.latency.p99CiMs.low",
      "datasets[].regions[].write.latency.p99CiMs.high",
      "datasets[].regions[].write.latency.floorMs", "datasets[].regions[].write.latency.route",
      "datasets[].regions[].reads[].name", "datasets[].regions[].reads[].offered",
      "datasets[].regions[].reads[].available", "datasets[].regions[].reads[].explanation",
      "datasets[].regions[].reads[].latency",
      "datasets[].regions[].reads[].latency.p50Ms", "datasets[].regions[].reads[].latency.p99Ms",
      "datasets[].regions[].reads[].latency.p50CiMs.low",
      "datasets[].regions[].reads[].latency.p50CiMs.high",
      "datasets[].regions[].reads[].latency.p99CiMs.low",
      "datasets[].regions[].reads[].latency.p99CiMs.high",
      "datasets[].regions[].reads[].latency.floorMs",
      "datasets[].regions[].reads[].latency.route",
      "datasets[].regions[].staleness.applicable", "datasets[].regions[].staleness.explanation",
      "datasets[].regions[].staleness.visibility",
      "datasets[].regions[].staleness.visibility[].tMs",
      "datasets[].regions[].staleness.visibility[].probability",
      "datasets[].regions[].staleness.consistent99Ms",
      "datasets[].regions[].staleness.consistent999Ms",
      "datasets[].regions[].staleness.consistent99CiMs.low",
      "datasets[].regions[].staleness.consistent99CiMs.high",
      "datasets[].regions[].staleness.consistent999CiMs.low",
      "datasets[].regions[].staleness.consistent999CiMs.high",
      "datasets[].regions[].staleness.meanVersionsBehind",
      "datasets[].regions[].staleness.versionsBehind[].k",
      "datasets[].regions[].staleness.versionsBehind[].probabilityMoreThanK",
      "datasets[].regions[].staleness.curveErrorBound",
      "datasets[].recovery.scenario",
      "datasets[].recovery.rpo.expectedMs", "datasets[].recovery.rpo.p99Ms",
      "datasets[].recovery.rpo.writesAtRisk", "datasets[].recovery.rpo.bounded",
      "datasets[].recovery.rpo.targetMs", "datasets[].recovery.rpo.meetsTarget",
      "datasets[].recovery.rpo.explanation",
      "datasets[].recovery.rto.terms[].name", "datasets[].recovery.rto.terms[].ms",
      "datasets[].recovery.rto.terms[].explanation", "datasets[].recovery.rto.totalMs",
      "datasets[].recovery.rto.automatic", "datasets[].recovery.rto.targetMs",
      "datasets[].recovery.rto.meetsTarget", "datasets[].recovery.rto.explanation",
      "warnings");

  /** Leaf paths, plus the paths of empty arrays and of nulls. */
  private static void collect(JsonNode node, String path, List<String> out) {
    if (node.isObject()) {
      for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        collect(node.get(name), path.isEmpty() ? name : path + "." + name, out);
      }
    } else if (node.isArray() && node.size() > 0 && node.get(0).isContainerNode()) {
      for (JsonNode element : node) {
        collect(element, path + "[]", out);
      }
    } else {
      out.add(path);
    }
  }
}

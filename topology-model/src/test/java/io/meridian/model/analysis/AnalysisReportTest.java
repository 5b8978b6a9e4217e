package io.meridian.model.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The text report shows, per dataset, a latency table with floors, what is not offered or down
 * and why, staleness, and RPO/RTO; and, for links, the floor and bandwidth use.
 */
class AnalysisReportTest {

  @Test
  void reportShowsTablesVerdictsAndRecovery() {
    TopologyAnalysis analysis = TopologyAnalyzer.analyzeOnce(
        Fixtures.with(Fixtures.quorum(3, 2, 2)),
        AnalysisOptions.DEFAULTS.withFailures(List.of("us-east~eu-west", "eu-west~ap-south")));

    String report = AnalysisReport.render(analysis);

    assertThat(report).contains("what-if: ap-south~eu-west cut, eu-west~us-east cut")
        .contains("Links (round trips in ms")
        .contains("Dataset data: quorum, policy p, replicas {us-east, eu-west, ap-south}")
        .contains("CAP CP, PACELC PC/EC")
        .contains("client    write")
        .contains("DOWN write: eu-west cannot write: quorum W=2 needs 2 of {us-east, eu-west, "
            + "ap-south}, only 1 reachable")
        .contains("R+W>N (2+2>3): every quorum read sees the latest committed write")
        .contains("RTO ");
    assertThat(report.lines()).anyMatch(line -> line.startsWith("  us-east   190/190 ("));
  }

  @Test
  void aDatasetWithAMissingPolicyIsReportedNotThrown() {
    var topology = Fixtures.with(Fixtures.async()).mapDataset("data", d -> d.withPolicy("nope"));

    TopologyAnalysis analysis = TopologyAnalyzer.analyzeOnce(topology, AnalysisOptions.DEFAULTS);

    assertThat(analysis.warnings()).contains("dataset data: policy 'nope' is not defined; run "
        + "'meridian validate'");
    assertThat(AnalysisReport.render(analysis)).contains("policy 'nope' is not defined");
  }
}

package io.meridian.app.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.app.check.DesignCheck;
import io.meridian.model.Topology;
import io.meridian.model.analysis.AnalysisOptions;
import io.meridian.model.analysis.TopologyAnalyzer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

// Proves, without JavaFX, that the analysis panel's state turns the global-async sample's
// analysis into latency bars over their physical floor, staleness curves, RPO/RTO lines and
// verdicts, and follows the chosen operation.
class AnalysisViewModelTest {
  private final Topology sample = new DesignCheck().check(Path.of("../samples/global-async.yaml"))
      .topology().orElseThrow().topology();
  private final AnalysisViewModel model = new AnalysisViewModel();

  @Test
  void showsLatencyOverTheFloorForEveryClientRegion() {
    model.setAnalysis(TopologyAnalyzer.analyzeOnce(sample, AnalysisOptions.DEFAULTS), "");

    assertThat(model.datasetProperty().get()).isEqualTo("orders");
    assertThat(model.bars()).extracting(bar -> bar.label())
        .containsExactly("us-east", "eu-central", "ap-southeast");
    assertThat(model.bars()).allSatisfy(bar -> {
      assertThat(bar.isAvailable()).isTrue();
      assertThat(bar.valueMs()).isGreaterThanOrEqualTo(bar.floorMs());
    });
    assertThat(model.recovery()).anySatisfy(line -> assertThat(line).startsWith("RPO: "));
    assertThat(model.recovery()).anySatisfy(line -> assertThat(line).startsWith("RTO: "));
    assertThat(model.curves()).isNotEmpty();
    assertThat(model.verdicts()).hasSize(3)
        .allSatisfy(line -> assertThat(line).contains(": can write — "));
  }

  @Test
  void followsTheChosenOperation() {
    model.setAnalysis(TopologyAnalyzer.analyzeOnce(sample, AnalysisOptions.DEFAULTS), "");

    model.operationProperty().set("eventual");

    assertThat(model.verdicts()).allSatisfy(line -> assertThat(line).contains(": can eventual"));
  }

  @Test
  void saysWhyThereIsNothingToShow() {
    model.setAnalysis(null, "no topology");

    assertThat(model.bars()).isEmpty();
    assertThat(model.summaryProperty().get()).isEqualTo("No analysis: no topology");
  }

  @Test
  void anEditThatLeavesTheChosenDatasetsFiguresAloneDoesNotRebuildThePanels() {
    TopologyAnalyzer analyzer = new TopologyAnalyzer();
    model.setAnalysis(analyzer.analyze(sample, AnalysisOptions.DEFAULTS), "");
    int[] barChanges = new int[1];
    model.bars().addListener((javafx.collections.ListChangeListener<Object>) c -> barChanges[0]++);

    // An edit that changes no figure of "orders" (its results are reused, the same objects).
    Topology other = sample.withDescription("edited");
    model.setAnalysis(analyzer.analyze(other, AnalysisOptions.DEFAULTS), "");
    assertThat(barChanges[0]).isZero();

    // A slower link under "orders": its bars change, and show what a fresh panel shows.
    io.meridian.model.Link link = sample.links().get(0);
    Topology slower = other.mapLink(link.a(), link.b(), l -> l.withRttMs(l.rttMs() + 40));
    model.setAnalysis(analyzer.analyze(slower, AnalysisOptions.DEFAULTS), "");
    AnalysisViewModel fresh = new AnalysisViewModel();
    fresh.setAnalysis(TopologyAnalyzer.analyzeOnce(slower, AnalysisOptions.DEFAULTS), "");
    assertThat(barChanges[0]).isPositive();
    assertThat(model.bars()).isEqualTo(fresh.bars());
    assertThat(model.verdicts()).isEqualTo(fresh.verdicts());
    assertThat(model.recovery()).isEqualTo(fresh.recovery());
    assertThat(model.summaryProperty().get()).isEqualTo(fresh.summaryProperty().get());
  }
}

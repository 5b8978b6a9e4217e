package io.meridian.app.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.app.check.Validation;
import io.meridian.model.Region;
import io.meridian.model.Topology;
import io.meridian.model.analysis.AnalysisOptions;
import io.meridian.model.analysis.TopologyAnalyzer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

// Proves that live checking is newest-wins: a request overtaken by a newer one is skipped before
// it does any work, and a result that arrives after a newer request is never delivered; and that
// a check offered at start-up replaces the first check only when it is of the same design.
class LiveCheckTest {
  private final Deque<Runnable> background = new ArrayDeque<>();
  private final Deque<Runnable> ui = new ArrayDeque<>();
  private final List<Topology> validated = new ArrayList<>();
  private final Validation counting = topology -> {
    validated.add(topology);
    return List.of();
  };
  private final LiveCheck check = new LiveCheck(counting, background::add, ui::add);
  private final Topology first = Topology.empty("first");
  private final Topology second = first.plusRegion(Region.of("a", 10, 10, "EU"));

  @Test
  void aStaleRequestIsSkippedWithoutDoingTheWork() {
    List<LiveCheck.Result> delivered = new ArrayList<>();
    check.submit(first, AnalysisOptions.DEFAULTS, delivered::add);
    check.submit(second, AnalysisOptions.DEFAULTS, delivered::add);

    background.poll().run();
    background.poll().run();
    ui.forEach(Runnable::run);

    assertThat(validated).containsExactly(second);
    assertThat(delivered).extracting(LiveCheck.Result::topology).containsExactly(second);
  }

  @Test
  void aResultOvertakenWhileRunningIsNotDelivered() {
    List<LiveCheck.Result> delivered = new ArrayList<>();
    check.submit(first, AnalysisOptions.DEFAULTS, delivered::add);
    background.poll().run();

    check.submit(second, AnalysisOptions.DEFAULTS, delivered::add);
    ui.poll().run();

    assertThat(delivered).isEmpty();
    background.poll().run();
    ui.poll().run();
    assertThat(delivered).extracting(LiveCheck.Result::topology).containsExactly(second);
  }

  @Test
  void anOfferedCheckOfTheSameDesignIsDeliveredWithoutCheckingAgain() {
    CompletableFuture<LiveCheck.Result> offered = new CompletableFuture<>();
    check.offer(offered, new TopologyAnalyzer());
    List<LiveCheck.Result> delivered = new ArrayList<>();
    check.submit(second, AnalysisOptions.DEFAULTS, delivered::add);
    LiveCheck.Result early = LiveCheck.analyzed(second, AnalysisOptions.DEFAULTS, List.of(),
        new TopologyAnalyzer());
    offered.complete(early);

    background.poll().run();
    ui.poll().run();

    assertThat(validated).isEmpty();
    assertThat(delivered).extracting(result -> result.withRttMatrix(null))
        .containsExactly(early);
  }

  @Test
  void anOfferedCheckOfAnotherDesignIsIgnoredAndTheDesignChecked() {
    check.offer(CompletableFuture.completedFuture(LiveCheck.analyzed(first,
        AnalysisOptions.DEFAULTS, List.of(), new TopologyAnalyzer())), new TopologyAnalyzer());
    List<LiveCheck.Result> delivered = new ArrayList<>();
    check.submit(second, AnalysisOptions.DEFAULTS, delivered::add);

    background.poll().run();
    ui.poll().run();

    assertThat(validated).containsExactly(second);
    assertThat(delivered).extracting(LiveCheck.Result::topology).containsExactly(second);
  }

  @Test
  void aFailedOfferIsCheckedAsUsual() {
    check.offer(CompletableFuture.failedFuture(new IllegalStateException("unreadable")),
        new TopologyAnalyzer());
    List<LiveCheck.Result> delivered = new ArrayList<>();
    check.submit(second, AnalysisOptions.DEFAULTS, delivered::add);

    background.poll().run();
    ui.poll().run();

    assertThat(validated).containsExactly(second);
    assertThat(delivered).hasSize(1);
  }

  @Test
  void theRttMatrixComesWithTheResultAndIsRecomputedOnlyWhenLinksChange() {
    Topology linked = second.plusRegion(Region.of("b", 20, 20, "EU"))
        .plusLink(io.meridian.model.Link.of("a", "b", 40));
    List<LiveCheck.Result> delivered = new ArrayList<>();
    check.submit(linked, AnalysisOptions.DEFAULTS, delivered::add);
    background.poll().run();
    // Computed on the background executor: it is there before the UI runs anything.
    ui.poll().run();
    Topology renamed = linked.withDescription("a dataset-free edit");
    check.submit(renamed, AnalysisOptions.DEFAULTS, delivered::add);
    background.poll().run();
    ui.poll().run();
    Topology slower = renamed.mapLink(io.meridian.model.RegionId.of("a"),
        io.meridian.model.RegionId.of("b"), link -> link.withRttMs(55));
    check.submit(slower, AnalysisOptions.DEFAULTS, delivered::add);
    background.poll().run();
    ui.poll().run();

    assertThat(delivered).hasSize(3);
    assertThat(delivered.get(0).rttMatrix().rttMs(0, 1)).isEqualTo(40);
    assertThat(delivered.get(1).rttMatrix()).isSameAs(delivered.get(0).rttMatrix());
    assertThat(delivered.get(2).rttMatrix().rttMs(0, 1)).isEqualTo(55);
  }
}

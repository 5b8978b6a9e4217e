package io.meridian.app.studio;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.app.check.DesignCheck;
import io.meridian.app.check.TestRules;
import io.meridian.model.diagnostics.Severity;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

// Proves the studio's view-model logic without starting JavaFX: opening a file fills the outline,
// problems, title and status; a broken file shows its problems; a slow older load never replaces
// a newer one; a file read and analysed before the window existed is not read or checked again.
class StudioViewModelTest {
  private static final Path SAMPLE = Path.of("../samples/global-async.yaml");
  private static final Path DANGLING =
      Path.of("src/test/resources/io/meridian/app/cli/dangling-replica.yaml");
  private static final Path BROKEN =
      Path.of("src/test/resources/io/meridian/app/cli/unknown-field.yaml");

  private final DesignCheck check = new DesignCheck();
  private final StudioViewModel model =
      new StudioViewModel(check::check, Runnable::run, Runnable::run);

  @Test
  void openingASampleListsItsRegionsLinksAndDatasets() {
    model.open(SAMPLE);

    assertThat(model.regions()).containsExactly(
        "us-east — N. Virginia (US)", "eu-central — Frankfurt (EU)",
        "ap-southeast — Singapore (SG)");
    assertThat(model.links()).containsExactly(
        "us-east ↔ eu-central · 90 ms", "eu-central ↔ ap-southeast · 160 ms",
        "us-east ↔ ap-southeast · 215 ms");
    assertThat(model.datasets()).containsExactly("orders · async-orders · 3 replicas");
    assertThat(model.problems()).isEmpty();
    assertThat(model.titleProperty().get()).isEqualTo("global-async.yaml — Meridian");
    assertThat(model.statusProperty().get())
        .isEqualTo("global-async · 3 regions, 3 links, 1 dataset · no problems");
    assertThat(model.loadingProperty().get()).isFalse();
    assertThat(model.topologyProperty().get().name()).isEqualTo("global-async");
  }

  @Test
  void aBrokenFileShowsItsProblemWithFilePosition() {
    model.open(BROKEN);

    assertThat(model.problemList()).singleElement().satisfies(row -> {
      assertThat(row.severity()).isEqualTo(Severity.ERROR);
      assertThat(row.code()).isEqualTo("unknown-field");
      assertThat(row.location()).isEqualTo("unknown-field.yaml:16:5");
      assertThat(row.fix()).isEqualTo("did you mean 'latitude'?");
    });
    assertThat(model.topologyProperty().get()).isNull();
    assertThat(model.regions()).isEmpty();
    assertThat(model.statusProperty().get()).startsWith("Could not open " + BROKEN);
    assertThat(model.mapMessageProperty().get())
        .isEqualTo("Could not read unknown-field.yaml: see Problems below");
  }

  @Test
  void loadingRunsInTheBackgroundAndIsHandedToTheUi() {
    Deque<Runnable> background = new ArrayDeque<>();
    Deque<Runnable> ui = new ArrayDeque<>();
    StudioViewModel queued = new StudioViewModel(check::check, background::add, ui::add);

    queued.open(SAMPLE);

    assertThat(queued.loadingProperty().get()).isTrue();
    assertThat(queued.regions()).isEmpty();
    background.poll().run();
    assertThat(queued.regions()).isEmpty();
    ui.poll().run();
    assertThat(queued.regions()).hasSize(3);
    assertThat(queued.loadingProperty().get()).isFalse();
  }

  @Test
  void openingWithAPreloadTakesItsCheckAndAnalysisInsteadOfRedoingThem() throws Exception {
    java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
    java.util.function.Function<Path, io.meridian.app.check.FileReport> counting = path -> {
      reads.incrementAndGet();
      return check.check(path);
    };
    StudioPreload preload = StudioPreload.start(SAMPLE, counting);
    preload.firstCheck().get(60, java.util.concurrent.TimeUnit.SECONDS);
    java.util.List<io.meridian.model.Topology> validated = new java.util.ArrayList<>();
    StudioViewModel preloaded = new StudioViewModel(counting, topology -> {
      validated.add(topology);
      return java.util.List.of();
    }, io.meridian.app.files.RecentFiles.none(), Runnable::run, Runnable::run);

    preloaded.open(SAMPLE, StudioPreload.take(SAMPLE));

    assertThat(reads).hasValue(1);
    assertThat(validated).as("designs validated again after the preload").isEmpty();
    assertThat(preloaded.regions()).hasSize(3);
    assertThat(preloaded.checkingProperty().get()).isFalse();
    assertThat(preloaded.analysis().summaryProperty().get()).contains("orders");
    assertThat(StudioPreload.take(SAMPLE)).as("a preload is taken once").isNull();
  }

  @Test
  void aDeferredFirstAnalysisWaitsUntilTheWindowHasDrawnTheSample() throws Exception {
    StudioPreload preload = StudioPreload.start(SAMPLE, check::check, true);
    try {
      // The file is read and checked at once: the window needs it to draw the sample.
      assertThat(preload.report().get(60, java.util.concurrent.TimeUnit.SECONDS).topology())
          .isPresent();
      assertThat(preload.firstCheck()).as("analysed before the sample was drawn").isNotDone();

      preload.sampleDrawn();

      assertThat(preload.firstCheck().get(60, java.util.concurrent.TimeUnit.SECONDS).analysis())
          .isNotNull();
    } finally {
      StudioPreload.take(SAMPLE);
    }
  }

  @Test
  void aSlowOlderLoadDoesNotReplaceANewerOne() {
    Deque<Runnable> background = new ArrayDeque<>();
    Executor direct = Runnable::run;
    StudioViewModel queued = new StudioViewModel(check::check, background::add, direct);

    queued.open(BROKEN);
    queued.open(SAMPLE);
    background.pollLast().run();
    background.pollLast().run();

    assertThat(queued.regions()).hasSize(3);
    assertThat(queued.problems()).isEmpty();
  }

  @Test
  void revealingAProblemSelectsTheElementItConcerns() {
    StudioViewModel checked = new StudioViewModel(
        new DesignCheck(TestRules.DANGLING_REPLICAS)::check, Runnable::run, Runnable::run);
    checked.open(DANGLING);

    checked.reveal(checked.problemList().get(0));

    assertThat(checked.selectionProperty().get())
        .isEqualTo(new OutlineSelection(OutlineSelection.Section.DATASETS, 0));
    checked.open(SAMPLE);
    assertThat(checked.selectionProperty().get()).isNull();
  }

  @Test
  void newDesignIsEmpty() {
    model.open(SAMPLE);

    model.newDesign();

    assertThat(model.regions()).isEmpty();
    assertThat(model.links()).isEmpty();
    assertThat(model.problems()).isEmpty();
    assertThat(model.topologyProperty().get().regions()).isEmpty();
    assertThat(model.titleProperty().get()).isEqualTo("untitled — Meridian");
  }

  @Test
  void exportingTheGraphWritesAPngAndAFailureSaysWhy(@org.junit.jupiter.api.io.TempDir Path folder)
      throws Exception {
    java.awt.image.BufferedImage image =
        new java.awt.image.BufferedImage(40, 30, java.awt.image.BufferedImage.TYPE_INT_ARGB);
    image.setRGB(3, 4, 0xff336699);
    Path png = folder.resolve("nested/graph.png");
    model.exportImage(image, png);
    java.awt.image.BufferedImage read = javax.imageio.ImageIO.read(png.toFile());
    assertThat(read.getWidth()).isEqualTo(40);
    assertThat(read.getRGB(3, 4)).isEqualTo(0xff336699);
    assertThat(model.statusProperty().get()).isEqualTo("Exported the graph to " + png);

    // A folder in the way of the file: the export fails and the status line says where.
    Path blocked = folder.resolve("taken.png");
    java.nio.file.Files.createDirectories(blocked);
    java.nio.file.Files.writeString(blocked.resolve("keep.txt"), "not empty");
    model.exportImage(image, blocked);
    assertThat(model.statusProperty().get()).startsWith("Could not export " + blocked);
  }
}

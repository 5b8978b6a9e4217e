package io.meridian.app.studio;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.app.check.DesignCheck;
import io.meridian.app.check.Validation;
import io.meridian.app.editor.EditTarget;
import io.meridian.app.editor.PropertyRow;
import io.meridian.app.files.RecentFiles;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves the designer's editing logic without starting JavaFX: catalogue regions, links, datasets
// and policies are added as new topology values; every edit re-checks the design, so a problem
// appears and disappears as the policy is changed and fixed; undo and redo walk the history;
// saving writes the YAML a user would expect and clears the unsaved-changes mark.
class DesignEditingTest {
  @TempDir
  Path folder;

  private StudioViewModel model() {
    return new StudioViewModel(new DesignCheck()::check, Validation.standard(),
        new RecentFiles(folder.resolve("recent.txt")), Runnable::run, Runnable::run);
  }

  private static void addFromCatalogue(StudioViewModel model, String query) {
    model.palette().queryProperty().set(query);
    assertThat(model.palette().addChosen()).as(query).isTrue();
  }

  static void setProperty(StudioViewModel model, String name, String value) {
    PropertyRow row = model.properties().stream().filter(r -> r.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no property " + name + " in "
            + model.properties()));
    model.setProperty(row, value);
  }

  /** Two regions, a link between them, and a dataset with its policy, as the UI test draws it. */
  static StudioViewModel drawTwoRegionDesign(StudioViewModel model) {
    model.newDesign();
    addFromCatalogue(model, "aws:eu-central-1");
    addFromCatalogue(model, "aws:eu-west-1");
    model.link(RegionId.of("aws-eu-central-1"), RegionId.of("aws-eu-west-1"));
    model.newDataset();
    return model;
  }

  @Test
  void addsCatalogueRegionsAndLinksThemWithTheDefaultRtt() {
    StudioViewModel model = drawTwoRegionDesign(model());

    Topology design = model.topologyProperty().get();
    assertThat(design.regions()).extracting(r -> r.id().value())
        .containsExactly("aws-eu-central-1", "aws-eu-west-1");
    assertThat(design.links()).singleElement().satisfies(link ->
        assertThat(link.rttMs()).isGreaterThan(5).isLessThan(40));
    assertThat(design.datasets()).singleElement().satisfies(d -> {
      assertThat(d.replicas()).extracting(RegionId::value)
          .containsExactly("aws-eu-central-1", "aws-eu-west-1");
      assertThat(d.policy()).isEqualTo("policy-1");
    });
    assertThat(model.dirtyProperty().get()).isTrue();
    assertThat(model.titleProperty().get()).isEqualTo("• untitled — Meridian");
  }

  @Test
  void aProblemAppearsWhenThePolicyIsBrokenAndDisappearsWhenFixed() {
    StudioViewModel model = drawTwoRegionDesign(model());
    assertThat(model.problemList()).extracting(ProblemRow::code)
        .doesNotContain("missing-quorum");

    model.selectTarget(new EditTarget.DatasetTarget("dataset-1"));
    setProperty(model, "Mode", "quorum");
    assertThat(model.problemList()).extracting(ProblemRow::code).contains("missing-quorum");

    setProperty(model, "Quorum N/W/R", "2/2/1");
    assertThat(model.problemList()).extracting(ProblemRow::code)
        .doesNotContain("missing-quorum");
  }

  @Test
  void theFocusedDatasetNumbersItsReplicasInFailoverOrder() {
    StudioViewModel model = drawTwoRegionDesign(model());
    RegionId frankfurt = RegionId.of("aws-eu-central-1");
    RegionId dublin = RegionId.of("aws-eu-west-1");
    assertThat(model.overlaysProperty().get().regions().get(frankfurt).badge()).isEqualTo("1");
    assertThat(model.overlaysProperty().get().regions().get(dublin).badge()).isEqualTo("2");

    model.selectTarget(new EditTarget.DatasetTarget("dataset-1"));
    setProperty(model, "Primary", "aws-eu-west-1");
    setProperty(model, "Failover order", "aws-eu-central-1");

    assertThat(model.overlaysProperty().get().regions().get(dublin).badge()).isEqualTo("1");
    assertThat(model.overlaysProperty().get().regions().get(frankfurt).badge()).isEqualTo("2");
  }

  @Test
  void theLinkToolMarksItsFirstEndUntilTheSecondIsClicked() {
    StudioViewModel model = drawTwoRegionDesign(model());
    model.undo();
    model.undo();
    RegionId frankfurt = RegionId.of("aws-eu-central-1");
    model.toolProperty().set(Tool.LINK);

    model.graphClicked(io.meridian.visualization.graph.GraphElement.region(frankfurt));
    assertThat(model.overlaysProperty().get().regions().get(frankfurt).pulse()).isTrue();
    model.graphClicked(io.meridian.visualization.graph.GraphElement.region(
        RegionId.of("aws-eu-west-1")));

    assertThat(model.topologyProperty().get().links()).hasSize(1);
    assertThat(model.overlaysProperty().get().regions().getOrDefault(frankfurt,
        io.meridian.visualization.graph.RegionOverlay.NONE).pulse()).isFalse();
  }

  @Test
  void undoAndRedoWalkTheHistory() {
    StudioViewModel model = drawTwoRegionDesign(model());

    model.undo();
    assertThat(model.topologyProperty().get().datasets()).isEmpty();
    model.undo();
    assertThat(model.topologyProperty().get().links()).isEmpty();
    assertThat(model.redoLabelProperty().get())
        .isEqualTo("Redo link aws-eu-central-1 and aws-eu-west-1");
    model.redo();
    model.redo();
    assertThat(model.topologyProperty().get().datasets()).hasSize(1);
    assertThat(model.canRedoProperty().get()).isFalse();
  }

  @Test
  void aRejectedEditChangesNothingAndSaysWhy() {
    StudioViewModel model = drawTwoRegionDesign(model());
    Topology before = model.topologyProperty().get();
    model.selectTarget(new EditTarget.LinkTarget(RegionId.of("aws-eu-central-1"),
        RegionId.of("aws-eu-west-1")));

    setProperty(model, "RTT (ms)", "fast");

    assertThat(model.topologyProperty().get()).isSameAs(before);
    assertThat(model.statusProperty().get()).contains("'fast' is not a number");
  }

  @Test
  void savingWritesTheExpectedYamlAndClearsTheUnsavedMark() throws IOException {
    StudioViewModel model = drawTwoRegionDesign(model());
    Path saved = folder.resolve("designed.yaml");

    model.saveAs(saved, () -> { });

    String expected = Files.readString(Path.of(
        "src/test/resources/io/meridian/app/studio/designed.yaml"), StandardCharsets.UTF_8);
    assertThat(Files.readString(saved, StandardCharsets.UTF_8)).isEqualTo(expected);
    assertThat(model.dirtyProperty().get()).isFalse();
    assertThat(model.titleProperty().get()).isEqualTo("designed.yaml — Meridian");
    assertThat(model.recentFiles()).containsExactly(saved.toAbsolutePath().normalize());
    assertThat(new RecentFiles(folder.resolve("recent.txt")).load())
        .containsExactly(saved.toAbsolutePath().normalize());
  }

  @Test
  void deletingARegionTakesItsLinksAndReplicaPlacesWithIt() {
    StudioViewModel model = drawTwoRegionDesign(model());
    model.selectTarget(new EditTarget.RegionTarget(RegionId.of("aws-eu-west-1")));

    model.deleteSelection();

    Topology design = model.topologyProperty().get();
    assertThat(design.regions()).hasSize(1);
    assertThat(design.links()).isEmpty();
    assertThat(design.datasets().get(0).replicas()).extracting(RegionId::value)
        .containsExactly("aws-eu-central-1");
  }

  @Test
  void aCustomRegionTakesTheJurisdictionOfTheNearestCatalogueRegion() {
    StudioViewModel model = model();
    model.newDesign();

    model.addCustomRegion(48.85, 2.35);

    assertThat(model.topologyProperty().get().regions()).singleElement().satisfies(r -> {
      assertThat(r.id().value()).isEqualTo("custom");
      assertThat(r.jurisdiction().code()).isEqualTo("EU");
    });
    assertThat(model.targetProperty().get())
        .isEqualTo(new EditTarget.RegionTarget(RegionId.of("custom")));
  }
}

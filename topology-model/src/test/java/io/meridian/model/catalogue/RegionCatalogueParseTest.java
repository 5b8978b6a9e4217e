package io.meridian.model.catalogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.model.Jurisdiction;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves a catalogue file is checked line by line when it loads, and that each broken line is
// reported with its line number and what is wrong.
class RegionCatalogueParseTest {
  private static final String HEADER = RegionCatalogue.HEADER + "\n";

  @Test
  void readsEntriesSkippingCommentsAndBlankLines() {
    RegionCatalogue catalogue = RegionCatalogue.parse("# a comment\n\n" + HEADER
        + "aws,eu-central-1,Europe (Frankfurt),Frankfurt,50.1,8.7,EU,Germany\n"
        + "\n"
        + "gcp,europe-west2,London,London,51.5,-0.1,UK,United Kingdom\n", "test.csv");
    assertThat(catalogue.entries()).extracting(CatalogueEntry::qualifiedCode)
        .containsExactly("aws:eu-central-1", "gcp:europe-west2");
    assertThat(catalogue.providers()).containsExactly("aws", "gcp");
  }

  @Test
  void readsAFileSavedWithAByteOrderMarkAndWindowsLineEnds() {
    RegionCatalogue catalogue = RegionCatalogue.parse("\uFEFF" + RegionCatalogue.HEADER + "\r\n"
        + "gcp,europe-west2,London,London,51.5,-0.1,UK,United Kingdom\r\n", "test.csv");
    assertThat(catalogue.byQualifiedCode("gcp:europe-west2")).isPresent();
  }

  @Test
  void duplicateCodeIsReportedWithBothLines() {
    assertThatThrownBy(() -> RegionCatalogue.parse(HEADER
        + "aws,eu-central-1,Europe (Frankfurt),Frankfurt,50.1,8.7,EU,Germany\n"
        + "aws,eu-central-1,Europe (Frankfurt),Frankfurt,50.1,8.7,EU,Germany\n", "test.csv"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("test.csv:3: region aws:eu-central-1 already appears on line 2");
  }

  @Test
  void coordinatesOffTheGlobeAreRefused() {
    assertThatThrownBy(() -> RegionCatalogue.parse(HEADER
        + "aws,eu-central-1,Europe (Frankfurt),Frankfurt,95.0,8.7,EU,Germany\n", "test.csv"))
        .hasMessageContaining("test.csv:2: latitude of aws:eu-central-1 must be between -90 and 90");
    assertThatThrownBy(() -> RegionCatalogue.parse(HEADER
        + "aws,eu-central-1,Europe (Frankfurt),Frankfurt,50.1,east,EU,Germany\n", "test.csv"))
        .hasMessageContaining("test.csv:2: longitude 'east' is not a number");
    assertThatThrownBy(() -> RegionCatalogue.parse(HEADER
        + "aws,eu-central-1,Europe (Frankfurt),Frankfurt,0,0,EU,Germany\n", "test.csv"))
        .hasMessageContaining("coordinates are missing");
  }

  @Test
  void malformedJurisdictionIsRefused() {
    assertThatThrownBy(() -> RegionCatalogue.parse(HEADER
        + "aws,eu-central-1,Europe (Frankfurt),Frankfurt,50.1,8.7,eu,Germany\n", "test.csv"))
        .hasMessageContaining("test.csv:2: jurisdiction 'eu'");
  }

  @Test
  void euMemberStateOutsideTheEuJurisdictionIsRefused() {
    assertThatThrownBy(() -> RegionCatalogue.parse(HEADER
        + "aws,eu-north-1,Europe (Stockholm),Stockholm,59.3,18.1,SE,Sweden\n", "test.csv"))
        .hasMessageContaining("Sweden, an EU member state, so its jurisdiction must be EU");
  }

  @Test
  void nonMemberInsideTheEuJurisdictionIsRefused() {
    assertThatThrownBy(() -> RegionCatalogue.parse(HEADER
        + "aws,eu-west-2,Europe (London),London,51.5,-0.1,EU,United Kingdom\n", "test.csv"))
        .hasMessageContaining("not an EU member state");
  }

  @Test
  void wrongNumberOfFieldsIsRefused() {
    assertThatThrownBy(() -> RegionCatalogue.parse(HEADER
        + "aws,eu-west-2,Europe, London,London,51.5,-0.1,UK,United Kingdom\n", "test.csv"))
        .hasMessageContaining("test.csv:2: expected 8 comma-separated fields");
  }

  @Test
  void everyBrokenLineIsReportedNotOnlyTheFirst() {
    assertThatThrownBy(() -> RegionCatalogue.parse(HEADER
        + "aws,Bad Code,x,x,1,1,US,United States\n"
        + "aws,ok-1,x,x,1,1,US,United States\n"
        + "aws,ok-2,x,x,1,200,US,United States\n", "test.csv"))
        .hasMessageContaining("2 problem(s)")
        .hasMessageContaining("test.csv:2:")
        .hasMessageContaining("test.csv:4:");
  }

  @Test
  void missingOrWrongHeaderIsRefused() {
    assertThatThrownBy(() -> RegionCatalogue.parse("# only comments\n", "test.csv"))
        .hasMessageContaining("the catalogue is empty");
    assertThatThrownBy(() -> RegionCatalogue.parse(
        "provider,code\naws,eu-west-2,Europe (London),London,51.5,-0.1,UK,United Kingdom\n",
        "test.csv"))
        .hasMessageContaining("test.csv:1: expected the header");
  }

  @Test
  void catalogueOfEntriesRefusesDuplicateQualifiedCodes() {
    CatalogueEntry london = new CatalogueEntry("gcp", "europe-west2", "London", "London", 51.5,
        -0.1, Jurisdiction.of("UK"), "United Kingdom");
    assertThatThrownBy(() -> RegionCatalogue.of(List.of(london, london)))
        .hasMessageContaining("gcp:europe-west2 appears twice");
  }
}

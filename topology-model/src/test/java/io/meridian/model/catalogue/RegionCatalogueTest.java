package io.meridian.model.catalogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.meridian.model.Geo;
import io.meridian.model.Jurisdiction;
import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.RegionRole;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

// Proves the built-in catalogue holds the real public regions where they are, finds them by code
// and by free text in a sensible order, and turns them into regions and links that obey physics.
class RegionCatalogueTest {
  private final RegionCatalogue catalogue = RegionCatalogue.builtIn();

  @Test
  void builtInCatalogueIsLoadedOnceAndShared() {
    assertThat(RegionCatalogue.builtIn()).isSameAs(catalogue);
  }

  @Test
  void holdsAtLeastSixtyRegionsOfTheThreeBigProviders() {
    assertThat(catalogue.size()).isGreaterThanOrEqualTo(60);
    assertThat(catalogue.providers()).contains("aws", "azure", "gcp");
    Map<String, Long> perProvider = catalogue.entries().stream()
        .collect(Collectors.groupingBy(CatalogueEntry::provider, Collectors.counting()));
    assertThat(perProvider.get("aws")).isGreaterThanOrEqualTo(25);
    assertThat(perProvider.get("azure")).isGreaterThanOrEqualTo(25);
    assertThat(perProvider.get("gcp")).isGreaterThanOrEqualTo(25);
  }

  @Test
  void awsEuCentral1IsFrankfurtInTheEu() {
    CatalogueEntry frankfurt = catalogue.byQualifiedCode("aws:eu-central-1").orElseThrow();
    assertThat(frankfurt.city()).isEqualTo("Frankfurt");
    assertThat(frankfurt.country()).isEqualTo("Germany");
    assertThat(frankfurt.jurisdiction()).isEqualTo(Jurisdiction.of("EU"));
    assertThat(frankfurt.latitude()).isCloseTo(50.1, within(0.15));
    assertThat(frankfurt.longitude()).isCloseTo(8.7, within(0.15));
  }

  @Test
  void azureWestEuropeIsInTheNetherlands() {
    List<CatalogueEntry> found = catalogue.byCode("westeurope");
    assertThat(found).singleElement().satisfies(entry -> {
      assertThat(entry.provider()).isEqualTo("azure");
      assertThat(entry.country()).isEqualTo("Netherlands");
      assertThat(entry.jurisdiction().code()).isEqualTo("EU");
    });
  }

  @Test
  void gcpEuropeWest3IsFrankfurt() {
    assertThat(catalogue.byQualifiedCode("gcp:europe-west3").orElseThrow().city())
        .isEqualTo("Frankfurt");
  }

  @Test
  void jurisdictionsFollowTheLawNotTheContinent() {
    assertThat(jurisdictionOf("aws:eu-west-2")).isEqualTo("UK");
    assertThat(jurisdictionOf("aws:eu-central-2")).isEqualTo("CH");
    assertThat(jurisdictionOf("azure:norwayeast")).isEqualTo("NO");
    assertThat(jurisdictionOf("aws:eu-north-1")).isEqualTo("EU");
    assertThat(jurisdictionOf("gcp:asia-southeast1")).isEqualTo("SG");
    assertThat(jurisdictionOf("gcp:me-central2")).isEqualTo("SA");
  }

  @Test
  void lookupIgnoresCaseAndSurroundingSpaces() {
    assertThat(catalogue.byQualifiedCode("  AWS:EU-WEST-1 ")).isPresent();
    assertThat(catalogue.byCode("WestEurope")).hasSize(1);
  }

  @Test
  void bareCodeSharedByTwoProvidersReportsBothMatches() {
    List<CatalogueEntry> found = catalogue.byCode("eu-west-1");
    assertThat(found).extracting(CatalogueEntry::qualifiedCode)
        .containsExactly("aws:eu-west-1", "alibaba:eu-west-1");
    assertThat(found).extracting(CatalogueEntry::city).containsExactly("Dublin", "London");
  }

  @Test
  void lookupAcceptsQualifiedAndBareCodes() {
    assertThat(catalogue.lookup("aws:eu-west-1")).extracting(CatalogueEntry::city)
        .containsExactly("Dublin");
    assertThat(catalogue.lookup("eu-west-1")).hasSize(2);
    assertThat(catalogue.lookup("mars-north-1")).isEmpty();
    assertThat(catalogue.lookup("aws:westeurope")).isEmpty();
  }

  @Test
  void unknownCodesFindNothing() {
    assertThat(catalogue.byQualifiedCode("aws:mars-north-1")).isEmpty();
    assertThat(catalogue.byCode("")).isEmpty();
    assertThat(catalogue.byCode(null)).isEmpty();
    assertThat(catalogue.byProvider("oracle")).isEmpty();
  }

  @Test
  void searchRanksExactCodeBeforePrefixMatches() {
    assertThat(catalogue.search("europe-west1")).extracting(CatalogueEntry::qualifiedCode)
        .containsExactly("gcp:europe-west1", "gcp:europe-west10", "gcp:europe-west12");
  }

  @Test
  void searchRanksPrefixBeforeContainsMatches() {
    List<String> found = catalogue.search("west").stream()
        .map(CatalogueEntry::qualifiedCode).toList();
    // azure:westeurope starts with the query; gcp:europe-west3 only contains it.
    assertThat(found).contains("azure:westeurope", "gcp:europe-west3");
    assertThat(found.indexOf("azure:westeurope")).isLessThan(found.indexOf("gcp:europe-west3"));
    // "UK West" has a word starting with the query, which ranks as a prefix match too.
    assertThat(found.indexOf("azure:ukwest")).isLessThan(found.indexOf("gcp:europe-west3"));
  }

  @Test
  void searchFindsByCityCountryAndNameIgnoringCaseAndAccents() {
    assertThat(catalogue.search("FRANKFURT")).extracting(CatalogueEntry::qualifiedCode)
        .contains("aws:eu-central-1", "azure:germanywestcentral", "gcp:europe-west3");
    assertThat(catalogue.search("sao paulo")).extracting(CatalogueEntry::qualifiedCode)
        .contains("aws:sa-east-1", "azure:brazilsouth", "gcp:southamerica-east1");
    assertThat(catalogue.search("netherlands")).extracting(CatalogueEntry::qualifiedCode)
        .contains("azure:westeurope", "gcp:europe-west4");
    assertThat(catalogue.search("virginia")).extracting(CatalogueEntry::qualifiedCode)
        .contains("aws:us-east-1", "azure:eastus", "gcp:us-east4");
  }

  @Test
  void searchPutsTheExactCodeFirstEvenWhenOtherRegionsMatchByName() {
    assertThat(catalogue.search("eu-central-1").get(0).code()).isEqualTo("eu-central-1");
    assertThat(catalogue.search("aws:eu-central-1")).extracting(CatalogueEntry::qualifiedCode)
        .first().isEqualTo("aws:eu-central-1");
  }

  @Test
  void blankSearchListsEverythingAndLimitCapsResults() {
    assertThat(catalogue.search("  ")).hasSize(catalogue.size());
    assertThat(catalogue.search("us", 5)).hasSize(5);
    assertThat(catalogue.search("no such place")).isEmpty();
  }

  @Test
  void frankfurtToNorthVirginiaIsAbout6500Km() {
    Region frankfurt = region("aws:eu-central-1");
    Region virginia = region("aws:us-east-1");
    assertThat(Geo.greatCircleKm(frankfurt, virginia)).isCloseTo(6500, within(100.0));
  }

  @Test
  void sydneyToLondonIsAlmostHalfwayRoundTheWorld() {
    assertThat(Geo.greatCircleKm(region("aws:ap-southeast-2"), region("aws:eu-west-2")))
        .isCloseTo(17_000, within(200.0));
  }

  @Test
  void entryBecomesARegionWithItsCityAndQualifiedCode() {
    CatalogueEntry entry = catalogue.byQualifiedCode("gcp:europe-west3").orElseThrow();
    Region region = RegionCatalogue.toRegion(entry, RegionId.of("frankfurt"));
    assertThat(region.id()).isEqualTo(RegionId.of("frankfurt"));
    assertThat(region.displayName()).isEqualTo("Frankfurt");
    assertThat(region.provider()).isEqualTo("gcp:europe-west3");
    assertThat(region.jurisdiction()).isEqualTo(Jurisdiction.of("EU"));
    assertThat(region.role()).isEqualTo(RegionRole.DATA);
    assertThat(region.latitude()).isEqualTo(entry.latitude());
    assertThat(RegionCatalogue.toRegion(entry, RegionId.of("w"), RegionRole.WITNESS).isWitness())
        .isTrue();
  }

  @Test
  void everySuggestedIdIsAValidUniqueRegionId() {
    List<RegionId> ids = catalogue.entries().stream().map(CatalogueEntry::suggestedId).toList();
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(catalogue.byQualifiedCode("aws:eu-central-1").orElseThrow().suggestedId())
        .isEqualTo(RegionId.of("aws-eu-central-1"));
  }

  @Test
  void defaultLinkIsNeverFasterThanLightBetweenAnyTwoRegions() {
    List<CatalogueEntry> all = catalogue.entries();
    for (int i = 0; i < all.size(); i++) {
      for (int j = i + 1; j < all.size(); j++) {
        Region a = all.get(i).toRegion(all.get(i).suggestedId());
        Region b = all.get(j).toRegion(all.get(j).suggestedId());
        Link link = RegionCatalogue.defaultLink(a, b);
        assertThat(link.rttMs()).as(link.name()).isGreaterThanOrEqualTo(Geo.fibreRttFloorMs(a, b));
        assertThat(link.jitterMs()).as(link.name())
            .isGreaterThanOrEqualTo(RegionCatalogue.DEFAULT_JITTER_MIN_MS);
      }
    }
  }

  @Test
  void defaultLinkUsesTheEstimatedRttWithTwoPercentJitter() {
    Region frankfurt = region("aws:eu-central-1");
    Region virginia = region("aws:us-east-1");
    Link link = RegionCatalogue.defaultLink(frankfurt, virginia);
    assertThat(link.rttMs()).isEqualTo(Geo.estimatedRttMs(frankfurt, virginia));
    assertThat(link.rttMs()).isBetween(85.0, 100.0);
    assertThat(link.jitterMs()).isCloseTo(link.rttMs() * 0.02, within(0.06));
    assertThat(link.bandwidthMbps()).isEqualTo(RegionCatalogue.DEFAULT_BANDWIDTH_MBPS);
    assertThat(link.lossPercent()).isZero();
    assertThat(link.encrypted()).isTrue();
  }

  @Test
  void defaultLinkBetweenNeighboursHasTheMinimumJitter() {
    Link link = RegionCatalogue.defaultLink(region("aws:us-east-1"), region("gcp:us-east4"));
    assertThat(link.rttMs()).isEqualTo(Geo.ROUTE_OVERHEAD_MS);
    assertThat(link.jitterMs()).isEqualTo(RegionCatalogue.DEFAULT_JITTER_MIN_MS);
  }

  @Test
  void defaultLinkRefusesARegionToItself() {
    Region frankfurt = region("aws:eu-central-1");
    assertThatThrownBy(() -> RegionCatalogue.defaultLink(frankfurt, frankfurt))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two different regions");
  }

  @Test
  void catalogueIsImmutable() {
    assertThatThrownBy(() -> catalogue.entries().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> catalogue.byCode("eu-west-1").clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  private String jurisdictionOf(String qualifiedCode) {
    return catalogue.byQualifiedCode(qualifiedCode).orElseThrow().jurisdiction().code();
  }

  private Region region(String qualifiedCode) {
    CatalogueEntry entry = catalogue.byQualifiedCode(qualifiedCode).orElseThrow();
    return entry.toRegion(entry.suggestedId());
  }
}

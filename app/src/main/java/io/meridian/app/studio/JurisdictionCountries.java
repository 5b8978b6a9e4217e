package io.meridian.app.studio;

import io.meridian.model.Jurisdiction;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The countries a jurisdiction code covers, as ISO 3166-1 numeric codes (the keys of the world
 * map's country outlines), so the studio can shade where a dataset may live. Covers every
 * jurisdiction in the region catalogue; an unknown code shades nothing.
 */
final class JurisdictionCountries {
  /** The 27 member states of the European Union. */
  private static final List<String> EU = List.of("040", "056", "100", "191", "196", "203",
      "208", "233", "246", "250", "276", "300", "348", "372", "380", "428", "440", "442", "470",
      "528", "616", "620", "642", "703", "705", "724", "752");

  private static final Map<String, List<String>> BY_CODE = Map.ofEntries(
      Map.entry("EU", EU),
      Map.entry("US", List.of("840")), Map.entry("CA", List.of("124")),
      Map.entry("UK", List.of("826")), Map.entry("GB", List.of("826")),
      Map.entry("CH", List.of("756")), Map.entry("NO", List.of("578")),
      Map.entry("JP", List.of("392")), Map.entry("KR", List.of("410")),
      Map.entry("IN", List.of("356")), Map.entry("SG", List.of("702")),
      Map.entry("AU", List.of("036")), Map.entry("NZ", List.of("554")),
      Map.entry("HK", List.of("344")), Map.entry("CN", List.of("156")),
      Map.entry("TW", List.of("158")), Map.entry("ZA", List.of("710")),
      Map.entry("AE", List.of("784")), Map.entry("SA", List.of("682")),
      Map.entry("QA", List.of("634")), Map.entry("BH", List.of("048")),
      Map.entry("IL", List.of("376")), Map.entry("ID", List.of("360")),
      Map.entry("MY", List.of("458")), Map.entry("TH", List.of("764")),
      Map.entry("BR", List.of("076")), Map.entry("CL", List.of("152")),
      Map.entry("MX", List.of("484")));

  private JurisdictionCountries() {}

  /** The ISO numeric codes of every country the jurisdictions cover. */
  static Set<String> isoNumericCodes(List<Jurisdiction> jurisdictions) {
    Set<String> codes = new TreeSet<>();
    for (Jurisdiction jurisdiction : jurisdictions) {
      codes.addAll(BY_CODE.getOrDefault(jurisdiction.code(), List.of()));
    }
    return codes;
  }
}

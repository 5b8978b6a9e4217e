package io.meridian.model.catalogue;

import io.meridian.model.Invariants;
import io.meridian.model.Jurisdiction;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.RegionRole;
import java.util.regex.Pattern;

/**
 * One public cloud region as the catalogue knows it.
 *
 * @param provider the provider's short name, lower case: {@code aws}, {@code azure}, {@code gcp}
 *     or {@code alibaba}
 * @param code the provider's own region code, e.g. {@code eu-central-1} or {@code westeurope}
 * @param displayName the provider's display name, e.g. "Europe (Frankfurt)"
 * @param city the city the provider names, or the state or area when it publishes only that
 * @param latitude degrees north of that city or area, -90 to 90
 * @param longitude degrees east of that city or area, -180 to 180
 * @param jurisdiction the legal area for residency rules ({@code EU} for every EU member state)
 * @param country the country the region lies in, in English
 */
public record CatalogueEntry(
    String provider,
    String code,
    String displayName,
    String city,
    double latitude,
    double longitude,
    Jurisdiction jurisdiction,
    String country) {

  private static final Pattern PROVIDER_FORM = Pattern.compile("[a-z][a-z0-9]{1,15}");
  private static final Pattern CODE_FORM = Pattern.compile("[a-z0-9][a-z0-9-]{0,47}");

  /** Checks every field, so an entry is always usable as a {@link Region}. */
  public CatalogueEntry {
    Invariants.require(provider != null && PROVIDER_FORM.matcher(provider).matches(),
        "provider '%s' must be 2 to 16 lower-case letters or digits, such as aws", provider);
    Invariants.require(code != null && CODE_FORM.matcher(code).matches(),
        "region code '%s' of %s must be lower-case letters, digits and dashes", code, provider);
    Invariants.require(displayName != null && !displayName.isBlank(),
        "region %s:%s needs a display name", provider, code);
    Invariants.require(city != null && !city.isBlank(), "region %s:%s needs a city", provider,
        code);
    Invariants.inRange(latitude, -90, 90, "latitude of " + provider + ":" + code);
    Invariants.inRange(longitude, -180, 180, "longitude of " + provider + ":" + code);
    Invariants.require(latitude != 0 || longitude != 0,
        "region %s:%s lies at 0,0 in the Gulf of Guinea; its coordinates are missing", provider,
        code);
    Invariants.notNull(jurisdiction, "jurisdiction of " + provider + ":" + code);
    Invariants.require(country != null && !country.isBlank(), "region %s:%s needs a country",
        provider, code);
  }

  /**
   * The code qualified by its provider, {@code provider:code}, unique across the catalogue and the
   * form a {@link Region#provider()} holds, e.g. {@code aws:eu-central-1}.
   */
  public String qualifiedCode() {
    return provider + ":" + code;
  }

  /**
   * A region id derived from the qualified code, {@code provider-code} (e.g.
   * {@code aws-eu-central-1}), unique across the catalogue: a sensible default when a designer
   * drops this region on the map.
   */
  public RegionId suggestedId() {
    return RegionId.of(provider + "-" + code);
  }

  /** A data region at this place with the given id; see {@link #toRegion(RegionId, RegionRole)}. */
  public Region toRegion(RegionId id) {
    return toRegion(id, RegionRole.DATA);
  }

  /**
   * A model region at this place: the display name is the city, the provider field holds
   * {@link #qualifiedCode()}.
   *
   * @param id the id the region gets in the topology
   * @param role data or witness
   */
  public Region toRegion(RegionId id, RegionRole role) {
    Invariants.notNull(id, "region id");
    return new Region(id, city, latitude, longitude, jurisdiction, qualifiedCode(),
        Invariants.notNull(role, "role"));
  }
}

package io.meridian.model;

import java.util.Optional;

/**
 * A place that holds replicas, or a witness that only votes.
 *
 * @param id stable identifier, referenced by links, datasets and policies
 * @param displayName what people read, e.g. "Frankfurt"
 * @param latitude degrees north, -90 to 90
 * @param longitude degrees east, -180 to 180
 * @param jurisdiction the legal area the region lies in
 * @param provider the cloud provider's region code (e.g. {@code aws:eu-central-1}), or null
 * @param role data or witness
 */
public record Region(
    RegionId id,
    String displayName,
    double latitude,
    double longitude,
    Jurisdiction jurisdiction,
    String provider,
    RegionRole role) {

  /** Checks every field; the display name defaults to the id. */
  public Region {
    Invariants.notNull(id, "region id");
    if (displayName == null || displayName.isBlank()) {
      displayName = id.value();
    }
    Invariants.inRange(latitude, -90, 90, "latitude of region " + id);
    Invariants.inRange(longitude, -180, 180, "longitude of region " + id);
    Invariants.notNull(jurisdiction, "jurisdiction of region " + id);
    if (provider != null && provider.isBlank()) {
      provider = null;
    }
    if (role == null) {
      role = RegionRole.DATA;
    }
  }

  /** A data region with no provider code. */
  public static Region of(String id, double latitude, double longitude, String jurisdiction) {
    return new Region(RegionId.of(id), id, latitude, longitude, Jurisdiction.of(jurisdiction),
        null, RegionRole.DATA);
  }

  /** The provider code, when there is one. */
  public Optional<String> providerCode() {
    return Optional.ofNullable(provider);
  }

  /** Whether this region only votes. */
  public boolean isWitness() {
    return role == RegionRole.WITNESS;
  }

  public Region withId(RegionId newId) {
    return new Region(newId, displayName.equals(id.value()) ? newId.value() : displayName,
        latitude, longitude, jurisdiction, provider, role);
  }

  public Region withDisplayName(String newName) {
    return new Region(id, newName, latitude, longitude, jurisdiction, provider, role);
  }

  public Region withLocation(double newLatitude, double newLongitude) {
    return new Region(id, displayName, newLatitude, newLongitude, jurisdiction, provider, role);
  }

  public Region withJurisdiction(Jurisdiction newJurisdiction) {
    return new Region(id, displayName, latitude, longitude, newJurisdiction, provider, role);
  }

  public Region withProvider(String newProvider) {
    return new Region(id, displayName, latitude, longitude, jurisdiction, newProvider, role);
  }

  public Region withRole(RegionRole newRole) {
    return new Region(id, displayName, latitude, longitude, jurisdiction, provider, newRole);
  }
}

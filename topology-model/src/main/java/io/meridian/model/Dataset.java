package io.meridian.model;

import java.util.List;

/**
 * A keyspace with a placement, a residency rule and a policy.
 *
 * @param name unique name
 * @param replicas the regions holding replicas, in file order
 * @param allowedJurisdictions where the data may live; empty means anywhere
 * @param policy the name of the policy that governs it
 */
public record Dataset(
    String name, List<RegionId> replicas, List<Jurisdiction> allowedJurisdictions, String policy) {

  /** Checks fields and copies the lists. */
  public Dataset {
    Invariants.require(name != null && !name.isBlank(), "dataset name is required");
    replicas = List.copyOf(Invariants.notNull(replicas, "replicas of dataset " + name));
    allowedJurisdictions = allowedJurisdictions == null ? List.of()
        : List.copyOf(allowedJurisdictions);
    Invariants.require(policy != null && !policy.isBlank(),
        "dataset %s needs a policy name", name);
  }

  /** Whether the data may live in {@code jurisdiction}. */
  public boolean allows(Jurisdiction jurisdiction) {
    return allowedJurisdictions.isEmpty() || allowedJurisdictions.contains(jurisdiction);
  }

  public Dataset withName(String value) {
    return new Dataset(value, replicas, allowedJurisdictions, policy);
  }

  public Dataset withReplicas(List<RegionId> value) {
    return new Dataset(name, value, allowedJurisdictions, policy);
  }

  public Dataset withAllowedJurisdictions(List<Jurisdiction> value) {
    return new Dataset(name, replicas, value, policy);
  }

  public Dataset withPolicy(String value) {
    return new Dataset(name, replicas, allowedJurisdictions, value);
  }
}

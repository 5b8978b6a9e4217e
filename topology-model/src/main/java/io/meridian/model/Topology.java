package io.meridian.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A whole design: regions, the links between them, policies and the datasets placed on them.
 *
 * <p>A value: every edit returns a new topology and leaves this one as it was, which the studio's
 * undo and redo rely on. The constructor checks each element on its own; how elements refer to
 * each other (dangling references, duplicates, quorum arithmetic…) is the validator's job, so that
 * a file with such mistakes can still be loaded and reported with positions.
 *
 * @param name a short name for the design
 * @param description free text, may be empty
 * @param regions regions in file order
 * @param links links in file order
 * @param policies policies in file order
 * @param datasets datasets in file order
 */
public record Topology(
    String name,
    String description,
    List<Region> regions,
    List<Link> links,
    List<Policy> policies,
    List<Dataset> datasets) {

  /** The only file format version this Meridian reads and writes. */
  public static final String API_VERSION = "meridian/v1";
  /** The kind of document. */
  public static final String KIND = "Topology";

  /** Copies the lists and fills defaults. */
  public Topology {
    Invariants.require(name != null && !name.isBlank(), "topology name is required");
    description = description == null ? "" : description;
    regions = List.copyOf(Invariants.notNull(regions, "regions"));
    links = List.copyOf(links == null ? List.of() : links);
    policies = List.copyOf(policies == null ? List.of() : policies);
    datasets = List.copyOf(datasets == null ? List.of() : datasets);
  }

  /** An empty topology with the given name. */
  public static Topology empty(String name) {
    return new Topology(name, "", List.of(), List.of(), List.of(), List.of());
  }

  /** The first region with this id. */
  public Optional<Region> region(RegionId id) {
    return regions.stream().filter(r -> r.id().equals(id)).findFirst();
  }

  /** The first link joining these two regions, in either direction. */
  public Optional<Link> link(RegionId x, RegionId y) {
    return links.stream().filter(l -> l.joins(x, y)).findFirst();
  }

  /** The first policy with this name. */
  public Optional<Policy> policy(String policyName) {
    return policies.stream().filter(p -> p.name().equals(policyName)).findFirst();
  }

  /** The first dataset with this name. */
  public Optional<Dataset> dataset(String datasetName) {
    return datasets.stream().filter(d -> d.name().equals(datasetName)).findFirst();
  }

  /** The policy a dataset refers to. */
  public Optional<Policy> policyOf(Dataset dataset) {
    return policy(dataset.policy());
  }

  public Topology withName(String value) {
    return new Topology(value, description, regions, links, policies, datasets);
  }

  public Topology withDescription(String value) {
    return new Topology(name, value, regions, links, policies, datasets);
  }

  public Topology withRegions(List<Region> value) {
    return new Topology(name, description, value, links, policies, datasets);
  }

  public Topology withLinks(List<Link> value) {
    return new Topology(name, description, regions, value, policies, datasets);
  }

  public Topology withPolicies(List<Policy> value) {
    return new Topology(name, description, regions, links, value, datasets);
  }

  public Topology withDatasets(List<Dataset> value) {
    return new Topology(name, description, regions, links, policies, value);
  }

  /** Adds a region at the end. */
  public Topology plusRegion(Region region) {
    return withRegions(appended(regions, region));
  }

  /** Adds a link at the end. */
  public Topology plusLink(Link link) {
    return withLinks(appended(links, link));
  }

  /** Adds a policy at the end. */
  public Topology plusPolicy(Policy policy) {
    return withPolicies(appended(policies, policy));
  }

  /** Adds a dataset at the end. */
  public Topology plusDataset(Dataset dataset) {
    return withDatasets(appended(datasets, dataset));
  }

  /** Replaces the region with id {@code id} by {@code edit(region)}. */
  public Topology mapRegion(RegionId id, UnaryOperator<Region> edit) {
    return withRegions(regions.stream().map(r -> r.id().equals(id) ? edit.apply(r) : r).toList());
  }

  /** Replaces the link joining {@code x} and {@code y} by {@code edit(link)}. */
  public Topology mapLink(RegionId x, RegionId y, UnaryOperator<Link> edit) {
    return withLinks(links.stream().map(l -> l.joins(x, y) ? edit.apply(l) : l).toList());
  }

  /** Replaces the policy named {@code policyName} by {@code edit(policy)}. */
  public Topology mapPolicy(String policyName, UnaryOperator<Policy> edit) {
    return withPolicies(policies.stream()
        .map(p -> p.name().equals(policyName) ? edit.apply(p) : p).toList());
  }

  /** Replaces the dataset named {@code datasetName} by {@code edit(dataset)}. */
  public Topology mapDataset(String datasetName, UnaryOperator<Dataset> edit) {
    return withDatasets(datasets.stream()
        .map(d -> d.name().equals(datasetName) ? edit.apply(d) : d).toList());
  }

  /**
   * Removes a region together with the links that touch it, and takes it out of every dataset's
   * replicas and every policy's primary and failover order.
   */
  public Topology minusRegion(RegionId id) {
    return new Topology(name, description,
        regions.stream().filter(r -> !r.id().equals(id)).toList(),
        links.stream().filter(l -> !l.touches(id)).toList(),
        policies.stream().map(p -> p
            .withPrimary(id.equals(p.primary()) ? null : p.primary())
            .withFailoverPriority(p.failoverPriority().stream().filter(r -> !r.equals(id)).toList()))
            .toList(),
        datasets.stream().map(d -> d.withReplicas(
            d.replicas().stream().filter(r -> !r.equals(id)).toList())).toList());
  }

  /** Removes the link joining {@code x} and {@code y}. */
  public Topology minusLink(RegionId x, RegionId y) {
    return withLinks(links.stream().filter(l -> !l.joins(x, y)).toList());
  }

  /** Removes the dataset named {@code datasetName}. */
  public Topology minusDataset(String datasetName) {
    return withDatasets(datasets.stream().filter(d -> !d.name().equals(datasetName)).toList());
  }

  /** Removes the policy named {@code policyName}. */
  public Topology minusPolicy(String policyName) {
    return withPolicies(policies.stream().filter(p -> !p.name().equals(policyName)).toList());
  }

  private static <T> List<T> appended(List<T> list, T element) {
    List<T> copy = new ArrayList<>(list);
    copy.add(Invariants.notNull(element, "element"));
    return copy;
  }
}

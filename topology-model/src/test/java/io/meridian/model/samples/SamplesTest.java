package io.meridian.model.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.ConflictResolution;
import io.meridian.model.CrdtType;
import io.meridian.model.Dataset;
import io.meridian.model.Geo;
import io.meridian.model.Jurisdiction;
import io.meridian.model.Link;
import io.meridian.model.Policy;
import io.meridian.model.QuorumSpec;
import io.meridian.model.ReadConsistency;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.ReplicationMode;
import io.meridian.model.Topology;
import io.meridian.model.format.TopologyFormatException;
import io.meridian.model.format.TopologyReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jgrapht.alg.shortestpath.DijkstraShortestPath;
import org.jgrapht.graph.DefaultWeightedEdge;
import org.jgrapht.graph.SimpleWeightedGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

// Proves every file in samples/ loads, is physically possible, follows the design rules without
// the validator's help, and shows what its name and the samples README promise.
class SamplesTest {
  /** The samples folder, seen from the topology-model module where the tests run. */
  static final Path SAMPLES = Path.of("..", "samples");

  /** Links slower than this multiple of the fibre floor (plus overhead) are not realistic. */
  private static final double ROUTE_FACTOR_MAX = 1.7;
  private static final double OVERHEAD_MAX_MS = 3;

  /** Sync writes wait for a round trip; above this the validator warns. */
  private static final double SYNC_RTT_MAX_MS = 100;

  private static final Jurisdiction EU = Jurisdiction.of("EU");

  static Stream<Path> samples() {
    try (Stream<Path> files = Files.list(SAMPLES)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList()
          .stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void everyPromisedSampleIsThere() {
    assertThat(samples().map(f -> f.getFileName().toString())).contains(
        "global-async.yaml", "quorum-3.yaml", "eu-residency.yaml", "multi-primary-counters.yaml",
        "consensus-5.yaml", "large-global.yaml");
  }

  @ParameterizedTest
  @MethodSource("samples")
  void sampleStartsWithACommentSayingWhatItShows(Path file) throws IOException {
    String first = Files.readAllLines(file, StandardCharsets.UTF_8).get(0);
    assertThat(first).startsWith("# ").hasSizeGreaterThan(30);
  }

  @ParameterizedTest
  @MethodSource("samples")
  void sampleLoadsAndIsNamedAfterItsFile(Path file) {
    Topology topology = load(file);
    assertThat(topology.name() + ".yaml").isEqualTo(file.getFileName().toString());
    assertThat(topology.description()).isNotBlank();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void everyLinkIsNoFasterThanLightAndRealisticallyRouted(Path file) {
    Topology topology = load(file);
    for (Link link : topology.links()) {
      Region a = topology.region(link.a()).orElseThrow();
      Region b = topology.region(link.b()).orElseThrow();
      double floor = Geo.fibreRttFloorMs(a, b);
      assertThat(link.rttMs()).as("%s: rtt of %s against the fibre floor of %.1f ms",
          file.getFileName(), link.name(), floor).isGreaterThanOrEqualTo(floor);
      assertThat(link.rttMs()).as("%s: rtt of %s is unrealistically slow for %.1f ms of fibre",
          file.getFileName(), link.name(), floor)
          .isLessThanOrEqualTo(floor * ROUTE_FACTOR_MAX + OVERHEAD_MAX_MS);
    }
  }

  @ParameterizedTest
  @MethodSource("samples")
  void sampleFollowsTheDesignRules(Path file) {
    Topology topology = load(file);
    List<String> broken = designRuleViolations(topology);
    assertThat(broken).as(file.getFileName().toString()).isEmpty();
  }

  @Test
  void samplesTogetherCoverEveryReplicationMode() {
    Set<ReplicationMode> modes = samples().map(SamplesTest::load)
        .flatMap(t -> t.policies().stream()).map(Policy::mode)
        .collect(Collectors.toCollection(() -> EnumSet.noneOf(ReplicationMode.class)));
    assertThat(modes).containsExactlyInAnyOrder(ReplicationMode.values());
  }

  @Test
  void globalAsyncShipsOneDatasetFromOnePrimaryToThreeContinents() {
    Topology topology = load("global-async.yaml");
    assertThat(topology.regions()).hasSize(3);
    Dataset orders = topology.datasets().get(0);
    Policy policy = topology.policyOf(orders).orElseThrow();
    assertThat(policy.mode()).isEqualTo(ReplicationMode.ASYNC);
    assertThat(orders.replicas()).hasSize(3).contains(policy.primary());
    assertThat(topology.regions()).extracting(r -> r.jurisdiction().code())
        .containsExactlyInAnyOrder("US", "EU", "SG");
  }

  @Test
  void quorum3OverlapsEveryReadWithEveryWrite() {
    Topology topology = load("quorum-3.yaml");
    assertThat(topology.regions()).hasSize(3);
    Dataset dataset = topology.datasets().get(0);
    Policy policy = topology.policyOf(dataset).orElseThrow();
    assertThat(policy.mode()).isEqualTo(ReplicationMode.QUORUM);
    assertThat(policy.quorum()).isEqualTo(new QuorumSpec(3, 2, 2));
    assertThat(policy.readConsistency()).isEqualTo(ReadConsistency.QUORUM);
    assertThat(policy.conflictResolution())
        .isIn(ConflictResolution.VERSION_VECTOR, ConflictResolution.LWW);
    assertThat(dataset.replicas()).hasSize(3);
  }

  @Test
  void euResidencyKeepsCustomersInTheEuWithAWitnessAsThirdVote() {
    Topology topology = load("eu-residency.yaml");
    Dataset customers = topology.dataset("customers").orElseThrow();
    Policy policy = topology.policyOf(customers).orElseThrow();
    assertThat(customers.allowedJurisdictions()).containsExactly(EU);
    List<Region> voters = regions(topology, customers.replicas());
    assertThat(voters).hasSize(3).allSatisfy(r -> assertThat(r.jurisdiction()).isEqualTo(EU));
    assertThat(voters).filteredOn(Region::isWitness).hasSize(1);
    assertThat(voters).filteredOn(r -> !r.isWitness()).hasSize(2);
    assertThat(policy.mode()).isIn(ReplicationMode.SYNC, ReplicationMode.CONSENSUS);
    assertThat(policy.failover().automatic()).isTrue();
    assertThat(topology.regions()).as("a region outside the EU shows residency is per dataset")
        .anySatisfy(r -> assertThat(r.jurisdiction()).isNotEqualTo(EU));
  }

  @Test
  void multiPrimaryCountersMergeWithPnCountersOnThreeOrMoreRegions() {
    Topology topology = load("multi-primary-counters.yaml");
    assertThat(topology.datasets()).isNotEmpty().allSatisfy(dataset -> {
      Policy policy = topology.policyOf(dataset).orElseThrow();
      assertThat(policy.mode()).isEqualTo(ReplicationMode.MULTI_PRIMARY);
      assertThat(policy.conflictResolution())
          .isEqualTo(ConflictResolution.crdt(CrdtType.PN_COUNTER));
      assertThat(dataset.replicas().size()).isGreaterThanOrEqualTo(3);
    });
  }

  @Test
  void consensus5ElectsAmongFiveReplicasWithStrongReads() {
    Topology topology = load("consensus-5.yaml");
    Dataset dataset = topology.datasets().get(0);
    Policy policy = topology.policyOf(dataset).orElseThrow();
    assertThat(dataset.replicas()).hasSize(5).doesNotHaveDuplicates();
    assertThat(policy.mode()).isEqualTo(ReplicationMode.CONSENSUS);
    assertThat(policy.readConsistency()).isEqualTo(ReadConsistency.STRONG);
    assertThat(policy.failover().automatic()).isTrue();
  }

  @Test
  void largeGlobalHasFiftyRegionsAndEveryModeAndCrdt() {
    Topology topology = load("large-global.yaml");
    assertThat(topology.regions().size()).isGreaterThanOrEqualTo(50);
    assertThat(topology.regions()).extracting(Region::provider)
        .allSatisfy(code -> assertThat(code).matches("(aws|azure|gcp):.+"));
    assertThat(topology.policies()).extracting(Policy::mode)
        .containsAll(EnumSet.allOf(ReplicationMode.class));
    assertThat(topology.policies()).extracting(Policy::conflictResolution)
        .filteredOn(r -> r.rule() == ConflictResolution.Rule.CRDT)
        .extracting(ConflictResolution::crdtType)
        .containsAll(EnumSet.allOf(CrdtType.class));
    assertThat(topology.datasets().size()).isGreaterThanOrEqualTo(25);
    assertThat(topology.links().size()).isGreaterThan(topology.regions().size());
  }

  @Test
  void largeGlobalIsExactlyWhatItsGeneratorProduces() throws IOException {
    // Compared as values, not text, so a change in how the writer lays out YAML does not make the
    // committed file stale; a change in the generator or the catalogue does.
    Topology generated = LargeGlobalSample.generate();
    assertThat(load("large-global.yaml"))
        .as("samples/large-global.yaml is stale; regenerate it with LargeGlobalSample")
        .isEqualTo(generated);
    String firstLine = Files.readAllLines(SAMPLES.resolve("large-global.yaml")).get(0);
    assertThat(firstLine).isEqualTo(LargeGlobalSample.headerComment(generated));
  }

  @Test
  void readmeDescribesEverySample() throws IOException {
    String readme = Files.readString(SAMPLES.resolve("README.md"));
    samples().forEach(file -> assertThat(readme).contains(file.getFileName().toString()));
  }

  @Test
  void designRuleCheckCatchesABrokenDesign() {
    Topology broken = Topology.empty("broken")
        .plusRegion(Region.of("a", 50.1, 8.7, "EU"))
        .plusRegion(Region.of("b", 48.9, 2.4, "EU"))
        .plusRegion(Region.of("c", 39.0, -77.5, "US"))
        .plusRegion(Region.of("island", 1.3, 103.8, "SG"))
        .plusLink(Link.of("a", "b", 7).withEncrypted(false))
        .plusLink(Link.of("a", "c", 92))
        .plusPolicy(Policy.of("everywhere", ReplicationMode.MULTI_PRIMARY))
        .plusPolicy(Policy.of("sloppy", ReplicationMode.QUORUM)
            .withQuorum(new QuorumSpec(3, 1, 1)))
        .plusDataset(new Dataset("counters", List.of(RegionId.of("a"), RegionId.of("island")),
            List.of(EU), "everywhere"))
        .plusDataset(new Dataset("carts",
            List.of(RegionId.of("a"), RegionId.of("b"), RegionId.of("c")), List.of(), "sloppy"));
    assertThat(designRuleViolations(broken)).anySatisfy(v -> assertThat(v).contains("encrypted"))
        .anySatisfy(v -> assertThat(v).contains("allowed jurisdictions"))
        .anySatisfy(v -> assertThat(v).contains("no network path"))
        .anySatisfy(v -> assertThat(v).contains("last-writer-wins"))
        .anySatisfy(v -> assertThat(v).contains("R+W>N"));
  }

  /**
   * The validator's rules, checked here in a few lines so the samples stay valid on their own:
   * references, primary, quorum arithmetic, strong reads, voting regions, residency, network
   * paths, encryption, sync over slow links, multi-primary with LWW, sync acknowledgements.
   */
  static List<String> designRuleViolations(Topology topology) {
    List<String> broken = new ArrayList<>();
    Set<RegionId> ids = new HashSet<>();
    topology.regions().forEach(r -> {
      if (!ids.add(r.id())) {
        broken.add("duplicate region " + r.id());
      }
    });
    SimpleWeightedGraph<RegionId, DefaultWeightedEdge> graph =
        new SimpleWeightedGraph<>(DefaultWeightedEdge.class);
    ids.forEach(graph::addVertex);
    for (Link link : topology.links()) {
      if (!ids.contains(link.a()) || !ids.contains(link.b())) {
        broken.add("link " + link.name() + " names an unknown region");
        continue;
      }
      if (!link.encrypted()) {
        broken.add("link " + link.name() + " is not encrypted");
      }
      DefaultWeightedEdge edge = graph.addEdge(link.a(), link.b());
      if (edge == null) {
        broken.add("link " + link.name() + " appears twice");
      } else {
        graph.setEdgeWeight(edge, link.rttMs());
      }
    }
    DijkstraShortestPath<RegionId, DefaultWeightedEdge> paths = new DijkstraShortestPath<>(graph);
    for (Dataset dataset : topology.datasets()) {
      String where = "dataset " + dataset.name() + ": ";
      Policy policy = topology.policyOf(dataset).orElse(null);
      if (policy == null || !ids.containsAll(dataset.replicas())) {
        broken.add(where + "names an unknown policy or region");
        continue;
      }
      List<Region> replicas = regions(topology, dataset.replicas());
      if (new HashSet<>(dataset.replicas()).size() != replicas.size()) {
        broken.add(where + "lists a replica twice");
      }
      for (Region replica : replicas) {
        if (!dataset.allows(replica.jurisdiction())) {
          broken.add(where + replica.id() + " lies outside the allowed jurisdictions");
        }
      }
      for (RegionId target : policy.failoverPriority()) {
        if (!dataset.replicas().contains(target)) {
          broken.add(where + "failover target " + target + " is not a replica");
        }
      }
      for (RegionId a : dataset.replicas()) {
        for (RegionId b : dataset.replicas()) {
          if (a.compareTo(b) < 0 && paths.getPath(a, b) == null) {
            broken.add(where + "no network path between " + a + " and " + b);
          }
        }
      }
      ReplicationMode mode = policy.mode();
      if (mode.hasConfiguredPrimary() && !dataset.replicas().contains(policy.primary())) {
        broken.add(where + "primary " + policy.primary() + " is not a replica");
      }
      if (mode == ReplicationMode.QUORUM) {
        QuorumSpec quorum = policy.quorum();
        if (quorum == null || quorum.n() != replicas.size() || !quorum.readsSeeLatestWrite()
            || !quorum.writesSurviveMinorityLoss()) {
          broken.add(where + "quorum " + quorum + " does not fit " + replicas.size()
              + " replicas with R+W>N and W>N/2");
        }
      }
      if (policy.readConsistency() == ReadConsistency.STRONG
          && mode != ReplicationMode.CONSENSUS) {
        broken.add(where + "strong reads asked of " + mode);
      }
      if ((mode == ReplicationMode.CONSENSUS || policy.failover().automatic())
          && replicas.size() < 3) {
        broken.add(where + "needs three voting regions, has " + replicas.size());
      }
      if (mode == ReplicationMode.MULTI_PRIMARY
          && policy.conflictResolution().rule() == ConflictResolution.Rule.LWW) {
        broken.add(where + "multi-primary with last-writer-wins loses concurrent updates");
      }
      if (mode == ReplicationMode.SYNC) {
        if (policy.syncAcks() != null && policy.syncAcks() > replicas.size() - 1) {
          broken.add(where + "syncAcks " + policy.syncAcks() + " exceeds the other replicas");
        }
        for (RegionId replica : dataset.replicas()) {
          if (!replica.equals(policy.primary())
              && paths.getPathWeight(policy.primary(), replica) > SYNC_RTT_MAX_MS) {
            broken.add(where + "sync to " + replica + " crosses a slow path");
          }
        }
      }
    }
    return broken;
  }

  private static List<Region> regions(Topology topology, List<RegionId> ids) {
    return ids.stream().map(id -> topology.region(id).orElseThrow()).toList();
  }

  private static Topology load(String fileName) {
    return load(SAMPLES.resolve(fileName));
  }

  private static Topology load(Path file) {
    try {
      return new TopologyReader().read(file).topology();
    } catch (TopologyFormatException e) {
      throw new AssertionError(file + " does not load: " + e.getMessage(), e);
    }
  }
}

package io.meridian.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverGroupConfig;
import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.model.Dataset;
import io.meridian.model.Link;
import io.meridian.model.Policy;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import io.meridian.model.format.TopologyReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

// Proves that a topology compiles into one correct agent configuration per data region: peers on
// 127.0.0.1 with distinct ports, link emulation from the topology's links only when asked, modes,
// primaries and acknowledgement counts carried over, and unsupported parts skipped with warnings.
class DeploymentCompilerTest {

  private static final DeploymentCompiler COMPILER = new DeploymentCompiler();

  private static Topology sample(String name) throws Exception {
    return new TopologyReader().read(Path.of("../samples", name)).topology();
  }

  private static IntSupplier countingPorts() {
    int[] next = {20_000};
    return () -> next[0]++;
  }

  @Test
  void globalAsyncGetsOneAgentPerRegionWithEveryOtherRegionAsPeer() throws Exception {
    DeploymentPlan plan = COMPILER.compile(sample("global-async.yaml"), true, countingPorts());

    assertThat(plan.topologyName()).isEqualTo("global-async");
    assertThat(plan.agents()).extracting(AgentPlan::region)
        .containsExactly("us-east", "eu-central", "ap-southeast");
    assertThat(plan.warnings()).isEmpty();
    for (AgentPlan agent : plan.agents()) {
      assertThat(agent.config().peers()).extracting(PeerConfig::region)
          .containsExactlyInAnyOrderElementsOf(plan.agents().stream().map(AgentPlan::region)
              .filter(r -> !r.equals(agent.region())).toList());
      for (PeerConfig peer : agent.config().peers()) {
        assertThat(peer.address())
            .isEqualTo("127.0.0.1:" + plan.agent(peer.region()).orElseThrow().grpcPort());
      }
    }
  }

  @Test
  void everyPortOfTheDeploymentIsDistinct() throws Exception {
    DeploymentPlan plan = COMPILER.compile(sample("global-async.yaml"), false, new FreePorts());

    Set<Integer> ports = new HashSet<>();
    plan.agents().forEach(agent -> {
      ports.add(agent.grpcPort());
      ports.add(agent.metricsPort());
      ports.add(agent.config().failoverGroup().port());
    });
    assertThat(ports).as("gRPC, metrics and failover group port of each agent").hasSize(3 * plan.agents().size());
  }

  @Test
  void automaticFailoverReachesTheAgentsWithTheLeaseTheGroupAndThePriorities() throws Exception {
    DeploymentPlan plan = COMPILER.compile(sample("global-async.yaml"), false, countingPorts());

    for (AgentPlan agent : plan.agents()) {
      DatasetConfig orders = agent.config().datasets().get(0);
      // Detection timeout 3,000 ms: a lease of a third of it, released after the lease plus 100 ms
      // (ADR 0019), so an isolated primary stops and a dead one is detected within the timeout.
      assertThat(orders.failover()).isEqualTo(new FailoverPolicy(true, 1000, 100));
      assertThat(orders.failover().releaseAfterMillis()).isLessThanOrEqualTo(3000);
      FailoverGroupConfig group = agent.config().failoverGroup();
      assertThat(group.members()).extracting(FailoverGroupConfig.Member::region)
          .containsExactlyInAnyOrder("us-east", "eu-central", "ap-southeast");
      assertThat(group.members()).contains(new FailoverGroupConfig.Member(agent.region(), "127.0.0.1:" + group.port()));
      assertThat(group.order(orders)).containsExactly("eu-central", "ap-southeast", "us-east");
    }
  }

  @Test
  void withoutAutomaticFailoverThereIsNoGroup() throws Exception {
    DeploymentPlan plan = COMPILER.compile(sample("multi-primary-counters.yaml"), false, countingPorts());
    assertThat(plan.agents()).allSatisfy(agent -> assertThat(agent.config().failoverGroup()).isNull());
  }

  @Test
  void emulationTakesHalfTheRoundTripJitterAndBandwidthOfTheLinkBetweenTheTwoRegions()
      throws Exception {
    DeploymentPlan plan = COMPILER.compile(sample("global-async.yaml"), true, countingPorts());

    LinkEmulation usToEu = peer(plan, "us-east", "eu-central").emulation();
    assertThat(usToEu).isEqualTo(new LinkEmulation(45, 2, 125_000_000L, 0.0));
    assertThat(peer(plan, "eu-central", "us-east").emulation()).isEqualTo(usToEu);
    assertThat(peer(plan, "us-east", "ap-southeast").emulation())
        .isEqualTo(new LinkEmulation(108, 5, 125_000_000L, 0.0));
    assertThat(peer(plan, "ap-southeast", "eu-central").emulation())
        .isEqualTo(new LinkEmulation(80, 4, 125_000_000L, 0.0));
  }

  @Test
  void withoutEmulationNoPeerIsDelayed() throws Exception {
    DeploymentPlan plan = COMPILER.compile(sample("global-async.yaml"), false, countingPorts());

    assertThat(plan.agents()).flatExtracting(a -> a.config().peers())
        .extracting(PeerConfig::emulation).containsOnly(LinkEmulation.NONE);
  }

  @Test
  void asyncDatasetKeepsItsPrimaryReplicasAndLeavesFlushingToTheSystem() throws Exception {
    DeploymentPlan plan = COMPILER.compile(sample("global-async.yaml"), true, countingPorts());

    for (AgentPlan agent : plan.agents()) {
      DatasetConfig orders = agent.config().dataset("orders").orElseThrow();
      assertThat(orders.mode()).isEqualTo(ReplicationMode.ASYNC);
      assertThat(orders.primary()).isEqualTo("us-east");
      assertThat(orders.replicas()).containsExactly("us-east", "eu-central", "ap-southeast");
      assertThat(orders.fsync()).isEqualTo(FsyncPolicy.OPERATING_SYSTEM);
      assertThat(orders.requiredAcks()).isZero();
      assertThat(orders.reads()).as("the policy's staleness bound, for bounded-staleness reads")
          .isEqualTo(io.meridian.agent.config.ReadPolicy.bounded(500, 1000));
    }
  }

  @Test
  void syncDatasetWaitsForEveryReplicaUnlessSyncAcksSaysFewerAndForcesEachCommit() {
    Topology topology = threeRegions()
        .plusPolicy(Policy.of("all", io.meridian.model.ReplicationMode.SYNC)
            .withPrimary(RegionId.of("a")))
        .plusPolicy(Policy.of("one", io.meridian.model.ReplicationMode.SYNC)
            .withPrimary(RegionId.of("b")).withSyncAcks(1))
        .plusDataset(new Dataset("ledger", ids("a", "b", "c"), List.of(), "all"))
        .plusDataset(new Dataset("carts", ids("a", "b", "c"), List.of(), "one"));

    DeploymentPlan plan = COMPILER.compile(topology, false, countingPorts());

    DatasetConfig ledger = plan.agent("c").orElseThrow().config().dataset("ledger").orElseThrow();
    assertThat(ledger.mode()).isEqualTo(ReplicationMode.SYNC);
    assertThat(ledger.syncAckCount()).isEqualTo(2);
    assertThat(ledger.fsync()).isEqualTo(FsyncPolicy.PER_COMMIT);
    DatasetConfig carts = plan.agent("a").orElseThrow().config().dataset("carts").orElseThrow();
    assertThat(carts.primary()).isEqualTo("b");
    assertThat(carts.syncAckCount()).isEqualTo(1);
  }

  @Test
  void multiPrimaryDatasetsCarryTheirConflictRuleAndEveryReplicaAcceptsWrites() throws Exception {
    DeploymentPlan plan = COMPILER.compile(sample("multi-primary-counters.yaml"), false, countingPorts());

    assertThat(plan.warnings()).noneSatisfy(w -> assertThat(w).contains("like-counts"));
    for (AgentPlan agent : plan.agents()) {
      DatasetConfig likes = agent.config().dataset("like-counts").orElseThrow();
      assertThat(likes.mode()).isEqualTo(ReplicationMode.MULTI_PRIMARY);
      assertThat(likes.conflictResolution()).isEqualTo(ConflictResolution.CRDT_PN_COUNTER);
      assertThat(likes.replicas()).containsExactly("virginia", "dublin", "tokyo", "sydney");
    }
  }

  @Test
  void peersCarryTheirJurisdictionAndDatasetsTheirAllowedOnesSoAgentsEnforceResidency() {
    Topology topology = Topology.empty("mixed")
        .plusRegion(Region.of("frankfurt", 50, 8, "EU"))
        .plusRegion(Region.of("virginia", 39, -77, "US"))
        .plusLink(Link.of("frankfurt", "virginia", 90))
        .plusPolicy(Policy.of("eu-async", io.meridian.model.ReplicationMode.ASYNC)
            .withPrimary(RegionId.of("frankfurt")))
        .plusDataset(new Dataset("patients", ids("frankfurt", "virginia"),
            List.of(io.meridian.model.Jurisdiction.of("EU")), "eu-async"));

    DeploymentPlan plan = COMPILER.compile(topology, false, countingPorts());

    AgentPlan frankfurt = plan.agent("frankfurt").orElseThrow();
    assertThat(frankfurt.config().peer("virginia").orElseThrow().jurisdiction()).isEqualTo("US");
    DatasetConfig patients = frankfurt.config().dataset("patients").orElseThrow();
    assertThat(patients.allowedJurisdictions()).containsExactly("EU");
    assertThat(patients.allowsJurisdiction("US")).isFalse();
    assertThat(plan.agent("virginia").orElseThrow().config().peer("frankfurt").orElseThrow().jurisdiction())
        .isEqualTo("EU");
  }

  @Test
  void theQuorumSampleDeploysWithVersionVectorSiblingsAtEveryRegion() throws Exception {
    // The sample asks for version-vector siblings, which the agent's quorum mode keeps (ADR 0034).
    DeploymentPlan plan = COMPILER.compile(sample("quorum-3.yaml"), false, countingPorts());

    assertThat(plan.warnings()).noneSatisfy(w -> assertThat(w).contains("skipped"));
    assertThat(plan.agents()).hasSize(3).allSatisfy(agent -> {
      io.meridian.agent.config.DatasetConfig carts = agent.config().datasets().get(0);
      assertThat(carts.name()).isEqualTo("carts");
      assertThat(carts.mode()).isEqualTo(io.meridian.agent.config.ReplicationMode.QUORUM);
      assertThat(carts.conflictResolution()).isEqualTo(ConflictResolution.VERSION_VECTOR);
      assertThat(carts.quorum().writeAcks()).isEqualTo(2);
      assertThat(carts.quorum().readReplies()).isEqualTo(2);
    });
  }

  @Test
  void quorumDatasetsWhoseConflictRuleTheAgentLacksAreSkippedAndNamed() throws Exception {
    String yaml = Files.readString(Path.of("../samples/quorum-3.yaml"))
        .replace("conflictResolution: version-vector", "conflictResolution: crdt:counter");
    Path file = Files.createTempFile("quorum-crdt", ".yaml");
    try {
      Files.writeString(file, yaml);
      DeploymentPlan plan = COMPILER.compile(new TopologyReader().read(file).topology(), false, countingPorts());
      assertThat(plan.agents()).allSatisfy(a -> assertThat(a.config().datasets()).isEmpty());
      assertThat(plan.warnings()).anySatisfy(w -> assertThat(w).contains("skipped").contains("quorum mode")
          .contains("crdt:counter").contains("conflictResolution: lww or version-vector"));
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void quorumDatasetsTakeNwrFromThePolicy() throws Exception {
    String yaml = Files.readString(Path.of("../samples/quorum-3.yaml"))
        .replace("conflictResolution: version-vector", "conflictResolution: lww")
        .replace("      w: 2\n      r: 2", "      w: 3\n      r: 1");
    Path file = Files.createTempFile("quorum-lww", ".yaml");
    try {
      Files.writeString(file, yaml);
      DeploymentPlan plan = COMPILER.compile(new TopologyReader().read(file).topology(), false, countingPorts());
      assertThat(plan.agents()).hasSize(3).allSatisfy(agent -> {
        io.meridian.agent.config.DatasetConfig carts = agent.config().datasets().get(0);
        assertThat(carts.mode()).isEqualTo(io.meridian.agent.config.ReplicationMode.QUORUM);
        assertThat(carts.replicas()).containsExactlyInAnyOrder("virginia", "ohio", "oregon");
        assertThat(carts.quorum().writeAcks()).isEqualTo(3);
        assertThat(carts.quorum().readReplies()).isEqualTo(1);
      });
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void aConsensusWitnessGetsAVotingAgentAndTheDatasetOneRaftGroup() throws Exception {
    DeploymentPlan plan = COMPILER.compile(sample("eu-residency.yaml"), true, countingPorts());

    AgentPlan witness = plan.agents().stream().filter(a -> a.region().equals("dublin-witness"))
        .findFirst().orElseThrow();
    assertThat(witness.config().datasets()).as("a witness serves no data").isEmpty();
    assertThat(witness.consensus().groups()).singleElement().satisfies(group -> {
      assertThat(group.witnesses()).containsExactly("dublin-witness");
      assertThat(group.replicas()).containsExactlyInAnyOrder("frankfurt", "paris");
    });
    AgentPlan paris = plan.agents().stream().filter(a -> a.region().equals("paris")).findFirst().orElseThrow();
    assertThat(paris.config().datasets()).anySatisfy(d -> {
      assertThat(d.mode()).isEqualTo(io.meridian.agent.config.ReplicationMode.CONSENSUS);
      assertThat(d.replicas()).doesNotContain("dublin-witness");
    });
    assertThat(paris.consensus().addresses()).containsOnlyKeys("frankfurt", "paris", "dublin-witness");
    assertThat(paris.consensus().addresses().values()).doesNotHaveDuplicates();
    assertThat(paris.consensus().port()).isEqualTo(
        Integer.parseInt(paris.consensus().addresses().get("paris").split(":")[1]));
    assertThat(plan.warnings()).noneSatisfy(w -> assertThat(w).contains("consensus mode"));
  }

  @Test
  void aWitnessOfAnAutomaticAsyncDatasetGetsAnAgentThatVotesAndGrantsTheLease() {
    Topology topology = Topology.empty("two-and-a-witness")
        .plusRegion(Region.of("a", 0, 0, "EU"))
        .plusRegion(Region.of("b", 0, 10, "EU"))
        .plusRegion(Region.of("w", 0, 20, "EU").withRole(io.meridian.model.RegionRole.WITNESS))
        .plusLink(Link.of("a", "b", 10))
        .plusLink(Link.of("b", "w", 10))
        .plusLink(Link.of("a", "w", 10))
        .plusPolicy(Policy.of("auto", io.meridian.model.ReplicationMode.ASYNC)
            .withPrimary(RegionId.of("a"))
            .withFailover(new io.meridian.model.FailoverSettings(true, 3000)))
        .plusDataset(new Dataset("orders", ids("a", "b", "w"), List.of(), "auto"));

    DeploymentPlan plan = COMPILER.compile(topology, false, countingPorts());

    assertThat(plan.warnings()).noneSatisfy(w -> assertThat(w).contains("witness"));
    assertThat(plan.agents()).extracting(AgentPlan::region).containsExactly("a", "b", "w");
    for (AgentPlan agent : plan.agents()) {
      DatasetConfig orders = agent.config().dataset("orders").orElseThrow();
      assertThat(orders.replicas()).as("a witness holds no data").containsExactly("a", "b");
      assertThat(orders.witnesses()).containsExactly("w");
      assertThat(orders.majority()).isEqualTo(2);
      assertThat(agent.config().failoverGroup().members()).extracting(FailoverGroupConfig.Member::region)
          .containsExactlyInAnyOrder("a", "b", "w");
      assertThat(agent.config().failoverGroup().order(orders)).doesNotContain("w");
    }
    assertThat(plan.agent("a").orElseThrow().config().peer("w")).as("the primary heartbeats the witness")
        .isPresent();
    assertThat(plan.agent("w").orElseThrow().config().peers()).extracting(PeerConfig::region)
        .containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void aWitnessOfAManualDatasetStillGetsNoAgent() {
    Topology topology = Topology.empty("two-and-a-witness")
        .plusRegion(Region.of("a", 0, 0, "EU"))
        .plusRegion(Region.of("b", 0, 10, "EU"))
        .plusRegion(Region.of("w", 0, 20, "EU").withRole(io.meridian.model.RegionRole.WITNESS))
        .plusLink(Link.of("a", "b", 10))
        .plusPolicy(Policy.of("manual", io.meridian.model.ReplicationMode.ASYNC).withPrimary(RegionId.of("a")))
        .plusDataset(new Dataset("orders", ids("a", "b"), List.of(), "manual"));

    DeploymentPlan plan = COMPILER.compile(topology, false, countingPorts());

    assertThat(plan.agents()).extracting(AgentPlan::region).containsExactly("a", "b");
    assertThat(plan.warnings()).anySatisfy(w -> assertThat(w).contains("region w is a witness"));
  }

  @Test
  void regionsWithoutADirectLinkGetTheShortestPathsCombinedFigures() {
    Topology topology = Topology.empty("chain")
        .plusRegion(Region.of("a", 0, 0, "EU"))
        .plusRegion(Region.of("b", 0, 10, "EU"))
        .plusRegion(Region.of("c", 0, 20, "EU"))
        .plusLink(Link.of("a", "b", 20).withJitterMs(1).withBandwidthMbps(800))
        .plusLink(Link.of("b", "c", 30).withJitterMs(2).withBandwidthMbps(400));

    DeploymentPlan plan = COMPILER.compile(topology, true, countingPorts());

    assertThat(peer(plan, "a", "c").emulation())
        .isEqualTo(new LinkEmulation(25, 3, 50_000_000L, 0.0));
  }

  @Test
  void aTopologyWithoutDataRegionsCannotBeDeployed() {
    assertThatThrownBy(() -> COMPILER.compile(Topology.empty("nothing"), false, countingPorts()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no data region");
  }

  private static PeerConfig peer(DeploymentPlan plan, String from, String to) {
    return plan.agent(from).orElseThrow().config().peer(to).orElseThrow();
  }

  private static Topology threeRegions() {
    return Topology.empty("three")
        .plusRegion(Region.of("a", 0, 0, "EU"))
        .plusRegion(Region.of("b", 0, 10, "EU"))
        .plusRegion(Region.of("c", 0, 20, "EU"))
        .plusLink(Link.of("a", "b", 10))
        .plusLink(Link.of("b", "c", 10))
        .plusLink(Link.of("a", "c", 10));
  }

  private static List<RegionId> ids(String... ids) {
    return java.util.Arrays.stream(ids).map(RegionId::of).toList();
  }
}

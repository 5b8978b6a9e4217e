package io.meridian.model.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.Dataset;
import io.meridian.model.FailoverSettings;
import io.meridian.model.Jurisdiction;
import io.meridian.model.Link;
import io.meridian.model.Policy;
import io.meridian.model.QuorumSpec;
import io.meridian.model.ReadConsistency;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.RegionRole;
import io.meridian.model.ReplicationMode;
import io.meridian.model.Topology;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import io.meridian.model.format.FileFormat;
import io.meridian.model.format.LoadedTopology;
import io.meridian.model.format.TopologyReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

// The validator's behaviour beyond single fixtures: what silences a rule, ordering, determinism,
// routing through intermediate regions, and a topology of studio scale.
class TopologyValidatorTest {
  private final TopologyValidator validator = new TopologyValidator();

  @Test
  void witnessListedAmongTheReplicasGivesTwoDataRegionsTheirThirdVote() {
    Topology twoRegions = Fixtures.load("too-few-voters").topology();
    RegionId milan = RegionId.of("eu-south");
    Topology withWitness = twoRegions
        .plusRegion(new Region(milan, "Milan", 45.5, 9.2, Jurisdiction.of("EU"), null,
            RegionRole.WITNESS))
        .plusLink(Link.of("eu-central", "eu-south", 15))
        .mapDataset("orders", d -> d.withReplicas(plus(d.replicas(), milan)))
        .mapDataset("carts", d -> d.withReplicas(plus(d.replicas(), milan)));

    assertThat(codes(validator.validate(twoRegions))).contains("too-few-voters");
    assertThat(validator.validate(withWitness)).isEmpty();
  }

  @Test
  void witnessMayLieOutsideTheAllowedJurisdictionsForItHoldsNoData() {
    RegionId virginia = RegionId.of("us-east");
    Topology topology = Fixtures.load("valid").topology()
        .plusRegion(new Region(virginia, "N. Virginia", 38.9, -77.4, Jurisdiction.of("US"), null,
            RegionRole.WITNESS))
        .plusLink(Link.of("eu-west", "us-east", 80))
        .mapPolicy("orders-async", p -> p.withFailover(new FailoverSettings(true, 3000)))
        .mapDataset("orders", d -> d.withReplicas(plus(d.replicas(), virginia))
            .withAllowedJurisdictions(List.of(Jurisdiction.of("EU"))));

    assertThat(validator.validate(topology)).isEmpty();
  }

  @Test
  void witnessAmongQuorumReplicasWouldHaveToHoldData() {
    Topology witnessFixture = Fixtures.load("witness-holds-data").topology();
    Topology quorum = witnessFixture.mapPolicy("orders-async", p -> p
        .withMode(ReplicationMode.QUORUM).withPrimary(null).withFailoverPriority(List.of())
        .withQuorum(new QuorumSpec(4, 3, 2)));

    assertThat(validator.validate(quorum)).extracting(Problem::code, Problem::path)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("witness-holds-data",
            "/datasets/0/replicas/3"));
  }

  @Test
  void datasetOfWitnessesOnlyHasNoDataReplica() {
    Topology topology = Fixtures.load("witness-holds-data").topology()
        .mapDataset("orders", d -> d.withReplicas(List.of(RegionId.of("eu-south"))));

    assertThat(validator.validate(topology)).filteredOn(p -> p.code().equals("no-replicas"))
        .singleElement().extracting(Problem::message).isEqualTo(
            "dataset 'orders' has no data replica, only witnesses, which hold no data");
  }

  @Test
  void syncWaitingOnlyForTheNearestReplicaIsNotSlow() {
    Topology slow = Fixtures.load("slow-sync-link").topology();
    Topology oneAck = slow.mapPolicy("orders-sync", p -> p.withSyncAcks(1));

    assertThat(codes(validator.validate(slow))).containsExactly("slow-sync-link");
    assertThat(validator.validate(oneAck)).isEmpty();
  }

  @Test
  void unencryptedLinkOnTheRouteBetweenTwoReplicasIsReportedThoughNeitherEndIsAReplicaPair() {
    // eu-west and eu-north are replicas with no direct link; their traffic crosses eu-central.
    Topology topology = Fixtures.load("valid").topology()
        .minusLink(RegionId.of("eu-west"), RegionId.of("eu-north"))
        .mapLink(RegionId.of("eu-central"), RegionId.of("eu-north"), l -> l.withEncrypted(false))
        .mapDataset("orders", d -> d.withReplicas(List.of(RegionId.of("eu-west"),
            RegionId.of("eu-north"))))
        .mapPolicy("orders-async", p -> p.withFailoverPriority(List.of(RegionId.of("eu-north"))));

    List<Problem> problems = validator.validate(topology);

    assertThat(problems).extracting(Problem::code, Problem::path)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("unencrypted-link",
            "/links/1/encrypted"));
    assertThat(problems.get(0).message()).isEqualTo("link eu-central~eu-north is not encrypted "
        + "but carries dataset 'orders' between 'eu-west' and 'eu-north'");
  }

  @Test
  void unencryptedLinkThatCarriesNoDatasetIsAccepted() {
    Topology topology = Fixtures.load("valid").topology()
        .plusRegion(Region.of("eu-south", 45.5, 9.2, "EU"))
        .plusLink(Link.of("eu-central", "eu-south", 15).withEncrypted(false));

    assertThat(validator.validate(topology)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ReplicationMode.class)
  void eachModeAcceptsExactlyTheReadLevelsItCanHonour(ReplicationMode mode) {
    Topology base = Fixtures.load("valid").topology();
    List<ReadConsistency> refused = new ArrayList<>();
    for (ReadConsistency level : ReadConsistency.values()) {
      Topology topology = base.mapPolicy("orders-async", p -> p.withMode(mode)
          .withReadConsistency(level));
      if (codes(validator.validate(topology)).contains("unsupported-read-level")) {
        refused.add(level);
      }
    }
    // The agents' table (ReadLevels, ADR 0021); the fixture's failover is manual, so a single
    // primary holds no write lease and cannot serve strong reads.
    List<ReadConsistency> expected = switch (mode) {
      case ASYNC, SYNC -> List.of(ReadConsistency.QUORUM, ReadConsistency.STRONG);
      case MULTI_PRIMARY -> List.of(ReadConsistency.BOUNDED_STALENESS, ReadConsistency.QUORUM, ReadConsistency.STRONG);
      case QUORUM -> List.of(ReadConsistency.BOUNDED_STALENESS);
      case CONSENSUS -> List.of();
    };
    assertThat(refused).isEqualTo(expected);
  }

  @Test
  void problemsOfATopologyWithoutFileAreOrderedByPathWithNumericIndexes() {
    Topology topology = Fixtures.load("valid").topology();
    for (int i = 1; i <= 11; i++) {
      topology = topology.plusDataset(new Dataset("extra-" + i, List.of(RegionId.of("eu-wst")),
          List.of(), "orders-async"));
    }

    List<String> paths = validator.validate(topology).stream()
        .filter(p -> p.code().equals("dangling-reference")).map(Problem::path).toList();

    assertThat(paths).startsWith("/datasets/1/replicas/0", "/datasets/2/replicas/0")
        .endsWith("/datasets/10/replicas/0", "/datasets/11/replicas/0");
    assertThat(validator.validate(topology)).allSatisfy(p -> assertThat(p.position()).isNull());
  }

  @Test
  void problemsInAJsonFileArePositionedLikeInYaml() throws Exception {
    String json = """
        {
          "apiVersion": "meridian/v1",
          "kind": "Topology",
          "metadata": {"name": "json"},
          "regions": [
            {"id": "eu-west", "latitude": 53.3, "longitude": -6.3, "jurisdiction": "EU"}
          ],
          "policies": [{"name": "p", "mode": "multi-primary", "conflictResolution": "crdt:counter"}],
          "datasets": [{"name": "d", "replicas": ["eu-west", "eu-wst"], "policy": "p"}]
        }
        """;
    LoadedTopology loaded = new TopologyReader().parse(json, FileFormat.JSON, "t.json");

    assertThat(validator.validate(loaded))
        .extracting(Problem::code, p -> p.position().toString())
        .containsExactly(org.assertj.core.groups.Tuple.tuple("dangling-reference", "9:54"));
  }

  @Test
  void problemsOfAFileComeInFileOrder() {
    LoadedTopology loaded = Fixtures.load("residency-violation");
    Topology broken = loaded.topology()
        .mapPolicy("orders-async", p -> p.withMode(ReplicationMode.MULTI_PRIMARY));

    List<Problem> problems = validator.validate(
        new LoadedTopology(broken, loaded.sourceMap(), loaded.source()));

    assertThat(problems).hasSizeGreaterThan(2);
    assertThat(problems).extracting(Problem::position).isSortedAccordingTo(
        java.util.Comparator.naturalOrder());
  }

  @Test
  void problemsComeInTheSameOrderWhateverTheOrderOfTheRules() {
    Topology topology = Fixtures.load("residency-violation").topology()
        .mapPolicy("orders-async", p -> p.withMode(ReplicationMode.MULTI_PRIMARY)
            .withReadConsistency(ReadConsistency.STRONG));
    List<Rule> reversed = new ArrayList<>(RuleCatalogue.all());
    java.util.Collections.reverse(reversed);

    List<Problem> problems = validator.validate(topology);

    assertThat(problems).hasSizeGreaterThan(3);
    assertThat(new TopologyValidator(reversed).validate(topology)).isEqualTo(problems);
  }

  @Test
  void strongReadsOfASinglePrimaryNeedTheWriteLeaseOfAutomaticFailover() {
    Topology manual = Fixtures.load("valid").topology()
        .mapPolicy("orders-async", p -> p.withMode(ReplicationMode.SYNC)
            .withReadConsistency(ReadConsistency.STRONG));
    Topology leased = manual.mapPolicy("orders-async", p -> p.withFailover(
        new io.meridian.model.FailoverSettings(true, io.meridian.model.FailoverSettings.DEFAULT_DETECTION_TIMEOUT_MS)));

    assertThat(validator.validate(manual)).extracting(Problem::code, Problem::path)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("unsupported-read-level",
            "/policies/0/readConsistency"));
    // The primary serves strong reads itself, so replicas a partial syncAcks leaves behind do not matter.
    assertThat(validator.validate(leased.mapPolicy("orders-async", p -> p.withSyncAcks(1)))).isEmpty();
  }

  @Test
  void validatorWithChosenRulesReportsOnlyThose() {
    TopologyValidator onlyPhysics = new TopologyValidator(
        List.of(RuleCatalogue.byCode("faster-than-light").orElseThrow()));
    Topology topology = Fixtures.load("faster-than-light").topology()
        .mapPolicy("orders-async", p -> p.withPrimary(null));

    assertThat(codes(new TopologyValidator().validate(topology)))
        .contains("faster-than-light", "missing-primary");
    assertThat(codes(onlyPhysics.validate(topology))).containsExactly("faster-than-light");
  }

  @Test
  void studioSizedTopologyHasNoProblems() {
    Topology large = LargeTopology.build();
    assertThat(large.regions()).hasSize(200);
    assertThat(large.links()).hasSize(1000);

    assertThat(validator.validate(large)).isEmpty();
  }

  @Test
  void linkCutInTheStudioSizedTopologyIsNoticed() {
    Topology large = LargeTopology.build();
    RegionId isolated = large.datasets().get(0).replicas().get(2);
    Topology cut = large.withLinks(large.links().stream().filter(l -> !l.touches(isolated))
        .toList());

    assertThat(validator.validate(cut)).extracting(Problem::code, Problem::severity)
        .contains(org.assertj.core.groups.Tuple.tuple("no-network-path", Severity.ERROR));
  }

  @Test
  void duplicatePolicyIsCheckedOnItsOwnButNotAgainstTheDatasets() {
    Topology topology = Fixtures.load("valid").topology()
        .plusPolicy(Policy.of("orders-async", ReplicationMode.QUORUM));

    assertThat(codes(validator.validate(topology)))
        .containsExactlyInAnyOrder("duplicate-id", "missing-quorum");
  }

  private static List<RegionId> plus(List<RegionId> ids, RegionId id) {
    List<RegionId> more = new ArrayList<>(ids);
    more.add(id);
    return more;
  }

  private static List<String> codes(List<Problem> problems) {
    return problems.stream().map(Problem::code).toList();
  }
}

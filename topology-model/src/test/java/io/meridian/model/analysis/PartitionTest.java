package io.meridian.model.analysis;

import static io.meridian.model.analysis.Fixtures.AP;
import static io.meridian.model.analysis.Fixtures.EU;
import static io.meridian.model.analysis.Fixtures.US;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.FailoverSettings;
import io.meridian.model.Link;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Partition what-ifs give the verdicts a person works out by hand, for every mode: who can write,
 * who can read at which level, the CAP and PACELC class, and an explanation that names the
 * regions involved. "Isolating eu-west" cuts both of its links.
 */
class PartitionTest {
  private static final String[] ISOLATE_EU = {"us-east~eu-west", "eu-west~ap-south"};

  private static Operation write(DatasetAnalysis d, RegionId region) {
    return d.region(region).orElseThrow().write();
  }

  private static Operation read(DatasetAnalysis d, RegionId region, String level) {
    return d.region(region).orElseThrow().read(level).orElseThrow();
  }

  // ------------------------------------------------------------------ async

  @Test
  void asyncIsApAndPaEl() {
    DatasetAnalysis d = Fixtures.analyse(Fixtures.with(Fixtures.async()));

    assertThat(d.cap()).isEqualTo(CapChoice.AP);
    assertThat(d.pacelc()).isEqualTo("PA/EL");
    assertThat(d.regions()).allSatisfy(r -> assertThat(r.write().available()).isTrue());
  }

  @Test
  void asyncPromotesTheFirstSurvivorByPriorityWhenThePrimaryFails() {
    DatasetAnalysis d = Fixtures.analyse(Fixtures.with(Fixtures.async()), "us-east");

    assertThat(d.writeLeader()).isEqualTo(EU);
    assertThat(write(d, EU).available()).isTrue();
    assertThat(write(d, AP).available()).isTrue();
    assertThat(write(d, AP).latency().p50Ms()).isEqualTo(120);
    assertThat(write(d, US).available()).isFalse();
    assertThat(d.notes()).anyMatch(n -> n.contains("eu-west is promoted because us-east failed"));
  }

  @Test
  void asyncWithManualFailoverStopsWritingWhenThePrimaryFails() {
    Topology manual = Fixtures.with(Fixtures.async()
        .withFailover(new FailoverSettings(false, 3000)));

    DatasetAnalysis d = Fixtures.analyse(manual, "us-east");

    assertThat(d.writeLeader()).isNull();
    assertThat(write(d, EU).available()).isFalse();
    assertThat(write(d, EU).explanation()).contains("primary us-east failed and failover is manual");
    assertThat(read(d, EU, "eventual").available()).isTrue();
  }

  @Test
  void asyncFencesAnIsolatedPrimaryAndTheMajorityPromotesAnother() {
    Topology topology = Fixtures.with(Fixtures.async());

    DatasetAnalysis d = Fixtures.analyse(topology, "us-east~eu-west", "us-east~ap-south");

    assertThat(d.writeLeader()).isEqualTo(EU);
    assertThat(write(d, US).available()).isFalse();
    assertThat(write(d, US).explanation()).contains("no surviving path to primary eu-west");
    assertThat(read(d, US, "eventual").available()).isTrue();
    assertThat(read(d, US, "strong").available()).isFalse();
    assertThat(read(d, US, "bounded-staleness").available()).isFalse();
    assertThat(read(d, AP, "bounded-staleness").available()).isTrue();
  }

  @Test
  void asyncOffersNoQuorumReads() {
    DatasetAnalysis d = Fixtures.analyse(Fixtures.with(Fixtures.async()));

    assertThat(read(d, EU, "quorum").offered()).isFalse();
    assertThat(read(d, EU, "quorum").explanation()).contains("no read quorums");
  }

  // ------------------------------------------------------------------ sync

  @Test
  void syncIsCpAndStopsWritesWhenAReplicaIsLost() {
    DatasetAnalysis d = Fixtures.analyse(Fixtures.with(Fixtures.sync()), "ap-south");

    assertThat(d.cap()).isEqualTo(CapChoice.CP);
    assertThat(d.pacelc()).isEqualTo("PC/EC");
    assertThat(write(d, US).available()).isFalse();
    assertThat(write(d, EU).explanation()).isEqualTo("eu-west cannot write: sync needs acks from 2"
        + " of {eu-west, ap-south}, only 1 reachable from primary us-east");
    assertThat(read(d, EU, "eventual").available()).isTrue();
    assertThat(read(d, EU, "strong").available()).isTrue();
  }

  @Test
  void syncWithOneAckSurvivesTheLossOfOneReplica() {
    DatasetAnalysis d = Fixtures.analyse(Fixtures.with(Fixtures.sync().withSyncAcks(1)),
        "ap-south");

    assertThat(write(d, EU).available()).isTrue();
    assertThat(write(d, EU).latency().p50Ms()).isEqualTo(80 + 80 + Fixtures.SYNC);
  }

  // ------------------------------------------------------------------ quorum

  @Test
  void quorumWriteOnTheMinoritySideNamesTheQuorumAndWhatIsReachable() {
    DatasetAnalysis d = Fixtures.analyse(Fixtures.with(Fixtures.quorum(3, 2, 2)), ISOLATE_EU);

    assertThat(write(d, EU).available()).isFalse();
    assertThat(write(d, EU).explanation()).isEqualTo("eu-west cannot write: quorum W=2 needs 2 of "
        + "{us-east, eu-west, ap-south}, only 1 reachable");
    assertThat(read(d, EU, "quorum").available()).isFalse();
    assertThat(read(d, EU, "strong").available()).isFalse();
    assertThat(read(d, EU, "eventual").available()).isTrue();
    assertThat(write(d, US).available()).isTrue();
    assertThat(write(d, US).latency().p50Ms()).isEqualTo(190);
    assertThat(read(d, AP, "quorum").available()).isTrue();
    // Strong reads of a quorum dataset ask all N replicas, as the agent does (ADR 0013, 0021).
    assertThat(read(d, AP, "strong").available()).isFalse();
  }

  @Test
  void strictQuorumIsCpAndPartialQuorumIsAp() {
    DatasetAnalysis strict = Fixtures.analyse(Fixtures.with(Fixtures.quorum(3, 2, 2)));
    DatasetAnalysis partial = Fixtures.analyse(Fixtures.with(Fixtures.quorum(3, 1, 1)));

    assertThat(strict.cap()).isEqualTo(CapChoice.CP);
    assertThat(strict.pacelc()).isEqualTo("PC/EC");
    assertThat(partial.cap()).isEqualTo(CapChoice.AP);
    assertThat(partial.pacelc()).isEqualTo("PA/EL");
    // The agent reads all N replicas for strong, whatever R and W are (ADR 0021).
    assertThat(read(partial, EU, "strong").offered()).isTrue();
    assertThat(read(partial, EU, "strong").explanation()).contains("N=3");
  }

  @Test
  void partialQuorumKeepsWritingOnBothSides() {
    DatasetAnalysis d = Fixtures.analyse(Fixtures.with(Fixtures.quorum(3, 1, 1)), ISOLATE_EU);

    assertThat(d.regions()).allSatisfy(r -> assertThat(r.write().available()).isTrue());
  }

  // ------------------------------------------------------------------ multi-primary

  @Test
  void multiPrimaryWritesEverywhereDuringAPartitionAndOffersSessionButNotBoundedReads() {
    DatasetAnalysis d = Fixtures.analyse(Fixtures.with(Fixtures.multiPrimary()), ISOLATE_EU);

    assertThat(d.cap()).isEqualTo(CapChoice.AP);
    assertThat(d.regions()).allSatisfy(r -> assertThat(r.write().available()).isTrue());
    assertThat(read(d, EU, "bounded-staleness").offered()).isFalse();
    assertThat(read(d, EU, "bounded-staleness").explanation()).contains("no primary to forward a stale read to");
    assertThat(read(d, EU, "session").available()).isTrue();
    assertThat(read(d, EU, "strong").offered()).isFalse();
  }

  @Test
  void multiPrimaryRegionsThatAreDownCannotDoAnything() {
    DatasetAnalysis d = Fixtures.analyse(Fixtures.with(Fixtures.multiPrimary()), "eu-west");

    RegionAnalysis eu = d.region(EU).orElseThrow();
    assertThat(eu.alive()).isFalse();
    assertThat(eu.write().explanation()).isEqualTo("eu-west is down in this what-if");
    assertThat(eu.reads()).allSatisfy(r -> assertThat(r.available()).isFalse());
    assertThat(read(d, EU, "strong").offered()).isFalse();
  }

  // ------------------------------------------------------------------ consensus

  @Test
  void consensusMinorityCannotWriteAndMajorityKeepsItsLeader() {
    DatasetAnalysis d = Fixtures.analyse(Fixtures.with(Fixtures.consensus()), ISOLATE_EU);

    assertThat(d.cap()).isEqualTo(CapChoice.CP);
    assertThat(d.pacelc()).isEqualTo("PC/EC");
    assertThat(d.writeLeader()).isEqualTo(US);
    assertThat(write(d, EU).available()).isFalse();
    assertThat(write(d, EU).explanation()).contains("no surviving path to leader us-east");
    assertThat(write(d, AP).available()).isTrue();
    assertThat(write(d, AP).latency().p50Ms()).isEqualTo(190 + 190 + Fixtures.SYNC);
    assertThat(read(d, EU, "strong").available()).isFalse();
    assertThat(read(d, EU, "eventual").available()).isTrue();
  }

  @Test
  void consensusElectsTheNextLeaderWhenTheLeaderFails() {
    DatasetAnalysis d = Fixtures.analyse(Fixtures.with(Fixtures.consensus()), "us-east");

    assertThat(d.writeLeader()).isEqualTo(EU);
    assertThat(write(d, AP).available()).isTrue();
    assertThat(write(d, AP).latency().p50Ms()).isEqualTo(120 + 120 + Fixtures.SYNC);
    assertThat(write(d, AP).explanation()).contains("eu-west is elected leader because us-east "
        + "failed");
  }

  @Test
  void consensusWithoutAMajorityStopsEverywhere() {
    DatasetAnalysis d = Fixtures.analyse(Fixtures.with(Fixtures.consensus()), "us-east",
        "ap-south");

    assertThat(d.writeLeader()).isNull();
    assertThat(write(d, EU).available()).isFalse();
    assertThat(write(d, EU).explanation()).contains("consensus needs a majority of 2 of 3 voters")
        .contains("the largest group that can talk has 1");
    assertThat(read(d, EU, "quorum").available()).isFalse();
    assertThat(read(d, EU, "eventual").available()).isTrue();
  }

  @Test
  void aWitnessGivesTwoDataRegionsAMajority() {
    Topology twoAndWitness = twoDataRegionsAndAWitness();

    DatasetAnalysis d = Fixtures.analyse(twoAndWitness, "eu-west");

    assertThat(d.writeLeader()).isEqualTo(US);
    assertThat(write(d, US).available()).isTrue();
    // The witness votes (30 ms away) but holds no data, so no client reads from it.
    assertThat(write(d, US).latency().p50Ms()).isEqualTo(30 + Fixtures.SYNC);
  }

  @Test
  void failingAnUnknownRegionIsAWarningNotAnError() {
    TopologyAnalysis analysis = TopologyAnalyzer.analyzeOnce(Fixtures.with(Fixtures.async()),
        AnalysisOptions.DEFAULTS.withFailures(List.of("mars-1")));

    assertThat(analysis.warnings()).contains("--fail mars-1: no such region in fixture");
  }

  private static Topology twoDataRegionsAndAWitness() {
    Topology base = Fixtures.with(Fixtures.consensus());
    List<io.meridian.model.Region> regions = new ArrayList<>(base.regions().subList(0, 2));
    regions.add(Fixtures.witness());
    List<Link> links = List.of(Link.of("us-east", "eu-west", 80),
        Link.of("ca-witness", "us-east", 30), Link.of("ca-witness", "eu-west", 70));
    return base.withRegions(regions).withLinks(links).mapDataset("data",
        d -> d.withReplicas(List.of(US, EU, RegionId.of("ca-witness"))));
  }
}

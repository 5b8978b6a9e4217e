package io.meridian.model.analysis;

import static io.meridian.model.analysis.Fixtures.AP;
import static io.meridian.model.analysis.Fixtures.EU;
import static io.meridian.model.analysis.Fixtures.SYNC;
import static io.meridian.model.analysis.Fixtures.US;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With jitter-free, loss-free links every latency is exact: a quorum write is the W-th smallest
 * round trip from the coordinator, a sync write the slowest acknowledging round trip, a consensus
 * write the fastest majority, each plus the client's hop; sync and consensus writes then wait for
 * one disk sync at the replica or follower that answers last (ADR 0051).
 */
class OrderStatisticLatencyTest {

  private static Latency write(DatasetAnalysis d, RegionId client) {
    return d.region(client).orElseThrow().write().latency();
  }

  @Test
  void quorumWriteWaitsForTheWthSmallestRoundTripFromTheCoordinator() {
    // From us-east the round trips are {0, 80, 190}; from eu-west {80, 0, 120}; from ap-south
    // {190, 120, 0}.
    DatasetAnalysis w1 = Fixtures.analyse(Fixtures.with(Fixtures.quorum(3, 1, 3)));
    DatasetAnalysis w2 = Fixtures.analyse(Fixtures.with(Fixtures.quorum(3, 2, 2)));
    DatasetAnalysis w3 = Fixtures.analyse(Fixtures.with(Fixtures.quorum(3, 3, 1)));

    assertThat(write(w1, US).p50Ms()).isEqualTo(0);
    assertThat(write(w2, US).p50Ms()).isEqualTo(80);
    assertThat(write(w3, US).p50Ms()).isEqualTo(190);
    assertThat(write(w2, EU).p50Ms()).isEqualTo(80);
    assertThat(write(w2, AP).p50Ms()).isEqualTo(120);
    assertThat(write(w2, AP).p99Ms()).isEqualTo(120);
    assertThat(write(w2, AP).p99CiMs()).isEqualTo(new Interval(120, 120));
  }

  @Test
  void quorumReadWaitsForTheRthSmallestRoundTrip() {
    DatasetAnalysis d = Fixtures.analyse(Fixtures.with(Fixtures.quorum(3, 1, 3)));

    assertThat(d.region(EU).orElseThrow().read("quorum").orElseThrow().latency().p50Ms())
        .isEqualTo(120);
  }

  @Test
  void aClientOutsideThePlacementAddsItsHopToTheNearestReplica() {
    Topology topology = Fixtures.with(Fixtures.quorum(3, 2, 2));
    List<Region> regions = new ArrayList<>(topology.regions());
    regions.add(Region.of("us-west", 37.4, -122.1, "US"));
    List<Link> links = new ArrayList<>(topology.links());
    links.add(Link.of("us-west", "us-east", 62));
    links.add(Link.of("us-west", "ap-south", 230));
    DatasetAnalysis d = Fixtures.analyse(topology.withRegions(regions).withLinks(links));

    assertThat(write(d, RegionId.of("us-west")).p50Ms()).isEqualTo(62 + 80);
    assertThat(write(d, RegionId.of("us-west")).route()).startsWith("us-west > us-east");
  }

  @Test
  void syncWriteWaitsForEveryReplicaOrForSyncAcksOfThem() {
    DatasetAnalysis all = Fixtures.analyse(Fixtures.with(Fixtures.sync()));
    DatasetAnalysis one = Fixtures.analyse(Fixtures.with(Fixtures.sync().withSyncAcks(1)));

    assertThat(write(all, US).p50Ms()).isEqualTo(190 + SYNC);
    assertThat(write(all, AP).p50Ms()).isEqualTo(190 + 190 + SYNC);
    assertThat(write(one, US).p50Ms()).isEqualTo(80 + SYNC);
    assertThat(write(one, EU).p50Ms()).isEqualTo(80 + 80 + SYNC);
  }

  @Test
  void syncAndConsensusWritesWaitForOneDiskSyncAfterTheRoundTrip() {
    AnalysisOptions slowDisk = Fixtures.options().withDiskSyncMs(7);
    AnalysisOptions noSync = Fixtures.options().withDiskSyncMs(0);

    DatasetAnalysis sync = Fixtures.analyse(Fixtures.with(Fixtures.sync()), slowDisk);
    DatasetAnalysis consensus = Fixtures.analyse(Fixtures.with(Fixtures.consensus()), slowDisk);
    DatasetAnalysis syncWithout = Fixtures.analyse(Fixtures.with(Fixtures.sync()), noSync);

    assertThat(write(sync, US).p50Ms()).isEqualTo(190 + 7);
    assertThat(write(sync, US).p99Ms()).isEqualTo(190 + 7);
    assertThat(write(consensus, EU).p50Ms()).isEqualTo(80 + 80 + 7);
    assertThat(write(syncWithout, US).p50Ms()).isEqualTo(190);
    // A strong read only confirms leadership: nothing is written, so nothing is synced.
    assertThat(consensus.region(AP).orElseThrow().read("strong").orElseThrow().latency().p50Ms())
        .isEqualTo(190 + 80);
  }

  @Test
  void theDiskSyncIsNamedInTheExplanationAndLeftOutOfTheFloor() {
    AnalysisOptions slowDisk = Fixtures.options().withDiskSyncMs(7);
    DatasetAnalysis sync = Fixtures.analyse(Fixtures.with(Fixtures.sync()), slowDisk);
    DatasetAnalysis consensus = Fixtures.analyse(Fixtures.with(Fixtures.consensus()), slowDisk);
    DatasetAnalysis noSync = Fixtures.analyse(Fixtures.with(Fixtures.sync()),
        Fixtures.options().withDiskSyncMs(0));

    assertThat(sync.region(US).orElseThrow().write().explanation()).isEqualTo("commits at primary "
        + "us-east, after all 2 other replicas acknowledge, each after a disk sync (7 ms)");
    assertThat(consensus.region(US).orElseThrow().write().explanation()).isEqualTo("leader us-east "
        + "commits when a majority of 3 voters (2) answer, each after a disk sync (7 ms)");
    assertThat(noSync.region(US).orElseThrow().write().explanation())
        .isEqualTo("commits at primary us-east, after all 2 other replicas acknowledge");
    assertThat(write(sync, US).floorMs()).isEqualTo(write(noSync, US).floorMs());
  }

  @Test
  void aLoneReplicaWaitsForItsOwnDiskSync() {
    Topology lone = Fixtures.with(Fixtures.sync().withFailoverPriority(List.of()))
        .withDatasets(List.of(new io.meridian.model.Dataset("data", List.of(US), List.of(), "p")));

    DatasetAnalysis d = Fixtures.analyse(lone, Fixtures.options().withDiskSyncMs(7));

    assertThat(write(d, US).p50Ms()).isEqualTo(7);
    assertThat(d.region(US).orElseThrow().write().explanation())
        .isEqualTo("commits at primary us-east, once the primary's own disk sync (7 ms) is done");
  }

  @Test
  void asyncQuorumAndMultiPrimaryWritesWaitForNoDiskSync() {
    AnalysisOptions slowDisk = Fixtures.options().withDiskSyncMs(7);

    assertThat(write(Fixtures.analyse(Fixtures.with(Fixtures.async()), slowDisk), AP).p50Ms())
        .isEqualTo(190);
    assertThat(write(Fixtures.analyse(Fixtures.with(Fixtures.quorum(3, 2, 2)), slowDisk), US)
        .p50Ms()).isEqualTo(80);
    assertThat(write(Fixtures.analyse(Fixtures.with(Fixtures.multiPrimary()), slowDisk), AP)
        .p50Ms()).isEqualTo(0);
  }

  @Test
  void asyncAndMultiPrimaryWritesCostOnlyTheClientsHop() {
    DatasetAnalysis async = Fixtures.analyse(Fixtures.with(Fixtures.async()));
    DatasetAnalysis multi = Fixtures.analyse(Fixtures.with(Fixtures.multiPrimary()));

    assertThat(write(async, US).p50Ms()).isEqualTo(0);
    assertThat(write(async, AP).p50Ms()).isEqualTo(190);
    assertThat(write(multi, AP).p50Ms()).isEqualTo(0);
  }

  @Test
  void consensusWriteIsTheClientsHopToTheLeaderPlusTheFastestMajority() {
    DatasetAnalysis d = Fixtures.analyse(Fixtures.with(Fixtures.consensus()));

    // Leader us-east needs one more vote of three: min(80, 190), which syncs before it answers.
    assertThat(write(d, US).p50Ms()).isEqualTo(80 + SYNC);
    assertThat(write(d, EU).p50Ms()).isEqualTo(80 + 80 + SYNC);
    assertThat(write(d, AP).p50Ms()).isEqualTo(190 + 80 + SYNC);
    assertThat(d.region(AP).orElseThrow().read("strong").orElseThrow().latency().p50Ms())
        .isEqualTo(190 + 80);
  }

  @Test
  void routesGoAroundWhenTheDirectLinkIsSlower() {
    Topology topology = Fixtures.with(Fixtures.async())
        .mapLink(US, AP, link -> link.withRttMs(500));

    DatasetAnalysis d = Fixtures.analyse(topology);

    assertThat(write(d, AP).p50Ms()).isEqualTo(80 + 120);
    assertThat(write(d, AP).route()).startsWith("ap-south > eu-west > us-east");
  }

  @Test
  void eventualReadsAreLocalOnAReplica() {
    DatasetAnalysis d = Fixtures.analyse(Fixtures.with(Fixtures.async()));

    assertThat(d.region(AP).orElseThrow().read("eventual").orElseThrow().latency().p99Ms())
        .isEqualTo(0);
  }
}

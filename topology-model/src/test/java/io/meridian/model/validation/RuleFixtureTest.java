package io.meridian.model.validation;

import static io.meridian.model.diagnostics.Severity.ERROR;
import static io.meridian.model.diagnostics.Severity.INFO;
import static io.meridian.model.diagnostics.Severity.WARNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.meridian.model.diagnostics.Problem;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

// Each rule fires on a small file that breaks it, at the line and column of the offending value as
// the reader reports it, and no other rule fires there.
class RuleFixtureTest {

  @Test
  void aConsistentTopologyHasNoProblems() {
    assertThat(Fixtures.problems("valid")).isEmpty();
  }

  @Test
  void danglingReplicaLinkEndAndPolicyAreReportedAtTheirValues() {
    List<Problem> problems = Fixtures.problems("dangling-reference");
    assertExactly(problems,
        tuple("dangling-reference", ERROR, "20:24"),
        tuple("dangling-reference", ERROR, "33:37"),
        tuple("dangling-reference", ERROR, "37:13"));
    assertThat(problems.get(1).message())
        .isEqualTo("dataset 'orders' lists replica 'eu-nrth', which is not a region");
    assertThat(problems.get(1).fix()).isEqualTo("did you mean 'eu-north'?");
    assertThat(problems.get(0).fix()).isEqualTo("did you mean 'eu-central'?");
    assertThat(problems.get(2).fix()).isEqualTo("did you mean 'orders-async'?");
  }

  @Test
  void duplicateRegionAndDatasetAreReportedAtTheSecondDefinition() {
    assertExactly(Fixtures.problems("duplicate-id"),
        tuple("duplicate-id", ERROR, "19:9"),
        tuple("duplicate-id", ERROR, "39:11"));
  }

  @Test
  void secondLinkBetweenTheSamePairIsReportedEvenWhenWrittenTheOtherWayRound() {
    assertExactly(Fixtures.problems("duplicate-link"), tuple("duplicate-link", ERROR, "26:14"));
  }

  @Test
  void regionListedTwiceAsReplicaIsReportedAtTheSecondEntry() {
    assertExactly(Fixtures.problems("duplicate-replica"),
        tuple("duplicate-replica", ERROR, "33:37"));
  }

  @Test
  void datasetWithEmptyReplicaListIsReported() {
    assertExactly(Fixtures.problems("no-replicas"), tuple("no-replicas", ERROR, "32:15"));
  }

  @Test
  void primaryThatHoldsNoReplicaIsReportedAtThePrimary() {
    List<Problem> problems = Fixtures.problems("primary-not-replica");
    assertExactly(problems, tuple("primary-not-replica", ERROR, "29:14"));
    assertThat(problems.get(0).fix()).contains("'eu-west', 'eu-central'");
  }

  @Test
  void asyncPolicyWithoutPrimaryIsReportedAtItsMode() {
    List<Problem> problems = Fixtures.problems("missing-primary");
    assertExactly(problems, tuple("missing-primary", ERROR, "28:11"));
    assertThat(problems.get(0).fix()).startsWith("add 'primary: eu-west'");
  }

  @Test
  void failoverTargetOutsideTheReplicasIsReported() {
    assertExactly(Fixtures.problems("failover-target-not-replica"),
        tuple("failover-target-not-replica", ERROR, "30:36"));
  }

  @Test
  void witnessListedAsReplicaIsReportedAtItsListEntry() {
    assertExactly(Fixtures.problems("witness-holds-data"),
        tuple("witness-holds-data", ERROR, "40:47"));
  }

  @Test
  void replicaAndFailoverTargetOutsideAllowedJurisdictionsAreReported() {
    List<Problem> problems = Fixtures.problems("residency-violation");
    assertExactly(problems,
        tuple("residency-violation", ERROR, "30:36"),
        tuple("residency-violation", ERROR, "33:37"));
    assertThat(problems.get(1).message())
        .isEqualTo("replica 'us-east' of dataset 'orders' is in US, outside the allowed EU");
  }

  @Test
  void quorumModeWithoutSizesIsReportedAtItsMode() {
    List<Problem> problems = Fixtures.problems("missing-quorum");
    assertExactly(problems, tuple("missing-quorum", ERROR, "28:11"));
    assertThat(problems.get(0).fix()).isEqualTo("add quorum: {n: 3, w: 2, r: 2}");
  }

  @Test
  void quorumNDifferentFromReplicaCountIsReportedAtN() {
    assertExactly(Fixtures.problems("quorum-size-mismatch"),
        tuple("quorum-size-mismatch", ERROR, "30:10"));
  }

  @Test
  void readAndWriteQuorumsThatMayMissEachOtherAreReportedAtR() {
    List<Problem> problems = Fixtures.problems("quorum-overlap");
    assertExactly(problems, tuple("quorum-overlap", WARNING, "32:10"));
    assertThat(problems.get(0).message()).contains("r + w = 1 + 2 = 3, not more than n = 3");
    assertThat(problems.get(0).fix()).startsWith("raise r to 2");
  }

  @Test
  void writeQuorumBelowMajorityIsReportedAtW() {
    assertExactly(Fixtures.problems("quorum-durability"),
        tuple("quorum-durability", WARNING, "31:10"));
  }

  @Test
  void syncAcksBeyondTheOtherReplicasIsReported() {
    assertExactly(Fixtures.problems("sync-acks-exceed-replicas"),
        tuple("sync-acks-exceed-replicas", ERROR, "31:15"));
  }

  @Test
  void strongReadsOnAsyncReplicationAreRefusedNamingTheLevelThatWorks() {
    List<Problem> problems = Fixtures.problems("unsupported-read-level");
    assertExactly(problems, tuple("unsupported-read-level", ERROR, "31:22"));
    assertThat(problems.get(0).fix()).startsWith("use one of [eventual, session]");
    assertThat(problems.get(0).message()).contains("write lease").contains("failover.automatic");
  }

  @Test
  void boundedStalenessWithoutBoundIsReported() {
    assertExactly(Fixtures.problems("missing-staleness-bound"),
        tuple("missing-staleness-bound", ERROR, "31:22"));
  }

  @Test
  void consensusAndAutomaticFailoverOverTwoRegionsAskForAWitness() {
    List<Problem> problems = Fixtures.problems("too-few-voters");
    assertExactly(problems,
        tuple("too-few-voters", ERROR, "28:11"),
        tuple("too-few-voters", ERROR, "34:18"));
    assertThat(problems).allSatisfy(p -> assertThat(p.fix()).contains("witness"));
  }

  @Test
  void multiPrimaryWithLastWriterWinsWarnsOfLostUpdates() {
    List<Problem> problems = Fixtures.problems("lww-multi-primary");
    assertExactly(problems, tuple("lww-multi-primary", WARNING, "29:25"));
    assertThat(problems.get(0).message()).contains("one is discarded");
    assertThat(problems.get(0).fix()).contains("version-vector").contains("crdt:");
  }

  @Test
  void crdtOnSinglePrimaryModeIsReported() {
    assertExactly(Fixtures.problems("crdt-without-multi-primary"),
        tuple("crdt-without-multi-primary", WARNING, "31:25"));
  }

  @Test
  void policyNoDatasetUsesIsReportedAsInfo() {
    assertExactly(Fixtures.problems("unused-policy"), tuple("unused-policy", INFO, "31:11"));
  }

  @Test
  void primaryAndSyncAcksOnQuorumPolicyAreReportedAsIgnored() {
    List<Problem> problems = Fixtures.problems("ignored-setting");
    assertExactly(problems,
        tuple("ignored-setting", INFO, "33:14"),
        tuple("ignored-setting", INFO, "34:15"));
    assertThat(problems.get(0).message()).isEqualTo("policy 'orders-quorum' names primary "
        + "'eu-west', but quorum replication has no primary, so it is ignored");
  }

  @Test
  void linkFasterThanLightIsReportedWithBothFigures() {
    List<Problem> problems = Fixtures.problems("faster-than-light");
    assertExactly(problems, tuple("faster-than-light", ERROR, "25:12"));
    assertThat(problems.get(0).message()).isEqualTo("link eu-west~eu-north has rttMs 5, faster "
        + "than light: light in fibre needs at least 16.1 ms round trip over the 1,635 km "
        + "great-circle distance");
  }

  @Test
  void replicaNoLinkReachesIsReportedNamingBothRegions() {
    List<Problem> problems = Fixtures.problems("no-network-path");
    assertExactly(problems, tuple("no-network-path", ERROR, "29:37"));
    assertThat(problems.get(0).message()).isEqualTo(
        "dataset 'orders' has no network path between replicas 'eu-west' and 'eu-north'");
  }

  @Test
  void syncReplicaFarFromThePrimaryWarnsWithTheRoundTrip() {
    List<Problem> problems = Fixtures.problems("slow-sync-link");
    assertExactly(problems, tuple("slow-sync-link", WARNING, "33:37"));
    assertThat(problems.get(0).message()).startsWith(
        "every write to dataset 'orders' takes at least 120 ms");
    assertThat(problems.get(0).fix()).startsWith("set syncAcks: 1");
  }

  @Test
  void unencryptedLinkBetweenReplicasIsReportedAtItsFlag() {
    assertExactly(Fixtures.problems("unencrypted-link"),
        tuple("unencrypted-link", WARNING, "24:16"));
  }

  private static void assertExactly(List<Problem> problems, Tuple... expected) {
    assertThat(problems)
        .extracting(p -> tuple(p.code(), p.severity(), String.valueOf(p.position())))
        .containsExactly(expected);
  }
}

package io.meridian.agent.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverGroupConfig;
import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.replication.Input;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

// Proves the rules the failover group's log applies (ADR 0016): only a majority of a dataset's
// voting regions releasing the primary decides, the most up-to-date releasing region wins with
// ties broken by failover priority, stale releases and losing operator decisions change nothing;
// and a release retracted before a decision never counts (ADR 0019).
class DecisionLogTest {
  private static final List<String> REGIONS = List.of("a", "b", "c", "d", "e");

  private static DecisionLog log(FailoverPolicy policy, List<String> priority) {
    DatasetConfig dataset = new DatasetConfig("orders", ReplicationMode.ASYNC, REGIONS, "a", 0,
        FsyncPolicy.OPERATING_SYSTEM, 1, policy);
    List<PeerConfig> peers = REGIONS.stream().filter(r -> !r.equals("a"))
        .map(r -> new PeerConfig(r, "localhost:1", LinkEmulation.NONE)).toList();
    FailoverGroupConfig group = new FailoverGroupConfig(0,
        REGIONS.stream().map(r -> new FailoverGroupConfig.Member(r, "localhost:1")).toList(),
        Map.of("orders", priority));
    return new DecisionLog(new AgentConfig("a", peers, List.of(dataset), ReplicationBounds.DEFAULTS, group));
  }

  private static FailoverCommand.Release release(String region, long epochInLog, long sequence) {
    return new FailoverCommand.Release("orders", 1, region, epochInLog, sequence);
  }

  /** Data replicas a (primary), b and c, witnesses v and w: a majority is three of the five voters (ADR 0020). */
  private static DecisionLog logWithWitnesses() {
    List<String> replicas = List.of("a", "b", "c");
    DatasetConfig dataset = new DatasetConfig("orders", ReplicationMode.ASYNC, replicas, "a", 0,
        FsyncPolicy.OPERATING_SYSTEM, 1, FailoverPolicy.AUTOMATIC).withWitnesses(List.of("v", "w"));
    List<PeerConfig> peers = dataset.voters().stream().filter(r -> !r.equals("a"))
        .map(r -> new PeerConfig(r, "localhost:1", LinkEmulation.NONE)).toList();
    FailoverGroupConfig group = new FailoverGroupConfig(0,
        dataset.voters().stream().map(r -> new FailoverGroupConfig.Member(r, "localhost:1")).toList(),
        Map.of("orders", List.of("v", "c", "b")));
    return new DecisionLog(new AgentConfig("a", peers, List.of(dataset), ReplicationBounds.DEFAULTS, group));
  }

  @Test
  void aMajorityOfReleasesIncludingWitnessesDecidesForADataReplica() {
    DecisionLog log = logWithWitnesses();
    assertThat(log.apply(release("w", 0, 0)).decision()).isEmpty();
    assertThat(log.apply(release("b", 1, 10)).decision()).as("two of five voters").isEmpty();
    Input.EpochDecided decided = log.apply(release("v", 0, 0)).decision().orElseThrow();

    assertThat(decided).isEqualTo(new Input.EpochDecided("orders", 2, "b", 10, true));
  }

  @Test
  void aWitnessIsNeverChosenEvenFirstInPriorityOrWithTheNewestLogEnd() {
    DecisionLog log = logWithWitnesses();
    log.apply(release("v", 5, 99));
    log.apply(release("w", 5, 99));
    assertThat(log.apply(release("a", 1, 1)).decision()).as("the primary has no say").isEmpty();
    assertThat(log.releasedBy("orders")).containsExactly("v", "w");
    Input.EpochDecided decided = log.apply(release("c", 1, 7)).decision().orElseThrow();
    assertThat(decided.primary()).isEqualTo("c");
  }

  @Test
  void aMajorityOfWitnessesAloneWaitsForADataReplica() {
    List<String> replicas = List.of("a", "b");
    DatasetConfig dataset = new DatasetConfig("orders", ReplicationMode.ASYNC, replicas, "a", 0,
        FsyncPolicy.OPERATING_SYSTEM, 1, FailoverPolicy.AUTOMATIC).withWitnesses(List.of("v", "w", "x"));
    List<PeerConfig> peers = dataset.voters().stream().filter(r -> !r.equals("a"))
        .map(r -> new PeerConfig(r, "localhost:1", LinkEmulation.NONE)).toList();
    DecisionLog log = new DecisionLog(new AgentConfig("a", peers, List.of(dataset), ReplicationBounds.DEFAULTS));
    log.apply(release("v", 0, 0));
    log.apply(release("w", 0, 0));
    assertThat(log.apply(release("x", 0, 0))).satisfies(outcome -> {
      assertThat(outcome.decision()).isEmpty();
      assertThat(outcome.detail()).contains("only witnesses");
    });
    assertThat(log.apply(release("b", 1, 4)).decision().orElseThrow().primary()).isEqualTo("b");
  }

  @Test
  void aMinorityReleasingThePrimaryDecidesNothing() {
    DecisionLog log = log(FailoverPolicy.AUTOMATIC, List.of());
    assertThat(log.apply(release("b", 1, 10)).decision()).isEmpty();
    assertThat(log.apply(release("c", 1, 10)).decision()).isEmpty();
    assertThat(log.apply(release("c", 1, 12)).decision()).as("the same region twice is one voice").isEmpty();
    assertThat(log.releasedBy("orders")).containsExactly("b", "c");
    assertThat(log.epoch("orders")).contains(1L);
  }

  @Test
  void majorityPicksTheMostUpToDateReleasingRegion() {
    DecisionLog log = log(FailoverPolicy.AUTOMATIC, List.of("b", "c", "d"));
    log.apply(release("b", 1, 10));
    log.apply(release("c", 1, 14));
    Input.EpochDecided decided = log.apply(release("d", 1, 12)).decision().orElseThrow();

    assertThat(decided).isEqualTo(new Input.EpochDecided("orders", 2, "c", 14, true));
    assertThat(log.primary("orders")).contains("c");
    assertThat(log.releasedBy("orders")).isEmpty();
  }

  @Test
  void equallyUpToDateRegionsAreBrokenByFailoverPriority() {
    DecisionLog log = log(FailoverPolicy.AUTOMATIC, List.of("d", "b"));
    log.apply(release("b", 1, 10));
    log.apply(release("c", 1, 10));
    Input.EpochDecided decided = log.apply(release("d", 1, 10)).decision().orElseThrow();
    assertThat(decided.primary()).isEqualTo("d");
  }

  @Test
  void anEntryOfANewerEpochBeatsALongerLogOfAnOlderOne() {
    DecisionLog log = log(FailoverPolicy.AUTOMATIC, List.of());
    log.apply(release("b", 1, 50));
    log.apply(release("c", 2, 3));
    assertThat(log.apply(release("d", 1, 40)).decision().orElseThrow().primary()).isEqualTo("c");
  }

  @Test
  void releasesOfAnOldEpochAndOfTheDatasetWithoutAutomaticFailoverAreIgnored() {
    DecisionLog log = log(FailoverPolicy.AUTOMATIC, List.of());
    log.apply(new FailoverCommand.Decide("orders", 2, "b", 0, true));
    for (String region : List.of("c", "d", "e")) {
      assertThat(log.apply(release(region, 1, 0)).decision()).isEmpty();
    }
    DecisionLog manual = log(FailoverPolicy.MANUAL, List.of());
    for (String region : List.of("b", "c", "d")) {
      assertThat(manual.apply(release(region, 1, 0)).decision()).isEmpty();
    }
    assertThat(manual.epoch("orders")).contains(1L);
  }

  @Test
  void ofTwoRacingOperatorDecisionsOnlyTheFirstCommittedWins() {
    DecisionLog log = log(FailoverPolicy.MANUAL, List.of());
    assertThat(log.apply(new FailoverCommand.Decide("orders", 2, "b", 7, false)).decision()).isPresent();
    DecisionLog.Outcome second = log.apply(new FailoverCommand.Decide("orders", 2, "c", 7, false));
    assertThat(second.decision()).isEmpty();
    assertThat(second.detail()).contains("epoch 2 (primary b) is the newest decided");
    assertThat(log.primary("orders")).contains("b");
  }

  @Test
  void commandsSurviveTheirTextForm() {
    FailoverCommand release = release("b", 3, 99);
    FailoverCommand decide = new FailoverCommand.Decide("orders", 4, "c", 12, true);
    assertThat(FailoverCommand.decode(release.encode())).isEqualTo(release);
    assertThat(FailoverCommand.decode(decide.encode())).isEqualTo(decide);
  }

  private static FailoverCommand.Retract retract(String region, long generation) {
    return new FailoverCommand.Retract("orders", 1, region, generation);
  }

  @Test
  void aRetractedReleaseDoesNotCountTowardsTheMajority() {
    DecisionLog log = log(FailoverPolicy.AUTOMATIC, List.of());
    log.apply(release("b", 1, 10));
    log.apply(release("c", 1, 10));
    DecisionLog.Outcome retracted = log.apply(retract("b", 1));

    assertThat(retracted.retraction()).map(DecisionLog.Retraction::region).contains("b");
    assertThat(retracted.retraction().orElseThrow().input())
        .isEqualTo(new Input.ReleaseRetracted("orders", 1, 1));
    assertThat(log.releasedBy("orders")).containsExactly("c");
    assertThat(log.apply(release("d", 1, 10)).decision()).as("b's retracted release must not make a majority")
        .isEmpty();
    assertThat(log.epoch("orders")).contains(1L);
  }

  @Test
  void aLateCopyOfARetractedReleaseIsIgnoredButANewerReleaseCounts() {
    DecisionLog log = log(FailoverPolicy.AUTOMATIC, List.of());
    log.apply(release("b", 1, 10));
    log.apply(retract("b", 1));
    // The watcher's resubmission of release 1, committed after the retraction, must stay retracted.
    assertThat(log.apply(new FailoverCommand.Release("orders", 1, "b", 1, 11, 1)).detail()).contains("retracted");
    log.apply(release("c", 1, 10));
    assertThat(log.releasedBy("orders")).containsExactly("c");

    // b stalls again and releases anew (generation 2): that one counts.
    assertThat(log.apply(new FailoverCommand.Release("orders", 1, "b", 1, 12, 2)).decision()).isEmpty();
    assertThat(log.releasedBy("orders")).containsExactly("b", "c");
    assertThat(log.apply(release("d", 1, 9)).decision()).map(Input.EpochDecided::primary).contains("b");
  }

  @Test
  void aRetractionCommittedAfterTheDecisionIsStaleAndTakesNothingBack() {
    DecisionLog log = log(FailoverPolicy.AUTOMATIC, List.of("b", "c", "d"));
    log.apply(release("b", 1, 10));
    log.apply(release("c", 1, 10));
    assertThat(log.apply(release("d", 1, 10)).decision()).isPresent();

    DecisionLog.Outcome late = log.apply(retract("b", 1));
    assertThat(late.retraction()).as("b must keep its pledge: its release was counted").isEmpty();
    assertThat(late.detail()).contains("too late");
    assertThat(log.epoch("orders")).contains(2L);
  }

  @Test
  void retractionsAndLaterReleasesSurviveTheirTextForm() {
    for (FailoverCommand command : List.of(release("b", 1, 10), new FailoverCommand.Release("orders", 3, "b", 2, 7, 4),
        new FailoverCommand.Retract("orders", 3, "b", 4), new FailoverCommand.Decide("orders", 2, "c", 5, true))) {
      assertThat(FailoverCommand.decode(command.encode())).isEqualTo(command);
    }
    assertThat(new String(release("b", 1, 10).encode(), java.nio.charset.StandardCharsets.UTF_8))
        .as("a first release keeps the line older logs hold").isEqualTo("RELEASE orders 1 b 1 10");
  }
}

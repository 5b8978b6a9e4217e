package io.meridian.agent.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.replication.Input;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves what the failover group's state machine hands its agent (ADR 0019): every decision, and a
// committed retraction only to the region that retracted, never when it came after the decision;
// malformed entries are refused with the reason and change nothing.
class FailoverStateMachineTest {
  private static final List<String> REGIONS = List.of("a", "b", "c");

  private final List<Input.EpochDecided> decisions = new ArrayList<>();
  private final List<Input.ReleaseRetracted> retractions = new ArrayList<>();

  private FailoverStateMachine member(String region) {
    DatasetConfig dataset = new DatasetConfig("orders", ReplicationMode.ASYNC, REGIONS, "a", 0,
        FsyncPolicy.OPERATING_SYSTEM, 1, FailoverPolicy.AUTOMATIC);
    List<PeerConfig> peers = REGIONS.stream().filter(r -> !r.equals(region))
        .map(r -> new PeerConfig(r, "localhost:1", LinkEmulation.NONE)).toList();
    return new FailoverStateMachine(new DecisionLog(new AgentConfig(region, peers, List.of(dataset),
        ReplicationBounds.DEFAULTS)), decisions::add, region, retractions::add);
  }

  private static byte[] line(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aCommittedRetractionReachesOnlyTheRegionThatRetracted() {
    FailoverStateMachine atB = member("b");
    FailoverStateMachine atC = member("c");
    for (FailoverStateMachine member : List.of(atB, atC)) {
      member.apply(line("RELEASE orders 1 b 1 10"), "1");
      assertThat(member.apply(line("RETRACT orders 1 b 1"), "2")).startsWith("RETRACTED");
      // c's release alone is no majority now that b's is retracted.
      assertThat(member.apply(line("RELEASE orders 1 c 1 10"), "3")).startsWith("NOCHANGE");
    }
    assertThat(retractions).containsExactly(new Input.ReleaseRetracted("orders", 1, 1));
    assertThat(decisions).isEmpty();
  }

  @Test
  void aRetractionThatLosesTheRaceWithTheDecisionIsNotHandedOver() {
    FailoverStateMachine atB = member("b");
    atB.apply(line("RELEASE orders 1 b 1 10"), "1");
    assertThat(atB.apply(line("RELEASE orders 1 c 1 12"), "2")).isEqualTo("DECIDED 2 c 12");
    assertThat(atB.apply(line("RETRACT orders 1 b 1"), "3")).startsWith("NOCHANGE").contains("too late");

    assertThat(decisions).containsExactly(new Input.EpochDecided("orders", 2, "c", 12, true));
    assertThat(retractions).as("b keeps its pledge: its release was counted").isEmpty();
  }

  @Test
  void aMalformedEntryIsRefusedWithTheReason() {
    assertThat(member("b").apply(line("RETRACT orders one b 1"), "1")).startsWith("REFUSED").contains("malformed");
    assertThat(decisions).isEmpty();
    assertThat(retractions).isEmpty();
  }
}

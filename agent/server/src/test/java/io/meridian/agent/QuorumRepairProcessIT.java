package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.CutLinkRequest;
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.GetResponse;
import io.meridian.agent.api.v1.HealLinkRequest;
import io.meridian.agent.api.v1.PeerLinkStatus;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.ReadConsistency;
import io.meridian.agent.api.v1.RepairOutcome;
import io.meridian.agent.api.v1.RepairRequest;
import io.meridian.agent.api.v1.RepairResponse;
import io.meridian.agent.api.v1.ReplicaCount;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.QuorumPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves, with three real agent processes, Merkle anti-entropy on a quorum dataset (ADR 0035):
// with the link a-c cut, writes at W = one coordinated by a reach a and b but not c, and their
// hints are dropped (hint bound 0, as past a full hint store); after the link heals nothing brings
// them to c (no one reads them), until the control Repair RPC that `meridian repair` calls compares
// the trees and c then holds every write. A second repair finds nothing to do.
class QuorumRepairProcessIT {
  private static final List<String> REGIONS = List.of("a", "b", "c");
  private static final String CARTS = "carts";
  private static final int BASE_KEYS = 200;
  private static final int CUT_KEYS = 40;
  /** Repair RPCs a user runs while each says "the next repair starts afresh" (see repairAsAUserWould). */
  private static final int REPAIR_ATTEMPTS_MAX = 3;

  @TempDir
  Path directory;

  private AgentProcesses agents;

  @BeforeEach
  void prepareAgents() {
    agents = new AgentProcesses(directory);
    // Only the Repair RPC may repair here, or a periodic session could beat it to the keys.
    agents.commonArguments().addAll(List.of("--repair-interval-millis", "0"));
  }

  @AfterEach
  void stopEverything() {
    agents.close();
  }

  @Test
  void writesACutReplicaMissedAndWhoseHintsWereDroppedArriveByRepair() throws Exception {
    agents.writeConfigs(REGIONS, (region, peer) -> LinkEmulation.NONE, region -> List.of(DatasetConfig.quorum(CARTS,
        REGIONS, new QuorumPolicy(2, 2, 2_000, 0), FsyncPolicy.OPERATING_SYSTEM)));
    agents.startAll(REGIONS);
    await().atMost(AgentProcesses.CONNECTED_TIMEOUT).ignoreExceptions().untilAsserted(() ->
        agents.kv("a").put(put("ready", "yes", ReplicaCount.REPLICA_COUNT_ALL)));
    for (int i = 0; i < BASE_KEYS; i++) {
      agents.kv("a").put(put("base-" + i, "v" + i, ReplicaCount.REPLICA_COUNT_ALL));
    }

    ControlGrpc.newBlockingStub(agents.channel("a")).cutLink(CutLinkRequest.newBuilder().setPeerRegion("c").build());
    ControlGrpc.newBlockingStub(agents.channel("c")).cutLink(CutLinkRequest.newBuilder().setPeerRegion("a").build());
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(link("a", "c").getConnected()).isFalse());
    for (int i = 0; i < CUT_KEYS; i++) {
      agents.kv("a").put(put("cut-" + i, "w" + i, ReplicaCount.REPLICA_COUNT_ONE));
      agents.kv("a").put(put("base-" + i, "overwritten-" + i, ReplicaCount.REPLICA_COUNT_ONE));
    }
    // The hint bound is 0: a keeps nothing for c.
    assertThat(link("a", "c").getLagVersions()).as("hints kept at a for c").isZero();

    ControlGrpc.newBlockingStub(agents.channel("a")).healLink(HealLinkRequest.newBuilder().setPeerRegion("c").build());
    ControlGrpc.newBlockingStub(agents.channel("c")).healLink(HealLinkRequest.newBuilder().setPeerRegion("a").build());
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(link("a", "c").getConnected()).isTrue();
      assertThat(link("c", "a").getConnected()).isTrue();
    });
    // c still misses them: an eventual read at c answers with c's own copy (that read repairs
    // only the one key it reads, so look at one key only).
    assertThat(local("c", "cut-0").getFound()).as("cut-0 at c after healing").isFalse();

    List<RepairOutcome> outcomes = repairAsAUserWould("c");
    assertThat(outcomes).extracting(RepairOutcome::getPeerRegion).containsExactlyInAnyOrder("a", "b");
    assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome.getError()).isEmpty());
    // Both partners offer c the same missed writes; c takes each once, whichever session comes first.
    assertThat(outcomes.stream().mapToLong(RepairOutcome::getKeysRepaired).sum())
        .isGreaterThanOrEqualTo(2L * CUT_KEYS - 1);
    for (int i = 0; i < CUT_KEYS; i++) {
      assertThat(local("c", "cut-" + i).getValue().toStringUtf8()).as("cut-" + i + " at c").isEqualTo("w" + i);
      assertThat(local("c", "base-" + i).getValue().toStringUtf8()).as("base-" + i + " at c")
          .isEqualTo("overwritten-" + i);
    }

    RepairResponse again = ControlGrpc.newBlockingStub(agents.channel("a")).withDeadlineAfter(60, TimeUnit.SECONDS)
        .repair(RepairRequest.newBuilder().setDataset(CARTS).setTimeoutMillis(50_000).build());
    assertThat(again.getOutcomesList()).hasSize(2).allSatisfy(outcome -> {
      assertThat(outcome.getError()).isEmpty();
      assertThat(outcome.getKeysRepaired()).isZero();
      assertThat(outcome.getRangesCompared()).as("equal trees compare one root").isEqualTo(1);
    });
  }

  /**
   * Runs the Repair RPC at {@code region} as its user is told to: a session that ended with an error
   * saying "the next repair starts afresh" (its stream closed, or its partner did not answer: a
   * designed outcome while a healed link's streams reopen under load) is run again, with that
   * partner only, once the link to it is connected, at most {@code REPAIR_ATTEMPTS_MAX} times in all.
   * Returns each partner's last outcome, with the keys repaired summed over its attempts.
   */
  private List<RepairOutcome> repairAsAUserWould(String region) {
    Map<String, RepairOutcome> outcomes = new TreeMap<>();
    Map<String, Long> keysRepaired = new TreeMap<>();
    List<String> partners = List.of();
    for (int attempt = 1; attempt <= REPAIR_ATTEMPTS_MAX; attempt++) {
      for (String partner : partners) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          assertThat(link(region, partner).getConnected()).isTrue();
          assertThat(link(partner, region).getConnected()).isTrue();
        });
      }
      RepairResponse repair = ControlGrpc.newBlockingStub(agents.channel(region))
          .withDeadlineAfter(60, TimeUnit.SECONDS).repair(RepairRequest.newBuilder().setDataset(CARTS)
              .addAllRegions(partners).setTimeoutMillis(50_000).build());
      System.out.println("quorum repair at " + region + ", attempt " + attempt + ": " + repair);
      for (RepairOutcome outcome : repair.getOutcomesList()) {
        outcomes.put(outcome.getPeerRegion(), outcome);
        keysRepaired.merge(outcome.getPeerRegion(), outcome.getKeysRepaired(), Long::sum);
      }
      partners = repair.getOutcomesList().stream()
          .filter(outcome -> outcome.getError().endsWith("the next repair starts afresh."))
          .map(RepairOutcome::getPeerRegion).toList();
      if (partners.isEmpty()) {
        break;
      }
    }
    return outcomes.values().stream().map(outcome -> outcome.toBuilder()
        .setKeysRepaired(keysRepaired.get(outcome.getPeerRegion())).build()).toList();
  }

  private GetResponse local(String region, String key) {
    return agents.kv(region).get(GetRequest.newBuilder().setDataset(CARTS).setKey(utf8(key))
        .setConsistency(ReadConsistency.READ_CONSISTENCY_EVENTUAL).build());
  }

  private PeerLinkStatus link(String region, String peer) {
    return agents.link(region, CARTS, peer);
  }

  private static ByteString utf8(String text) {
    return ByteString.copyFromUtf8(text);
  }

  private static PutRequest put(String key, String value, ReplicaCount count) {
    return PutRequest.newBuilder().setDataset(CARTS).setKey(utf8(key)).setValue(utf8(value)).setReplicaCount(count)
        .build();
  }
}

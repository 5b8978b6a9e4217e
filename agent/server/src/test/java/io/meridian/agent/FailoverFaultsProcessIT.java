package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.DatasetFailoverView;
import io.meridian.agent.api.v1.GetResponse;
import io.meridian.agent.api.v1.HealLinkRequest;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.api.v1.ListQuarantineRequest;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.PutResponse;
import io.meridian.agent.api.v1.QuarantinedChange;
import io.meridian.agent.api.v1.Role;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.ReplicationMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves on three real agent processes in the Ratis failover group (issue 7) that fencing holds
// under the faults a rehearsal injects: a primary stopped with SIGSTOP for longer than its lease
// and then continued cannot write in its old epoch (the writes that waited through the pause are
// refused or go to the new primary); with clocks five seconds ahead and behind, an isolated
// primary still stops within its lease and two primaries never both accept writes, and it hears
// nothing of the majority's decision (the cut covers the group's Ratis traffic); killed with kill -9
// after acknowledging writes it could not replicate and restarted, it rejoins as a replica with
// exactly those writes in quarantine, and every replica converges.
class FailoverFaultsProcessIT {
  private static final List<String> REGIONS = List.of("a", "b", "c");
  private static final String ORDERS = "orders";
  private static final FailoverPolicy POLICY = new FailoverPolicy(true, 1_000, 100);
  /** Writes sent to the paused primary; they wait in its socket buffers until it continues. */
  private static final int WRITES_THROUGH_THE_PAUSE = 10;

  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  Path directory;

  private AgentProcesses agents;
  private FailoverAgents failover;

  @BeforeEach
  void prepareAgents() {
    agents = new AgentProcesses(directory);
    failover = new FailoverAgents(agents, directory, REGIONS);
  }

  @AfterEach
  void stopEverything() {
    agents.close();
  }

  @Test
  void primaryPausedPastItsLeaseCannotWriteInItsOldEpochWhenItContinues() throws Exception {
    String old = startAllAndWaitForAPrimary();
    List<String> majority = failover.others(old);
    long oldEpoch = failover.view(old).getEpoch();
    for (int i = 0; i < 20; i++) {
      putEventually(old, "before" + i); // a loaded machine may cost the primary its lease a moment
    }
    awaitConverged();

    agents.pause(old);
    Map<String, ListenableFuture<PutResponse>> waiting = new java.util.TreeMap<>();
    KvGrpc.KvFutureStub paused = KvGrpc.newFutureStub(agents.channel(old)).withDeadlineAfter(120, TimeUnit.SECONDS);
    for (int i = 0; i < WRITES_THROUGH_THE_PAUSE; i++) {
      waiting.put("paused" + i, paused.put(request("paused" + i)));
    }
    PutResponse first = awaitNewPrimary(majority, oldEpoch);
    for (int i = 0; i < 10; i++) {
      putEventually(first.getVersion().getCommittedByRegion(), "after" + i);
    }
    agents.resume(old);

    int refused = 0;
    Map<String, PutResponse> acknowledged = new java.util.TreeMap<>();
    for (Map.Entry<String, ListenableFuture<PutResponse>> write : waiting.entrySet()) {
      try {
        acknowledged.put(write.getKey(), write.getValue().get(90, TimeUnit.SECONDS));
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
        refused++;
      }
    }
    System.out.printf("paused primary: of %d writes that waited through the pause, %d refused, %d acknowledged"
        + " in epochs %s%n", WRITES_THROUGH_THE_PAUSE, refused, acknowledged.size(),
        acknowledged.values().stream().map(ack -> ack.getVersion().getEpoch()).collect(Collectors.toCollection(TreeSet::new)));
    assertThat(acknowledged.values()).as("no write acknowledged in the old epoch after the new primary took over")
        .allSatisfy(ack -> {
          assertThat(ack.getVersion().getEpoch()).isGreaterThan(oldEpoch);
          assertThat(ack.getVersion().getCommittedByRegion()).isNotEqualTo(old);
        });
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
      assertThat(failover.view(old).getEpoch()).isEqualTo(oldEpoch + 1);
      assertThat(failover.view(old).getRole()).isEqualTo(Role.ROLE_REPLICA);
    });
    awaitConverged();
    String now = first.getVersion().getCommittedByRegion();
    for (Map.Entry<String, PutResponse> ack : acknowledged.entrySet()) {
      assertThat(get(now, ack.getKey()).getVersion()).isEqualTo(ack.getValue().getVersion());
    }
    for (int i = 0; i < 20; i++) {
      assertThat(get(old, "before" + i).getFound()).as("write before the pause, read at the old primary").isTrue();
    }
  }

  /**
   * Two faults in one run to keep the process tests short: clocks five seconds ahead (a) and
   * behind (b) while an isolated primary must stop within its lease and the majority takes over
   * with no write accepted by both; then kill -9 of that primary and its restart.
   */
  @Test
  void withClocksSkewedBothWaysAnIsolatedPrimaryIsFencedAndAfterKillAndRestartQuarantinesExactlyItsUnreplicatedWrites()
      throws Exception {
    agents.agentArguments().put("a", List.of("--clock-skew-millis", "5000"));
    agents.agentArguments().put("b", List.of("--clock-skew-millis", "-5000"));
    String old = startAllAndWaitForAPrimary();
    assertThat(agents.logOf("a")).contains("clock skewed by 5000 ms");
    assertThat(agents.logOf("b")).contains("clock skewed by -5000 ms");
    List<String> majority = failover.others(old);
    long oldEpoch = failover.view(old).getEpoch();
    for (int i = 0; i < 20; i++) {
      putEventually(old, "before" + i); // a loaded machine may cost the primary its lease a moment
    }
    awaitConverged();

    // Cut off first, so the writes it acknowledges within its lease reach no replica; kill -9 once
    // the majority has decided.
    FailoverAgents.Isolation isolation = failover.isolate(old, ORDERS, POLICY.detectionTimeoutMillis());
    PutResponse first = awaitNewPrimary(majority, oldEpoch);
    assertThat(System.nanoTime()).as("no write accepted by both: the old primary's last ack precedes the new one's first")
        .isGreaterThan(isolation.lastAckNanos());
    // The cut covers the failover group's Ratis traffic too: the isolated primary learns nothing.
    assertThat(failover.view(old).getEpoch()).as("epoch at the cut-off old primary after the majority decided")
        .isEqualTo(oldEpoch);
    agents.kill(old);
    String now = first.getVersion().getCommittedByRegion();
    for (int i = 0; i < 10; i++) {
      putEventually(now, "after" + i);
    }
    // The restarted agent forgets its cuts; the survivors' side is healed by hand.
    for (String other : majority) {
      ControlGrpc.newBlockingStub(agents.channel(other)).healLink(HealLinkRequest.newBuilder().setPeerRegion(old).build());
    }
    agents.start(old);
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
      assertThat(failover.view(old).getEpoch()).isEqualTo(oldEpoch + 1);
      assertThat(failover.view(old).getRole()).isEqualTo(Role.ROLE_REPLICA);
    });
    awaitConverged();
    assertQuarantineIsExactlyTheMissingWrites(old, isolation, now, oldEpoch + 1);
    for (int i = 0; i < 10; i++) {
      assertThat(get(old, "after" + i).getFound()).as("new primary's write at the rejoined old primary").isTrue();
    }
  }

  // ------------------------------------------------------------------------------------ helpers

  /** Writes through the first survivor until a survivor commits it in the next epoch. */
  private PutResponse awaitNewPrimary(List<String> majority, long oldEpoch) {
    long startNanos = System.nanoTime();
    PutResponse[] first = new PutResponse[1];
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
      first[0] = put(majority.get(0), "first-after");
      return true;
    });
    System.out.printf("new primary %s accepted its first write %d ms after the fault%n",
        first[0].getVersion().getCommittedByRegion(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    assertThat(first[0].getVersion().getCommittedByRegion()).isIn(majority);
    assertThat(first[0].getVersion().getEpoch()).isEqualTo(oldEpoch + 1);
    return first[0];
  }

  private void assertQuarantineIsExactlyTheMissingWrites(String old, FailoverAgents.Isolation isolation,
      String now, long newEpoch) {
    Map<String, PutResponse> byOldPrimary = isolation.acknowledged();
    Set<String> missing = new TreeSet<>();
    for (Map.Entry<String, PutResponse> ack : byOldPrimary.entrySet()) {
      GetResponse read = get(now, ack.getKey());
      if (!read.getFound() || !read.getVersion().equals(ack.getValue().getVersion())) {
        missing.add(ack.getKey());
      }
    }
    Set<String> quarantined = ControlGrpc.newBlockingStub(agents.channel(old)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .listQuarantine(ListQuarantineRequest.newBuilder().setDataset(ORDERS).build()).getChangesList().stream()
        // This failover's quarantine only: a slow start may have failed over once before the test.
        .filter(change -> change.getFailoverEpoch() == newEpoch)
        .map(QuarantinedChange::getChange).map(change -> change.getKey().toStringUtf8())
        .collect(Collectors.toCollection(TreeSet::new));
    System.out.printf("old primary acknowledged %d writes while cut off; %d missing at the new primary, %d quarantined%n",
        byOldPrimary.size(), missing.size(), quarantined.size());
    assertThat(isolation.withoutUnanswered(quarantined))
        .as("writes missing after the failover are exactly the quarantined ones (unanswered: %s)",
            isolation.unanswered())
        .isEqualTo(missing);
  }

  /** Every agent applied the same epoch and log end. */
  private void awaitConverged() {
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
      List<DatasetFailoverView> views = REGIONS.stream().map(failover::view).toList();
      assertThat(views.stream().map(DatasetFailoverView::getEpoch).distinct()).as("epochs " + views).hasSize(1);
      assertThat(views.stream().map(DatasetFailoverView::getLastSequence).distinct()).as("log ends " + views).hasSize(1);
    });
  }

  /** Writes the configurations, starts the agents and returns the primary once it accepts writes. */
  private String startAllAndWaitForAPrimary() throws Exception {
    failover.writeConfigs(new DatasetConfig(ORDERS, ReplicationMode.ASYNC, REGIONS, "a", 0,
        FsyncPolicy.OPERATING_SYSTEM, 1, POLICY));
    return failover.startAllAndWaitForAPrimary(ORDERS);
  }

  private static PutRequest request(String key) {
    return PutRequest.newBuilder().setDataset(ORDERS).setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8("v-" + key)).build();
  }

  private PutResponse put(String region, String key) {
    return failover.put(region, ORDERS, key);
  }

  /**
   * Writes until acknowledged: a new primary on a loaded 2-core machine may lose its lease for a
   * moment when a reply is late, and refuses (safely) meanwhile.
   */
  private void putEventually(String region, String key) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
        .until(() -> put(region, key) != null);
  }

  private GetResponse get(String region, String key) {
    return failover.get(region, ORDERS, key);
  }
}

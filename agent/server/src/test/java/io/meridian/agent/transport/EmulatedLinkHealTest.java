package io.meridian.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.CutLinkRequest;
import io.meridian.agent.api.v1.HealLinkRequest;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.config.LinkEmulation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves a replica catches up after its emulated WAN link to the primary is cut on both ends
// under load and healed (replica end first, so its first reconnect is refused), with agents wired
// as in production: Netty on loopback, gzip, threaded executors, the wall clock and the agent's
// own ticking. Guards against the live-view freeze (connected, not cut, nothing arriving); it did
// not reproduce that freeze on today's build.
class EmulatedLinkHealTest {
  private static final String ORDERS = LoopbackAgents.ORDERS;

  @TempDir
  Path dataDirectory;

  private LoopbackAgents agents;

  @AfterEach
  void stopAgents() {
    if (agents != null) {
      agents.close();
    }
  }

  @Test
  void replicaCatchesUpAfterALinkCutOnBothEndsUnderLoadHeals() throws Exception {
    agents = new LoopbackAgents(dataDirectory, List.of("a", "b", "c"));
    agents.start(new LinkEmulation(100, 5, 0, 0), (region, address, channel) -> channel);
    KvGrpc.KvBlockingStub kv = KvGrpc.newBlockingStub(agents.channel("a"));
    ControlGrpc.ControlBlockingStub controlA = ControlGrpc.newBlockingStub(agents.channel("a"));
    ControlGrpc.ControlBlockingStub controlB = ControlGrpc.newBlockingStub(agents.channel("b"));
    // A replica more than 100 ms behind (easily, over 100 ms links on a loaded machine) makes the
    // primary push back (ADR 0041): the writer retries, as clients are told to.
    LoopbackAgents.putRetryingPushback(kv, 0, 3_000, i -> {
      if (i == 500) {
        controlA.cutLink(CutLinkRequest.newBuilder().setPeerRegion("b").build());
        controlB.cutLink(CutLinkRequest.newBuilder().setPeerRegion("a").build());
      } else if (i == 2_000) {
        controlB.healLink(HealLinkRequest.newBuilder().setPeerRegion("a").build());
        controlA.healLink(HealLinkRequest.newBuilder().setPeerRegion("b").build());
      }
    });
    long head = agents.store("a").lastSequence(ORDERS);
    // Catching up goes through the emulated 100 ms links after a reconnect: generous for a loaded box.
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(agents.store("b").lastSequence(ORDERS)).as("b's log after the heal (a's ends at %d)", head)
            .isEqualTo(head));
  }
}

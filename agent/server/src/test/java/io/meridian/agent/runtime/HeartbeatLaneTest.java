package io.meridian.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.PeerMessage;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

// Issue 7: a primary flooded with client writes beyond what it can serve keeps its write lease,
// because heartbeats, their replies and ticks overtake the queued writes on the logical thread;
// and it still loses the lease when its replicas really stop answering. Deterministic: a manual
// clock that advances by a seeded cost per write, and replicas played by the test.
class HeartbeatLaneTest {
  private static final List<String> REGIONS = List.of("a", "b", "c");
  private static final long DETECTION_TIMEOUT_MILLIS = 3_000; // As in samples/global-async.yaml.
  private static final int WRITES = 6_000; // At 1–2 ms each, 9 s of work: three leases' worth.
  private static final long TICK_EVERY_MILLIS = 50;

  /** One flood: what the clients were told and what the primary reported about its lease. */
  private record Flood(List<ClientResult> results, List<ReplicationEvent.LeaseChanged> leaseChanges, long endMillis) {
    long committed() {
      return results.stream().filter(ClientResult.Committed.class::isInstance).count();
    }
  }

  private static AgentConfig primaryConfig() {
    DatasetConfig dataset = new DatasetConfig("d", ReplicationMode.ASYNC, REGIONS, "a", 0,
        FsyncPolicy.OPERATING_SYSTEM, 1, new FailoverPolicy(true, DETECTION_TIMEOUT_MILLIS, 100));
    List<PeerConfig> peers = List.of(new PeerConfig("b", "localhost:1", LinkEmulation.NONE),
        new PeerConfig("c", "localhost:1", LinkEmulation.NONE));
    return new AgentConfig("a", peers, List.of(dataset), ReplicationBounds.DEFAULTS);
  }

  /**
   * Offers {@link #WRITES} writes at once to primary a. Every write costs the logical thread a
   * seeded 1–2 ms of the manual clock; a timer (the test) asks for a tick every
   * {@link #TICK_EVERY_MILLIS} ms of that clock, from inside the flood as a scheduler thread would;
   * replicas b and c answer each heartbeat at once while {@code replicasAnswer}.
   */
  private static Flood flood(long seed, boolean replicasAnswer) {
    Random random = new Random(seed);
    long[] now = {10_000};
    AgentRuntime runtime = new AgentRuntime(primaryConfig(), new InMemoryReplicaStore(), () -> now[0]);
    List<ReplicationEvent.LeaseChanged> leaseChanges = new ArrayList<>();
    runtime.addListener(event -> {
      if (event instanceof ReplicationEvent.LeaseChanged changed) {
        leaseChanges.add(changed);
      }
    });
    boolean[] answering = {true};
    runtime.attach(new PeerSender() {
      @Override
      public void send(String peer, PeerMessage message) {
        if (answering[0] && message instanceof PeerMessage.Heartbeat heartbeat) {
          runtime.deliver(new Input.PeerMessageReceived(peer, new PeerMessage.HeartbeatReply(
              heartbeat.dataset(), heartbeat.epoch(), heartbeat.sentAtMillis(), 0)));
        }
      }

      @Override
      public void disconnect(String peer, String dataset, String reason) {}
    });
    runtime.deliver(new Input.PeerConnected("b", "d"));
    runtime.deliver(new Input.PeerConnected("c", "d"));
    runtime.tick(); // Heartbeats out, replies in: the lease is held before the flood.
    assertThat(leaseChanges).as("seed %d: lease before the flood", seed)
        .extracting(ReplicationEvent.LeaseChanged::held).containsExactly(true);
    answering[0] = replicasAnswer;

    List<ClientResult> results = new ArrayList<>();
    long[] nextTickAt = {now[0] + TICK_EVERY_MILLIS};
    Consumer<ClientResult> client = result -> {
      results.add(result);
      now[0] += 1 + random.nextInt(2);
      if (now[0] >= nextTickAt[0]) {
        nextTickAt[0] = now[0] + TICK_EVERY_MILLIS;
        runtime.tick();
      }
    };
    // Submitted from the logical thread, so every write is queued before the first one runs:
    // the backlog a client offering 3x capacity builds up.
    runtime.execute(() -> {
      for (int i = 0; i < WRITES; i++) {
        runtime.submit("d", new ClientOperation.Put(Bytes.ofUtf8("k" + i), Bytes.ofUtf8("v")), client);
      }
    });
    return new Flood(results, leaseChanges, now[0]);
  }

  @Test
  void aPrimaryFloodedBeyondCapacityKeepsItsLease() {
    for (long seed = 1; seed <= 5; seed++) {
      Flood flood = flood(seed, true);

      assertThat(flood.results()).as("seed %d", seed).hasSize(WRITES);
      assertThat(flood.endMillis() - 10_000).as("seed %d: the flood outlasts the lease", seed)
          .isGreaterThan(2 * DETECTION_TIMEOUT_MILLIS);
      assertThat(flood.leaseChanges()).as("seed %d: lease changes", seed)
          .extracting(ReplicationEvent.LeaseChanged::held).containsExactly(true);
      assertThat(flood.committed()).as("seed %d: committed writes", seed).isEqualTo(WRITES);
    }
  }

  @Test
  void aFloodedPrimaryStillLosesItsLeaseWhenReplicasStopAnswering() {
    for (long seed = 1; seed <= 5; seed++) {
      Flood flood = flood(seed, false);

      assertThat(flood.leaseChanges()).as("seed %d: lease changes", seed)
          .extracting(ReplicationEvent.LeaseChanged::held).containsExactly(true, false);
      // Writes stop within a tick of the lease running out, with a reason the client can act on.
      assertThat(flood.committed()).as("seed %d: committed writes", seed)
          .isLessThan(WRITES).isGreaterThan((int) (DETECTION_TIMEOUT_MILLIS / 2) - 1);
      ClientResult last = flood.results().get(WRITES - 1);
      assertThat(last).as("seed %d", seed).isInstanceOf(ClientResult.Failed.class);
      assertThat(((ClientResult.Failed) last).message()).contains("accepts no writes").contains("retry");
    }
  }
}

package io.meridian.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.meridian.agent.Agent;
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
import io.meridian.agent.core.replication.DatasetStatus;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

// Issue 7 / ADR 0019, over real gRPC (in-process): while a replica reads its data stream no more
// (its data connection is frozen), the primary's changes wait in the primary's own bounded queue
// and log rather than in gRPC's buffers, and heartbeats and their replies still flow on the
// heartbeat lane, so the primary keeps its write lease for four leases. Frozen the same way with
// the lane stuck behind the data (as when both shared one stream), the lease lapses.
// When the connection thaws, the replica catches up on every change.
class HeartbeatLaneTransportTest {
  private static final AtomicInteger UNIQUE = new AtomicInteger();
  private static final List<String> REGIONS = List.of("a", "b"); // A majority of two needs b: a lease b cannot grant lapses.
  private static final long LEASE_MILLIS = 1_000;
  private static final int WRITES = 3_000;

  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final Map<String, Agent> agents = new TreeMap<>();
  private final List<ReplicationEvent.LeaseChanged> leaseChanges = new CopyOnWriteArrayList<>();
  private ScheduledExecutorService scheduler;

  /** Runs tasks in order, or holds them while frozen: a connection whose reader stopped. */
  private static final class Gate implements Executor {
    private final ArrayDeque<Runnable> held = new ArrayDeque<>();
    private boolean frozen;

    @Override
    public void execute(Runnable task) {
      synchronized (this) {
        if (frozen || !held.isEmpty()) {
          held.add(task);
          return;
        }
      }
      task.run();
    }

    synchronized void freeze() {
      frozen = true;
    }

    void thaw() {
      synchronized (this) {
        frozen = false;
      }
      while (true) {
        Runnable next;
        synchronized (this) {
          next = held.poll();
        }
        if (next == null) {
          return;
        }
        next.run();
      }
    }
  }

  @AfterEach
  void stop() {
    agents.values().forEach(Agent::close);
    scheduler.shutdownNow();
  }

  /**
   * Starts a (primary) and b; b's first channel to a (its data connection) runs on {@code
   * dataGate}, and its second (the heartbeat lane's) on {@code laneGate}.
   */
  private void start(Gate dataGate, Gate laneGate) {
    scheduler = Executors.newScheduledThreadPool(1);
    String prefix = "lane-" + UNIQUE.incrementAndGet() + "-";
    ReplicationBounds bounds = new ReplicationBounds(64, 16 << 10, 0, 1024, 100, 60_000, 60_000, 2_000, 2_000,
        1_000, 1_000, 1_000, 1024, 1 << 20);
    for (String region : REGIONS) {
      List<PeerConfig> peers = new ArrayList<>();
      for (String peer : REGIONS) {
        if (!peer.equals(region)) {
          peers.add(new PeerConfig(peer, prefix + peer, LinkEmulation.NONE));
        }
      }
      AgentConfig config = new AgentConfig(region, peers, List.of(new DatasetConfig("d", ReplicationMode.ASYNC,
          REGIONS, "a", 0, FsyncPolicy.OPERATING_SYSTEM, 1, null, null,
          new FailoverPolicy(true, LEASE_MILLIS, 100))), bounds);
      int[] channelsToA = {0};
      Agent agent = Agent.start(config, new InMemoryReplicaStore(),
          InProcessServerBuilder.forName(prefix + region).directExecutor(),
          address -> {
            InProcessChannelBuilder builder = InProcessChannelBuilder.forName(address);
            if (region.equals("b") && address.equals(prefix + "a")) {
              builder.executor(channelsToA[0]++ == 0 ? dataGate : laneGate);
            } else {
              builder.directExecutor();
            }
            return builder.build();
          },
          clock::get, scheduler, 0, new PrometheusRegistry(), () -> 0);
      agents.put(region, agent);
    }
    agents.get("a").runtime().addListener(event -> {
      if (event instanceof ReplicationEvent.LeaseChanged changed) {
        leaseChanges.add(changed);
      }
    });
  }

  private void tickAll() {
    agents.values().forEach(agent -> agent.runtime().tick());
  }

  /** Freezes b's data connection, writes at a and lets four leases pass in 50 ms ticks. */
  private void floodWhileFrozen(Gate dataGate) {
    await().atMost(Duration.ofSeconds(30)).until(() -> agents.get("b").transport().heartbeatLaneOpen("a", "d")
        && agents.get("a").transport().heartbeatLaneOpen("b", "d"));
    for (int i = 0; i < 10; i++) {
      clock.addAndGet(50);
      tickAll();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> leaseChanges.stream().anyMatch(c -> c.held()));
    dataGate.freeze();
    AtomicInteger answered = new AtomicInteger();
    for (int i = 0; i < WRITES; i++) {
      agents.get("a").runtime().submit("d", new ClientOperation.Put(Bytes.ofUtf8("k" + i),
          Bytes.ofUtf8("v".repeat(200))), result -> answered.incrementAndGet());
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> answered.get() == WRITES);
    for (int i = 0; i < 4 * LEASE_MILLIS / 50; i++) {
      clock.addAndGet(50);
      tickAll();
    }
  }

  private long appliedAt(String region) {
    return agents.get(region).runtime().status().stream().filter(s -> s.dataset().equals("d"))
        .mapToLong(DatasetStatus::lastSequence).findFirst().orElseThrow();
  }

  @Test
  void heartbeatsOnTheirLaneKeepTheLeaseWhileDataIsHeldBackByFlowControl() {
    Gate dataGate = new Gate();
    Gate laneGate = new Gate();
    start(dataGate, laneGate);
    floodWhileFrozen(dataGate);

    assertThat(leaseChanges).extracting(ReplicationEvent.LeaseChanged::held).containsExactly(true);
    // The backlog for b waits in a's own queue, bounded by the core's send window, not in gRPC.
    long pending = agents.get("a").transport().pendingFrameBytes("b", "d");
    assertThat(pending).isPositive();
    assertThat(pending).isLessThanOrEqualTo(2 * ReplicationBoundsWindow.bytes());

    dataGate.thaw();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      clock.addAndGet(50);
      tickAll();
      assertThat(appliedAt("b")).isEqualTo(WRITES);
    });
  }

  @Test
  void heartbeatsStuckBehindDataLetTheLeaseLapse() {
    Gate dataGate = new Gate();
    start(dataGate, dataGate); // The lane shares the frozen connection's reader.
    floodWhileFrozen(dataGate);

    assertThat(leaseChanges).extracting(ReplicationEvent.LeaseChanged::held).containsExactly(true, false);
    dataGate.thaw();
  }

  /** The send window in bytes of the bounds used here. */
  private static final class ReplicationBoundsWindow {
    static long bytes() {
      return 4L * (16 << 10);
    }
  }
}

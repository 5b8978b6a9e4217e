package io.meridian.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.meridian.agent.api.v1.WatchEvent;
import io.meridian.agent.api.v1.WatchRequest;
import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import io.meridian.agent.runtime.AgentRuntime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

// Proves a watcher that stops reading costs the agent a bounded buffer: discrete events wait in
// order up to a limit, the oldest beyond it are dropped, and the rest arrive once it reads again.
class WatchBufferTest {
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  @Test
  void slowWatcherGetsTheNewestEventsInOrderAndTheAgentHoldsAtMostTheBound() {
    AgentConfig config = new AgentConfig("a", List.of(), List.of(DatasetConfig.allReplicas("d",
        ReplicationMode.ASYNC, List.of("a"), "a", FsyncPolicy.OPERATING_SYSTEM)), ReplicationBounds.DEFAULTS);
    AgentRuntime runtime = new AgentRuntime(config, new InMemoryReplicaStore(), () -> 1_000);
    PeerTransport transport = new PeerTransport(runtime, address -> (ManagedChannel) null, scheduler, 200);
    WatchService service = new WatchService(runtime, transport, scheduler, () -> 1_000);
    SlowWatcher watcher = new SlowWatcher();
    service.watch(WatchRequest.newBuilder().setSnapshotIntervalMillis(60_000).build(), watcher);
    // Listeners run in order: once this one (added after the watcher's) saw every event, so did
    // the watcher. publish() runs them on the runtime's logical thread, which may be the
    // scheduler's while it takes the first snapshot.
    AtomicInteger published = new AtomicInteger();
    runtime.addListener(event -> published.incrementAndGet());
    int events = WatchService.EVENTS_BUFFERED_MAX + 500;

    for (int i = 0; i < events; i++) {
      runtime.publish(new ReplicationEvent.PeerDown("b" + i, "d", "test"));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> published.get() == events);
    int whileNotReading;
    synchronized (watcher) {
      whileNotReading = watcher.received.size();
    }
    watcher.ready = true;
    watcher.onReady.run();

    // The first snapshot may still arrive, on the scheduler's thread, while this one reads.
    List<WatchEvent> peerDowns;
    synchronized (watcher) {
      peerDowns = watcher.received.stream().filter(WatchEvent::hasPeerDown).toList();
    }
    assertThat(whileNotReading).isLessThanOrEqualTo(1); // at most the first snapshot
    assertThat(peerDowns).hasSize(WatchService.EVENTS_BUFFERED_MAX);
    assertThat(peerDowns.get(0).getPeerDown().getPeerRegion()).isEqualTo("b500");
    assertThat(peerDowns.get(peerDowns.size() - 1).getPeerDown().getPeerRegion()).isEqualTo("b" + (events - 1));
  }
}

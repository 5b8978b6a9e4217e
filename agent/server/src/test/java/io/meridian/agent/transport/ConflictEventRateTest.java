package io.meridian.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.meridian.agent.api.v1.WatchEvent;
import io.meridian.agent.api.v1.WatchRequest;
import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.clock.HlcTimestamp;
import io.meridian.agent.core.conflict.ConflictDetail;
import io.meridian.agent.core.conflict.Dot;
import io.meridian.agent.core.conflict.Stamp;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import io.meridian.agent.runtime.AgentRuntime;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

// Proves a flood of conflicts costs a watcher a bounded number of conflict events per dataset and
// second, that the next streamed conflict says how many were not streamed, and that the
// conflicts metric still counts every one (ADR 0027).
class ConflictEventRateTest {
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  private static ReplicationEvent.Conflict conflict(String dataset, int i) {
    ConflictDetail.VersionInfo winner = new ConflictDetail.VersionInfo(
        new Stamp(new Dot("a", i + 1), new HlcTimestamp(1_000 + i, 0)), Bytes.ofUtf8("new"), false);
    ConflictDetail.VersionInfo loser = new ConflictDetail.VersionInfo(
        new Stamp(new Dot("b", i + 1), new HlcTimestamp(999 + i, 0)), Bytes.ofUtf8("old"), false);
    return new ReplicationEvent.Conflict(dataset, Bytes.ofUtf8("k" + i), ConflictResolution.LWW,
        new ConflictDetail(List.of(winner, loser), Optional.of(winner), List.of(loser)));
  }

  @Test
  void aConflictFloodStreamsABoundedNumberPerSecondAndTheMetricCountsEveryOne() {
    AgentConfig config = new AgentConfig("a",
        List.of(new PeerConfig("b", "localhost:0", LinkEmulation.NONE)), List.of(DatasetConfig.multiPrimary("carts", List.of("a", "b"),
        ConflictResolution.LWW, FsyncPolicy.OPERATING_SYSTEM, List.of())), ReplicationBounds.DEFAULTS);
    AtomicLong wallClock = new AtomicLong(10_000);
    AgentRuntime runtime = new AgentRuntime(config, new InMemoryReplicaStore(), wallClock::get);
    PeerTransport transport = new PeerTransport(runtime, address -> (ManagedChannel) null, scheduler, 200);
    WatchService service = new WatchService(runtime, transport, scheduler, wallClock::get);
    SlowWatcher watcher = new SlowWatcher();
    watcher.ready = true;
    service.watch(WatchRequest.newBuilder().setSnapshotIntervalMillis(60_000).build(), watcher);
    // Registered after the watcher: listeners run in order, so a counted conflict was also seen
    // by the watcher.
    PrometheusRegistry registry = new PrometheusRegistry();
    io.meridian.agent.metrics.AgentMetrics.register(registry, runtime, () -> 0);
    int flood = 3_000;

    for (int i = 0; i < flood; i++) {
      runtime.report(conflict("carts", i));
    }
    // report() runs the listeners on the runtime's logical thread: inline here, unless another
    // thread (the watch's first snapshot on the scheduler) is on it at that moment. The clock
    // moves on only once every conflict of the first second has been seen.
    await().atMost(Duration.ofSeconds(10)).until(() -> countedConflicts(registry) == flood);
    wallClock.addAndGet(1_000);
    runtime.report(conflict("carts", flood));
    await().atMost(Duration.ofSeconds(10)).until(() -> countedConflicts(registry) == flood + 1);

    List<WatchEvent> conflicts;
    synchronized (watcher) {
      conflicts = watcher.received.stream().filter(WatchEvent::hasConflict).toList();
    }
    int max = WatchService.CONFLICT_EVENTS_PER_SECOND_MAX;
    assertThat(conflicts).hasSize(max + 1);
    assertThat(conflicts.get(0).getConflict().getKey().toStringUtf8()).isEqualTo("k0");
    assertThat(conflicts.get(0).getConflict().getDiscarded(0).getValue().toStringUtf8()).isEqualTo("old");
    assertThat(conflicts.subList(0, max)).allMatch(event -> event.getConflict().getNotStreamedBefore() == 0);
    WatchEvent afterTheSecond = conflicts.get(max);
    assertThat(afterTheSecond.getConflict().getKey().toStringUtf8()).isEqualTo("k" + flood);
    assertThat(afterTheSecond.getConflict().getNotStreamedBefore()).isEqualTo(flood - max);
    assertThat(countedConflicts(registry)).isEqualTo(flood + 1);
  }

  private static double countedConflicts(PrometheusRegistry registry) {
    return registry.scrape().stream()
        .filter(snapshot -> snapshot.getMetadata().getPrometheusName().equals("meridian_conflicts"))
        .flatMap(snapshot -> ((CounterSnapshot) snapshot).getDataPoints().stream())
        .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
  }
}

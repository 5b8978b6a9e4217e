package io.meridian.agent.transport;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.meridian.agent.api.v1.DatasetStatus;
import io.meridian.agent.api.v1.LinkCut;
import io.meridian.agent.api.v1.LinkHealed;
import io.meridian.agent.api.v1.PeerDown;
import io.meridian.agent.api.v1.PeerUp;
import io.meridian.agent.api.v1.ProtocolViolation;
import io.meridian.agent.api.v1.Snapshot;
import io.meridian.agent.api.v1.StaleEpochRejected;
import io.meridian.agent.api.v1.SyncAckTimeout;
import io.meridian.agent.api.v1.WatchEvent;
import io.meridian.agent.api.v1.WatchGrpc;
import io.meridian.agent.api.v1.WatchRequest;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.runtime.AgentRuntime;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The live event stream: periodic snapshots and discrete events, per watcher. */
public final class WatchService extends WatchGrpc.WatchImplBase {
  private static final Logger log = LoggerFactory.getLogger(WatchService.class);

  /** Snapshot interval when the watcher asks for none. */
  public static final long SNAPSHOT_INTERVAL_MILLIS_DEFAULT = 500;
  /** Shortest snapshot interval served. */
  public static final long SNAPSHOT_INTERVAL_MILLIS_MIN = 100;
  /**
   * Most discrete events held for one watcher that is not reading; beyond it the oldest are
   * dropped (and logged), so a slow watcher never makes the agent buffer without bound.
   */
  public static final int EVENTS_BUFFERED_MAX = 1024;
  /**
   * Most conflict events streamed to one watcher per dataset and second (ADR 0027). A contended
   * multi-primary load detects thousands of conflicts a second; each would be a message built,
   * buffered and sent per watcher, and more than a person can read. The rest are counted and the
   * next streamed conflict says how many were skipped ({@code not_streamed_before});
   * {@code meridian_conflicts_total} counts every one.
   */
  public static final int CONFLICT_EVENTS_PER_SECOND_MAX = 50;

  private final AgentRuntime runtime;
  private final PeerTransport transport;
  private final ScheduledExecutorService scheduler;
  private final LongSupplier wallClockMillis;

  /** A watch service over {@code runtime} and {@code transport}. */
  public WatchService(AgentRuntime runtime, PeerTransport transport, ScheduledExecutorService scheduler,
      LongSupplier wallClockMillis) {
    this.runtime = runtime;
    this.transport = transport;
    this.scheduler = scheduler;
    this.wallClockMillis = wallClockMillis;
  }

  @Override
  public void watch(WatchRequest request, StreamObserver<WatchEvent> responseObserver) {
    ServerCallStreamObserver<WatchEvent> observer = (ServerCallStreamObserver<WatchEvent>) responseObserver;
    long interval = request.getSnapshotIntervalMillis() == 0 ? SNAPSHOT_INTERVAL_MILLIS_DEFAULT
        : Math.max(SNAPSHOT_INTERVAL_MILLIS_MIN, request.getSnapshotIntervalMillis());
    Watcher watcher = new Watcher(observer, new StatusMapper(wallClockMillis, transport));
    runtime.addListener(watcher.replicationListener);
    transport.addLinkListener(watcher.linkListener);
    observer.setOnReadyHandler(watcher::drain);
    ScheduledFuture<?> snapshots = scheduler.scheduleAtFixedRate(watcher::snapshot, 0, interval, TimeUnit.MILLISECONDS);
    observer.setOnCancelHandler(() -> {
      snapshots.cancel(false);
      runtime.removeListener(watcher.replicationListener);
      transport.removeLinkListener(watcher.linkListener);
    });
  }

  private final class Watcher {
    private final ServerCallStreamObserver<WatchEvent> observer;
    private final StatusMapper mapper;
    // Discrete events waiting for the watcher to read; guarded by this.
    private final ArrayDeque<WatchEvent> held = new ArrayDeque<>();
    private long dropped;
    final Consumer<ReplicationEvent> replicationListener = this::onReplicationEvent;
    final Consumer<LinkChange> linkListener = this::onLinkChange;

    Watcher(ServerCallStreamObserver<WatchEvent> observer, StatusMapper mapper) {
      this.observer = observer;
      this.mapper = mapper;
    }

    private WatchEvent.Builder event() {
      return WatchEvent.newBuilder().setAtMillis(wallClockMillis.getAsLong()).setRegion(runtime.config().region());
    }

    void snapshot() {
      Snapshot.Builder snapshot = Snapshot.newBuilder();
      for (DatasetStatus dataset : mapper.datasets(runtime.status())) {
        snapshot.addAllLinks(dataset.getPeersList());
      }
      send(event().setSnapshot(snapshot).build(), true);
    }

    void onLinkChange(LinkChange change) {
      WatchEvent.Builder event = event();
      if (change.cut()) {
        event.setLinkCut(LinkCut.newBuilder().setPeerRegion(change.peer()));
      } else {
        event.setLinkHealed(LinkHealed.newBuilder().setPeerRegion(change.peer()));
      }
      send(event.build(), false);
    }

    // Per dataset: the second (wall clock) conflicts are being counted in, how many were
    // streamed in it, and how many were not streamed since the last one that was; guarded by this.
    private final java.util.Map<String, long[]> conflictWindows = new java.util.HashMap<>();

    /** Whether this conflict is streamed; otherwise it is counted for the next one that is. */
    private synchronized long admitConflict(String dataset, long nowMillis) {
      long[] window = conflictWindows.computeIfAbsent(dataset, d -> new long[] {Long.MIN_VALUE, 0, 0});
      long second = Math.floorDiv(nowMillis, 1000);
      if (window[0] != second) {
        window[0] = second;
        window[1] = 0;
      }
      if (window[1] >= CONFLICT_EVENTS_PER_SECOND_MAX) {
        window[2]++;
        return -1;
      }
      window[1]++;
      long skipped = window[2];
      window[2] = 0;
      return skipped;
    }

    void onReplicationEvent(ReplicationEvent replicationEvent) {
      long notStreamedBefore = 0;
      if (replicationEvent instanceof ReplicationEvent.Conflict) {
        notStreamedBefore = admitConflict(((ReplicationEvent.Conflict) replicationEvent).dataset(),
            wallClockMillis.getAsLong());
        if (notStreamedBefore < 0) {
          return;
        }
      }
      WatchEvent.Builder event = event();
      if (replicationEvent instanceof ReplicationEvent.PeerUp) {
        ReplicationEvent.PeerUp up = (ReplicationEvent.PeerUp) replicationEvent;
        event.setPeerUp(PeerUp.newBuilder().setPeerRegion(up.peer()).setDataset(up.dataset()));
      } else if (replicationEvent instanceof ReplicationEvent.PeerDown) {
        ReplicationEvent.PeerDown down = (ReplicationEvent.PeerDown) replicationEvent;
        event.setPeerDown(PeerDown.newBuilder().setPeerRegion(down.peer()).setDataset(down.dataset())
            .setReason(String.valueOf(down.reason())));
      } else if (replicationEvent instanceof ReplicationEvent.ProtocolViolation) {
        ReplicationEvent.ProtocolViolation violation = (ReplicationEvent.ProtocolViolation) replicationEvent;
        event.setProtocolViolation(ProtocolViolation.newBuilder().setPeerRegion(violation.peer())
            .setDataset(violation.dataset()).setDetail(violation.detail()));
      } else if (replicationEvent instanceof ReplicationEvent.SyncAckTimeout) {
        ReplicationEvent.SyncAckTimeout timeout = (ReplicationEvent.SyncAckTimeout) replicationEvent;
        event.setSyncAckTimeout(SyncAckTimeout.newBuilder().setDataset(timeout.dataset())
            .setSequence(timeout.sequence()).setAcknowledged(timeout.acknowledged()).setRequired(timeout.required()));
      } else if (replicationEvent instanceof ReplicationEvent.StaleEpochRejected) {
        ReplicationEvent.StaleEpochRejected stale = (ReplicationEvent.StaleEpochRejected) replicationEvent;
        event.setStaleEpochRejected(StaleEpochRejected.newBuilder().setPeerRegion(stale.peer())
            .setDataset(stale.dataset()).setReceivedEpoch(stale.receivedEpoch()).setCurrentEpoch(stale.currentEpoch()));
      } else if (replicationEvent instanceof ReplicationEvent.PrimaryChanged) {
        ReplicationEvent.PrimaryChanged changed = (ReplicationEvent.PrimaryChanged) replicationEvent;
        event.setPrimaryChanged(io.meridian.agent.api.v1.PrimaryChanged.newBuilder().setDataset(changed.dataset())
            .setEpoch(changed.epoch()).setPrimaryRegion(changed.primary()).setStartSequence(changed.startSequence())
            .setRole(StatusMapper.toProto(changed.role()))
            .setLackingWritesKnown(changed.lackingWritesKnown()));
      } else if (replicationEvent instanceof ReplicationEvent.WritesQuarantined) {
        ReplicationEvent.WritesQuarantined quarantined = (ReplicationEvent.WritesQuarantined) replicationEvent;
        event.setWritesQuarantined(io.meridian.agent.api.v1.WritesQuarantined.newBuilder()
            .setDataset(quarantined.dataset()).setFailoverEpoch(quarantined.epoch())
            .setFirstSequence(quarantined.firstSequence()).setLastSequence(quarantined.lastSequence())
            .setCount(quarantined.count()).setFirstCommitMillis(quarantined.firstCommitMillis())
            .setLastCommitMillis(quarantined.lastCommitMillis()));
      } else if (replicationEvent instanceof ReplicationEvent.LeaseChanged) {
        ReplicationEvent.LeaseChanged lease = (ReplicationEvent.LeaseChanged) replicationEvent;
        event.setLeaseChanged(io.meridian.agent.api.v1.LeaseChanged.newBuilder().setDataset(lease.dataset())
            .setEpoch(lease.epoch()).setHeld(lease.held()).setDetail(lease.detail()));
      } else if (replicationEvent instanceof ReplicationEvent.SwitchoverReady) {
        ReplicationEvent.SwitchoverReady ready = (ReplicationEvent.SwitchoverReady) replicationEvent;
        event.setSwitchoverFinished(io.meridian.agent.api.v1.SwitchoverFinished.newBuilder()
            .setDataset(ready.dataset()).setTargetRegion(ready.target()).setReady(true));
      } else if (replicationEvent instanceof ReplicationEvent.SwitchoverFailed) {
        ReplicationEvent.SwitchoverFailed failed = (ReplicationEvent.SwitchoverFailed) replicationEvent;
        event.setSwitchoverFinished(io.meridian.agent.api.v1.SwitchoverFinished.newBuilder()
            .setDataset(failed.dataset()).setTargetRegion(failed.target()).setReady(false).setReason(failed.reason()));
      } else if (replicationEvent instanceof ReplicationEvent.HealthChanged) {
        ReplicationEvent.HealthChanged health = (ReplicationEvent.HealthChanged) replicationEvent;
        event.setHealthChanged(io.meridian.agent.api.v1.HealthChanged.newBuilder().setPeerRegion(health.peer())
            .setHealth(io.meridian.agent.api.v1.RegionHealth.valueOf("REGION_HEALTH_" + health.to().name()))
            .setPhi(Math.min(health.phi(), 1e9)));
      } else if (replicationEvent instanceof ReplicationEvent.RepairStarted started) {
        event.setRepairStarted(io.meridian.agent.api.v1.RepairStarted.newBuilder().setDataset(started.dataset())
            .setPeerRegion(started.peer()).setSession(started.session()));
      } else if (replicationEvent instanceof ReplicationEvent.RepairFinished finished) {
        event.setRepairFinished(io.meridian.agent.api.v1.RepairFinished.newBuilder().setDataset(finished.dataset())
            .setPeerRegion(finished.peer()).setSession(finished.session())
            .setRangesCompared(finished.rangesCompared()).setKeysRepaired(finished.keysRepaired())
            .setBytesSent(finished.bytesSent()).setDurationMillis(finished.durationMillis())
            .setError(finished.error()));
      } else if (replicationEvent instanceof ReplicationEvent.ProbeMeasured measured) {
        event.setProbeMeasured(io.meridian.agent.api.v1.ProbeMeasured.newBuilder().setDataset(measured.dataset())
            .setSourceRegion(measured.source()).setTargetRegion(measured.target()).setProbe(measured.probe())
            .setVisibilityMillis(measured.visibilityNanos() / 1e6));
      } else if (replicationEvent instanceof ReplicationEvent.ProbeViolated violated) {
        event.setProbeViolation(io.meridian.agent.api.v1.ProbeViolation.newBuilder().setDataset(violated.dataset())
            .setSourceRegion(violated.source()).setTargetRegion(violated.target()).setLevel(violated.level())
            .setExpectedAtLeast(violated.expectedAtLeast()).setObserved(violated.observed())
            .setDetail(violated.detail()));
      } else if (replicationEvent instanceof ReplicationEvent.ProbeUnseen unseen) {
        event.setProbeUnseen(io.meridian.agent.api.v1.ProbeUnseen.newBuilder().setDataset(unseen.dataset())
            .setSourceRegion(unseen.source()).setTargetRegion(unseen.target()).setProbe(unseen.probe())
            .setWaitedMillis(unseen.waitedMillis()).setReason(unseen.reason()));
      } else if (!ConflictEvents.describe(replicationEvent, event)) {
        return; // A kind this stream does not carry yet.
      }
      if (notStreamedBefore > 0) {
        event.getConflictBuilder().setNotStreamedBefore(notStreamedBefore);
      }
      send(event.build(), false);
    }

    // A watcher that stops reading loses snapshots (the next one supersedes them); discrete
    // events wait, in order, up to EVENTS_BUFFERED_MAX of them, and the oldest go beyond that.
    private synchronized void send(WatchEvent event, boolean droppable) {
      if (observer.isCancelled()) {
        return;
      }
      if (observer.isReady() && held.isEmpty()) {
        observer.onNext(event);
        return;
      }
      if (droppable) {
        return;
      }
      if (held.size() == EVENTS_BUFFERED_MAX) {
        held.pollFirst();
        if (dropped++ == 0) {
          log.warn("{}: a watcher is not reading; dropping its oldest events beyond {}",
              runtime.config().region(), EVENTS_BUFFERED_MAX);
        }
      }
      held.addLast(event);
    }

    // Called by gRPC when the watcher can take more.
    synchronized void drain() {
      while (!observer.isCancelled() && observer.isReady() && !held.isEmpty()) {
        observer.onNext(held.pollFirst());
      }
      if (held.isEmpty() && dropped > 0) {
        log.warn("{}: a slow watcher lost {} events", runtime.config().region(), dropped);
        dropped = 0;
      }
    }
  }
}

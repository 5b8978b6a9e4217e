package io.meridian.agent.transport;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.CutLinkRequest;
import io.meridian.agent.api.v1.CutLinkResponse;
import io.meridian.agent.api.v1.HealLinkRequest;
import io.meridian.agent.api.v1.HealLinkResponse;
import io.meridian.agent.api.v1.StatusRequest;
import io.meridian.agent.api.v1.StatusResponse;
import io.meridian.agent.api.v1.AbortSwitchoverRequest;
import io.meridian.agent.api.v1.AbortSwitchoverResponse;
import io.meridian.agent.api.v1.ApplyDecisionRequest;
import io.meridian.agent.api.v1.ApplyDecisionResponse;
import io.meridian.agent.api.v1.DatasetFailoverView;
import io.meridian.agent.api.v1.FailoverStatusRequest;
import io.meridian.agent.api.v1.FailoverStatusResponse;
import io.meridian.agent.api.v1.ListQuarantineRequest;
import io.meridian.agent.api.v1.ListQuarantineResponse;
import io.meridian.agent.api.v1.QuarantinedChange;
import io.meridian.agent.api.v1.Role;
import io.meridian.agent.api.v1.SwitchoverRequest;
import io.meridian.agent.api.v1.SwitchoverResponse;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.core.replication.FailoverView;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.runtime.AgentRuntime;
import io.meridian.agent.wire.WireMapping;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** Status, rehearsal and failover commands for one agent. */
public final class ControlService extends ControlGrpc.ControlImplBase {
  /** Reported as the agent's version. */
  public static final String AGENT_VERSION = "0.1.0";

  private final AgentRuntime runtime;
  private final PeerTransport transport;
  private final StatusMapper statusMapper;
  private final long startedAtMillis;

  /** A control service for {@code runtime}. */
  public ControlService(AgentRuntime runtime, PeerTransport transport, StatusMapper statusMapper, long startedAtMillis) {
    this.runtime = runtime;
    this.transport = transport;
    this.statusMapper = statusMapper;
    this.startedAtMillis = startedAtMillis;
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusResponse> responseObserver) {
    responseObserver.onNext(StatusResponse.newBuilder()
        .setRegion(runtime.config().region())
        .setAgentVersion(AGENT_VERSION)
        .setStartedAtMillis(startedAtMillis)
        .addAllDatasets(statusMapper.datasets(runtime.status()))
        .build());
    responseObserver.onCompleted();
  }

  @Override
  public void cutLink(CutLinkRequest request, StreamObserver<CutLinkResponse> responseObserver) {
    if (!knownPeer(request.getPeerRegion(), responseObserver)) {
      return;
    }
    responseObserver.onNext(CutLinkResponse.newBuilder().setChanged(transport.cut(request.getPeerRegion())).build());
    responseObserver.onCompleted();
  }

  @Override
  public void healLink(HealLinkRequest request, StreamObserver<HealLinkResponse> responseObserver) {
    if (!knownPeer(request.getPeerRegion(), responseObserver)) {
      return;
    }
    responseObserver.onNext(HealLinkResponse.newBuilder().setChanged(transport.heal(request.getPeerRegion())).build());
    responseObserver.onCompleted();
  }

  private boolean knownPeer(String peer, StreamObserver<?> responseObserver) {
    if (runtime.config().peer(peer).isPresent()) {
      return true;
    }
    responseObserver.onError(Status.NOT_FOUND.withDescription("region " + peer + " is not a peer of "
        + runtime.config().region() + "; its peers are "
        + runtime.config().peers().stream().map(p -> p.region()).toList()).asRuntimeException());
    return false;
  }

  // ---------------------------------------------------------------- failover (ADR 0009)

  /** Extra time a switchover call waits beyond its own timeout for the primary's verdict. */
  private static final long SWITCHOVER_ANSWER_GRACE_MILLIS = 5_000;

  @Override
  public void failoverStatus(FailoverStatusRequest request, StreamObserver<FailoverStatusResponse> responseObserver) {
    FailoverStatusResponse.Builder response = FailoverStatusResponse.newBuilder().setRegion(runtime.config().region());
    for (FailoverView view : runtime.failoverViews()) {
      response.addDatasets(DatasetFailoverView.newBuilder()
          .setDataset(view.dataset())
          .setEpoch(view.epoch())
          .setPrimaryRegion(view.primary())
          .setRole(StatusMapper.toProto(view.role()))
          .setLastSequence(view.lastSequence())
          .setLastEpochInLog(view.lastEpochInLog())
          .setLackingWritesKnown(view.lackingWritesKnown())
          .setAcceptingWrites(view.acceptingWrites())
          .setReleasesPrimary(view.releasesPrimary()));
    }
    responseObserver.onNext(response.build());
    responseObserver.onCompleted();
  }

  @Override
  public void applyDecision(ApplyDecisionRequest request, StreamObserver<ApplyDecisionResponse> responseObserver) {
    Optional<DatasetConfig> dataset = knownDataset(request.getDataset(), responseObserver);
    if (dataset.isEmpty()) {
      return;
    }
    if (!dataset.get().replicas().contains(request.getPrimaryRegion()) || request.getEpoch() < 1) {
      responseObserver.onError(Status.INVALID_ARGUMENT.withDescription("dataset " + request.getDataset()
          + ": a decision needs an epoch of at least 1 and a primary among its replicas "
          + dataset.get().replicas() + "; got epoch " + request.getEpoch() + " and primary '"
          + request.getPrimaryRegion() + "'").asRuntimeException());
      return;
    }
    Input.EpochDecided decision = new Input.EpochDecided(request.getDataset(), request.getEpoch(),
        request.getPrimaryRegion(), request.getStartSequence(), request.getPreviousPrimaryStopped());
    io.meridian.agent.failover.FailoverGroup group = failoverGroup;
    if (group != null && group.decides(request.getDataset())) {
      applyThroughGroup(group, decision, responseObserver);
      return;
    }
    AtomicLong quarantined = new AtomicLong();
    Consumer<ReplicationEvent> listener = event -> {
      if (event instanceof ReplicationEvent.WritesQuarantined
          && ((ReplicationEvent.WritesQuarantined) event).dataset().equals(request.getDataset())) {
        quarantined.addAndGet(((ReplicationEvent.WritesQuarantined) event).count());
      }
    };
    runtime.addListener(listener);
    try {
      runtime.deliver(new Input.EpochDecided(request.getDataset(), request.getEpoch(), request.getPrimaryRegion(),
          request.getStartSequence(), request.getPreviousPrimaryStopped()));
      // Once carried out, not merely stepped: the step's events may wait for a store sync on
      // the sync thread (ADR 0043), and the count must include them.
      CompletableFuture<Void> applied = new CompletableFuture<>();
      runtime.afterCarriedOut(() -> applied.complete(null));
      try {
        applied.get(AgentRuntime.ANSWER_WAIT_MILLIS_MAX, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        responseObserver.onError(Status.UNAVAILABLE.withDescription("region " + runtime.config().region()
            + " took the decision for " + request.getDataset() + " but did not carry it out within "
            + AgentRuntime.ANSWER_WAIT_MILLIS_MAX + " ms; read its status before deciding again").asRuntimeException());
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        responseObserver.onError(Status.CANCELLED.withDescription("interrupted").asRuntimeException());
        return;
      }
    } finally {
      runtime.removeListener(listener);
    }
    FailoverView view = runtime.failoverViews().stream()
        .filter(v -> v.dataset().equals(request.getDataset())).findFirst().orElseThrow();
    responseObserver.onNext(ApplyDecisionResponse.newBuilder().setEpoch(view.epoch())
        .setPrimaryRegion(view.primary()).setQuarantinedChanges(quarantined.get()).build());
    responseObserver.onCompleted();
  }

  /** How long an operator's decision committed through the failover group may take to apply here. */
  static final long GROUP_DECISION_WAIT_MILLIS = 10_000;

  private volatile io.meridian.agent.failover.FailoverGroup failoverGroup;

  /**
   * Commits operator decisions through {@code group} from now on (ADR 0016), so an operator's
   * failover and an automatic one, or two operators, cannot both win the same epoch.
   */
  public void useFailoverGroup(io.meridian.agent.failover.FailoverGroup group) {
    this.failoverGroup = group;
  }

  private volatile java.util.function.Supplier<io.meridian.agent.api.v1.ProbesResponse> probes;

  /** Answers {@code Probes} with what {@code figures} says (ADR 0022); without it, probes are off. */
  public void useProbes(java.util.function.Supplier<io.meridian.agent.api.v1.ProbesResponse> figures) {
    this.probes = figures;
  }

  @Override
  public void probes(io.meridian.agent.api.v1.ProbesRequest request,
      StreamObserver<io.meridian.agent.api.v1.ProbesResponse> responseObserver) {
    java.util.function.Supplier<io.meridian.agent.api.v1.ProbesResponse> figures = probes;
    responseObserver.onNext(figures == null ? io.meridian.agent.api.v1.ProbesResponse.newBuilder().setEnabled(false)
        .build() : figures.get());
    responseObserver.onCompleted();
  }

  // The group's log applies the decision on every member, this one included; the answer waits
  // until this region applied it, and says so when another decision won the epoch.
  private void applyThroughGroup(io.meridian.agent.failover.FailoverGroup group, Input.EpochDecided decision,
      StreamObserver<ApplyDecisionResponse> responseObserver) {
    AtomicLong quarantined = new AtomicLong();
    // Completes once this region applied the decision's epoch (or a later one).
    java.util.concurrent.CompletableFuture<Void> applied = new java.util.concurrent.CompletableFuture<>();
    Consumer<ReplicationEvent> listener = event -> {
      if (event instanceof ReplicationEvent.WritesQuarantined
          && ((ReplicationEvent.WritesQuarantined) event).dataset().equals(decision.dataset())) {
        quarantined.addAndGet(((ReplicationEvent.WritesQuarantined) event).count());
      } else if (event instanceof ReplicationEvent.PrimaryChanged
          && ((ReplicationEvent.PrimaryChanged) event).dataset().equals(decision.dataset())
          && ((ReplicationEvent.PrimaryChanged) event).epoch() >= decision.epoch()) {
        applied.complete(null);
      }
    };
    runtime.addListener(listener);
    try {
      String answer = group.decide(decision).get(GROUP_DECISION_WAIT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
      if (!answer.startsWith("DECIDED")) {
        responseObserver.onError(Status.FAILED_PRECONDITION.withDescription("dataset " + decision.dataset()
            + ": the failover group did not take the decision (epoch " + decision.epoch() + ", primary "
            + decision.primary() + "): " + answer + ". Read the failover status again and retry.")
            .asRuntimeException());
        return;
      }
      // The local member applies the committed entry shortly after the leader; wait for its
      // PrimaryChanged event (bounded), unless it already did.
      if (currentView(decision.dataset()).epoch() < decision.epoch()) {
        try {
          applied.get(GROUP_DECISION_WAIT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException notYet) {
          // Answer with what this region has applied so far; the caller reads the epoch.
        }
      }
      FailoverView view = currentView(decision.dataset());
      responseObserver.onNext(ApplyDecisionResponse.newBuilder().setEpoch(view.epoch())
          .setPrimaryRegion(view.primary()).setQuarantinedChanges(quarantined.get()).build());
      responseObserver.onCompleted();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      responseObserver.onError(Status.CANCELLED.withDescription("interrupted").asRuntimeException());
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      responseObserver.onError(Status.UNAVAILABLE.withDescription("dataset " + decision.dataset()
          + ": the failover group could not commit the decision within " + GROUP_DECISION_WAIT_MILLIS
          + " ms (" + e.getMessage() + "); a majority of the group's members must be reachable. Nothing changed"
          + " unless a later status shows epoch " + decision.epoch() + ".").asRuntimeException());
    } finally {
      runtime.removeListener(listener);
    }
  }

  private FailoverView currentView(String dataset) {
    return runtime.failoverViews().stream().filter(v -> v.dataset().equals(dataset)).findFirst().orElseThrow();
  }

  @Override
  public void switchover(SwitchoverRequest request, StreamObserver<SwitchoverResponse> responseObserver) {
    if (knownDataset(request.getDataset(), responseObserver).isEmpty()) {
      return;
    }
    if (request.getTimeoutMillis() < 1) {
      responseObserver.onError(Status.INVALID_ARGUMENT.withDescription("switchover timeout must be positive, got "
          + request.getTimeoutMillis() + " ms").asRuntimeException());
      return;
    }
    CompletableFuture<ReplicationEvent> verdict = new CompletableFuture<>();
    Consumer<ReplicationEvent> listener = event -> {
      if (event instanceof ReplicationEvent.SwitchoverReady
          && ((ReplicationEvent.SwitchoverReady) event).dataset().equals(request.getDataset())
          || event instanceof ReplicationEvent.SwitchoverFailed
          && ((ReplicationEvent.SwitchoverFailed) event).dataset().equals(request.getDataset())) {
        verdict.complete(event);
      }
    };
    runtime.addListener(listener);
    try {
      runtime.deliver(new Input.SwitchoverRequested(request.getDataset(), request.getTargetRegion(),
          request.getTimeoutMillis(), request.getStopNow()));
      ReplicationEvent event = verdict.orTimeout(request.getTimeoutMillis() + SWITCHOVER_ANSWER_GRACE_MILLIS,
          TimeUnit.MILLISECONDS).join();
      if (event instanceof ReplicationEvent.SwitchoverReady) {
        ReplicationEvent.SwitchoverReady ready = (ReplicationEvent.SwitchoverReady) event;
        responseObserver.onNext(SwitchoverResponse.newBuilder().setEpoch(ready.epoch())
            .setStartSequence(ready.startSequence()).build());
        responseObserver.onCompleted();
      } else {
        responseObserver.onError(Status.FAILED_PRECONDITION.withDescription(
            ((ReplicationEvent.SwitchoverFailed) event).reason()).asRuntimeException());
      }
    } catch (java.util.concurrent.CompletionException e) {
      responseObserver.onError(Status.DEADLINE_EXCEEDED.withDescription("the primary " + runtime.config().region()
          + " gave no switchover verdict in time").asRuntimeException());
    } finally {
      runtime.removeListener(listener);
    }
  }

  @Override
  public void abortSwitchover(AbortSwitchoverRequest request, StreamObserver<AbortSwitchoverResponse> responseObserver) {
    if (knownDataset(request.getDataset(), responseObserver).isEmpty()) {
      return;
    }
    runtime.deliver(new Input.SwitchoverAborted(request.getDataset(), request.getReason()));
    responseObserver.onNext(AbortSwitchoverResponse.getDefaultInstance());
    responseObserver.onCompleted();
  }

  @Override
  public void listQuarantine(ListQuarantineRequest request, StreamObserver<ListQuarantineResponse> responseObserver) {
    if (knownDataset(request.getDataset(), responseObserver).isEmpty()) {
      return;
    }
    ListQuarantineResponse.Builder response = ListQuarantineResponse.newBuilder();
    for (Map.Entry<Long, List<Change>> entry : runtime.quarantined(request.getDataset()).entrySet()) {
      for (Change change : entry.getValue()) {
        response.addChanges(QuarantinedChange.newBuilder().setFailoverEpoch(entry.getKey())
            .setChange(WireMapping.toProto(change)));
      }
    }
    responseObserver.onNext(response.build());
    responseObserver.onCompleted();
  }

  /** Default wait for {@link #repair} when the request gives none. */
  static final long REPAIR_TIMEOUT_MILLIS_DEFAULT = 120_000;

  @Override
  public void repair(io.meridian.agent.api.v1.RepairRequest request,
      StreamObserver<io.meridian.agent.api.v1.RepairResponse> responseObserver) {
    if (knownDataset(request.getDataset(), responseObserver).isEmpty()) {
      return;
    }
    long timeoutMillis = request.getTimeoutMillis() == 0 ? REPAIR_TIMEOUT_MILLIS_DEFAULT : request.getTimeoutMillis();
    // Answered from the runtime's event, not by blocking a gRPC thread while the sessions run.
    runtime.repair(request.getDataset(), request.getRegionsList())
        .orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .whenComplete((outcomes, error) -> {
          if (error != null) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
            Status status = cause instanceof java.util.concurrent.TimeoutException
                ? Status.DEADLINE_EXCEEDED.withDescription("region " + runtime.config().region() + ": the repair of "
                    + request.getDataset() + " did not finish within " + timeoutMillis + " ms; it goes on, and "
                    + "its outcome will be on the watch stream (repair_finished)")
                : Status.UNAVAILABLE.withDescription(String.valueOf(cause.getMessage()));
            responseObserver.onError(status.asRuntimeException());
            return;
          }
          io.meridian.agent.api.v1.RepairResponse.Builder response = io.meridian.agent.api.v1.RepairResponse.newBuilder();
          for (ReplicationEvent.RepairFinished done : outcomes) {
            response.addOutcomes(io.meridian.agent.api.v1.RepairOutcome.newBuilder().setPeerRegion(done.peer())
                .setRangesCompared(done.rangesCompared()).setKeysRepaired(done.keysRepaired())
                .setBytesSent(done.bytesSent()).setDurationMillis(done.durationMillis()).setError(done.error()));
          }
          responseObserver.onNext(response.build());
          responseObserver.onCompleted();
        });
  }

  private Optional<DatasetConfig> knownDataset(String dataset, StreamObserver<?> responseObserver) {
    Optional<DatasetConfig> config = runtime.config().dataset(dataset);
    if (config.isEmpty()) {
      responseObserver.onError(Status.NOT_FOUND.withDescription("dataset '" + dataset + "' is not replicated in "
          + runtime.config().region() + "; it has " + runtime.config().datasets().stream()
          .map(DatasetConfig::name).toList()).asRuntimeException());
    }
    return config;
  }
}

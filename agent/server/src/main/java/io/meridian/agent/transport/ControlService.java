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
import io.meridian.agent.runtime.AgentRuntime;

/** Status and rehearsal commands for one agent. */
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
}

package io.meridian.app.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.meridian.agent.api.v1.AbortSwitchoverRequest;
import io.meridian.agent.api.v1.AbortSwitchoverResponse;
import io.meridian.agent.api.v1.ApplyDecisionRequest;
import io.meridian.agent.api.v1.ApplyDecisionResponse;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.DatasetFailoverView;
import io.meridian.agent.api.v1.FailoverStatusRequest;
import io.meridian.agent.api.v1.FailoverStatusResponse;
import io.meridian.agent.api.v1.Role;
import io.meridian.agent.api.v1.SwitchoverRequest;
import io.meridian.agent.api.v1.SwitchoverResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

// Proves what the forced failover decider sends (issue 7, ADR 0009): with a primary that confirms
// it stopped, the decision says so (no fence wait at the target) and the stopped primary hears it
// right after the target; without the confirmation the decision says the previous primary was not
// confirmed stopped; when the target refuses, the stopped primary is told to resume.
class FailoverRunnerTest {
  private final List<Server> servers = new ArrayList<>();
  /** Every call the fake agents received, in order: "region method detail". */
  private final List<String> calls = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopServers() {
    servers.forEach(Server::shutdownNow);
  }

  private enum Stop { CONFIRMS, NEVER_ANSWERS }

  private FailoverRunner.Agent agent(String region, DatasetFailoverView view, Stop stop, boolean refusesDecision)
      throws IOException {
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new ControlGrpc.ControlImplBase() {
          @Override
          public void failoverStatus(FailoverStatusRequest request, StreamObserver<FailoverStatusResponse> out) {
            out.onNext(FailoverStatusResponse.newBuilder().addDatasets(view).build());
            out.onCompleted();
          }

          @Override
          public void switchover(SwitchoverRequest request, StreamObserver<SwitchoverResponse> out) {
            calls.add(region + " switchover stopNow=" + request.getStopNow());
            if (stop == Stop.CONFIRMS) {
              out.onNext(SwitchoverResponse.newBuilder().setEpoch(view.getEpoch() + 1)
                  .setStartSequence(view.getLastSequence()).build());
              out.onCompleted();
            }
          }

          @Override
          public void applyDecision(ApplyDecisionRequest request, StreamObserver<ApplyDecisionResponse> out) {
            calls.add(region + " decision stopped=" + request.getPreviousPrimaryStopped() + " start="
                + request.getStartSequence());
            if (refusesDecision) {
              out.onError(Status.UNAVAILABLE.asRuntimeException());
              return;
            }
            out.onNext(ApplyDecisionResponse.newBuilder().setEpoch(request.getEpoch())
                .setPrimaryRegion(request.getPrimaryRegion()).build());
            out.onCompleted();
          }

          @Override
          public void abortSwitchover(AbortSwitchoverRequest request, StreamObserver<AbortSwitchoverResponse> out) {
            calls.add(region + " abort");
            out.onNext(AbortSwitchoverResponse.getDefaultInstance());
            out.onCompleted();
          }
        }).build().start();
    servers.add(server);
    return new FailoverRunner.Agent(region, "127.0.0.1:" + server.getPort());
  }

  private static DatasetFailoverView view(String primary, Role role, long lastSequence) {
    return DatasetFailoverView.newBuilder().setDataset("orders").setEpoch(3).setPrimaryRegion(primary)
        .setRole(role).setLastSequence(lastSequence).build();
  }

  private FailoverRunner.Outcome forceToUs(Stop stop, boolean targetRefuses, List<String> notes) throws IOException {
    List<FailoverRunner.Agent> agents = List.of(
        agent("ap", view("eu", Role.ROLE_REPLICA, 118), Stop.CONFIRMS, false),
        agent("eu", view("eu", Role.ROLE_PRIMARY, 120), stop, false),
        agent("us", view("eu", Role.ROLE_REPLICA, 117), Stop.CONFIRMS, targetRefuses));
    FailoverRunner.Prepared prepared = FailoverRunner.prepare("orders", "us", true, List.of("ap", "eu", "us"),
        agents, notes::add);
    FailoverPlan plan = prepared.result().plan().orElseThrow();
    return FailoverRunner.execute(plan, prepared, 5_000, System.nanoTime(), notes::add);
  }

  @Test
  void primaryThatConfirmsItStoppedIsToldSecondAndTheTargetSkipsTheFenceWait() throws IOException {
    List<String> notes = new ArrayList<>();
    FailoverRunner.Outcome outcome = forceToUs(Stop.CONFIRMS, false, notes);

    assertThat(outcome.tookOver()).isTrue();
    assertThat(calls).containsExactly("eu switchover stopNow=true", "us decision stopped=true start=117",
        "eu decision stopped=true start=117", "ap decision stopped=true start=117");
    assertThat(notes).contains("eu stopped taking writes at sequence 120; us has 117, so 3 change(s) will be"
        + " quarantined at eu");
  }

  @Test
  void primaryThatDoesNotConfirmInTimeLeavesTheFenceWaitInPlace() throws IOException {
    List<String> notes = new ArrayList<>();
    FailoverRunner.Outcome outcome = forceToUs(Stop.NEVER_ANSWERS, false, notes);

    assertThat(outcome.tookOver()).isTrue();
    assertThat(calls).containsExactly("eu switchover stopNow=true", "us decision stopped=false start=117",
        "ap decision stopped=false start=117", "eu decision stopped=false start=117");
    assertThat(notes).anySatisfy(note -> assertThat(note).contains("eu did not confirm it stopped (DEADLINE_EXCEEDED)")
        .contains("us waits out its lease"));
  }

  @Test
  void targetThatRefusesTheDecisionLetsTheStoppedPrimaryResume() throws IOException {
    FailoverRunner.Outcome outcome = forceToUs(Stop.CONFIRMS, true, new ArrayList<>());

    assertThat(outcome.tookOver()).isFalse();
    assertThat(outcome.message()).contains("nothing changed");
    assertThat(calls).containsExactly("eu switchover stopNow=true", "us decision stopped=true start=117", "eu abort");
  }
}

package io.meridian.app.live;

import io.grpc.StatusRuntimeException;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.CutLinkRequest;
import io.meridian.agent.api.v1.FailoverStatusRequest;
import io.meridian.agent.api.v1.HealLinkRequest;
import io.meridian.app.client.AgentClient;
import io.meridian.app.deploy.DeploymentException;
import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.LocalDeployer;
import io.meridian.app.failover.FailoverRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Operator actions on a watched deployment: cut and heal through each agent's Control API, kill
 * and restart through the {@link LocalDeployer} when the deployment was started on this machine
 * (its state directory is known), failover through {@link FailoverRunner} (the engine of
 * {@code meridian failover}) once the agents have said they offer it. Repair waits for the
 * agents to offer it.
 */
public final class DeploymentActions implements LiveActions {
  /** How long a planned failover waits for the target to catch up (as the CLI's default). */
  static final java.time.Duration PLANNED_FAILOVER_TIMEOUT = java.time.Duration.ofSeconds(5);
  /** Why failover is disabled: the agents' Control service answered UNIMPLEMENTED. */
  static final String NO_FAILOVER = "the agents of this deployment are too old to offer manual "
      + "failover (their Control API has no FailoverStatus RPC); automatic failover still works "
      + "where the policy enables it";
  /** Why failover is disabled until the agents have been asked. */
  static final String FAILOVER_UNKNOWN = "checking whether the agents offer failover; "
      + "try again in a moment";
  /** Why failover is disabled while no agent answers. */
  static final String FAILOVER_NO_ANSWER = "no agent answered whether it offers failover; "
      + "check that the deployment is running";
  /** Why kill and restart are disabled for deployments not started here. */
  static final String NOT_LOCAL = "only for local rehearsals: connect through the deployment's "
      + "state directory (or deploy from the studio) to kill and restart agents";

  /** Why teardown is disabled for deployments connected by address. */
  static final String NOT_STARTED_HERE = "connected by address: this window does not know the "
      + "agents' processes; run 'meridian teardown' with the deployment's state directory, or "
      + "connect through it";

  private final AgentWatchers watchers;
  private final Path stateDirectory;
  private final LocalDeployer deployer;
  private final java.util.concurrent.atomic.AtomicReference<Optional<String>> failoverSupport =
      new java.util.concurrent.atomic.AtomicReference<>(Optional.of(FAILOVER_UNKNOWN));
  private final java.util.concurrent.atomic.AtomicBoolean probing =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * @param watchers the agents' clients
   * @param stateDirectory the local deployment's state directory, or null when connected by
   *     addresses
   * @param deployer starts agents again
   */
  public DeploymentActions(AgentWatchers watchers, Path stateDirectory, LocalDeployer deployer) {
    this.watchers = watchers;
    this.stateDirectory = stateDirectory;
    this.deployer = deployer;
    probeFailoverInBackground();
  }

  /**
   * Asks the agents, off the calling thread, whether they offer failover: the first agent that
   * answers FailoverStatus (or says UNIMPLEMENTED) decides. Asked again while none answered.
   */
  private void probeFailoverInBackground() {
    if (!probing.compareAndSet(false, true)) {
      return;
    }
    java.util.concurrent.CompletableFuture.runAsync(() -> {
      try {
        failoverSupport.set(probeFailover());
      } finally {
        probing.set(false);
      }
    });
  }

  private Optional<String> probeFailover() {
    for (AgentEndpoint endpoint : watchers.endpoints()) {
      AgentClient client = watchers.client(endpoint.region()).orElseThrow();
      try {
        ControlGrpc.newBlockingStub(client.channel())
            .withDeadlineAfter(FailoverRunner.CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
            .failoverStatus(FailoverStatusRequest.getDefaultInstance());
        return Optional.empty();
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == io.grpc.Status.Code.UNIMPLEMENTED) {
          return Optional.of(NO_FAILOVER);
        }
      }
    }
    return Optional.of(FAILOVER_NO_ANSWER);
  }

  @Override
  public Optional<String> unsupported(Action action) {
    return switch (action) {
      case CUT_LINK, HEAL_LINK, LOAD -> Optional.empty();
      case KILL_REGION, RESTART_REGION -> stateDirectory == null ? Optional.of(NOT_LOCAL)
          : Optional.empty();
      case PLANNED_FAILOVER, FORCED_FAILOVER -> failoverSupported();
      case REPAIR -> Optional.empty();
      case TEARDOWN -> stateDirectory == null ? Optional.of(NOT_STARTED_HERE) : Optional.empty();
    };
  }

  private Optional<String> failoverSupported() {
    Optional<String> known = failoverSupport.get();
    if (known.isPresent() && !known.get().equals(NO_FAILOVER)) {
      probeFailoverInBackground();
    }
    return known;
  }

  @Override
  public String failoverConfirmation(String dataset, List<String> replicas, String region,
      boolean force) throws ActionException {
    return plan(dataset, replicas, region, force, new ArrayList<>()).result().plan().orElseThrow()
        .confirmation();
  }

  @Override
  public String failover(String dataset, List<String> replicas, String region, boolean force)
      throws ActionException {
    long startedNanos = System.nanoTime();
    List<String> notes = new ArrayList<>();
    FailoverRunner.Prepared prepared = plan(dataset, replicas, region, force, notes);
    FailoverRunner.Outcome outcome = FailoverRunner.execute(prepared.result().plan().orElseThrow(),
        prepared, PLANNED_FAILOVER_TIMEOUT.toMillis(), startedNanos, notes::add);
    String remarks = notes.isEmpty() ? "" : " (" + String.join("; ", notes) + ")";
    if (!outcome.tookOver()) {
      throw new ActionException(outcome.message() + remarks);
    }
    return outcome.message() + remarks
        + (outcome.warning().isEmpty() ? "" : "; " + outcome.warning());
  }

  private FailoverRunner.Prepared plan(String dataset, List<String> replicas, String region,
      boolean force, List<String> notes) throws ActionException {
    List<FailoverRunner.Agent> agents = watchers.endpoints().stream()
        .map(e -> new FailoverRunner.Agent(e.region(), e.address())).toList();
    FailoverRunner.Prepared prepared = FailoverRunner.prepare(dataset, region, force, replicas,
        agents, notes::add);
    if (prepared.result().problem().isPresent()) {
      throw new ActionException(prepared.result().problem().get()
          + (notes.isEmpty() ? "" : " (" + String.join("; ", notes) + ")"));
    }
    return prepared;
  }

  /** Longest wait for a repair from the live view; sessions end by themselves well before. */
  static final java.time.Duration REPAIR_DEADLINE = java.time.Duration.ofSeconds(120);

  @Override
  public String repair(String region, List<String> datasets) throws ActionException {
    AgentClient client = watchers.client(region).orElseThrow(() -> new ActionException(
        "region " + region + " is not part of this deployment"));
    List<String> done = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (String dataset : datasets) {
      try {
        io.meridian.agent.api.v1.RepairResponse response = ControlGrpc.newBlockingStub(client.channel())
            .withDeadlineAfter(REPAIR_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
            .repair(io.meridian.agent.api.v1.RepairRequest.newBuilder().setDataset(dataset)
                .setTimeoutMillis((int) REPAIR_DEADLINE.minusSeconds(5).toMillis()).build());
        for (io.meridian.agent.api.v1.RepairOutcome outcome : response.getOutcomesList()) {
          if (outcome.getError().isEmpty()) {
            done.add(dataset + " with " + outcome.getPeerRegion() + ": " + outcome.getKeysRepaired()
                + " keys repaired (" + outcome.getRangesCompared() + " ranges compared, " + outcome.getBytesSent()
                + " bytes, " + outcome.getDurationMillis() + " ms)");
          } else {
            failed.add(dataset + " with " + outcome.getPeerRegion() + ": " + outcome.getError());
          }
        }
      } catch (StatusRuntimeException e) {
        failed.add(dataset + ": " + client.describe(e));
      }
    }
    if (!failed.isEmpty()) {
      throw new ActionException("repair at " + region + " failed for " + String.join("; ", failed)
          + (done.isEmpty() ? "" : " (done: " + String.join("; ", done) + ")"));
    }
    return done.isEmpty() ? region + " has no dataset to repair" : "repaired at " + region + ": "
        + String.join("; ", done);
  }

  @Override
  public String cutLink(String a, String b) throws ActionException {
    boolean first = control(a, "cut the link to " + b, stub -> stub.cutLink(
        CutLinkRequest.newBuilder().setPeerRegion(b).build()).getChanged());
    boolean second = control(b, "cut the link to " + a, stub -> stub.cutLink(
        CutLinkRequest.newBuilder().setPeerRegion(a).build()).getChanged());
    return first || second ? "both agents drop all traffic between " + a + " and " + b
        : "the link was already cut";
  }

  @Override
  public String healLink(String a, String b) throws ActionException {
    boolean first = control(a, "heal the link to " + b, stub -> stub.healLink(
        HealLinkRequest.newBuilder().setPeerRegion(b).build()).getChanged());
    boolean second = control(b, "heal the link to " + a, stub -> stub.healLink(
        HealLinkRequest.newBuilder().setPeerRegion(a).build()).getChanged());
    return first || second ? "traffic between " + a + " and " + b + " flows again"
        : "the link was not cut";
  }

  private interface Call {
    boolean run(ControlGrpc.ControlBlockingStub stub);
  }

  private boolean control(String region, String what, Call call) throws ActionException {
    AgentClient client = watchers.client(region).orElseThrow(() -> new ActionException(
        "region " + region + " is not part of this deployment"));
    try {
      return call.run(ControlGrpc.newBlockingStub(client.channel())
          .withDeadlineAfter(AgentClient.REQUEST_DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
    } catch (StatusRuntimeException e) {
      throw new ActionException("could not " + what + " at " + region + ": " + client.describe(e),
          e);
    }
  }

  @Override
  public String kill(String region) throws ActionException {
    DeploymentState.AgentRecord agent = localAgent(region);
    ProcessHandle process = LocalDeployer.agentProcess(agent).orElseThrow(() ->
        new ActionException("the agent of " + region + " (pid " + agent.pid()
            + ") is not running; restart it instead"));
    process.destroyForcibly();
    try {
      process.onExit().get(LocalDeployer.KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new ActionException("the agent of " + region + " (pid " + agent.pid()
          + ") did not exit within " + LocalDeployer.KILL_TIMEOUT.toSeconds() + " s of SIGKILL",
          e);
    }
    return "killed pid " + agent.pid() + " (SIGKILL)";
  }

  @Override
  public String restart(String region) throws ActionException {
    localAgent(region);
    try {
      DeploymentState.AgentRecord started = deployer.restart(stateDirectory, region);
      return "started again as pid " + started.pid() + " and ready";
    } catch (DeploymentException e) {
      throw new ActionException(e.getMessage(), e);
    }
  }

  private DeploymentState.AgentRecord localAgent(String region) throws ActionException {
    if (stateDirectory == null) {
      throw new ActionException(NOT_LOCAL);
    }
    try {
      return DeploymentState.read(stateDirectory).agent(region).orElseThrow(() ->
          new ActionException("region " + region + " has no agent in " + stateDirectory));
    } catch (IOException e) {
      throw new ActionException("cannot read the deployment in " + stateDirectory + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Stops every agent with {@link LocalDeployer#teardown} (SIGTERM, then SIGKILL after {@link
   * LocalDeployer#STOP_TIMEOUT}) and removes {@code deployment.json} once none survived, as
   * {@code meridian teardown} without {@code --purge} does; data and logs stay.
   */
  @Override
  public String teardown() throws ActionException {
    if (stateDirectory == null) {
      throw new ActionException(NOT_STARTED_HERE);
    }
    DeploymentState state;
    try {
      state = DeploymentState.read(stateDirectory);
    } catch (IOException e) {
      throw new ActionException("cannot read the deployment in " + stateDirectory + ": "
          + e.getMessage() + "; was it torn down already?", e);
    }
    java.util.Map<String, LocalDeployer.StopOutcome> outcomes = LocalDeployer.teardown(state);
    java.util.Map<LocalDeployer.StopOutcome, List<String>> byOutcome =
        new java.util.EnumMap<>(LocalDeployer.StopOutcome.class);
    outcomes.forEach((region, outcome) ->
        byOutcome.computeIfAbsent(outcome, o -> new ArrayList<>()).add(region));
    String summary = String.join("; ", byOutcome.entrySet().stream()
        .map(e -> e.getKey().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ": "
            + String.join(", ", e.getValue())).toList());
    if (byOutcome.containsKey(LocalDeployer.StopOutcome.STILL_RUNNING)) {
      throw new ActionException(summary + "; deployment.json kept in " + stateDirectory
          + "; stop the survivors by hand");
    }
    try {
      java.nio.file.Files.deleteIfExists(stateDirectory.resolve(DeploymentState.FILE_NAME));
    } catch (IOException e) {
      throw new ActionException(summary + ", but removing " + DeploymentState.FILE_NAME
          + " failed: " + e.getMessage(), e);
    }
    return summary + "; data and logs kept in " + stateDirectory;
  }
}

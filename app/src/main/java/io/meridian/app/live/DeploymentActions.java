package io.meridian.app.live;

import io.grpc.StatusRuntimeException;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.CutLinkRequest;
import io.meridian.agent.api.v1.HealLinkRequest;
import io.meridian.app.client.AgentClient;
import io.meridian.app.deploy.DeploymentException;
import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.LocalDeployer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Operator actions on a watched deployment: cut and heal through each agent's Control API, kill
 * and restart through the {@link LocalDeployer} when the deployment was started on this machine
 * (its state directory is known). Failover and repair wait for the agents to offer them.
 */
public final class DeploymentActions implements LiveActions {
  /** Why failover is disabled: the agent's Control service has no failover RPC yet. */
  static final String NO_FAILOVER = "the agents of this deployment offer no failover command yet "
      + "(their Control API has no failover RPC); automatic failover still works where the "
      + "policy enables it";
  /** Why repair is disabled. */
  static final String NO_REPAIR = "the agents of this deployment offer no repair command yet "
      + "(their Control API has no repair RPC)";
  /** Why kill and restart are disabled for deployments not started here. */
  static final String NOT_LOCAL = "only for local rehearsals: connect through the deployment's "
      + "state directory (or deploy from the studio) to kill and restart agents";

  private final AgentWatchers watchers;
  private final Path stateDirectory;
  private final LocalDeployer deployer;

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
  }

  @Override
  public Optional<String> unsupported(Action action) {
    return switch (action) {
      case CUT_LINK, HEAL_LINK, LOAD -> Optional.empty();
      case KILL_REGION, RESTART_REGION -> stateDirectory == null ? Optional.of(NOT_LOCAL)
          : Optional.empty();
      case PLANNED_FAILOVER, FORCED_FAILOVER -> Optional.of(NO_FAILOVER);
      case REPAIR -> Optional.of(NO_REPAIR);
    };
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
}

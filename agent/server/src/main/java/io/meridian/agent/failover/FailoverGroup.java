package io.meridian.agent.failover;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverGroupConfig;
import io.meridian.agent.core.replication.FailoverView;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This agent's member of the failover decision group (ADR 0016): a Ratis server whose log orders
 * failover commands, a client to submit them, and a watcher that submits this region's release
 * of a primary when its {@link FailoverView} says it released it. Committed decisions reach the
 * agent through {@code onDecision} in log order, including on restart and after a region missed
 * them while it was down or cut off (the Ratis log catches it up).
 */
public final class FailoverGroup implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FailoverGroup.class);
  /** How often this region's failover views are checked for a release to submit. */
  public static final long WATCH_INTERVAL_MILLIS = 50;
  /** A release not yet followed by a decision is submitted again after this long. */
  public static final long RELEASE_RESUBMIT_MILLIS = 1_000;
  /** Ratis election timeouts: a leader is replaced within about this after it dies. */
  static final long ELECTION_TIMEOUT_MIN_MILLIS = 1_000;
  static final long ELECTION_TIMEOUT_MAX_MILLIS = 2_000;
  /** How long one submission may take, retries included. */
  public static final long SUBMIT_TIMEOUT_MILLIS = 5_000;

  private final AgentConfig config;
  private final RaftServer server;
  private final RaftGroup group;
  /**
   * Replaced after a failed submission: a Ratis async client whose request ran out of retries
   * closes its sliding window and fails every later request ({@code AlreadyClosedException}), so
   * one leaderless stretch longer than the retry budget (a cut, an overloaded host) would
   * otherwise silence this member's releases for good.
   */
  private volatile RaftClient client;
  private final FailoverStateMachine stateMachine;
  private final Supplier<List<FailoverView>> views;
  private final LongSupplier clockMillis;
  /** Per dataset, the release last submitted: epoch, last sequence, and when. */
  private final Map<String, long[]> submitted = new ConcurrentHashMap<>();
  private ScheduledFuture<?> watcher;

  private FailoverGroup(AgentConfig config, RaftGroup group, RaftServer server, RaftClient client,
      FailoverStateMachine stateMachine, Supplier<List<FailoverView>> views, LongSupplier clockMillis) {
    this.config = config;
    this.group = group;
    this.server = server;
    this.client = client;
    this.stateMachine = stateMachine;
    this.views = views;
    this.clockMillis = clockMillis;
  }

  /** The Ratis group of {@code groupConfig}: its id derives from the members, so every member agrees. */
  static RaftGroup group(FailoverGroupConfig groupConfig) {
    List<RaftPeer> peers = new ArrayList<>();
    StringBuilder identity = new StringBuilder("meridian-failover");
    for (FailoverGroupConfig.Member member : groupConfig.members()) {
      peers.add(RaftPeer.newBuilder().setId(member.region()).setAddress(member.address()).build());
      identity.append('|').append(member.region()).append('@').append(member.address());
    }
    UUID id = UUID.nameUUIDFromBytes(identity.toString().getBytes(StandardCharsets.UTF_8));
    return RaftGroup.valueOf(RaftGroupId.valueOf(id), peers);
  }

  /**
   * Starts this agent's member of the group and its release watcher.
   *
   * @param config the agent configuration; {@link AgentConfig#failoverGroup()} must be set
   * @param storageDirectory where the Ratis log lives (kept across restarts)
   * @param views this region's failover views now (from the runtime)
   * @param onDecision receives every committed decision, in log order
   * @param scheduler runs the release watcher
   * @param clockMillis this agent's clock, for resubmission only
   */
  public static FailoverGroup start(AgentConfig config, Path storageDirectory, Supplier<List<FailoverView>> views,
      Consumer<Input.EpochDecided> onDecision, ScheduledExecutorService scheduler, LongSupplier clockMillis) {
    return start(config, storageDirectory, views, onDecision, retraction -> { }, scheduler, clockMillis,
        new io.meridian.agent.consensus.RaftLinks());
  }

  /**
   * Starts this agent's member as above; this region's retractions of a release, once committed
   * before any decision of their epoch, reach {@code onRetraction} in log order (ADR 0019). Link
   * faults and emulation apply to the group's traffic, as consensus datasets do (ADR 0015, 0020): a
   * peer whose link is cut ({@code meridian fault cut}) neither reaches this member's Ratis server
   * nor submits through it, so an isolated region learns a decision only once the link heals, as in
   * a real partition.
   *
   * @param links cut links and delays, kept current by the caller
   */
  public static FailoverGroup start(AgentConfig config, Path storageDirectory, Supplier<List<FailoverView>> views,
      Consumer<Input.EpochDecided> onDecision, Consumer<Input.ReleaseRetracted> onRetraction,
      ScheduledExecutorService scheduler, LongSupplier clockMillis, io.meridian.agent.consensus.RaftLinks links) {
    FailoverGroupConfig groupConfig = config.failoverGroup();
    if (groupConfig == null) {
      throw new IllegalArgumentException("region " + config.region() + " has no failover group configured");
    }
    // Ratis exits the JVM when it cannot bind: check first, and say why.
    io.meridian.agent.consensus.RaftPorts.requireBindable(config.region(), "its failover group member", null,
        groupConfig.port(), "\"failoverGroup\": {\"port\": ...}");
    RaftGroup group = group(groupConfig);
    RaftProperties properties = new RaftProperties();
    org.apache.ratis.RaftConfigKeys.Rpc.setType(properties, new io.meridian.agent.consensus.LinkAwareRpcType());
    org.apache.ratis.conf.Parameters parameters = new org.apache.ratis.conf.Parameters();
    parameters.put(io.meridian.agent.consensus.LinkAwareGrpcFactory.LINKS_KEY, links,
        io.meridian.agent.consensus.RaftLinks.class);
    RaftServerConfigKeys.setStorageDir(properties, List.of(storageDirectory.toFile()));
    GrpcConfigKeys.Server.setPort(properties, groupConfig.port());
    RaftServerConfigKeys.Rpc.setTimeoutMin(properties,
        TimeDuration.valueOf(ELECTION_TIMEOUT_MIN_MILLIS, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(properties,
        TimeDuration.valueOf(ELECTION_TIMEOUT_MAX_MILLIS, TimeUnit.MILLISECONDS));
    FailoverStateMachine stateMachine = new FailoverStateMachine(new DecisionLog(config), onDecision,
        config.region(), onRetraction);
    try {
      RaftServer server = RaftServer.newBuilder()
          .setServerId(RaftPeerId.valueOf(config.region()))
          .setGroup(group)
          .setProperties(properties)
          .setParameters(parameters)
          .setStateMachine(stateMachine)
          .setOption(RaftStorage.StartupOption.RECOVER)
          .build();
      server.start();
      RaftClient client = newClient(config, group);
      FailoverGroup result = new FailoverGroup(config, group, server, client, stateMachine, views, clockMillis);
      result.watcher = scheduler.scheduleWithFixedDelay(result::submitReleases, WATCH_INTERVAL_MILLIS,
          WATCH_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
      log.info("failover group member {} serving on port {} with {}", config.region(), groupConfig.port(),
          groupConfig.members());
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException("region " + config.region() + ": cannot start its failover group member on port "
          + groupConfig.port() + " (" + e.getMessage() + "); check that the port is free and " + storageDirectory
          + " is writable", e);
    }
  }

  private static RaftClient newClient(AgentConfig config, RaftGroup group) {
    return RaftClient.newBuilder()
        // Tagged with the region, so a member whose link to this region is cut drops its calls.
        .setClientId(io.meridian.agent.consensus.RaftLinks.clientId(config.region()))
        .setRaftGroup(group)
        .setProperties(new RaftProperties())
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
            (int) (SUBMIT_TIMEOUT_MILLIS / 100), TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
        .build();
  }

  /** Replaces {@code failed} with a fresh client unless another failure replaced it already. */
  private void replaceClient(RaftClient failed) {
    synchronized (this) {
      if (client != failed) {
        return;
      }
      client = newClient(config, group);
    }
    // Closed off the failing call's own callback thread.
    CompletableFuture.runAsync(() -> {
      try {
        failed.close();
      } catch (IOException | RuntimeException e) {
        log.debug("closing a failed failover group client", e);
      }
    });
  }

  /** Submits this region's release of a primary it no longer hears, once per epoch and log end. */
  void submitReleases() {
    try {
      long now = clockMillis.getAsLong();
      for (FailoverView view : views.get()) {
        DatasetConfig dataset = config.dataset(view.dataset()).orElse(null);
        if (dataset == null || !dataset.failover().automatic() || view.role() == Role.PRIMARY
            || !view.releasesPrimary()) {
          continue;
        }
        // What was last submitted: epoch, last sequence (-1 for a retraction), generation, and when.
        long[] last = submitted.get(view.dataset());
        long sequence = view.retractionWanted() ? -1 : view.lastSequence();
        boolean fresh = last == null || last[0] != view.epoch() || last[1] != sequence
            || last[2] != view.releaseGeneration() || now - last[3] >= RELEASE_RESUBMIT_MILLIS;
        if (!fresh) {
          continue;
        }
        submitted.put(view.dataset(), new long[] {view.epoch(), sequence, view.releaseGeneration(), now});
        // A region that hears the released primary again asks to retract instead: the release
        // is not submitted again meanwhile, and copies of it in flight are ignored once the
        // retraction is committed (their generation is not newer).
        FailoverCommand command = view.retractionWanted()
            ? new FailoverCommand.Retract(view.dataset(), view.epoch(), config.region(), view.releaseGeneration())
            : new FailoverCommand.Release(view.dataset(), view.epoch(), config.region(), view.lastEpochInLog(),
                view.lastSequence(), Math.max(1, view.releaseGeneration()));
        submit(command).whenComplete((reply, failure) -> {
          if (failure != null) {
            log.warn("region {}: {} not committed yet: {}", config.region(), command, failure.toString());
          }
        });
      }
    } catch (RuntimeException e) {
      // The watcher must keep running: a failure here is logged and the next round retries.
      log.warn("region {}: failover watcher round failed", config.region(), e);
    }
  }

  /**
   * Commits {@code command} through the group; completes with the state machine's answer
   * ({@code DECIDED …}, {@code NOCHANGE …} or {@code REFUSED …}).
   */
  public CompletableFuture<String> submit(FailoverCommand command) {
    RaftClient current = client;
    return current.async().send(Message.valueOf(
            org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(command.encode())))
        .whenComplete((reply, failure) -> {
          if (failure != null) {
            replaceClient(current);
          }
        })
        .thenApply(FailoverGroup::answer);
  }

  private static String answer(RaftClientReply reply) {
    if (!reply.isSuccess()) {
      throw new IllegalStateException("the failover group did not commit the command: " + reply.getException());
    }
    return reply.getMessage().getContent().toStringUtf8();
  }

  /** Whether the group decides failovers of {@code dataset} (a single-primary dataset of this agent). */
  public boolean decides(String dataset) {
    return decidedEpoch(dataset).isPresent();
  }

  /**
   * Commits an operator's decision through the group. A decision the group already holds (the
   * command line sends it to every agent) answers {@code DECIDED} again without a new entry; one
   * for an epoch another decision took answers {@code NOCHANGE} with the reason.
   */
  public CompletableFuture<String> decide(Input.EpochDecided decision) {
    synchronized (stateMachine.decisions()) {
      DecisionLog decisions = stateMachine.decisions();
      if (decisions.epoch(decision.dataset()).orElse(0L) == decision.epoch()
          && decisions.primary(decision.dataset()).orElse("").equals(decision.primary())) {
        return CompletableFuture.completedFuture("DECIDED " + decision.epoch() + " " + decision.primary()
            + " (already in the group's log)");
      }
    }
    return submit(new FailoverCommand.Decide(decision.dataset(), decision.epoch(), decision.primary(),
        decision.startSequence(), decision.previousPrimaryStopped()));
  }

  /** The newest decided epoch of {@code dataset} this member applied, if it is a group dataset. */
  public java.util.Optional<Long> decidedEpoch(String dataset) {
    synchronized (stateMachine.decisions()) {
      return stateMachine.decisions().epoch(dataset);
    }
  }

  @Override
  public void close() {
    if (watcher != null) {
      watcher.cancel(false);
    }
    try {
      client.close();
    } catch (IOException e) {
      log.warn("closing the failover group client", e);
    }
    try {
      server.close();
    } catch (IOException e) {
      log.warn("closing the failover group server", e);
    }
  }
}

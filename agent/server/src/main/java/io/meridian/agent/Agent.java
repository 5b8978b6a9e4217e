package io.meridian.agent;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.core.storage.ReplicaStore;
import io.meridian.agent.metrics.AgentMetrics;
import io.meridian.agent.runtime.AgentRuntime;
import io.meridian.agent.transport.ControlService;
import io.meridian.agent.transport.KvService;
import io.meridian.agent.transport.PeerCompression;
import io.meridian.agent.transport.PeerTransport;
import io.meridian.agent.transport.StatusMapper;
import io.meridian.agent.transport.WatchService;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One running agent: the runtime around the replication core, the peer transport, and the KV,
 * peer replication, control, watch, health and reflection services on a server the caller
 * builds (Netty in production, in-process in tests).
 */
public final class Agent implements AutoCloseable {
  /** Wait before reopening a closed replication stream. */
  public static final long RECONNECT_DELAY_MILLIS = 200;
  /** How long {@link #close()} waits for the runtime's step under way to end. */
  public static final long STOP_TIMEOUT_MILLIS = AgentMain.SHUTDOWN_TIMEOUT_MILLIS;

  private final AgentRuntime runtime;
  private final PeerTransport transport;
  private final Server server;
  private final HealthStatusManager health;
  private final boolean ticking;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private ControlService control;
  private volatile io.meridian.agent.failover.FailoverGroup failoverGroup;
  private volatile io.meridian.agent.probe.ConsistencyProber prober;

  private Agent(AgentRuntime runtime, PeerTransport transport, Server server, HealthStatusManager health,
      boolean ticking) {
    this.runtime = runtime;
    this.transport = transport;
    this.server = server;
    this.health = health;
    this.ticking = ticking;
  }

  /**
   * Starts an agent.
   *
   * @param config what to replicate and with whom
   * @param store durable state (recovered if written before)
   * @param serverBuilder where to serve; the agent adds its services and starts it
   * @param channelFactory makes a channel to a peer address
   * @param wallClockMillis the clock
   * @param scheduler runs ticks, snapshots and reconnections
   * @param tickIntervalMillis the longest wait between ticks (the core's deadlines bring them
   *     sooner, see {@link AgentRuntime#startTicking}); 0 leaves ticking to the caller (tests)
   * @param metricsRegistry where the agent's metrics are registered
   * @param storageBytes the store's approximate size, for metrics
   */
  public static Agent start(AgentConfig config, ReplicaStore store, ServerBuilder<?> serverBuilder,
      Function<String, ManagedChannel> channelFactory, LongSupplier wallClockMillis,
      ScheduledExecutorService scheduler, long tickIntervalMillis, PrometheusRegistry metricsRegistry,
      LongSupplier storageBytes) {
    return start(config, store, serverBuilder, channelFactory, wallClockMillis, scheduler, tickIntervalMillis,
        metricsRegistry, storageBytes, io.meridian.agent.core.antientropy.AntiEntropySettings.ON_DEMAND);
  }

  /** Starts an agent that runs anti-entropy (ADR 0014) with {@code antiEntropy}; see the other overload. */
  public static Agent start(AgentConfig config, ReplicaStore store, ServerBuilder<?> serverBuilder,
      Function<String, ManagedChannel> channelFactory, LongSupplier wallClockMillis,
      ScheduledExecutorService scheduler, long tickIntervalMillis, PrometheusRegistry metricsRegistry,
      LongSupplier storageBytes, io.meridian.agent.core.antientropy.AntiEntropySettings antiEntropy) {
    AgentRuntime runtime = new AgentRuntime(config, store, wallClockMillis, antiEntropy);
    AgentMetrics metrics = AgentMetrics.register(metricsRegistry, runtime, storageBytes);
    PeerTransport transport = new PeerTransport(runtime, channelFactory, scheduler, RECONNECT_DELAY_MILLIS);
    HealthStatusManager health = new HealthStatusManager();
    ControlService control = new ControlService(runtime, transport, new StatusMapper(wallClockMillis, transport),
        wallClockMillis.getAsLong());
    Server server = serverBuilder
        .compressorRegistry(PeerCompression.registry())
        .addService(io.grpc.ServerInterceptors.intercept(new KvService(runtime, metrics),
            io.meridian.agent.transport.ProbeCalls.serverInterceptor()))
        .addService(transport.service())
        .addService(control)
        .addService(new WatchService(runtime, transport, scheduler, wallClockMillis))
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .build();
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve region " + config.region() + ": " + e.getMessage(), e);
    }
    transport.start();
    if (tickIntervalMillis > 0) {
      runtime.startTicking(scheduler, tickIntervalMillis);
    }
    health.setStatus("", ServingStatus.SERVING);
    Agent agent = new Agent(runtime, transport, server, health, tickIntervalMillis > 0);
    agent.control = control;
    return agent;
  }

  /**
   * Joins the failover decision group when the configuration has one (ADR 0016): committed
   * decisions are fed to the core in log order, this region's releases of a primary are submitted,
   * and operator decisions ({@code ApplyDecision}) are committed through the group. Without a group
   * in the configuration, does nothing.
   *
   * @param storageDirectory where the group's Ratis log is kept across restarts
   */
  public void joinFailoverGroup(java.nio.file.Path storageDirectory, ScheduledExecutorService scheduler,
      LongSupplier wallClockMillis) {
    if (runtime.config().failoverGroup() == null) {
      return;
    }
    // The group's Raft traffic gets the peers' link emulation and cuts, as consensus datasets do.
    io.meridian.agent.consensus.RaftLinks links = new io.meridian.agent.consensus.RaftLinks();
    for (io.meridian.agent.config.PeerConfig peer : runtime.config().peers()) {
      links.setDelayMillis(peer.region(), 2 * peer.emulation().oneWayDelayMillis());
      links.setCut(peer.region(), transport.isCut(peer.region()));
    }
    transport.addLinkListener(change -> links.setCut(change.peer(), change.cut()));
    io.meridian.agent.failover.FailoverGroup group = io.meridian.agent.failover.FailoverGroup.start(runtime.config(),
        storageDirectory, runtime::failoverViews, runtime::deliver, runtime::deliver, scheduler, wallClockMillis,
        links);
    failoverGroup = group;
    control.useFailoverGroup(group);
  }

  /**
   * Starts this agent's consistency probes (ADR 0022) unless {@code settings} turn them off; their
   * figures are served by the control API's {@code Probes} either way.
   *
   * @param allDatasets every dataset of the configuration, consensus ones included
   * @param selfAddress where this agent's KV API answers, for the probe's own writes
   * @param channelFactory makes channels to this agent and its peers
   * @param metricsRegistry where the probe metrics are registered
   * @return the prober, started; closed with the agent
   */
  public io.meridian.agent.probe.ConsistencyProber startProbes(io.meridian.agent.probe.ProbeSettings settings,
      java.util.List<io.meridian.agent.config.DatasetConfig> allDatasets, String selfAddress,
      Function<String, ManagedChannel> channelFactory, PrometheusRegistry metricsRegistry, LongSupplier wallClockMillis) {
    io.meridian.agent.probe.ConsistencyProber started = new io.meridian.agent.probe.ConsistencyProber(runtime,
        allDatasets, selfAddress, channelFactory, io.meridian.agent.metrics.ProbeMetrics.register(metricsRegistry),
        settings, wallClockMillis, System::nanoTime);
    prober = started;
    control.useProbes(started::figures);
    started.start();
    return started;
  }

  /** The runtime, for ticking by hand in tests. */
  public AgentRuntime runtime() {
    return runtime;
  }

  /** The peer transport, for cutting and healing links. */
  public PeerTransport transport() {
    return transport;
  }

  /** The port served on, or -1 for in-process servers. */
  public int port() {
    return server.getPort();
  }

  /** Blocks until the server stops. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /**
   * Closes the agent in order: stops accepting calls, stops probes, ticks, the failover group and
   * the peer streams, then stops the runtime (later client calls, peer frames and ticks are refused
   * or ignored, waiting requests fail with the reason) and ends the calls still open. Once this
   * returns, no step of the runtime reaches the store, so the caller may close it; callers that
   * cannot be sure the runtime stopped in time use {@link #close(Runnable)}. Closing again does
   * nothing.
   */
  @Override
  public void close() {
    close(() -> { });
  }

  /**
   * Closes the agent as {@link #close()} does and runs {@code afterLastStep} (closing the store)
   * on the runtime's logical thread after its last step, so that no step can reach a closed store
   * even when a step outlasts {@link #STOP_TIMEOUT_MILLIS}.
   */
  public void close(Runnable afterLastStep) {
    if (closed.getAndSet(true)) {
      runtime.stop(afterLastStep, STOP_TIMEOUT_MILLIS); // Closed before: only the caller's part is left.
      return;
    }
    health.enterTerminalState();
    // Stop accepting: no new call starts; the calls under way (peer streams among them) go on
    // until the runtime has stopped, and are cancelled after.
    server.shutdown();
    io.meridian.agent.probe.ConsistencyProber probes = prober;
    if (probes != null) {
      probes.close();
    }
    if (ticking) {
      runtime.stopTicking();
    }
    io.meridian.agent.failover.FailoverGroup group = failoverGroup;
    if (group != null) {
      group.close();
    }
    transport.close();
    runtime.stop(afterLastStep, STOP_TIMEOUT_MILLIS);
    server.shutdownNow();
  }
}

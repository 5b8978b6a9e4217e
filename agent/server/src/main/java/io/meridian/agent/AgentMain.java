package io.meridian.agent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.core.replication.ReplicationNode;
import io.meridian.agent.storage.rocksdb.RocksDbReplicaStore;
import io.meridian.agent.transport.PeerCompression;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs one agent: {@code meridian-agent --config FILE --data-dir DIR --port N --metrics-port M
 * [--bind-address IP] [--repair-interval-millis N] [--clock-skew-millis N]} (all interfaces unless
 * an address is given, for the gRPC and metrics ports; a clock skew shifts this agent's wall clock
 * for rehearsals of a wrong clock).
 * Prints {@code READY <port> <metrics port>} on standard output once serving (ports chosen when
 * given as 0), so a deployer knows when it may proceed. Metrics are served at {@code /metrics}.
 */
public final class AgentMain {
  /**
   * The longest wait between ticks of the replication core. Ticks come when the core's next
   * deadline (a batch delay, a heartbeat, a timeout) is due; this only bounds the wait for
   * timers a core does not announce.
   */
  public static final long TICK_INTERVAL_MILLIS_MAX = 100;
  /**
   * Idle time after which a peer connection is probed. A partition sends no reset, so without
   * probes a replica would wait on a dead stream indefinitely.
   */
  public static final long KEEPALIVE_MILLIS = 10_000;
  /** How long a probe may go unanswered before the connection is closed and reopened. */
  public static final long KEEPALIVE_TIMEOUT_MILLIS = 5_000;

  /** How long shutting down waits for the runtime's current step before giving up. */
  public static final long SHUTDOWN_TIMEOUT_MILLIS = 5_000;

  /** The largest clock skew {@code --clock-skew-millis} accepts: a day, either way. */
  public static final long CLOCK_SKEW_MILLIS_MAX = 86_400_000L;

  private AgentMain() {}

  /**
   * The configuration file: the agent configuration, with the protocol bounds optional.
   *
   * @param region this agent's region
   * @param peers the other agents
   * @param datasets what this region replicates
   * @param bounds protocol limits; defaults when absent
   * @param failoverGroup the failover decision group, if the deployment has one
   * @param consensus the Raft server and groups, when the agent takes part in consensus datasets
   */
  record ConfigFile(String region, List<PeerConfig> peers, List<DatasetConfig> datasets, ReplicationBounds bounds,
      io.meridian.agent.config.FailoverGroupConfig failoverGroup, io.meridian.agent.config.ConsensusConfig consensus) {
    /** A configuration without a failover decision group or consensus datasets. */
    ConfigFile(String region, List<PeerConfig> peers, List<DatasetConfig> datasets, ReplicationBounds bounds) {
      this(region, peers, datasets, bounds, null, null);
    }

    /** A configuration without consensus datasets. */
    ConfigFile(String region, List<PeerConfig> peers, List<DatasetConfig> datasets, ReplicationBounds bounds,
        io.meridian.agent.config.FailoverGroupConfig failoverGroup) {
      this(region, peers, datasets, bounds, failoverGroup, null);
    }

    AgentConfig toAgentConfig() {
      return new AgentConfig(region, peers == null ? List.of() : peers, datasets == null ? List.of() : datasets,
          bounds == null ? ReplicationBounds.DEFAULTS : bounds, failoverGroup);
    }
  }

  /** Reads an agent configuration from a JSON file. */
  static AgentConfig readConfig(Path file) throws IOException {
    return readConfigFile(file).toAgentConfig();
  }

  /** Reads the whole configuration file, the consensus section included. */
  static ConfigFile readConfigFile(Path file) throws IOException {
    ObjectMapper mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    return mapper.readValue(file.toFile(), ConfigFile.class);
  }

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    Path configFile = null;
    Path dataDirectory = null;
    int port = 0;
    int metricsPort = 0;
    String bindAddress = null;
    // Periodic repair is on by default (ADR 0022): sessions wait for a replica that is only lagging,
    // so they never re-send the backlog the log is delivering.
    long repairIntervalMillis = io.meridian.agent.core.antientropy.AntiEntropySettings.DEFAULTS.intervalMillis();
    // Consistency probes (ADR 0022): one probe write per dataset a second by default.
    long probeIntervalMillis = io.meridian.agent.probe.ProbeSettings.DEFAULTS.intervalMillis();
    long clockSkewMillis = 0;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--config":
          configFile = Path.of(require(value, "--config"));
          i++;
          break;
        case "--data-dir":
          dataDirectory = Path.of(require(value, "--data-dir"));
          i++;
          break;
        case "--port":
          port = Integer.parseInt(require(value, "--port"));
          i++;
          break;
        case "--metrics-port":
          metricsPort = Integer.parseInt(require(value, "--metrics-port"));
          i++;
          break;
        case "--bind-address":
          bindAddress = require(value, "--bind-address");
          i++;
          break;
        case "--repair-interval-millis":
          try {
            repairIntervalMillis = Long.parseLong(require(value, "--repair-interval-millis"));
          } catch (NumberFormatException e) {
            usage("--repair-interval-millis needs a whole number of milliseconds (0 turns periodic repair off), got "
                + value);
          }
          if (repairIntervalMillis < 0) {
            usage("--repair-interval-millis must be 0 (off) or positive, got " + value);
          }
          i++;
          break;
        case "--probe-interval-millis":
          try {
            probeIntervalMillis = Long.parseLong(require(value, "--probe-interval-millis"));
          } catch (NumberFormatException e) {
            usage("--probe-interval-millis needs a whole number of milliseconds (0 turns probes off), got " + value);
          }
          if (probeIntervalMillis < 0) {
            usage("--probe-interval-millis must be 0 (off) or positive, got " + value);
          }
          i++;
          break;
        case "--no-probes":
          probeIntervalMillis = 0;
          break;
        case "--clock-skew-millis":
          // Rehearsals of a wrong clock (issue 7): shifts this agent's wall clock only, which the
          // runtime hands to the core with every step and tick, the HLC and the failover group's
          // release watcher read. Fencing measures durations on one clock, so it must not matter.
          try {
            clockSkewMillis = Long.parseLong(require(value, "--clock-skew-millis"));
          } catch (NumberFormatException e) {
            usage("--clock-skew-millis needs a whole number of milliseconds (negative: behind), got " + value);
          }
          if (Math.abs(clockSkewMillis) > CLOCK_SKEW_MILLIS_MAX) {
            usage("--clock-skew-millis must be within +/-" + CLOCK_SKEW_MILLIS_MAX + " ms, got " + value);
          }
          i++;
          break;
        default:
          usage("unknown argument " + args[i]);
      }
    }
    if (configFile == null || dataDirectory == null) {
      usage("--config and --data-dir are required");
    }
    AgentConfig config;
    io.meridian.agent.config.ConsensusConfig consensus;
    try {
      ConfigFile file = readConfigFile(configFile);
      config = file.toAgentConfig();
      consensus = file.consensus();
      io.meridian.agent.consensus.RatisHost.validate(config, consensus);
    } catch (IOException | IllegalArgumentException e) {
      System.err.println(configFile + ": error: " + e.getMessage());
      System.exit(2);
      return;
    }
    java.util.List<DatasetConfig> allDatasets = config.datasets();
    ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, runnable -> {
      Thread thread = new Thread(runnable, "meridian-agent-scheduler");
      thread.setDaemon(true);
      return thread;
    });
    // Consensus datasets live in Ratis (ADR 0015); the core replicates the rest.
    config = io.meridian.agent.consensus.RatisHost.coreConfig(config);
    RocksDbReplicaStore store = new RocksDbReplicaStore(dataDirectory,
        ReplicationNode.storeNames(config));
    InetSocketAddress listen;
    try {
      listen = bindAddress == null ? new InetSocketAddress(port)
          : new InetSocketAddress(InetAddress.getByName(bindAddress), port);
    } catch (UnknownHostException e) {
      usage("--bind-address " + bindAddress + " is not an address of this machine (" + e.getMessage()
          + "); give an IP address such as 127.0.0.1 or 0.0.0.0");
      return;
    }
    long skew = clockSkewMillis;
    java.util.function.LongSupplier clock = skew == 0 ? System::currentTimeMillis : () -> System.currentTimeMillis() + skew;
    if (skew != 0) {
      System.err.println("region " + config.region() + ": clock skewed by " + skew + " ms (--clock-skew-millis)");
    }
    java.util.function.Function<String, io.grpc.ManagedChannel> channelFactory =
        address -> Grpc.newChannelBuilder(address, InsecureChannelCredentials.create())
            .keepAliveTime(KEEPALIVE_MILLIS, TimeUnit.MILLISECONDS)
            .keepAliveTimeout(KEEPALIVE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
            .keepAliveWithoutCalls(true)
            .compressorRegistry(PeerCompression.registry())
            .build();
    Agent agent = Agent.start(config, store,
        NettyServerBuilder.forAddress(listen, InsecureServerCredentials.create())
            .permitKeepAliveTime(KEEPALIVE_MILLIS / 2, TimeUnit.MILLISECONDS)
            .permitKeepAliveWithoutCalls(true),
        channelFactory,
        clock, scheduler, TICK_INTERVAL_MILLIS_MAX, PrometheusRegistry.defaultRegistry,
        store::approximateSizeBytes,
        io.meridian.agent.core.antientropy.AntiEntropySettings.DEFAULTS.withIntervalMillis(repairIntervalMillis));
    // Store syncs on their own thread, one for every step that asked while the previous ran (ADR 0043).
    agent.runtime().syncInBackground(java.util.concurrent.Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "meridian-store-sync");
      thread.setDaemon(true);
      return thread;
    }));
    io.meridian.agent.consensus.RatisHost ratis = null;
    try {
      if (consensus != null) {
        // Raft traffic gets the same link emulation and cuts as the peer streams (ADR 0015).
        io.meridian.agent.consensus.RaftLinks links = new io.meridian.agent.consensus.RaftLinks();
        for (PeerConfig peer : config.peers()) {
          links.setDelayMillis(peer.region(), 2 * peer.emulation().oneWayDelayMillis());
        }
        agent.transport().addLinkListener(change -> links.setCut(change.peer(), change.cut()));
        ratis = io.meridian.agent.consensus.RatisHost.start(config.region(), consensus,
            dataDirectory.resolve("consensus"), bindAddress, links);
        io.meridian.agent.consensus.ConsensusMetrics consensusMetrics =
            io.meridian.agent.consensus.ConsensusMetrics.register(PrometheusRegistry.defaultRegistry);
        for (io.meridian.agent.config.ConsensusConfig.ConsensusGroup group : consensus.groups()) {
          ratis.attach(group.dataset(), agent.runtime(), consensusMetrics);
        }
      }
      agent.joinFailoverGroup(dataDirectory.resolve("failover-group"), scheduler, clock);
    } catch (java.io.UncheckedIOException cannotStart) {
      // A Raft port that cannot be bound (RaftPorts) or a Raft log that cannot be opened: say so
      // and stop, rather than serve without the consensus datasets or the failover group.
      System.err.println("error: " + cannotStart.getMessage());
      if (ratis != null) {
        ratis.close();
      }
      agent.close(store::close);
      System.exit(1);
      return;
    }
    io.meridian.agent.consensus.RatisHost ratisHost = ratis;
    String selfHost = bindAddress == null || bindAddress.equals("0.0.0.0") || bindAddress.equals("::")
        ? "127.0.0.1" : bindAddress;
    agent.startProbes(io.meridian.agent.probe.ProbeSettings.DEFAULTS.withIntervalMillis(probeIntervalMillis),
        allDatasets, selfHost + ":" + agent.port(), channelFactory, PrometheusRegistry.defaultRegistry,
        clock);
    JvmMetrics.builder().register();
    HTTPServer.Builder metricsServer = HTTPServer.builder().port(metricsPort);
    if (bindAddress != null) {
      metricsServer.hostname(bindAddress);
    }
    HTTPServer metrics = metricsServer.buildAndStart();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      metrics.close();
      // The store closes on the runtime's logical thread after its last step: closing it under
      // a running step crashed the JVM inside RocksDB.
      agent.close(store::close);
      if (ratisHost != null) {
        ratisHost.close();
      }
    }, "meridian-agent-shutdown"));
    System.out.println("READY " + agent.port() + " " + metrics.getPort());
    System.out.flush();
    agent.awaitTermination();
  }

  private static String require(String value, String flag) {
    if (value == null) {
      usage(flag + " needs a value");
    }
    return value;
  }

  private static void usage(String problem) {
    System.err.println("error: " + problem);
    System.err.println("usage: meridian-agent --config FILE --data-dir DIR [--port N] [--metrics-port M]"
        + " [--bind-address IP] [--repair-interval-millis N (default 60000; 0: on demand only)]"
        + " [--probe-interval-millis N (default 1000) | --no-probes]"
        + " [--clock-skew-millis N (rehearsal: shift this agent's clock, default 0)]");
    System.exit(2);
  }
}

package io.meridian.agent.consensus;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.ConsensusConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.runtime.AgentRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This agent's Ratis server: one port, one Raft group per consensus dataset this region is a
 * member of (replica or witness), each with its own {@link ConsensusStateMachine}. Self-contained
 * so another feature's groups could later share the server. Restarting on the same directory
 * recovers each group's log and snapshot.
 */
public final class RatisHost implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RatisHost.class);
  /** Log entries between two snapshots; after a snapshot the log before it is purged. */
  public static final long SNAPSHOT_EVERY_ENTRIES = 50_000;
  /** Largest Raft log segment file. */
  public static final SizeInBytes LOG_SEGMENT_SIZE_MAX = SizeInBytes.valueOf("32MB");
  /** Least time between two appendEntries from the leader to one follower (Ratis' default: 10 ms). */
  public static final TimeDuration APPENDER_WAIT_TIME_MIN = TimeDuration.ZERO;
  /** Replica priority; witnesses get 0, so Ratis hands leadership to a replica whenever one can lead. */
  static final int REPLICA_PRIORITY = 1;

  private final String region;
  private final ConsensusConfig config;
  // Set once, right after the server is built (the server asks for state machines while building).
  private RaftServer server;
  private final RaftProperties properties;
  private final Map<String, ConsensusDataset> datasets = new LinkedHashMap<>();
  private final Map<RaftGroupId, ConsensusStateMachine> machines = new ConcurrentHashMap<>();
  private final Map<RaftGroupId, String> datasetOfGroup = new ConcurrentHashMap<>();
  private final Map<String, LeaderListener> leaderListeners = new ConcurrentHashMap<>();
  // Leader changes reach the datasets (and the runtime) on this thread, in order, never on the
  // Ratis thread that reports them inside its server's lock (see notifyLeaderChanged).
  private final java.util.concurrent.ExecutorService leaderEvents;

  /** Told about leader changes of a dataset as this member sees them. */
  interface LeaderListener {
    void leaderChanged(String leaderRegion, long term);
  }

  private RatisHost(String region, ConsensusConfig config, RaftProperties properties) {
    this.region = region;
    this.config = config;
    this.properties = properties;
    this.leaderEvents = java.util.concurrent.Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "meridian-raft-leader-" + region);
      thread.setDaemon(true);
      return thread;
    });
    for (ConsensusConfig.ConsensusGroup group : config.groups()) {
      datasetOfGroup.put(groupId(group.dataset()), group.dataset());
    }
  }

  /** The Raft group id of a dataset: stable across restarts and equal on every member. */
  public static RaftGroupId groupId(String dataset) {
    return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("meridian-consensus/" + dataset)
        .getBytes(StandardCharsets.UTF_8)));
  }

  /** The Ratis group of {@code group}: replicas at priority 1, witnesses at 0. */
  static RaftGroup raftGroup(ConsensusConfig config, ConsensusConfig.ConsensusGroup group) {
    List<RaftPeer> peers = new ArrayList<>();
    for (String member : group.members()) {
      peers.add(RaftPeer.newBuilder().setId(member).setAddress(config.addresses().get(member))
          .setPriority(group.witnesses().contains(member) ? 0 : REPLICA_PRIORITY).build());
    }
    return RaftGroup.valueOf(groupId(group.dataset()), peers);
  }

  /**
   * Checks that every consensus dataset of {@code agent} has a group in {@code consensus}, with
   * the same replicas; throws with what to fix otherwise.
   */
  public static void validate(AgentConfig agent, ConsensusConfig consensus) {
    for (DatasetConfig dataset : agent.datasets()) {
      if (dataset.mode() != ReplicationMode.CONSENSUS) {
        continue;
      }
      if (consensus == null) {
        throw new IllegalArgumentException("dataset " + dataset.name() + " is in consensus mode but the"
            + " configuration has no \"consensus\" section (Raft port, member addresses, groups); add one");
      }
      ConsensusConfig.ConsensusGroup group = consensus.group(dataset.name()).orElseThrow(
          () -> new IllegalArgumentException("consensus dataset " + dataset.name()
              + " has no group in consensus.groups; add one listing its replicas"));
      if (!new java.util.HashSet<>(group.replicas()).equals(new java.util.HashSet<>(dataset.replicas()))) {
        throw new IllegalArgumentException("consensus dataset " + dataset.name() + ": group replicas "
            + group.replicas() + " differ from the dataset's " + dataset.replicas());
      }
    }
  }

  /** The agent configuration without its consensus datasets: what the pure core replicates. */
  public static AgentConfig coreConfig(AgentConfig config) {
    List<DatasetConfig> core = config.datasets().stream()
        .filter(dataset -> dataset.mode() != ReplicationMode.CONSENSUS).toList();
    return core.size() == config.datasets().size() ? config
        : new AgentConfig(config.region(), config.peers(), core, config.bounds());
  }

  /**
   * Starts the Raft server of {@code region} and joins (or recovers) its groups.
   *
   * @param directory where the Raft logs and snapshots live
   * @param bindHost the address to listen on, or null for every interface
   */
  public static RatisHost start(String region, ConsensusConfig config, Path directory, String bindHost) {
    return start(region, config, directory, bindHost, new RaftLinks());
  }

  /**
   * Starts the Raft server with link faults and emulation applied to its Raft traffic.
   *
   * @param links cut links and delays, kept current by the caller
   */
  public static RatisHost start(String region, ConsensusConfig config, Path directory, String bindHost,
      RaftLinks links) {
    return start(region, config, directory, bindHost, links, properties -> {});
  }

  /**
   * Starts the Raft server with {@code adjust} applied to its Ratis properties last; for
   * benchmarks that take one cost out to measure it (ADR 0043), never for a serving agent.
   */
  static RatisHost start(String region, ConsensusConfig config, Path directory, String bindHost,
      RaftLinks links, java.util.function.Consumer<RaftProperties> adjust) {
    // Ratis exits the JVM when it cannot bind: check first, and say why.
    RaftPorts.requireBindable(region, "the Raft server of its consensus datasets", bindHost, config.port(),
        "\"consensus\": {\"port\": ...}");
    RaftProperties properties = new RaftProperties();
    org.apache.ratis.RaftConfigKeys.Rpc.setType(properties,
        new LinkAwareRpcType());
    Parameters parameters = new Parameters();
    parameters.put(LinkAwareGrpcFactory.LINKS_KEY, links, RaftLinks.class);
    RaftServerConfigKeys.setStorageDir(properties, List.of(directory.toFile()));
    GrpcConfigKeys.Server.setPort(properties, config.port());
    if (bindHost != null) {
      GrpcConfigKeys.Server.setHost(properties, bindHost);
    }
    RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    long timeout = config.electionTimeoutMillisMin();
    RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(timeout, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(2 * timeout, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, SNAPSHOT_EVERY_ENTRIES);
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
    RaftServerConfigKeys.Log.setSegmentSizeMax(properties, LOG_SEGMENT_SIZE_MAX);
    // Ratis' leader waits at least 10 ms (its default) between two appendEntries to a follower, so
    // a write arriving within 10 ms of the previous one (or of a heartbeat) waited for it: several
    // milliseconds of a commit's median at moderate rates (ADR 0029). Entries still group under
    // load: an appendEntries carries whatever the log holds when it leaves, and the appender waits
    // while too many requests are outstanding.
    RaftServerConfigKeys.Log.Appender.setWaitTimeMin(properties, APPENDER_WAIT_TIME_MIN);
    adjust.accept(properties);
    RatisHost host = new RatisHost(region, config, properties);
    try {
      host.server = RaftServer.newBuilder()
          .setServerId(RaftPeerId.valueOf(region))
          .setProperties(properties)
          .setParameters(parameters)
          .setStateMachineRegistry(host::newStateMachine)
          .build();
      host.server.start();
      for (ConsensusConfig.ConsensusGroup group : config.groups()) {
        host.join(group);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("region " + region + ": cannot start the Raft server on port "
          + config.port() + " with data in " + directory + ": " + e.getMessage(), e);
    }
    return host;
  }

  /** The Raft server, for benchmarks in this package that submit to it directly (ADR 0043). */
  RaftServer raftServer() {
    return server;
  }

  private ConsensusStateMachine newStateMachine(RaftGroupId groupId) {
    String dataset = datasetOfGroup.get(groupId);
    if (dataset == null) {
      throw new IllegalStateException("region " + region + " holds Raft group " + groupId
          + " on disk, which no configured consensus dataset uses; remove it from the data directory");
    }
    ConsensusStateMachine machine = new ConsensusStateMachine(dataset, region, (leader, term) -> {
      LeaderListener listener = leaderListeners.get(dataset);
      if (listener != null) {
        listener.leaderChanged(leader, term);
      }
    }, leaderEvents);
    machines.put(groupId, machine);
    return machine;
  }

  private void join(ConsensusConfig.ConsensusGroup group) throws IOException {
    RaftGroupId id = groupId(group.dataset());
    boolean recovered = false;
    for (RaftGroupId existing : server.getGroupIds()) {
      recovered |= existing.equals(id);
    }
    if (!recovered) {
      RaftClientReply reply = server.groupManagement(GroupManagementRequest.newAdd(ClientId.randomId(),
          server.getId(), 0, raftGroup(config, group)));
      if (!reply.isSuccess()) {
        throw new IOException("cannot join the Raft group of " + group.dataset() + ": " + reply.getException());
      }
    }
    log.info("{}: member of the Raft group of {} ({}){}", region, group.dataset(), group.members(),
        recovered ? ", recovered from disk" : "");
  }

  /**
   * Serves consensus {@code dataset} through {@code runtime}: its client operations go to Raft,
   * its leader changes become events of the runtime.
   */
  public ConsensusDataset attach(String dataset, AgentRuntime runtime, ConsensusMetrics metrics) {
    ConsensusConfig.ConsensusGroup group = config.group(dataset).orElseThrow(
        () -> new IllegalArgumentException("region " + region + " hosts no Raft group for " + dataset));
    RaftGroupId id = groupId(dataset);
    ConsensusDataset served = new ConsensusDataset(dataset, region, raftGroup(config, group), server,
        machines.get(id), properties, runtime, metrics);
    datasets.put(dataset, served);
    leaderListeners.put(dataset, served::onLeaderChanged);
    if (group.replicas().contains(region)) {
      runtime.attachExternal(dataset, served);
    }
    // On the leader thread too, so that it keeps its order with the changes Ratis reports.
    leaderEvents.execute(served::refreshLeader);
    return served;
  }

  /** The port the Raft server listens on. */
  public int port() {
    return server.getServerRpc().getInetSocketAddress().getPort();
  }

  /** The state machine of {@code dataset} here (tests compare members). */
  ConsensusStateMachine stateMachine(String dataset) {
    return machines.get(groupId(dataset));
  }

  @Override
  public void close() {
    datasets.values().forEach(ConsensusDataset::close);
    try {
      server.close();
    } catch (IOException e) {
      log.warn("{}: closing the Raft server: {}", region, e.getMessage());
    }
    leaderEvents.shutdownNow(); // Nobody waits for it: a change reported while closing is dropped.
  }
}

package io.meridian.app.deploy;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.ConsensusConfig;
import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverGroupConfig;
import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.QuorumPolicy;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.model.Dataset;
import io.meridian.model.Link;
import io.meridian.model.Policy;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * Compiles a topology into one agent configuration per data region. Pure: ports come from the
 * supplier it is given, nothing is read or written.
 *
 * <p>What it decides:
 * <ul>
 *   <li>Every data region gets an agent; every other data region is its peer, reached at
 *       {@code 127.0.0.1}. Witness regions get no agent, except those listed among the replicas
 *       of a {@code consensus} dataset (an agent that only votes in its Raft group) or of an
 *       {@code async}/{@code sync} dataset that fails over automatically (an agent that grants
 *       the primary's lease, releases it and votes in the failover group, ADR 0020; it is a peer
 *       of every data region and they of it).</li>
 *   <li>{@code consensus} datasets (ADR 0015) get one Raft group across their replicas and
 *       witnesses; every member agent gets a third port for its Raft server.</li>
 *   <li>With WAN emulation, traffic to a peer gets the topology's link between the two regions:
 *       half the round trip as one-way delay, the link's jitter, its bandwidth and loss. Two
 *       regions without a direct link get the shortest path by round trip (delays and jitter
 *       added, the narrowest bandwidth, losses combined). Without emulation, none.</li>
 *   <li>Datasets in {@code async} and {@code sync} mode are deployed with their primary;
 *       {@code sync} waits for {@code syncAcks} replicas (all when unset) and forces the log to
 *       disk on every commit, {@code async} leaves flushing to the operating system.
 *       {@code multi-primary} datasets are deployed with their conflict resolution, every
 *       replica accepting writes. Datasets in other modes are skipped with a warning, as are
 *       witnesses listed among the replicas of a dataset without automatic failover.</li>
 *   <li>Every peer carries its region's jurisdiction and every dataset its allowed
 *       jurisdictions, so agents enforce residency on the wire (defence behind validation).</li>
 *   <li>Each {@code async}/{@code sync} dataset carries its policy's failover settings (automatic
 *       or not, the detection timeout as the primary's lease). When any has automatic failover,
 *       every agent also gets the failover decision group: a Ratis port of its own (a third port
 *       per agent), the members, and each dataset's failover priority (ADR 0016).</li>
 * </ul>
 */
public final class DeploymentCompiler {
  /** The only address local deployments use. */
  public static final String LOOPBACK = "127.0.0.1";
  /** Highest loss rate the agent accepts; a link the topology says loses everything is capped. */
  static final double LOSS_RATE_MAX = 0.99;

  /** Creates a compiler. */
  public DeploymentCompiler() {}

  /**
   * Compiles {@code topology}.
   *
   * @param topology a topology that passed validation without errors
   * @param emulateWan whether traffic between agents gets the links' delay, jitter, bandwidth
   *     and loss
   * @param ports hands out a distinct free port each time it is called (two per agent, three
   *     when a dataset fails over automatically)
   * @return the plan, with a warning line for everything left out
   * @throws IllegalArgumentException when the topology cannot be deployed (no data region, say)
   */
  public DeploymentPlan compile(Topology topology, boolean emulateWan, IntSupplier ports) {
    List<String> warnings = new ArrayList<>();
    List<Region> dataRegions = topology.regions().stream().filter(r -> !r.isWitness()).toList();
    Set<String> dataRegionIds = new HashSet<>();
    dataRegions.forEach(r -> dataRegionIds.add(r.id().value()));
    Set<String> consensusWitnesses = consensusWitnesses(topology);
    Set<String> failoverWitnesses = failoverWitnesses(topology);
    for (Region region : topology.regions()) {
      String id = region.id().value();
      if (region.isWitness() && !consensusWitnesses.contains(id) && !failoverWitnesses.contains(id)) {
        warnings.add("warning: region " + region.id() + " is a witness of no consensus dataset and no"
            + " automatically failed-over async or sync dataset; it gets no agent, for it has no vote");
      }
    }
    if (dataRegions.isEmpty()) {
      throw new IllegalArgumentException("topology " + topology.name()
          + " has no data region to deploy an agent to");
    }

    Map<String, List<DatasetConfig>> datasetsByRegion = new LinkedHashMap<>();
    dataRegions.forEach(r -> datasetsByRegion.put(r.id().value(), new ArrayList<>()));
    for (Dataset dataset : topology.datasets()) {
      compileDataset(topology, dataset, dataRegionIds, warnings)
          .map(config -> withReadPolicy(topology, dataset, config))
          .ifPresent(config -> config.voters().forEach(
              voter -> datasetsByRegion.computeIfAbsent(voter, unused -> new ArrayList<>()).add(config)));
    }
    // The regions that carry single-primary traffic: data regions, and the witnesses the primaries
    // heartbeat for their lease (ADR 0020).
    List<Region> peerRegions = topology.regions().stream()
        .filter(r -> !r.isWitness() || failoverWitnesses.contains(r.id().value())).toList();

    Map<String, Integer> grpcPorts = new HashMap<>();
    Map<String, Integer> metricsPorts = new HashMap<>();
    Set<Integer> handedOut = new HashSet<>();
    for (Region region : peerRegions) {
      grpcPorts.put(region.id().value(), distinctPort(ports, handedOut));
      metricsPorts.put(region.id().value(), distinctPort(ports, handedOut));
    }

    // Consensus (ADR 0015): one Raft port per member region, witnesses included.
    Map<String, String> raftAddresses = new LinkedHashMap<>();
    List<ConsensusConfig.ConsensusGroup> groups = new ArrayList<>();
    for (Dataset dataset : topology.datasets()) {
      Optional<DatasetConfig> compiled = datasetsByRegion.values().stream().flatMap(List::stream)
          .filter(d -> d.name().equals(dataset.name()) && d.mode() == ReplicationMode.CONSENSUS).findFirst();
      if (compiled.isEmpty()) {
        continue;
      }
      List<String> witnesses = dataset.replicas().stream().map(RegionId::value)
          .filter(consensusWitnesses::contains).toList();
      ConsensusConfig.ConsensusGroup group = new ConsensusConfig.ConsensusGroup(dataset.name(),
          compiled.get().replicas(), witnesses);
      groups.add(group);
      for (String member : group.members()) {
        raftAddresses.computeIfAbsent(member, m -> LOOPBACK + ":" + distinctPort(ports, handedOut));
      }
    }

    // Automatic failover needs the failover decision group: one Ratis member per agent, on a port
    // of its own, and every dataset's failover priority.
    boolean anyAutomatic = datasetsByRegion.values().stream().flatMap(List::stream)
        .anyMatch(config -> config.mode() != ReplicationMode.MULTI_PRIMARY && config.failover().automatic());
    Map<String, Integer> groupPorts = new HashMap<>();
    List<FailoverGroupConfig.Member> groupMembers = new ArrayList<>();
    Map<String, List<String>> priorities = new LinkedHashMap<>();
    if (anyAutomatic) {
      // Witnesses of automatically failed-over datasets vote in the group too (ADR 0020).
      for (Region region : peerRegions) {
        int port = distinctPort(ports, handedOut);
        groupPorts.put(region.id().value(), port);
        groupMembers.add(new FailoverGroupConfig.Member(region.id().value(), LOOPBACK + ":" + port));
      }
      for (Dataset dataset : topology.datasets()) {
        topology.policyOf(dataset).ifPresent(policy -> priorities.put(dataset.name(),
            policy.failoverPriority().stream().map(RegionId::value).toList()));
      }
    }

    List<AgentPlan> agents = new ArrayList<>();
    for (Region region : topology.regions()) {
      if (region.isWitness() && !failoverWitnesses.contains(region.id().value())) {
        String id = region.id().value();
        if (raftAddresses.containsKey(id)) {
          int grpc = distinctPort(ports, handedOut);
          int metrics = distinctPort(ports, handedOut);
          agents.add(new AgentPlan(id, grpc, metrics,
              new AgentConfig(id, List.of(), List.of(), ReplicationBounds.DEFAULTS),
              consensusOf(id, raftAddresses, groups)));
        }
        continue;
      }
      String id = region.id().value();
      List<PeerConfig> peers = new ArrayList<>();
      for (Region other : peerRegions) {
        if (!other.id().equals(region.id())) {
          LinkEmulation emulation = emulateWan
              ? emulation(topology, region.id(), other.id()) : LinkEmulation.NONE;
          // The peer's jurisdiction lets the agent refuse to send it data a dataset's residency
          // rule forbids, whatever the placement says.
          peers.add(new PeerConfig(other.id().value(),
              LOOPBACK + ":" + grpcPorts.get(other.id().value()), emulation,
              other.jurisdiction().code()));
        }
      }
      AgentConfig config = new AgentConfig(id, peers, datasetsByRegion.getOrDefault(id, List.of()),
          ReplicationBounds.DEFAULTS, anyAutomatic
              ? new FailoverGroupConfig(groupPorts.get(id), groupMembers, priorities) : null);
      agents.add(new AgentPlan(id, grpcPorts.get(id), metricsPorts.get(id), config,
          consensusOf(id, raftAddresses, groups)));
    }
    return new DeploymentPlan(topology.name(), agents, warnings);
  }

  /**
   * Witness regions listed among the replicas of an async or sync dataset that fails over
   * automatically: they vote in the failover group and grant the primary's lease (ADR 0020), so
   * they get an agent.
   */
  private static Set<String> failoverWitnesses(Topology topology) {
    Set<String> witnesses = new HashSet<>();
    for (Dataset dataset : topology.datasets()) {
      Optional<Policy> policy = topology.policyOf(dataset);
      if (policy.isPresent() && automaticSinglePrimary(policy.get())) {
        for (RegionId replica : dataset.replicas()) {
          topology.regions().stream().filter(r -> r.id().equals(replica) && r.isWitness())
              .forEach(r -> witnesses.add(r.id().value()));
        }
      }
    }
    return witnesses;
  }

  private static boolean automaticSinglePrimary(Policy policy) {
    return (policy.mode() == io.meridian.model.ReplicationMode.ASYNC
        || policy.mode() == io.meridian.model.ReplicationMode.SYNC) && policy.failover().automatic();
  }

  /** Witness regions listed among the replicas of a consensus dataset: they vote, so they get an agent. */
  private static Set<String> consensusWitnesses(Topology topology) {
    Set<String> witnesses = new HashSet<>();
    for (Dataset dataset : topology.datasets()) {
      Optional<Policy> policy = topology.policyOf(dataset);
      if (policy.isPresent() && policy.get().mode() == io.meridian.model.ReplicationMode.CONSENSUS) {
        for (RegionId replica : dataset.replicas()) {
          topology.regions().stream().filter(r -> r.id().equals(replica) && r.isWitness())
              .forEach(r -> witnesses.add(r.id().value()));
        }
      }
    }
    return witnesses;
  }

  private static ConsensusConfig consensusOf(String region, Map<String, String> raftAddresses,
      List<ConsensusConfig.ConsensusGroup> groups) {
    List<ConsensusConfig.ConsensusGroup> own = groups.stream()
        .filter(group -> group.members().contains(region)).toList();
    if (own.isEmpty()) {
      return null;
    }
    int port = Integer.parseInt(raftAddresses.get(region).substring(LOOPBACK.length() + 1));
    return new ConsensusConfig(port, raftAddresses, own, ConsensusConfig.ELECTION_TIMEOUT_MILLIS_DEFAULT);
  }

  private static int distinctPort(IntSupplier ports, Set<Integer> handedOut) {
    int port = ports.getAsInt();
    if (!handedOut.add(port)) {
      throw new IllegalStateException("the port supplier handed out port " + port + " twice");
    }
    return port;
  }

  /**
   * The dataset with its policy's staleness bound, which bounded-staleness reads are served under
   * (ADR 0021); the default read policy (no bound) when the policy sets none.
   */
  private static DatasetConfig withReadPolicy(Topology topology, Dataset dataset, DatasetConfig config) {
    return topology.policyOf(dataset).flatMap(Policy::stalenessBound)
        .map(bound -> config.withReads(io.meridian.agent.config.ReadPolicy.bounded(bound.maxLagMs(),
            bound.maxLagVersions())))
        .orElse(config);
  }

  private static Optional<DatasetConfig> compileDataset(Topology topology, Dataset dataset,
      Set<String> dataRegionIds, List<String> warnings) {
    Optional<Policy> found = topology.policyOf(dataset);
    if (found.isEmpty()) {
      warnings.add("warning: dataset " + dataset.name() + " skipped: its policy "
          + dataset.policy() + " does not exist");
      return Optional.empty();
    }
    Policy policy = found.get();
    ReplicationMode mode;
    switch (policy.mode()) {
      case ASYNC -> mode = ReplicationMode.ASYNC;
      case SYNC -> mode = ReplicationMode.SYNC;
      case MULTI_PRIMARY -> mode = ReplicationMode.MULTI_PRIMARY;
      case QUORUM -> mode = ReplicationMode.QUORUM;
      case CONSENSUS -> mode = ReplicationMode.CONSENSUS;
      default -> {
        warnings.add("warning: dataset " + dataset.name() + " skipped: the agent does not run "
            + policy.mode() + " mode yet");
        return Optional.empty();
      }
    }
    List<String> allowed = dataset.allowedJurisdictions().stream().map(j -> j.code()).toList();
    List<String> replicas = new ArrayList<>();
    List<String> witnesses = new ArrayList<>();
    for (RegionId replica : dataset.replicas()) {
      if (dataRegionIds.contains(replica.value())) {
        replicas.add(replica.value());
      } else if (mode == ReplicationMode.CONSENSUS) {
        continue; // A witness: it votes in the Raft group and holds no replica (ADR 0015).
      } else if (automaticSinglePrimary(policy)
          && topology.regions().stream().anyMatch(r -> r.id().equals(replica) && r.isWitness())) {
        witnesses.add(replica.value()); // Votes on failover and grants the lease (ADR 0020).
      } else {
        warnings.add("warning: dataset " + dataset.name() + ": " + replica
            + " is not a data region and holds no replica");
      }
    }
    if (mode == ReplicationMode.MULTI_PRIMARY) {
      if (replicas.isEmpty()) {
        warnings.add("warning: dataset " + dataset.name() + " skipped: it has no data replica");
        return Optional.empty();
      }
      return Optional.of(DatasetConfig.multiPrimary(dataset.name(), replicas,
          ConflictResolution.fromPolicyName(policy.conflictResolution().fileName()),
          FsyncPolicy.OPERATING_SYSTEM, allowed));
    }
    if (mode == ReplicationMode.QUORUM) {
      return compileQuorum(dataset, policy, replicas, allowed, warnings);
    }
    if (mode == ReplicationMode.CONSENSUS) {
      if (replicas.isEmpty()) {
        warnings.add("warning: dataset " + dataset.name() + " skipped: it has no data replica");
        return Optional.empty();
      }
      // Raft elects the leader; the configured primary is only where a deployment starts looking.
      String first = policy.primary() != null && replicas.contains(policy.primary().value())
          ? policy.primary().value() : replicas.get(0);
      return Optional.of(new DatasetConfig(dataset.name(), mode, replicas, first, 0,
          FsyncPolicy.PER_COMMIT, 1, ConflictResolution.LWW, allowed));
    }
    if (policy.primary() == null || !replicas.contains(policy.primary().value())) {
      warnings.add("warning: dataset " + dataset.name() + " skipped: its primary is not one of "
          + "its data replicas");
      return Optional.empty();
    }
    int others = replicas.size() - 1;
    int syncAcks = policy.syncAcks() == null ? others : Math.min(policy.syncAcks(), others);
    FsyncPolicy fsync = mode == ReplicationMode.SYNC ? FsyncPolicy.PER_COMMIT
        : FsyncPolicy.OPERATING_SYSTEM;
    // The topology's failover settings reach the agents: with automatic failover the primary holds a
    // lease of a third of the detection timeout and the failover group decides (ADR 0016, 0019).
    FailoverPolicy failover = FailoverPolicy.forDetectionTimeout(policy.failover().automatic(),
        policy.failover().detectionTimeoutMs());
    return Optional.of(new DatasetConfig(dataset.name(), mode, replicas,
        policy.primary().value(), mode == ReplicationMode.SYNC ? syncAcks : 0, fsync, 1,
        ConflictResolution.LWW, allowed, failover).withWitnesses(witnesses));
  }

  /**
   * A quorum dataset: N is its data replicas, W and R come from the policy's quorum (majorities
   * when it has none, clamped to N when the policy counted replicas that hold no data). Conflicts
   * are resolved by LWW or kept as version-vector siblings (ADR 0034); a policy asking for a CRDT
   * is refused rather than downgraded.
   */
  private static Optional<DatasetConfig> compileQuorum(Dataset dataset, Policy policy, List<String> replicas,
      List<String> allowed, List<String> warnings) {
    if (replicas.isEmpty()) {
      warnings.add("warning: dataset " + dataset.name() + " skipped: it has no data replica");
      return Optional.empty();
    }
    String rule = policy.conflictResolution().fileName();
    if (!rule.equals(ConflictResolution.LWW.policyName())
        && !rule.equals(ConflictResolution.VERSION_VECTOR.policyName())) {
      warnings.add("warning: dataset " + dataset.name() + " skipped: the agent's quorum mode resolves concurrent"
          + " writes by lww or version-vector, not " + rule + " (CRDTs need the multi-primary mode); set"
          + " conflictResolution: lww or version-vector in policy " + policy.name() + " to deploy it");
      return Optional.empty();
    }
    int n = replicas.size();
    QuorumPolicy quorum = QuorumPolicy.majorities(n);
    if (policy.quorum() != null) {
      if (policy.quorum().n() != n) {
        warnings.add("warning: dataset " + dataset.name() + ": policy " + policy.name() + " says N="
            + policy.quorum().n() + " but the dataset has " + n + " data replicas; N=" + n + " is used");
      }
      quorum = new QuorumPolicy(Math.min(policy.quorum().w(), n), Math.min(policy.quorum().r(), n),
          QuorumPolicy.TIMEOUT_MILLIS_DEFAULT, QuorumPolicy.HINTS_PER_REPLICA_MAX_DEFAULT);
    }
    return Optional.of(new DatasetConfig(dataset.name(), ReplicationMode.QUORUM, replicas, replicas.get(0), 0,
        FsyncPolicy.OPERATING_SYSTEM, 1, ConflictResolution.fromPolicyName(rule), allowed, null, quorum));
  }

  /**
   * The emulation of traffic from {@code from} to {@code to}: the direct link, else the path
   * with the smallest round trip, else none (the validator reports regions without a path).
   */
  static LinkEmulation emulation(Topology topology, RegionId from, RegionId to) {
    Optional<Link> direct = topology.link(from, to);
    if (direct.isPresent()) {
      Link link = direct.get();
      return emulation(link.rttMs(), link.jitterMs(), link.bandwidthMbps(),
          link.lossPercent() / 100);
    }
    return shortestPath(topology, from, to)
        .map(path -> emulation(path.rttMs, path.jitterMs, path.bandwidthMbps, path.lossRate))
        .orElse(LinkEmulation.NONE);
  }

  private static LinkEmulation emulation(double rttMs, double jitterMs, double bandwidthMbps,
      double lossRate) {
    long bandwidthBytesPerSecond = Math.round(bandwidthMbps * 1_000_000 / 8);
    return new LinkEmulation(Math.round(rttMs / 2), Math.round(jitterMs), bandwidthBytesPerSecond,
        Math.min(lossRate, LOSS_RATE_MAX));
  }

  /** A path's combined figures. */
  private record Path(double rttMs, double jitterMs, double bandwidthMbps, double lossRate) {}

  /** Dijkstra by round trip over at most as many rounds as there are regions. */
  private static Optional<Path> shortestPath(Topology topology, RegionId from, RegionId to) {
    Map<RegionId, Path> best = new HashMap<>();
    Set<RegionId> done = new HashSet<>();
    best.put(from, new Path(0, 0, Double.POSITIVE_INFINITY, 0));
    for (int round = 0; round < topology.regions().size(); round++) {
      RegionId current = null;
      for (Map.Entry<RegionId, Path> entry : best.entrySet()) {
        if (!done.contains(entry.getKey())
            && (current == null || entry.getValue().rttMs < best.get(current).rttMs)) {
          current = entry.getKey();
        }
      }
      if (current == null) {
        break;
      }
      if (current.equals(to)) {
        return Optional.of(best.get(to));
      }
      done.add(current);
      Path here = best.get(current);
      for (Link link : topology.links()) {
        if (link.touches(current)) {
          RegionId next = link.other(current);
          Path via = new Path(here.rttMs + link.rttMs(), here.jitterMs + link.jitterMs(),
              Math.min(here.bandwidthMbps, link.bandwidthMbps()),
              1 - (1 - here.lossRate) * (1 - link.lossPercent() / 100));
          Path known = best.get(next);
          if (!done.contains(next) && (known == null || via.rttMs < known.rttMs)) {
            best.put(next, via);
          }
        }
      }
    }
    return Optional.empty();
  }
}

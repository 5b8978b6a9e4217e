package io.meridian.agent.sim;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResponse;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.DatasetStatus;
import io.meridian.agent.core.replication.FailoverView;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.Output;
import io.meridian.agent.core.replication.PeerLinkStatus;
import io.meridian.agent.core.replication.PeerMessage;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.replication.ReplicationNode;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.ChangeKind;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.storage.Version;
import io.meridian.agent.failover.DecisionLog;
import io.meridian.agent.failover.FailoverCommand;
import io.meridian.agent.failover.FailoverGroup;
import io.meridian.agent.core.replication.Role;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One seeded run: 3 to 5 regions replicating an async and a sync dataset with different
 * primaries, random client traffic at every region, and network and process faults; then the
 * faults heal, traffic stops, and the invariants are checked. Deterministic for a given seed.
 *
 * <p>In two seeds of three the datasets fail over automatically (ADR 0009, 0016): then one
 * region's clock may be offset by up to three seconds, processes may be paused (SIGSTOP-like: no
 * ticks, input queued until they resume), and the simulation plays the failover group that
 * commits decisions. The group's state machine is the production {@link DecisionLog}: regions
 * submit their releases (as the agent's release watcher does) and operators their planned and
 * forced decisions; a submission commits after a seeded delay if its submitter then reaches a
 * majority, in one log order; each region's own {@code DecisionLog} applies that log when it hears
 * the group (a majority component, or a neighbour that applied more) and must derive the same
 * decisions. It checks that each epoch's writes come from that epoch's primary only, that no two
 * epochs' writes interleave in time, that nothing is committed in an older epoch once a decision
 * that fenced it is committed, that every acknowledged write is in the final log or in a
 * quarantine, that the quarantines hold exactly the committed writes the final log lacks, and that
 * no acknowledged sync write is lost except by a forced failover when the acknowledgement count
 * guarantees it. {@link Scenario} adds scripted runs (paused primary, clock skew, restart-rejoin).
 */
final class Simulation {
  /** Simulated time during which clients write and faults happen. */
  static final long TRAFFIC_MILLIS = 3_000;
  /** Longest time after traffic stops that the cluster may take to converge. */
  static final long QUIESCE_MILLIS_MAX = 30_000;
  /**
   * Longest wait between a node's ticks. As in the agent's runtime, a node is ticked when it asks
   * to ({@link ReplicationNode#nextTickAtMillis}) and at least this often.
   */
  static final long TICK_INTERVAL_MILLIS_MAX = 100;
  /** Keys are drawn from a small space so that writes and compare-and-sets collide. */
  static final int KEY_COUNT = 16;
  /** Trace lines kept for a failure report. */
  static final int TRACE_LINES_MAX = Integer.getInteger("sim.traceLines", 40);

  static final String ASYNC = "orders";
  static final String SYNC = "ledger";

  private final long seed;
  private final SplittableRandom random;
  private final List<String> regions = new ArrayList<>();
  private final Map<String, AgentConfig> configs = new TreeMap<>();
  private final Map<String, CommitTimingStore> stores = new TreeMap<>();
  /** Per region, how far its wall clock is off the simulation's (one region may be skewed). */
  private final Map<String, Long> clockSkewMillis = new TreeMap<>();
  /** The simulation's real time at which each committed change was first stored by its primary. */
  private final Map<Version, Long> commitRealMillis = new java.util.HashMap<>();
  /** Per dataset, every version ever committed by a primary (lost, kept or quarantined). */
  private final Map<String, Set<Version>> committedVersions = new TreeMap<>();
  private final Map<String, ReplicationNode> nodes = new TreeMap<>();
  private final Map<String, Long> restartAtMillis = new TreeMap<>();
  private final Map<String, Long> cutUntilMillis = new TreeMap<>();
  private final TreeSet<String> upLinks = new TreeSet<>();
  private final PriorityQueue<InFlight> network = new PriorityQueue<>();
  private final Map<Long, PendingRequest> pending = new TreeMap<>();
  private final List<Acknowledged> acknowledged = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();
  private final Deque<TraceLine> trace = new ArrayDeque<>();
  private final Map<String, String> primaries = new TreeMap<>();
  private final Map<String, Integer> requiredAcks = new TreeMap<>();
  /** Committed failover decisions per dataset, in epoch order (epoch 1 is the configuration's). */
  private final Map<String, List<Decision>> decisions = new TreeMap<>();
  /** Commands submitted to the simulated failover group and not yet committed or dropped. */
  private final List<Submission> submissions = new ArrayList<>();
  /** The failover group's committed log, in order, and the decision each entry made (or null). */
  private final List<FailoverCommand> groupLog = new ArrayList<>();
  private final List<Input.EpochDecided> groupLogDecisions = new ArrayList<>();
  /** The group's state machine as committed; each member's own copy must derive the same. */
  private final DecisionLog referenceLog;
  private final Map<String, DecisionLog> memberLogs = new TreeMap<>();
  /** Per region, how many group log entries its member applied (its persisted Ratis log). */
  private final Map<String, Integer> appliedEntries = new TreeMap<>();
  /** Per region and dataset, the release last submitted: epoch, last sequence, when. */
  private final Map<String, long[]> releaseSubmitted = new java.util.HashMap<>();
  /** Longest simulated time a group submission takes to commit. */
  private final long commitDelayMaxMillis;
  private final Map<String, Long> pausedUntilMillis = new TreeMap<>();
  private final Map<String, List<Input>> pausedInbox = new TreeMap<>();
  private final Scenario scenario;
  private final double pauseRatePerMillis;
  /** Scripted fault times of the scenarios (unused in the mixed one). */
  private long scriptedFaultAtMillis = -1;
  private String scriptedRegion;
  private boolean powerLossHappened;
  private long pauses;
  private long inputsQueuedWhilePaused;
  private long rejoinedPrimaryQuarantined;
  private final Map<String, Integer> forcedFailovers = new TreeMap<>();
  /** Whether a forced failover is stopping the old primary, and whether it confirmed. */
  private boolean forcedStopping;
  private boolean forcedStopReady;
  private final boolean failoverEnabled;
  private final double operatorFailoverRatePerMillis;
  private long automaticFailovers;
  private long plannedFailovers;
  private long switchoversFailed;
  private long writesQuarantined;

  private final long delayMinMillis;
  private final long delayJitterMillis;
  private final double lossRate;
  private final double duplicateRate;
  private final double writeRatePerMillis;
  private final double cutRatePerMillis;
  private final double crashRatePerMillis;
  /**
   * Crashes with power loss while a sync primary's sync runs after its batches left (ADR 0029), per
   * step that ships such batches, as a multiple of the per-millisecond crash rate.
   */
  private static final double CRASHES_DURING_SYNC_PER_CRASH = 20;
  private boolean crashedSinceLinksUpdated;

  private long nowMillis;
  private long messageSequence;
  private long requestSequence;
  private long valueSequence;
  private long messagesDelivered;
  private long crashes;

  private record InFlight(long deliverAtMillis, long order, String from, String to, PeerMessage message)
      implements Comparable<InFlight> {
    @Override
    public int compareTo(InFlight other) {
      int byTime = Long.compare(deliverAtMillis, other.deliverAtMillis);
      return byTime != 0 ? byTime : Long.compare(order, other.order);
    }
  }

  /** Formatted only when a run fails, so tracing costs little. */
  private record TraceLine(long atMillis, String region, Object[] parts) {
    @Override
    public String toString() {
      StringBuilder text = new StringBuilder().append(atMillis).append(' ').append(region);
      for (Object part : parts) {
        text.append(' ').append(part);
      }
      return text.toString();
    }
  }

  private record PendingRequest(String region, String dataset, ClientOperation operation, long sentAtMillis) {}

  private record Acknowledged(String region, String dataset, ClientOperation operation,
      ClientResult.Committed result) {}

  private record Decision(long epoch, String primary, long startSequence, boolean previousPrimaryStopped,
      String kind, long committedAtMillis) {
    /** Whether the previous primary could not write any more once this decision committed. */
    boolean fencedAtCommit() {
      return kind.equals("automatic") || previousPrimaryStopped;
    }
  }

  /** What a run exercises besides traffic. */
  enum Scenario {
    /** Random cuts, crashes, pauses, operator failovers; failover automatic in two seeds of three. */
    MIXED,
    /** The primary is paused (SIGSTOP-like) for longer than its lease while clients keep writing to it. */
    PAUSED_PRIMARY,
    /** Every region's clock is off by up to five seconds, some ahead and some behind, under mixed faults. */
    CLOCK_SKEW,
    /** The primary is cut off, crashes with unreplicated writes, is failed over, and restarts. */
    RESTART_REJOIN
  }

  /** What a passing run did, for the test's summary. */
  record Report(long seed, int regions, long messagesDelivered, long writesAcknowledged, long crashes,
      long convergedAfterMillis, long automaticFailovers, long plannedFailovers, long forcedFailovers,
      long switchoversFailed, long writesQuarantined, long acknowledgedWritesQuarantined, long pauses,
      long inputsQueuedWhilePaused, long rejoinedPrimaryQuarantined) {}

  Simulation(long seed) {
    this(seed, Scenario.MIXED);
  }

  Simulation(long seed, Scenario scenario) {
    this.seed = seed;
    this.scenario = scenario;
    this.random = new SplittableRandom(seed);
    int regionCount = 3 + random.nextInt(3);
    for (int i = 0; i < regionCount; i++) {
      regions.add("r" + i);
    }
    delayMinMillis = 1 + random.nextInt(30);
    delayJitterMillis = random.nextInt(40);
    lossRate = random.nextDouble() * 0.1;
    duplicateRate = random.nextDouble() * 0.05;
    writeRatePerMillis = 0.05 + random.nextDouble() * 0.3;
    boolean scripted = scenario == Scenario.PAUSED_PRIMARY || scenario == Scenario.RESTART_REJOIN;
    cutRatePerMillis = scripted ? 0 : random.nextDouble() * 0.004;
    crashRatePerMillis = scripted ? 0 : random.nextDouble() * 0.002;
    failoverEnabled = scenario != Scenario.MIXED || random.nextInt(3) != 0;
    operatorFailoverRatePerMillis = failoverEnabled && !scripted ? random.nextDouble() * 0.003 : 0;
    pauseRatePerMillis = failoverEnabled && !scripted ? random.nextDouble() * 0.001 : 0;
    commitDelayMaxMillis = random.nextInt(60);
    FailoverPolicy policy = failoverEnabled
        ? new FailoverPolicy(true, 250 + random.nextInt(250), 20 + random.nextInt(50))
        : FailoverPolicy.MANUAL;

    String asyncPrimary = regions.get(random.nextInt(regionCount));
    String syncPrimary = regions.get(random.nextInt(regionCount));
    int syncAcks = 1 + random.nextInt(regionCount - 1);
    primaries.put(ASYNC, asyncPrimary);
    primaries.put(SYNC, syncPrimary);
    requiredAcks.put(ASYNC, 0);
    requiredAcks.put(SYNC, syncAcks);
    List<DatasetConfig> datasets = List.of(
        new DatasetConfig(ASYNC, ReplicationMode.ASYNC, regions, asyncPrimary, 0,
            FsyncPolicy.OPERATING_SYSTEM, 1, policy),
        new DatasetConfig(SYNC, ReplicationMode.SYNC, regions, syncPrimary, syncAcks,
            FsyncPolicy.PER_COMMIT, 1, policy));
    for (String dataset : List.of(ASYNC, SYNC)) {
      decisions.put(dataset, new ArrayList<>());
      forcedFailovers.put(dataset, 0);
    }
    ReplicationBounds bounds = new ReplicationBounds(
        1 + random.nextInt(16), 4096, random.nextInt(10), 16 + random.nextInt(48),
        50, 200, 300, 1_000, 1_000, 1_000, 1_000, 4_096, 64, 256);
    for (String region : regions) {
      List<PeerConfig> peers = new ArrayList<>();
      for (String peer : regions) {
        if (!peer.equals(region)) {
          peers.add(new PeerConfig(peer, peer + ":7000", LinkEmulation.NONE));
        }
      }
      configs.put(region, new AgentConfig(region, peers, datasets, bounds));
      stores.put(region, new CommitTimingStore(region));
      clockSkewMillis.put(region, 0L);
    }
    if (scenario == Scenario.CLOCK_SKEW) {
      // Several seconds both ways: one region ahead, one behind, the others anywhere in between.
      for (String region : regions) {
        clockSkewMillis.put(region, random.nextLong(-5_000, 5_001));
      }
      clockSkewMillis.put(regions.get(0), random.nextLong(2_000, 5_001));
      clockSkewMillis.put(regions.get(1), -random.nextLong(2_000, 5_001));
    } else if (failoverEnabled && random.nextBoolean()) {
      // Fencing measures durations on each region's own clock, so an offset must not matter.
      clockSkewMillis.put(regions.get(random.nextInt(regionCount)), random.nextLong(-3_000, 3_001));
    }
    referenceLog = new DecisionLog(configs.get(regions.get(0)));
    for (String region : regions) {
      memberLogs.put(region, new DecisionLog(configs.get(region)));
      appliedEntries.put(region, 0);
    }
    for (String dataset : List.of(ASYNC, SYNC)) {
      committedVersions.put(dataset, new HashSet<>());
    }
    if (scripted) {
      // The scripted fault hits the async dataset's primary once traffic has run a while.
      scriptedRegion = asyncPrimary;
      scriptedFaultAtMillis = 800 + random.nextInt(400);
    }
  }

  /** Runs to the end and checks every invariant; throws {@link AssertionError} on a violation. */
  Report run() {
    try {
      for (String region : regions) {
        nodes.put(region, new ReplicationNode(configs.get(region), stores.get(region), now(region)));
      }
      updateLinks();
      while (nowMillis < TRAFFIC_MILLIS) {
        injectFaults();
        maybeClientRequest();
        advanceOneMillisecond();
      }
      // Faults heal and traffic stops; the network keeps delaying, reordering, duplicating and losing.
      cutUntilMillis.clear();
      for (String region : new ArrayList<>(pausedUntilMillis.keySet())) {
        resume(region);
      }
      for (String region : new ArrayList<>(restartAtMillis.keySet())) {
        restart(region);
      }
      updateLinks();
      long quiesceStart = nowMillis;
      while (!settled()) {
        if (nowMillis - quiesceStart > QUIESCE_MILLIS_MAX) {
          fail("did not converge within " + QUIESCE_MILLIS_MAX + " ms after faults healed: " + progress());
        }
        advanceOneMillisecond();
      }
      long acknowledgedQuarantined = checkInvariants();
      return new Report(seed, regions.size(), messagesDelivered, acknowledged.size(), crashes,
          nowMillis - quiesceStart, automaticFailovers, plannedFailovers,
          forcedFailovers.values().stream().mapToLong(Integer::longValue).sum(), switchoversFailed,
          writesQuarantined, acknowledgedQuarantined, pauses, inputsQueuedWhilePaused, rejoinedPrimaryQuarantined);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("simulation failed for seed " + seed + " (" + describe() + ") at "
          + nowMillis + " ms: " + e.getMessage() + "\nlast events:\n  " + String.join("\n  ", trace.stream().map(TraceLine::toString).toList())
          + "\nreproduce with -Dsim.seed=" + seed, e);
    }
  }

  private String describe() {
    return scenario + ", " + regions.size() + " regions, primaries " + primaries + ", clock skews " + clockSkewMillis
        + ", failover " + (failoverEnabled
        ? "automatic, decisions " + decisions : "manual") + ", sync acks " + requiredAcks.get(SYNC)
        + ", delay " + delayMinMillis + "+" + delayJitterMillis + " ms, loss "
        + String.format("%.3f", lossRate) + ", duplication " + String.format("%.3f", duplicateRate);
  }

  // ---------------------------------------------------------------- time and network

  /** What {@code region}'s wall clock reads now. */
  private long now(String region) {
    return nowMillis + clockSkewMillis.get(region);
  }

  /** A store that notes when, in simulated real time, its region committed each change. */
  private final class CommitTimingStore extends InMemoryReplicaStore {
    private final String region;

    CommitTimingStore(String region) {
      this.region = region;
    }

    @Override
    public void append(String dataset, List<Change> changes) {
      super.append(dataset, changes);
      for (Change change : changes) {
        if (change.version().committedBy().equals(region)) {
          commitRealMillis.putIfAbsent(change.version(), nowMillis);
          committedVersions.get(dataset).add(change.version());
        }
      }
    }
  }

  private void advanceOneMillisecond() {
    while (!network.isEmpty() && network.peek().deliverAtMillis() <= nowMillis) {
      InFlight message = network.poll();
      ReplicationNode target = nodes.get(message.to());
      if (target == null || !upLinks.contains(linkKey(message.from(), message.to()))) {
        continue;
      }
      messagesDelivered++;
      record(message.to(), "<-", message.from(), message.message());
      deliver(message.to(), new Input.PeerMessageReceived(message.from(), message.message()));
    }
    for (String region : new ArrayList<>(pausedUntilMillis.keySet())) {
      if (pausedUntilMillis.get(region) <= nowMillis) {
        resume(region);
      }
    }
    for (String region : regions) {
      ReplicationNode node = running(region) ? nodes.get(region) : null;
      long lastTick = lastTickMillis.getOrDefault(region, 0L);
      if (node != null && (node.nextTickAtMillis() <= now(region) || nowMillis - lastTick >= TICK_INTERVAL_MILLIS_MAX)) {
        lastTickMillis.put(region, nowMillis);
        carryOut(region, node.tick(now(region)));
      }
    }
    if (failoverEnabled) {
      commitSubmissions();
      spreadDecisions();
      submitReleases();
    }
    nowMillis++;
  }

  private final Map<String, Long> lastTickMillis = new java.util.HashMap<>();

  private void carryOut(String region, Output output) {
    // As the agent's runtime does: a sync primary's batches leave before its own sync (ADR 0029),
    // so a power loss can erase at the primary what a replica already holds.
    List<Output.Outbound> messages = output.messages();
    for (int i = 0; i < output.messagesBeforeSync(); i++) {
      send(region, messages.get(i).to(), messages.get(i).message());
    }
    // Only without failover, so that the primary (whose log the checks read) never installed a
    // snapshot; the replicas it repairs by snapshot are checked against its log's tail.
    if (output.messagesBeforeSync() > 0 && output.syncStoreFirst() && !failoverEnabled && nowMillis < TRAFFIC_MILLIS
        && random.nextDouble() < crashRatePerMillis * CRASHES_DURING_SYNC_PER_CRASH) {
      // The power fails while the primary's sync runs: the replicas may keep batches it loses.
      record(region, "power loss during the sync, after", output.messagesBeforeSync(), "batches left");
      crash(region, true);
      crashedSinceLinksUpdated = true; // Its links go down at the next fault round.
      return;
    }
    if (output.syncStoreFirst()) {
      stores.get(region).sync();
    }
    for (int i = output.messagesBeforeSync(); i < messages.size(); i++) {
      send(region, messages.get(i).to(), messages.get(i).message());
    }
    for (ClientResponse response : output.responses()) {
      onResponse(region, response);
    }
    List<ReplicationEvent.SwitchoverReady> ready = new ArrayList<>();
    for (ReplicationEvent event : output.events()) {
      record(region, "event", event);
      if (event instanceof ReplicationEvent.ProtocolViolation) {
        violations.add(region + ": " + event);
      } else if (event instanceof ReplicationEvent.StaleEpochRejected && !failoverEnabled) {
        violations.add(region + ": " + event);
      } else if (event instanceof ReplicationEvent.SwitchoverReady) {
        ready.add((ReplicationEvent.SwitchoverReady) event);
      } else if (event instanceof ReplicationEvent.SwitchoverFailed) {
        switchoversFailed++;
      } else if (event instanceof ReplicationEvent.WritesQuarantined) {
        writesQuarantined += ((ReplicationEvent.WritesQuarantined) event).count();
      }
    }
    for (ReplicationEvent.SwitchoverReady event : ready) {
      completeSwitchover(region, event);
    }
    for (Output.Disconnect disconnect : output.disconnects()) {
      // A real transport closes the stream and the peer reconnects; model it as a short cut.
      cutUntilMillis.merge(linkKey(region, disconnect.peer()), nowMillis + 50, Math::max);
      updateLinks();
    }
  }

  private void send(String from, String to, PeerMessage message) {
    if (random.nextDouble() < lossRate) {
      return;
    }
    int copies = random.nextDouble() < duplicateRate ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      long delay = delayMinMillis + (delayJitterMillis == 0 ? 0 : random.nextLong(delayJitterMillis + 1));
      network.add(new InFlight(nowMillis + delay, messageSequence++, from, to, message));
    }
  }

  private static String linkKey(String a, String b) {
    return a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
  }

  /** Recomputes which links are up and tells live nodes about every change. */
  private void updateLinks() {
    cutUntilMillis.values().removeIf(until -> until <= nowMillis);
    for (int i = 0; i < regions.size(); i++) {
      for (int j = i + 1; j < regions.size(); j++) {
        String a = regions.get(i);
        String b = regions.get(j);
        String key = linkKey(a, b);
        boolean up = nodes.containsKey(a) && nodes.containsKey(b) && !cutUntilMillis.containsKey(key);
        boolean wasUp = upLinks.contains(key);
        if (up == wasUp) {
          continue;
        }
        if (up) {
          upLinks.add(key);
        } else {
          upLinks.remove(key);
        }
        for (String dataset : List.of(ASYNC, SYNC)) {
          for (String[] ends : new String[][] {{a, b}, {b, a}}) {
            if (!nodes.containsKey(ends[0])) {
              continue;
            }
            Input input = up ? new Input.PeerConnected(ends[1], dataset)
                : new Input.PeerDisconnected(ends[1], dataset, "link down");
            deliver(ends[0], input);
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- faults

  private void injectFaults() {
    boolean changed = false;
    if (!cutUntilMillis.isEmpty() && cutUntilMillis.values().stream().anyMatch(until -> until <= nowMillis)) {
      changed = true;
    }
    for (String region : new ArrayList<>(restartAtMillis.keySet())) {
      if (restartAtMillis.get(region) <= nowMillis) {
        restart(region);
        changed = true;
      }
    }
    if (random.nextDouble() < cutRatePerMillis) {
      String a = regions.get(random.nextInt(regions.size()));
      String b = regions.get(random.nextInt(regions.size()));
      if (!a.equals(b)) {
        cutUntilMillis.merge(linkKey(a, b), nowMillis + 50 + random.nextInt(1_000), Math::max);
        record(a, "cut link to", b);
        changed = true;
      }
    }
    if (random.nextDouble() < crashRatePerMillis) {
      String region = regions.get(random.nextInt(regions.size()));
      if (nodes.containsKey(region)) {
        crash(region);
        changed = true;
      }
    }
    if (random.nextDouble() < pauseRatePerMillis) {
      // From a short stall to several leases long, like a GC pause or a stopped VM.
      pause(regions.get(random.nextInt(regions.size())), nowMillis + 20 + random.nextInt(1_500));
    }
    changed |= injectScriptedFault();
    if (nowMillis == scriptedCrashAtMillis && nodes.containsKey(scriptedRegion)) {
      crash(scriptedRegion);
      changed = true;
    }
    if (changed || crashedSinceLinksUpdated) {
      crashedSinceLinksUpdated = false;
      updateLinks();
    }
    if (random.nextDouble() < operatorFailoverRatePerMillis) {
      String dataset = random.nextBoolean() ? ASYNC : SYNC;
      String target = regions.get(random.nextInt(regions.size()));
      if (random.nextBoolean()) {
        forceFailover(dataset, target);
      } else {
        requestSwitchover(dataset, target, 100 + random.nextInt(700));
      }
    }
  }

  // ---------------------------------------------------------------- failover decisions

  /**
   * A command submitted to the simulated failover group. It commits at {@code commitAtMillis} if
   * its submitter is up then and reaches a majority (as a Ratis leader would need); otherwise it
   * is dropped, like a submission whose retries ran out.
   */
  private record Submission(long commitAtMillis, String submitter, FailoverCommand command, String kind,
      String stoppedPrimary) {}

  private long latestEpoch(String dataset) {
    return 1 + decisions.get(dataset).size();
  }

  private String currentPrimary(String dataset) {
    List<Decision> list = decisions.get(dataset);
    return list.isEmpty() ? primaries.get(dataset) : list.get(list.size() - 1).primary();
  }

  private String primaryOf(String dataset, long epoch) {
    return epoch == 1 ? primaries.get(dataset) : decisions.get(dataset).get((int) epoch - 2).primary();
  }

  private FailoverView view(String region, String dataset) {
    return nodes.get(region).failoverViews(now(region)).stream()
        .filter(view -> view.dataset().equals(dataset)).findFirst().orElseThrow();
  }

  /** Whether {@code region} runs: started and not paused. */
  private boolean running(String region) {
    return nodes.containsKey(region) && !pausedUntilMillis.containsKey(region);
  }

  /** Live regions reachable from {@code region} over up links, itself included. */
  private Set<String> component(String region) {
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of(region));
    while (!todo.isEmpty()) {
      String next = todo.poll();
      if (!running(next) || !seen.add(next)) {
        continue;
      }
      for (String other : regions) {
        if (!seen.contains(other) && upLinks.contains(linkKey(next, other))) {
          todo.add(other);
        }
      }
    }
    return seen;
  }

  private boolean holdsMajority(Set<String> component) {
    return component.size() >= regions.size() / 2 + 1;
  }

  private void submit(String submitter, FailoverCommand command, String kind, String stoppedPrimary) {
    long delay = commitDelayMaxMillis == 0 ? 0 : random.nextLong(commitDelayMaxMillis + 1);
    submissions.add(new Submission(nowMillis + delay, submitter, command, kind, stoppedPrimary));
    record(submitter, "submit", kind, command);
  }

  /**
   * Commits the submissions that are due, in submission order, through the reference {@link
   * DecisionLog}: the log, not the simulation, decides whether a release completes a majority or
   * an operator's decision wins its epoch.
   */
  private void commitSubmissions() {
    for (java.util.Iterator<Submission> it = submissions.iterator(); it.hasNext(); ) {
      Submission submission = it.next();
      if (submission.commitAtMillis() > nowMillis || pausedUntilMillis.containsKey(submission.submitter())) {
        continue; // A paused submitter's request is still in its process.
      }
      it.remove();
      String dataset = submission.command().dataset();
      Set<String> component = component(submission.submitter());
      if (!nodes.containsKey(submission.submitter()) || !holdsMajority(component)) {
        record(submission.submitter(), "not committed", submission.command());
        abandon(submission, "the group could not commit it");
        continue;
      }
      DecisionLog.Outcome outcome = referenceLog.apply(submission.command());
      groupLog.add(submission.command());
      groupLogDecisions.add(outcome.decision().orElse(null));
      record(submission.submitter(), "committed", submission.command(), outcome.detail());
      if (outcome.decision().isEmpty()) {
        abandon(submission, outcome.detail());
        continue;
      }
      Input.EpochDecided decided = outcome.decision().get();
      check(decided.epoch() == latestEpoch(dataset) + 1, "the decision log skipped an epoch: " + decided);
      decisions.get(dataset).add(new Decision(decided.epoch(), decided.primary(), decided.startSequence(),
          decided.previousPrimaryStopped(), submission.kind(), nowMillis));
      switch (submission.kind()) {
        case "automatic" -> automaticFailovers++;
        case "planned" -> plannedFailovers++;
        default -> forcedFailovers.merge(dataset, 1, Integer::sum);
      }
      for (String region : component) {
        applyGroupLog(region, groupLog.size());
      }
    }
  }

  /** An operator decision that did not win: the primary it stopped takes writes again. */
  private void abandon(Submission submission, String reason) {
    String stopped = submission.kind().equals("planned") ? submission.submitter() : submission.stoppedPrimary();
    if (stopped != null && nodes.containsKey(stopped)) {
      deliver(stopped, new Input.SwitchoverAborted(submission.command().dataset(), reason));
    }
  }

  /**
   * Applies the group log up to {@code entries} to {@code region}'s own {@link DecisionLog}, as its
   * Ratis member's state machine would, and hands each decision to its node.
   */
  private void applyGroupLog(String region, int entries) {
    DecisionLog member = memberLogs.get(region);
    int applied = appliedEntries.get(region);
    for (int i = applied; i < entries; i++) {
      DecisionLog.Outcome outcome = member.apply(groupLog.get(i));
      check(java.util.Objects.equals(outcome.decision().orElse(null), groupLogDecisions.get(i)),
          region + " derived " + outcome + " from log entry " + i + " where the group derived "
              + groupLogDecisions.get(i));
      outcome.decision().ifPresent(decision -> {
        record(region, "decision", decision);
        deliver(region, decision);
      });
    }
    appliedEntries.put(region, Math.max(applied, entries));
  }

  /**
   * A running region in a majority component hears the group's leader and applies the whole log;
   * one outside gets what an up link's neighbour already applied (the Ratis log catches it up
   * when it is back in touch).
   */
  private void spreadDecisions() {
    for (String region : regions) {
      if (!running(region)) {
        continue;
      }
      int target = appliedEntries.get(region);
      if (holdsMajority(component(region))) {
        target = groupLog.size();
      } else {
        for (String other : regions) {
          if (running(other) && upLinks.contains(linkKey(region, other))) {
            target = Math.max(target, appliedEntries.get(other));
          }
        }
      }
      if (target > appliedEntries.get(region)) {
        applyGroupLog(region, target);
      }
    }
  }

  /**
   * Each running replica submits its release of a primary it no longer hears, as the agent's
   * release watcher does ({@link FailoverGroup#submitReleases}): checked every watch interval,
   * submitted again when its log grows or after the resubmit interval.
   */
  private void submitReleases() {
    if (nowMillis % FailoverGroup.WATCH_INTERVAL_MILLIS != 0) {
      return;
    }
    for (String region : regions) {
      if (!running(region)) {
        continue;
      }
      for (FailoverView view : nodes.get(region).failoverViews(now(region))) {
        if (view.role() != Role.REPLICA || !view.releasesPrimary()) {
          continue;
        }
        String key = region + "|" + view.dataset();
        long[] last = releaseSubmitted.get(key);
        if (last != null && last[0] == view.epoch() && last[1] == view.lastSequence()
            && now(region) - last[2] < FailoverGroup.RELEASE_RESUBMIT_MILLIS) {
          continue;
        }
        releaseSubmitted.put(key, new long[] {view.epoch(), view.lastSequence(), now(region)});
        submit(region, new FailoverCommand.Release(view.dataset(), view.epoch(), region, view.lastEpochInLog(),
            view.lastSequence()), "automatic", null);
      }
    }
  }

  /** An operator's forced failover: promote now, reporting what the target lacks. */
  private void forceFailover(String dataset, String target) {
    if (!running(target) || target.equals(currentPrimary(dataset))) {
      return;
    }
    FailoverView view = view(target, dataset);
    if (view.epoch() != latestEpoch(dataset)) {
      return;
    }
    // Half the time the operator's tool reaches the old primary (over the control plane, not the
    // cut links) and has it stop first, as FailoverRunner does: the decision then skips the fence
    // wait. A paused primary does not answer, so the tool decides without its confirmation.
    String primary = currentPrimary(dataset);
    boolean stopped = false;
    if (running(primary) && random.nextBoolean()) {
      record(primary, "forced stop", dataset, "to", target);
      forcedStopReady = false;
      forcedStopping = true;
      carryOut(primary, nodes.get(primary).step(now(primary), new Input.SwitchoverRequested(dataset, target, 500, true)));
      forcedStopping = false;
      stopped = forcedStopReady;
    }
    submit(target, new FailoverCommand.Decide(dataset, latestEpoch(dataset) + 1, target, view.lastSequence(), stopped),
        "forced", stopped ? primary : null);
  }

  /** An operator's planned switchover: the primary hands over once the target has everything. */
  private void requestSwitchover(String dataset, String target, long timeoutMillis) {
    String primary = currentPrimary(dataset);
    if (!running(primary) || view(primary, dataset).epoch() != latestEpoch(dataset)) {
      return;
    }
    record(primary, "switchover", dataset, "to", target);
    carryOut(primary, nodes.get(primary).step(now(primary), new Input.SwitchoverRequested(dataset, target, timeoutMillis)));
  }

  private void completeSwitchover(String region, ReplicationEvent.SwitchoverReady ready) {
    if (forcedStopping) {
      forcedStopReady = true; // forceFailover submits its own decision.
      return;
    }
    submit(region, new FailoverCommand.Decide(ready.dataset(), ready.epoch(), ready.target(), ready.startSequence(),
        true), "planned", null);
  }

  // ---------------------------------------------------------------- pauses

  /** Hands {@code input} to {@code region}'s node now, or queues it while the process is paused. */
  private void deliver(String region, Input input) {
    if (!nodes.containsKey(region)) {
      return; // Crashed while carrying out an earlier input of the same delivery round.
    }
    if (pausedUntilMillis.containsKey(region)) {
      pausedInbox.get(region).add(input);
      inputsQueuedWhilePaused++;
      return;
    }
    carryOut(region, nodes.get(region).step(now(region), input));
  }

  /** Stops a process as SIGSTOP does: no ticks, no processing; what arrives waits in its buffers. */
  private void pause(String region, long untilMillis) {
    if (!running(region)) {
      return;
    }
    pausedUntilMillis.put(region, untilMillis);
    pausedInbox.put(region, new ArrayList<>());
    pauses++;
    record(region, "pause until", untilMillis);
  }

  /**
   * Resumes a paused process. Its queued input runs before its first tick, the worst case for
   * fencing: a client write that waited through the pause meets a lease measured before it.
   */
  private void resume(String region) {
    pausedUntilMillis.remove(region);
    List<Input> queued = pausedInbox.remove(region);
    record(region, "resume with", queued.size(), "queued inputs");
    for (Input input : queued) {
      if (nodes.containsKey(region)) {
        carryOut(region, nodes.get(region).step(now(region), input));
      }
    }
  }

  /** The scripted fault of the paused-primary and restart-rejoin scenarios; true if links changed. */
  private boolean injectScriptedFault() {
    if (nowMillis != scriptedFaultAtMillis) {
      return false;
    }
    FailoverPolicy policy = configs.get(scriptedRegion).dataset(ASYNC).orElseThrow().failover();
    if (scenario == Scenario.PAUSED_PRIMARY) {
      pause(scriptedRegion, nowMillis + policy.releaseAfterMillis() + 300 + random.nextInt(1_200));
      return false;
    }
    // Restart-rejoin: the primary is cut off first, so the writes it acknowledges within its lease
    // reach no replica; it crashes a little later, is failed over, and restarts after the decision.
    long crashAtMillis = nowMillis + 30 + random.nextInt((int) policy.detectionTimeoutMillis() / 2);
    long restartAtMillis = crashAtMillis + policy.releaseAfterMillis() + 1_000 + random.nextInt(500);
    for (String other : regions) {
      if (!other.equals(scriptedRegion)) {
        cutUntilMillis.put(linkKey(scriptedRegion, other), restartAtMillis);
      }
    }
    record(scriptedRegion, "cut off until", restartAtMillis, "crash at", crashAtMillis);
    scriptedCrashAtMillis = crashAtMillis;
    scriptedRestartAtMillis = restartAtMillis;
    return true;
  }

  private long scriptedCrashAtMillis = -1;
  private long scriptedRestartAtMillis = -1;

  private void crash(String region) {
    crash(region, false);
  }

  /** Crashes {@code region}: a killed process, or a power loss if {@code powerLoss} or by chance. */
  private void crash(String region, boolean powerLoss) {
    nodes.remove(region);
    pausedUntilMillis.remove(region);
    pausedInbox.remove(region);
    crashes++;
    if (powerLoss || random.nextBoolean()) {
      powerLossHappened = true;
      // A power loss rather than a killed process: unsynced writes vanish. Only the sync dataset,
      // whose policy is to sync before anything leaves, must come through this unscathed; the
      // async dataset leaves flushing to the operating system and may lose acknowledged writes on
      // power loss (that is failover's business, issue 7), so its disk is kept.
      stores.get(region).loseUnsyncedWrites(SYNC);
      record(region, "power loss");
    }
    restartAtMillis.put(region, region.equals(scriptedRegion) && scriptedRestartAtMillis > 0
        ? scriptedRestartAtMillis : nowMillis + 50 + random.nextInt(1_500));
    // Requests in flight at a crashed process never get an answer; their outcome is unknown.
    pending.values().removeIf(request -> request.region().equals(region));
    record(region, "crash");
  }

  private void restart(String region) {
    restartAtMillis.remove(region);
    nodes.put(region, new ReplicationNode(configs.get(region), stores.get(region), now(region)));
    record(region, "restart from store at", stores.get(region).lastSequence(ASYNC),
        stores.get(region).lastSequence(SYNC));
    // Its failover group member replays the part of the group log it had persisted into a fresh
    // state machine, re-delivering every decision in order as Ratis does on restart; newer
    // entries arrive once it is back in touch with the group.
    memberLogs.put(region, new DecisionLog(configs.get(region)));
    int persisted = appliedEntries.get(region);
    appliedEntries.put(region, 0);
    applyGroupLog(region, persisted);
  }

  // ---------------------------------------------------------------- clients

  private void maybeClientRequest() {
    if (random.nextDouble() >= writeRatePerMillis) {
      return;
    }
    String region = regions.get(random.nextInt(regions.size()));
    if (scriptedRegion != null && nodes.containsKey(scriptedRegion) && random.nextBoolean()) {
      // Half the traffic goes to the scripted fault's region: writes that wait through its pause
      // or that it acknowledges while cut off are what the scenario is about.
      region = scriptedRegion;
    }
    if (!nodes.containsKey(region)) {
      return;
    }
    String dataset = random.nextBoolean() ? ASYNC : SYNC;
    Bytes key = Bytes.ofUtf8("k" + random.nextInt(KEY_COUNT));
    int choice = random.nextInt(10);
    ClientOperation operation;
    if (choice < 5) {
      operation = new ClientOperation.Put(key, freshValue());
    } else if (choice < 7) {
      Optional<Bytes> expected = stores.get(region).get(dataset, key)
          .filter(StoredValue::live).map(StoredValue::value);
      if (random.nextInt(4) == 0) {
        expected = Optional.empty();
      }
      operation = new ClientOperation.CompareAndSet(key, expected, freshValue());
    } else if (choice < 8) {
      operation = new ClientOperation.Delete(key);
    } else {
      operation = new ClientOperation.Get(key);
    }
    long requestId = requestSequence++;
    pending.put(requestId, new PendingRequest(region, dataset, operation, nowMillis));
    record(region, "client", requestId, dataset, operation);
    deliver(region, new Input.ClientRequest(requestId, dataset, operation));
  }

  private Bytes freshValue() {
    return Bytes.ofUtf8("v" + valueSequence++);
  }

  private void onResponse(String region, ClientResponse response) {
    PendingRequest request = pending.remove(response.requestId());
    check(request != null, "response to unknown or already answered request " + response);
    check(request.region().equals(region), "request " + response.requestId() + " answered at " + region
        + " but sent to " + request.region());
    record(region, "answer", response.requestId(), response.result());
    ClientResult result = response.result();
    if (result instanceof ClientResult.Committed) {
      ClientResult.Committed committed = (ClientResult.Committed) result;
      String primary = primaryOf(request.dataset(), committed.version().epoch());
      check(committed.version().committedBy().equals(primary), "write committed by "
          + committed.version().committedBy() + " but the primary of epoch " + committed.version().epoch()
          + " is " + primary);
      check(committed.version().originRegion().equals(region), "origin " + committed.version().originRegion()
          + " for a write issued at " + region);
      int required = requiredAcks.get(request.dataset());
      if (required > 0) {
        long holding = regions.stream()
            .filter(r -> !r.equals(primary))
            .filter(r -> (stores.get(r).lastSequence(request.dataset()) >= committed.version().sequence()
                && (stores.get(r).truncatedThrough(request.dataset()) >= committed.version().sequence()
                    // Installed a snapshot of the primary's state from at least this write on (ADR 0029).
                    || changeAt(stores.get(r), request.dataset(), committed.version().sequence()).version()
                        .equals(committed.version())))
                // A primary that resumes from a pause may answer with acknowledgements it received
                // before a forced failover made those replicas quarantine the write.
                || stores.get(r).quarantined(request.dataset()).values().stream()
                    .anyMatch(changes -> changes.stream().anyMatch(c -> c.version().equals(committed.version()))))
            .count();
        check(holding >= required, "sync write " + committed.version().sequence() + " acknowledged to the client"
            + " while only " + holding + " replicas hold it; " + required + " required");
      }
      acknowledged.add(new Acknowledged(region, request.dataset(), request.operation(), committed));
    } else if (result instanceof ClientResult.Read) {
      ClientResult.Read read = (ClientResult.Read) result;
      check(read.servedBy().equals(region), "read served by " + read.servedBy() + " at " + region);
      read.value().filter(value -> value.version().sequence() > stores.get(region).truncatedThrough(request.dataset())
          && value.version().sequence() <= stores.get(region).lastSequence(request.dataset())).ifPresent(value -> {
        // Values from a snapshot (installed, or being installed) are the primary's state, not log entries.
        Change change = changeAt(stores.get(region), request.dataset(), value.version().sequence());
        check(change.value().equals(value.value()) && change.key().equals(request.operation().key()),
            "read of " + request.operation().key() + " returned " + value + " which is not log entry " + change);
      });
    } else if (result instanceof ClientResult.Failed) {
      ClientResult.Failed failed = (ClientResult.Failed) result;
      check(!failed.message().isBlank(), "a failure needs a message");
    }
  }

  // ---------------------------------------------------------------- invariants

  private boolean settled() {
    if (nowMillis % 100 != 0 || !pending.isEmpty()) {
      return false;
    }
    for (String dataset : List.of(ASYNC, SYNC)) {
      long head = stores.get(currentPrimary(dataset)).lastSequence(dataset);
      for (String region : regions) {
        if (stores.get(region).lastSequence(dataset) != head) {
          return false;
        }
        FailoverView view = view(region, dataset);
        if (view.epoch() != latestEpoch(dataset) || !view.primary().equals(currentPrimary(dataset))) {
          return false;
        }
        for (DatasetStatus status : nodes.get(region).status(now(region))) {
          for (PeerLinkStatus link : status.peers()) {
            if (link.lagVersions() != 0 || !link.connected()) {
              return false;
            }
          }
        }
      }
    }
    return true;
  }

  private String progress() {
    StringBuilder text = new StringBuilder();
    for (String region : regions) {
      text.append(region).append('=').append(stores.get(region).lastSequence(ASYNC)).append('/')
          .append(stores.get(region).lastSequence(SYNC)).append(' ');
    }
    text.append("pending requests ").append(pending.size());
    for (String region : regions) {
      text.append("\n  ").append(region).append(' ').append(nodes.get(region).status(now(region)));
    }
    return text.toString();
  }

  /** Checks everything after convergence; returns how many acknowledged writes were quarantined. */
  private long checkInvariants() {
    check(violations.isEmpty(), "protocol violations in a well-behaved cluster: " + violations);
    for (String dataset : List.of(ASYNC, SYNC)) {
      InMemoryReplicaStore primary = stores.get(currentPrimary(dataset));
      List<Change> log = primary.log(dataset);
      for (String region : regions) {
        InMemoryReplicaStore store = stores.get(region);
        // Equal logs mean every change was applied exactly once and in order at every replica. A
        // replica the primary repaired by snapshot (ADR 0029) holds the log's tail after it.
        long skipped = store.truncatedThrough(dataset) - primary.truncatedThrough(dataset);
        check(skipped >= 0 && skipped <= log.size()
            && store.log(dataset).equals(log.subList((int) skipped, log.size())),
            region + " log of " + dataset + " differs from the primary's");
        check(store.snapshot(dataset).equals(primary.snapshot(dataset)),
            region + " state of " + dataset + " differs from the primary's");
      }
      check(replay(log).equals(primary.snapshot(dataset)), "the primary's state of " + dataset
          + " is not the replay of its log");
      for (int i = 1; i < log.size(); i++) {
        check(log.get(i).version().timestamp().compareTo(log.get(i - 1).version().timestamp()) > 0,
            "hybrid timestamps must grow along the log of " + dataset + " at " + (i + 1));
        check(log.get(i).version().epoch() >= log.get(i - 1).version().epoch(),
            "epochs must not decrease along the log of " + dataset + " at " + (i + 1));
      }
      checkEpochsNeverOverlap(dataset, log);
      checkQuarantineIsExactlyTheLostWrites(dataset, log);
    }
    if (scenario == Scenario.RESTART_REJOIN) {
      checkRejoinedPrimary();
    }
    long acknowledgedQuarantined = 0;
    for (Acknowledged ack : acknowledged) {
      InMemoryReplicaStore finalStore = stores.get(currentPrimary(ack.dataset()));
      long sequence = ack.result().version().sequence();
      boolean inLog = sequence <= finalStore.lastSequence(ack.dataset())
          && changeAt(finalStore, ack.dataset(), sequence).version().equals(ack.result().version());
      if (!inLog) {
        // Lost from the log only by a failover, and then never silently: it is in a quarantine.
        check(quarantinedAnywhere(ack.dataset()).stream().anyMatch(c -> c.version().equals(ack.result().version())),
            "acknowledged write " + ack.result().version() + " is neither in the log nor quarantined");
        int n = regions.size();
        boolean syncAcksCoverEveryMajority = requiredAcks.get(SYNC) > n - (n / 2 + 1);
        check(!ack.dataset().equals(SYNC) || forcedFailovers.get(SYNC) > 0 || !syncAcksCoverEveryMajority,
            "acknowledged sync write " + ack.result().version() + " lost without a forced failover");
        acknowledgedQuarantined++;
        continue;
      }
      Change change = changeAt(finalStore, ack.dataset(), sequence);
      check(change.key().equals(ack.operation().key()), "acknowledged write landed on another key: "
          + ack + " but the log holds " + change);
      Bytes expectedValue = ack.operation() instanceof ClientOperation.Put
          ? ((ClientOperation.Put) ack.operation()).value()
          : ack.operation() instanceof ClientOperation.CompareAndSet
              ? ((ClientOperation.CompareAndSet) ack.operation()).newValue() : Bytes.EMPTY;
      check(change.value().equals(expectedValue), "acknowledged write has another value in the log");
    }
    return acknowledgedQuarantined;
  }

  private List<Change> quarantinedAnywhere(String dataset) {
    List<Change> all = new ArrayList<>();
    for (InMemoryReplicaStore store : stores.values()) {
      store.quarantined(dataset).values().forEach(all::addAll);
    }
    return all;
  }

  /**
   * Every change ever committed (the final log and every quarantine) was committed by its
   * epoch's primary, and all of one epoch's commits precede all of the next one's: two primaries
   * never accepted writes at the same time, let alone in the same epoch.
   */
  private void checkEpochsNeverOverlap(String dataset, List<Change> log) {
    List<Change> everything = new ArrayList<>(log);
    List<Change> quarantined = quarantinedAnywhere(dataset);
    everything.addAll(quarantined);
    for (Change change : quarantined) {
      long sequence = change.sequence();
      check(sequence > log.size() || !log.get((int) sequence - 1).version().equals(change.version()),
          "quarantined change " + change.version() + " is also in the final log of " + dataset);
    }
    TreeMap<Long, long[]> commitMillisByEpoch = new TreeMap<>();
    for (Change change : everything) {
      long epoch = change.version().epoch();
      check(change.version().committedBy().equals(primaryOf(dataset, epoch)), "change " + change.version()
          + " committed by " + change.version().committedBy() + " in epoch " + epoch + " whose primary is "
          + primaryOf(dataset, epoch));
      Long millis = commitRealMillis.get(change.version());
      check(millis != null, "change " + change.version() + " was never stored by its committer");
      commitMillisByEpoch.merge(epoch, new long[] {millis, millis},
          (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
    }
    for (Change change : everything) {
      // Once a decision that fenced the previous primary is committed (automatic: a majority
      // pledged it no more lease; planned or forced with the old primary stopped), no older
      // epoch may commit anything, paused or skewed primaries included.
      for (Decision decision : decisions.get(dataset)) {
        if (decision.epoch() > change.version().epoch() && decision.fencedAtCommit()) {
          check(commitRealMillis.get(change.version()) <= decision.committedAtMillis(), "dataset " + dataset
              + ": " + change.version().committedBy() + " committed " + change.version() + " at "
              + commitRealMillis.get(change.version()) + " ms, after epoch " + decision.epoch() + " ("
              + decision.kind() + ") was decided at " + decision.committedAtMillis() + " ms");
        }
      }
    }
    long[] previous = null;
    long previousEpoch = 0;
    for (Map.Entry<Long, long[]> entry : commitMillisByEpoch.entrySet()) {
      if (previous != null && failoverEnabled) {
        check(previous[1] <= entry.getValue()[0], "dataset " + dataset + ": epoch " + previousEpoch
            + " committed until " + previous[1] + " ms but epoch " + entry.getKey() + " from "
            + entry.getValue()[0] + " ms: two primaries accepted writes at the same time");
      }
      previous = entry.getValue();
      previousEpoch = entry.getKey();
    }
  }

  /**
   * The writes a failover cut from the log are exactly the quarantined ones: every version ever
   * committed is either in the final log or in a quarantine, never both, and nothing else is
   * quarantined. (A power loss can erase unsynced sync-dataset writes before anyone saw them, so
   * the sync dataset is checked only in runs without one.)
   */
  private void checkQuarantineIsExactlyTheLostWrites(String dataset, List<Change> log) {
    if (dataset.equals(SYNC) && powerLossHappened) {
      return;
    }
    Set<Version> inLog = new HashSet<>();
    for (Change change : log) {
      inLog.add(change.version());
    }
    Set<Version> quarantined = new HashSet<>();
    for (Change change : quarantinedAnywhere(dataset)) {
      quarantined.add(change.version());
    }
    Set<Version> lost = new HashSet<>();
    for (Version version : committedVersions.get(dataset)) {
      if (!inLog.contains(version)) {
        lost.add(version);
      }
    }
    check(lost.equals(quarantined), "dataset " + dataset
        + ": writes committed but not in the final log " + lost + " differ from the quarantined ones "
        + quarantined);
  }

  /**
   * The restarted old primary is a replica of the new one, and its quarantine holds exactly the
   * writes it committed in its epoch that the new primary's log lacks.
   */
  private void checkRejoinedPrimary() {
    check(!decisions.get(ASYNC).isEmpty(), "the cut-off, crashed primary " + scriptedRegion + " was not failed over");
    Decision first = decisions.get(ASYNC).get(0);
    check(!first.primary().equals(scriptedRegion), "the crashed primary was elected again");
    Set<Version> inLog = new HashSet<>();
    stores.get(currentPrimary(ASYNC)).log(ASYNC).forEach(change -> inLog.add(change.version()));
    Set<Version> unreplicated = new HashSet<>();
    for (Version version : committedVersions.get(ASYNC)) {
      if (version.committedBy().equals(scriptedRegion) && version.epoch() == 1 && !inLog.contains(version)) {
        unreplicated.add(version);
      }
    }
    Set<Version> quarantined = new HashSet<>();
    stores.get(scriptedRegion).quarantined(ASYNC).values().forEach(list -> list.forEach(c -> quarantined.add(c.version())));
    check(quarantined.equals(unreplicated), scriptedRegion + " quarantined " + quarantined.size()
        + " writes but left " + unreplicated.size() + " unreplicated ones out of the new primary's log");
    rejoinedPrimaryQuarantined = quarantined.size();
  }

  private static TreeMap<Bytes, StoredValue> replay(List<Change> log) {
    TreeMap<Bytes, StoredValue> state = new TreeMap<>();
    for (Change change : log) {
      state.put(change.key(), new StoredValue(change.value(), change.version(),
          change.kind() == ChangeKind.DELETE));
    }
    return state;
  }

  private Change changeAt(InMemoryReplicaStore store, String dataset, long sequence) {
    check(sequence >= 1 && sequence <= store.lastSequence(dataset), "sequence " + sequence
        + " is not in the log of " + dataset + " (it ends at " + store.lastSequence(dataset) + ")");
    return store.readLog(dataset, sequence, 1, Long.MAX_VALUE).get(0);
  }

  private void record(String region, Object... parts) {
    if (trace.size() == TRACE_LINES_MAX) {
      trace.removeFirst();
    }
    trace.addLast(new TraceLine(nowMillis, region, parts));
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }

  private static void fail(String message) {
    throw new AssertionError(message);
  }
}

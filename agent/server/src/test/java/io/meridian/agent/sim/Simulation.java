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
 * <p>In two seeds of three the datasets fail over automatically (ADR 0009): then one region's
 * clock may be offset by up to three seconds, and the simulation plays the consensus group that
 * commits decisions (a decision is committed atomically within a component holding a majority and
 * reaches other regions over any link to a region that has it),
 * decides automatic failovers when a majority released the primary, and injects operator
 * switchovers and forced failovers. It checks that each epoch's writes come from that epoch's
 * primary only, that no two epochs' writes interleave in time, that every acknowledged write is
 * in the final log or in a quarantine, and that no acknowledged sync write is lost except by a
 * forced failover when the acknowledgement count guarantees it.
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
  static final int TRACE_LINES_MAX = 40;

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
  private final Map<io.meridian.agent.core.storage.Version, Long> commitRealMillis = new java.util.HashMap<>();
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
      String kind) {}

  /** What a passing run did, for the test's summary. */
  record Report(long seed, int regions, long messagesDelivered, long writesAcknowledged, long crashes,
      long convergedAfterMillis, long automaticFailovers, long plannedFailovers, long forcedFailovers,
      long switchoversFailed, long writesQuarantined, long acknowledgedWritesQuarantined) {}

  Simulation(long seed) {
    this.seed = seed;
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
    cutRatePerMillis = random.nextDouble() * 0.004;
    crashRatePerMillis = random.nextDouble() * 0.002;
    failoverEnabled = random.nextInt(3) != 0;
    operatorFailoverRatePerMillis = failoverEnabled ? random.nextDouble() * 0.003 : 0;
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
    if (failoverEnabled && random.nextBoolean()) {
      // Fencing measures durations on each region's own clock, so an offset must not matter.
      clockSkewMillis.put(regions.get(random.nextInt(regionCount)), random.nextLong(-3_000, 3_001));
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
          writesQuarantined, acknowledgedQuarantined);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("simulation failed for seed " + seed + " (" + describe() + ") at "
          + nowMillis + " ms: " + e.getMessage() + "\nlast events:\n  " + String.join("\n  ", trace.stream().map(TraceLine::toString).toList())
          + "\nreproduce with -Dsim.seed=" + seed, e);
    }
  }

  private String describe() {
    return regions.size() + " regions, primaries " + primaries + ", clock skews " + clockSkewMillis
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
      carryOut(message.to(), target.step(now(message.to()),
          new Input.PeerMessageReceived(message.from(), message.message())));
    }
    for (String region : regions) {
      ReplicationNode node = nodes.get(region);
      long lastTick = lastTickMillis.getOrDefault(region, 0L);
      if (node != null && (node.nextTickAtMillis() <= now(region) || nowMillis - lastTick >= TICK_INTERVAL_MILLIS_MAX)) {
        lastTickMillis.put(region, nowMillis);
        carryOut(region, node.tick(now(region)));
      }
    }
    if (failoverEnabled) {
      spreadDecisions();
      decideAutomaticFailovers();
    }
    nowMillis++;
  }

  private final Map<String, Long> lastTickMillis = new java.util.HashMap<>();

  private void carryOut(String region, Output output) {
    if (output.syncStoreFirst()) {
      stores.get(region).sync();
    }
    for (Output.Outbound outbound : output.messages()) {
      send(region, outbound.to(), outbound.message());
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
            ReplicationNode node = nodes.get(ends[0]);
            if (node == null) {
              continue;
            }
            Input input = up ? new Input.PeerConnected(ends[1], dataset)
                : new Input.PeerDisconnected(ends[1], dataset, "link down");
            carryOut(ends[0], node.step(now(ends[0]), input));
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
    if (changed) {
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

  /** Live regions reachable from {@code region} over up links, itself included. */
  private Set<String> component(String region) {
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of(region));
    while (!todo.isEmpty()) {
      String next = todo.poll();
      if (!nodes.containsKey(next) || !seen.add(next)) {
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

  /** Feeds a region every decision of {@code dataset} it has not applied yet, in order. */
  private void deliverDecisions(String region, String dataset) {
    long known = view(region, dataset).epoch();
    for (Decision decision : decisions.get(dataset)) {
      if (decision.epoch() > known) {
        record(region, "decision", dataset, decision);
        carryOut(region, nodes.get(region).step(now(region), new Input.EpochDecided(dataset, decision.epoch(),
            decision.primary(), decision.startSequence(), decision.previousPrimaryStopped())));
      }
    }
  }

  /** A decision reaches a region over any up link to a region that already has it. */
  private void spreadDecisions() {
    for (String dataset : List.of(ASYNC, SYNC)) {
      long latest = latestEpoch(dataset);
      for (String region : regions) {
        if (!nodes.containsKey(region) || view(region, dataset).epoch() == latest) {
          continue;
        }
        boolean reachable = regions.stream().anyMatch(other -> nodes.containsKey(other)
            && upLinks.contains(linkKey(region, other)) && view(other, dataset).epoch() == latest);
        if (reachable) {
          deliverDecisions(region, dataset);
        }
      }
    }
  }

  /** Commits a decision within a majority component and applies it there. */
  private void commit(String dataset, Decision decision, Set<String> component) {
    check(decision.epoch() == latestEpoch(dataset) + 1, "decisions must be consecutive: " + decision);
    check(holdsMajority(component) && component.contains(decision.primary()),
        "a decision needs a majority component holding the new primary");
    decisions.get(dataset).add(decision);
    record(decision.primary(), "commit", dataset, decision);
    for (String region : regions) {
      if (component.contains(region) && nodes.containsKey(region)) {
        deliverDecisions(region, dataset);
      }
    }
  }

  private record Candidate(String region, FailoverView view) {}

  /** Regions of a component that applied every decision so far, with their views. */
  private List<Candidate> currentViews(String dataset, Set<String> component) {
    List<Candidate> candidates = new ArrayList<>();
    for (String region : regions) {
      if (component.contains(region)) {
        FailoverView view = view(region, dataset);
        if (view.epoch() == latestEpoch(dataset) && view.primary().equals(currentPrimary(dataset))) {
          candidates.add(new Candidate(region, view));
        }
      }
    }
    return candidates;
  }

  /** The most up-to-date candidate (newest last epoch, then longest log), ties by priority order. */
  private String mostUpToDate(List<Candidate> candidates, String excluded) {
    return candidates.stream()
        .filter(candidate -> !candidate.region().equals(excluded))
        .max(Comparator.comparingLong((Candidate c) -> c.view().lastEpochInLog())
            .thenComparingLong(c -> c.view().lastSequence())
            .thenComparingInt(c -> -regions.indexOf(c.region())))
        .map(Candidate::region).orElse(null);
  }

  private void decideAutomaticFailovers() {
    for (String dataset : List.of(ASYNC, SYNC)) {
      Set<String> done = new HashSet<>();
      for (String region : regions) {
        if (!nodes.containsKey(region) || done.contains(region)) {
          continue;
        }
        Set<String> component = component(region);
        done.addAll(component);
        if (!holdsMajority(component)) {
          continue;
        }
        List<Candidate> candidates = currentViews(dataset, component);
        long releasing = candidates.stream().filter(c -> c.view().releasesPrimary()).count();
        if (releasing < regions.size() / 2 + 1) {
          continue;
        }
        String target = mostUpToDate(candidates, currentPrimary(dataset));
        if (target == null) {
          continue;
        }
        automaticFailovers++;
        commit(dataset, new Decision(latestEpoch(dataset) + 1, target, view(target, dataset).lastSequence(), true,
            "automatic"), component);
        break;
      }
    }
  }

  /** An operator's forced failover: promote now, reporting what the target lacks. */
  private void forceFailover(String dataset, String target) {
    if (!nodes.containsKey(target) || target.equals(currentPrimary(dataset))) {
      return;
    }
    Set<String> component = component(target);
    FailoverView view = view(target, dataset);
    if (!holdsMajority(component) || view.epoch() != latestEpoch(dataset)) {
      return;
    }
    forcedFailovers.merge(dataset, 1, Integer::sum);
    // Half the time the operator's tool reaches the old primary (over the control plane, not the
    // cut links) and has it stop first, as FailoverRunner does: the decision then skips the fence wait.
    String primary = currentPrimary(dataset);
    boolean stopped = false;
    if (nodes.containsKey(primary) && random.nextBoolean()) {
      record(primary, "forced stop", dataset, "to", target);
      forcedStopReady = false;
      forcedStopping = true;
      carryOut(primary, nodes.get(primary).step(now(primary), new Input.SwitchoverRequested(dataset, target, 500, true)));
      forcedStopping = false;
      stopped = forcedStopReady;
    }
    commit(dataset, new Decision(latestEpoch(dataset) + 1, target, view.lastSequence(), stopped, "forced"),
        component);
  }

  /** An operator's planned switchover: the primary hands over once the target has everything. */
  private void requestSwitchover(String dataset, String target, long timeoutMillis) {
    String primary = currentPrimary(dataset);
    if (!nodes.containsKey(primary) || view(primary, dataset).epoch() != latestEpoch(dataset)) {
      return;
    }
    record(primary, "switchover", dataset, "to", target);
    carryOut(primary, nodes.get(primary).step(now(primary), new Input.SwitchoverRequested(dataset, target, timeoutMillis)));
  }

  private void completeSwitchover(String region, ReplicationEvent.SwitchoverReady ready) {
    if (forcedStopping) {
      forcedStopReady = true; // forceFailover commits its own decision.
      return;
    }
    String dataset = ready.dataset();
    Set<String> component = component(region);
    boolean committable = ready.epoch() == latestEpoch(dataset) + 1 && region.equals(currentPrimary(dataset))
        && holdsMajority(component) && component.contains(ready.target());
    if (!committable) {
      carryOut(region, nodes.get(region).step(now(region), new Input.SwitchoverAborted(dataset,
          "no majority with the target, or another decision came first")));
      return;
    }
    plannedFailovers++;
    commit(dataset, new Decision(ready.epoch(), ready.target(), ready.startSequence(), true, "planned"), component);
  }

  private void crash(String region) {
    nodes.remove(region);
    crashes++;
    if (random.nextBoolean()) {
      // A power loss rather than a killed process: unsynced writes vanish. Only the sync dataset,
      // whose policy is to sync before anything leaves, must come through this unscathed; the
      // async dataset leaves flushing to the operating system and may lose acknowledged writes on
      // power loss (that is failover's business, issue 7), so its disk is kept.
      stores.get(region).loseUnsyncedWrites(SYNC);
      record(region, "power loss");
    }
    restartAtMillis.put(region, nowMillis + 50 + random.nextInt(1_500));
    // Requests in flight at a crashed process never get an answer; their outcome is unknown.
    pending.values().removeIf(request -> request.region().equals(region));
    record(region, "crash");
  }

  private void restart(String region) {
    restartAtMillis.remove(region);
    nodes.put(region, new ReplicationNode(configs.get(region), stores.get(region), now(region)));
    record(region, "restart from store at", stores.get(region).lastSequence(ASYNC),
        stores.get(region).lastSequence(SYNC));
    // The region's own copy of the decision log tells it the primary of the epoch it stored, as
    // a local Ratis log replay would; newer decisions arrive over links.
    for (String dataset : List.of(ASYNC, SYNC)) {
      long stored = stores.get(region).epoch(dataset);
      if (stored > 1) {
        Decision decision = decisions.get(dataset).get((int) stored - 2);
        carryOut(region, nodes.get(region).step(now(region), new Input.EpochDecided(dataset, decision.epoch(),
            decision.primary(), decision.startSequence(), decision.previousPrimaryStopped())));
      }
    }
  }

  // ---------------------------------------------------------------- clients

  private void maybeClientRequest() {
    if (random.nextDouble() >= writeRatePerMillis) {
      return;
    }
    String region = regions.get(random.nextInt(regions.size()));
    ReplicationNode node = nodes.get(region);
    if (node == null) {
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
    carryOut(region, node.step(now(region), new Input.ClientRequest(requestId, dataset, operation)));
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
            .filter(r -> stores.get(r).lastSequence(request.dataset()) >= committed.version().sequence()
                && changeAt(stores.get(r), request.dataset(), committed.version().sequence()).version()
                    .equals(committed.version()))
            .count();
        check(holding >= required, "sync write " + committed.version().sequence() + " acknowledged to the client"
            + " while only " + holding + " replicas hold it; " + required + " required");
      }
      acknowledged.add(new Acknowledged(region, request.dataset(), request.operation(), committed));
    } else if (result instanceof ClientResult.Read) {
      ClientResult.Read read = (ClientResult.Read) result;
      check(read.servedBy().equals(region), "read served by " + read.servedBy() + " at " + region);
      read.value().ifPresent(value -> {
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
        // Equal logs mean every change was applied exactly once and in order at every replica.
        check(store.log(dataset).equals(log), region + " log of " + dataset + " differs from the primary's");
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

package io.meridian.app.live;

import io.meridian.agent.api.v1.DatasetStatus;
import io.meridian.agent.api.v1.PeerLinkStatus;
import io.meridian.agent.api.v1.PrimaryChanged;
import io.meridian.agent.api.v1.RegionHealth;
import io.meridian.agent.api.v1.Role;
import io.meridian.agent.api.v1.WatchEvent;
import io.meridian.app.live.LiveState.ConflictRecord;
import io.meridian.app.live.LiveState.EntryKind;
import io.meridian.app.live.LiveState.FaultWindow;
import io.meridian.app.live.LiveState.FlowKey;
import io.meridian.app.live.LiveState.FlowState;
import io.meridian.app.live.LiveState.Health;
import io.meridian.app.live.LiveState.LagSample;
import io.meridian.app.live.LiveState.RegionState;
import io.meridian.app.live.LiveState.TimelineEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Folds what the agents send into one view of the deployment. Pure and single-threaded: inputs
 * in ({@link #apply(LiveInput)}), a {@link LiveState} out ({@link #state(long)}); it reads no
 * clock and does no I/O, so a recording replayed through a fresh model rebuilds any instant.
 *
 * <p>How it copes with the network:
 * <ul>
 *   <li>A snapshot older than the newest one applied from the same agent (agent clock) is
 *       dropped: it arrived out of order and would move the view back in time. One with the same
 *       time is a duplicate and dropped too. Both are counted.
 *   <li>An agent whose snapshots stop arriving (missing snapshots) is stale after {@link
 *       #STALE_AFTER_MILLIS}: its region is degraded and its reports are shown but replaced by
 *       the other end's whenever that one is fresh.
 *   <li>An agent whose stream fails is unreachable: its region fails, its reports are forgotten,
 *       and a fault window opens until its stream is back.
 *   <li>Each flow (dataset, primary → replica) is described by the freshest report, the
 *       replica's preferred: it measures its own lag against the primary's heartbeats.
 *   <li>Discrete events seen twice (same agent, time and content) are kept once.
 * </ul>
 */
public final class LiveModel {
  /** A region whose last snapshot is older than this is stale: three missed snapshots at 2 Hz. */
  public static final long STALE_AFTER_MILLIS = 1_500;
  /** How much lag history per flow the charts get. */
  public static final long HISTORY_MILLIS = 10 * 60_000;
  /** Most lag samples kept per flow: 10 minutes at 4 Hz. */
  public static final int HISTORY_SAMPLES_MAX = 2_400;
  /** Most timeline entries kept; older ones are forgotten first. */
  public static final int TIMELINE_ENTRIES_MAX = 5_000;
  /** Most conflicts kept for the table. */
  public static final int CONFLICTS_MAX = 1_000;
  /** Most fault windows kept. */
  public static final int FAULTS_MAX = 1_000;
  /** Window over which conflicts per second are counted. */
  public static final long CONFLICT_RATE_WINDOW_MILLIS = 10_000;
  /** How many recent discrete events are remembered to drop duplicates. */
  static final int SEEN_EVENTS_MAX = 4_096;

  private final Map<String, String> plannedPrimaries;
  private final Map<String, Agent> agents = new TreeMap<>();
  private final Map<FlowKey, ArrayDeque<LagSample>> history = new HashMap<>();
  private final Map<FlowKey, List<LagSample>> historyCopies = new HashMap<>();
  private final ArrayDeque<TimelineEntry> timeline = new ArrayDeque<>();
  private final ArrayDeque<FaultWindow> closedFaults = new ArrayDeque<>();
  private final Map<String, FaultWindow> openFaults = new LinkedHashMap<>();
  private final ArrayDeque<ConflictRecord> conflicts = new ArrayDeque<>();
  private final Set<String> seenEvents = new LinkedHashSet<>();
  private long droppedDuplicates;
  private long droppedOutOfOrder;

  /**
   * A model that knows the deployment's regions and planned primaries before anything arrives.
   *
   * @param regions the regions whose agents are watched
   * @param plannedPrimaries primary per dataset as deployed; agents' status replies override it
   */
  public LiveModel(List<String> regions, Map<String, String> plannedPrimaries) {
    this.plannedPrimaries = Map.copyOf(plannedPrimaries);
    regions.forEach(this::agent);
  }

  /** What the model knows about one agent. */
  private static final class Agent {
    final String region;
    boolean reachable;
    boolean everLost;
    long lastHeardMillis;
    long newestSnapshotAgentMillis = Long.MIN_VALUE;
    long newestSnapshotReceivedMillis = Long.MIN_VALUE;
    List<PeerLinkStatus> links = List.of();
    Map<String, DatasetStatus> datasets = Map.of();
    /** Failover decisions this agent applied (PrimaryChanged), per dataset: the newest epoch. */
    final Map<String, PrimaryChanged> decisions = new HashMap<>();
    /** How this agent's failure detector sees its peers (HealthChanged), per peer. */
    final Map<String, RegionHealth> peerHealth = new HashMap<>();
    final ArrayDeque<Long> conflictTimes = new ArrayDeque<>();

    Agent(String region) {
      this.region = region;
    }

    boolean fresh(long now) {
      return reachable && now - newestSnapshotReceivedMillis <= STALE_AFTER_MILLIS;
    }
  }

  private Agent agent(String region) {
    return agents.computeIfAbsent(region, Agent::new);
  }

  /** Applies one input. Inputs should come in the order received; the model copes if not. */
  public void apply(LiveInput input) {
    Objects.requireNonNull(input, "input");
    if (input instanceof LiveInput.Watched watched) {
      applyWatched(watched);
    } else if (input instanceof LiveInput.StatusReceived status) {
      applyStatus(status);
    } else if (input instanceof LiveInput.AgentConnected connected) {
      applyConnected(connected);
    } else if (input instanceof LiveInput.AgentLost lost) {
      applyLost(lost);
    } else if (input instanceof LiveInput.OperatorAction action) {
      addEntry(new TimelineEntry(action.receivedAtMillis(), action.region(), EntryKind.ACTION,
          action.action() + ": " + (action.succeeded() ? "done" : "failed")
              + (action.outcome().isEmpty() ? "" : " — " + action.outcome()),
          !action.succeeded()));
    }
  }

  private void applyWatched(LiveInput.Watched input) {
    Agent agent = agent(input.region());
    long now = input.receivedAtMillis();
    WatchEvent event = input.event();
    if (!agent.reachable) {
      // An event proves the stream is open, even if the "connected" notice was lost.
      markReachable(agent, now);
    }
    agent.lastHeardMillis = Math.max(agent.lastHeardMillis, now);
    if (event.hasSnapshot()) {
      if (event.getAtMillis() < agent.newestSnapshotAgentMillis) {
        droppedOutOfOrder++;
        return;
      }
      if (event.getAtMillis() == agent.newestSnapshotAgentMillis) {
        droppedDuplicates++;
        return;
      }
      agent.newestSnapshotAgentMillis = event.getAtMillis();
      agent.newestSnapshotReceivedMillis = now;
      agent.links = List.copyOf(event.getSnapshot().getLinksList());
      recordHistory(agent, now);
      return;
    }
    String identity = input.region() + '|' + event.getAtMillis() + '|' + event.hashCode();
    if (!seenEvents.add(identity)) {
      return;
    }
    if (seenEvents.size() > SEEN_EVENTS_MAX) {
      var oldest = seenEvents.iterator();
      oldest.next();
      oldest.remove();
    }
    String region = input.region();
    switch (event.getKindCase()) {
      case LINK_CUT -> {
        String peer = event.getLinkCut().getPeerRegion();
        openFault(linkFaultKey(region, peer), now, "link " + linkName(region, peer) + " cut");
        addEntry(new TimelineEntry(now, region, EntryKind.LINK, "link to " + peer + " cut",
            true));
      }
      case LINK_HEALED -> {
        String peer = event.getLinkHealed().getPeerRegion();
        closeFault(linkFaultKey(region, peer), now);
        addEntry(new TimelineEntry(now, region, EntryKind.LINK, "link to " + peer + " healed",
            false));
      }
      case PEER_UP -> addEntry(new TimelineEntry(now, region, EntryKind.PEER,
          "replication from/to " + event.getPeerUp().getPeerRegion() + " up ("
              + event.getPeerUp().getDataset() + ")", false));
      case PEER_DOWN -> addEntry(new TimelineEntry(now, region, EntryKind.PEER,
          "replication from/to " + event.getPeerDown().getPeerRegion() + " down ("
              + event.getPeerDown().getDataset() + "): " + event.getPeerDown().getReason(),
          true));
      case PROTOCOL_VIOLATION -> addEntry(new TimelineEntry(now, region, EntryKind.PROBLEM,
          "protocol violation by " + event.getProtocolViolation().getPeerRegion() + " ("
              + event.getProtocolViolation().getDataset() + "): "
              + event.getProtocolViolation().getDetail(), true));
      case SYNC_ACK_TIMEOUT -> addEntry(new TimelineEntry(now, region, EntryKind.PROBLEM,
          String.format(Locale.ROOT, "sync write %d of %s acknowledged by %d of %d replicas in time",
              event.getSyncAckTimeout().getSequence(), event.getSyncAckTimeout().getDataset(),
              event.getSyncAckTimeout().getAcknowledged(),
              event.getSyncAckTimeout().getRequired()), true));
      case STALE_EPOCH_REJECTED -> addEntry(new TimelineEntry(now, region, EntryKind.FAILOVER,
          "rejected " + event.getStaleEpochRejected().getPeerRegion() + " at stale epoch "
              + event.getStaleEpochRejected().getReceivedEpoch() + " (current "
              + event.getStaleEpochRejected().getCurrentEpoch() + ")", true));
      case CONFLICT -> applyConflict(agent, event, now);
      case CLOCK_SKEW -> addEntry(new TimelineEntry(now, region, EntryKind.PROBLEM,
          String.format(Locale.ROOT, "write from %s (%s) was %d ms ahead of this clock "
                  + "(tolerance %d ms)", event.getClockSkew().getPeerRegion(),
              event.getClockSkew().getDataset(), event.getClockSkew().getAheadMillis(),
              event.getClockSkew().getToleranceMillis()), true));
      case RESIDENCY_REFUSED -> addEntry(new TimelineEntry(now, region, EntryKind.PROBLEM,
          String.format(Locale.ROOT, "%d %s of %s not sent to %s: jurisdiction %s not in %s",
              event.getResidencyRefused().getRefusals(),
              event.getResidencyRefused().getMessageKind(),
              event.getResidencyRefused().getDataset(),
              event.getResidencyRefused().getPeerRegion(),
              event.getResidencyRefused().getPeerJurisdiction(),
              event.getResidencyRefused().getAllowedJurisdictionsList()), true));
      case SIBLINGS_TRUNCATED -> addEntry(new TimelineEntry(now, region, EntryKind.CONFLICT,
          String.format(Locale.ROOT, "%s/%s: %d oldest sibling(s) dropped to stay within %d",
              event.getSiblingsTruncated().getDataset(),
              Conflicts.keyText(event.getSiblingsTruncated().getKey()),
              event.getSiblingsTruncated().getDropped(),
              event.getSiblingsTruncated().getSiblingsMax()), true));
      case PRIMARY_CHANGED -> applyPrimaryChanged(agent, event.getPrimaryChanged(), now);
      case WRITES_QUARANTINED -> {
        var quarantined = event.getWritesQuarantined();
        addEntry(new TimelineEntry(now, region, EntryKind.FAILOVER, String.format(Locale.ROOT,
            "%d write(s) of %s (sequences %d-%d) quarantined after the failover to epoch %d",
            quarantined.getCount(), quarantined.getDataset(), quarantined.getFirstSequence(),
            quarantined.getLastSequence(), quarantined.getFailoverEpoch()), true));
      }
      case LEASE_CHANGED -> {
        var lease = event.getLeaseChanged();
        addEntry(new TimelineEntry(now, region, EntryKind.FAILOVER, String.format(Locale.ROOT,
            "write lease of %s at epoch %d %s%s", lease.getDataset(), lease.getEpoch(),
            lease.getHeld() ? "gained" : "lost",
            lease.getDetail().isEmpty() ? "" : ": " + lease.getDetail()), !lease.getHeld()));
      }
      case SWITCHOVER_FINISHED -> {
        var finished = event.getSwitchoverFinished();
        addEntry(new TimelineEntry(now, region, EntryKind.FAILOVER, "switchover of "
            + finished.getDataset() + " to " + finished.getTargetRegion()
            + (finished.getReady() ? " ready" : " failed, nothing changed")
            + (finished.getReason().isEmpty() ? "" : ": " + finished.getReason()),
            !finished.getReady()));
      }
      case HEALTH_CHANGED -> {
        var changed = event.getHealthChanged();
        agent.peerHealth.put(changed.getPeerRegion(), changed.getHealth());
        addEntry(new TimelineEntry(now, region, EntryKind.HEALTH, String.format(Locale.ROOT,
            "%s sees %s %s (phi %.1f)", region, changed.getPeerRegion(),
            healthName(changed.getHealth()), changed.getPhi()),
            changed.getHealth() == RegionHealth.REGION_HEALTH_DOWN));
      }
      case REPAIR_STARTED -> { }
      case REPAIR_FINISHED -> {
        // Periodic repairs that found nothing would drown the timeline; only findings and failures show.
        io.meridian.agent.api.v1.RepairFinished repair = event.getRepairFinished();
        if (!repair.getError().isEmpty()) {
          addEntry(new TimelineEntry(now, region, EntryKind.PROBLEM, "repair of " + repair.getDataset() + " with "
              + repair.getPeerRegion() + " failed: " + repair.getError(), true));
        } else if (repair.getKeysRepaired() > 0) {
          addEntry(new TimelineEntry(now, region, EntryKind.PROBLEM, "repair of " + repair.getDataset() + " with "
              + repair.getPeerRegion() + ": " + repair.getKeysRepaired() + " diverged keys repaired ("
              + repair.getRangesCompared() + " ranges compared, " + repair.getBytesSent() + " bytes, "
              + repair.getDurationMillis() + " ms)", false));
        }
      }
      // Consistency probes (ADR 0022): measurements come every second and the lag chart shows the
      // lag already; a broken promise is a problem an operator must see.
      case PROBE_MEASURED, PROBE_UNSEEN -> { }
      case PROBE_VIOLATION -> {
        io.meridian.agent.api.v1.ProbeViolation violation = event.getProbeViolation();
        addEntry(new TimelineEntry(now, region, EntryKind.PROBLEM, "consistency probe: a "
            + violation.getLevel() + " read of " + violation.getDataset() + " at " + violation.getTargetRegion()
            + " returned " + (violation.getObserved().isEmpty() ? "nothing" : "probe " + violation.getObserved())
            + " where probe " + violation.getExpectedAtLeast() + " was due (" + violation.getDetail() + ")", true));
      }
      default -> applyUnknown(agent, event, now);
    }
  }

  private void applyConflict(Agent agent, WatchEvent event, long now) {
    ConflictRecord conflict = Conflicts.decode(event, agent.region, now).orElseThrow();
    agent.conflictTimes.addLast(now);
    trimConflictTimes(agent, now);
    addConflict(conflict);
    addEntry(new TimelineEntry(now, agent.region, EntryKind.CONFLICT,
        "conflict on " + conflict.dataset() + "/" + conflict.key() + ": " + conflict.rule()
            + " kept " + conflict.winner(), false));
  }

  private void applyPrimaryChanged(Agent agent, PrimaryChanged changed, long now) {
    PrimaryChanged before = agent.decisions.get(changed.getDataset());
    if (before == null || before.getEpoch() <= changed.getEpoch()) {
      agent.decisions.put(changed.getDataset(), changed);
    }
    addEntry(new TimelineEntry(now, agent.region, EntryKind.FAILOVER, String.format(
        Locale.ROOT, "%s applied epoch %d of %s: %s is primary, %s is %s%s",
        agent.region, changed.getEpoch(), changed.getDataset(), changed.getPrimaryRegion(),
        agent.region, roleName(changed.getRole()),
        changed.getLackingWritesKnown() > 0 ? String.format(Locale.ROOT,
            " (%d write(s) of the old primary never arrived)", changed.getLackingWritesKnown())
            : ""), changed.getLackingWritesKnown() > 0));
  }

  /**
   * Events of kinds this studio was built without: the agent reserves numbers 20-29 for
   * conflicts and 30-39 for failover and health. They count and show, without their details.
   */
  private void applyUnknown(Agent agent, WatchEvent event, long now) {
    Set<Integer> fields = event.getUnknownFields().asMap().keySet();
    Conflicts.decode(event, agent.region, now).ifPresentOrElse(conflict -> {
      agent.conflictTimes.addLast(now);
      addConflict(conflict);
      addEntry(new TimelineEntry(now, agent.region, EntryKind.CONFLICT,
          "conflict on " + conflict.dataset() + "/" + conflict.key() + ": " + conflict.rule()
              + " kept " + conflict.winner(), false));
    }, () -> {
      if (fields.stream().anyMatch(f -> f >= 20 && f <= 29)) {
        agent.conflictTimes.addLast(now);
        addEntry(new TimelineEntry(now, agent.region, EntryKind.CONFLICT,
            "conflict (details need a newer studio)", false));
      } else if (fields.stream().anyMatch(f -> f >= 30 && f <= 39)) {
        addEntry(new TimelineEntry(now, agent.region, EntryKind.FAILOVER,
            "failover or health event (details need a newer studio)", false));
      } else {
        addEntry(new TimelineEntry(now, agent.region, EntryKind.PROBLEM,
            "an event this studio cannot read (fields " + fields + ")", false));
      }
    });
    trimConflictTimes(agent, now);
  }

  private static void trimConflictTimes(Agent agent, long now) {
    while (!agent.conflictTimes.isEmpty()
        && agent.conflictTimes.peekFirst() < now - CONFLICT_RATE_WINDOW_MILLIS) {
      agent.conflictTimes.removeFirst();
    }
  }

  private void applyStatus(LiveInput.StatusReceived input) {
    Agent agent = agent(input.region());
    long now = input.receivedAtMillis();
    agent.lastHeardMillis = Math.max(agent.lastHeardMillis, now);
    Map<String, DatasetStatus> datasets = new LinkedHashMap<>();
    for (DatasetStatus dataset : input.status().getDatasetsList()) {
      datasets.put(dataset.getDataset(), dataset);
      DatasetStatus before = agent.datasets.get(dataset.getDataset());
      if (before != null && (before.getRole() != dataset.getRole()
          || before.getEpoch() != dataset.getEpoch())) {
        addEntry(new TimelineEntry(now, agent.region, EntryKind.FAILOVER, String.format(
            Locale.ROOT, "%s is now %s of %s at epoch %d (was %s at epoch %d)", agent.region,
            roleName(dataset.getRole()), dataset.getDataset(), dataset.getEpoch(),
            roleName(before.getRole()), before.getEpoch()), false));
      }
    }
    agent.datasets = datasets;
  }

  private void applyConnected(LiveInput.AgentConnected input) {
    Agent agent = agent(input.region());
    if (!agent.reachable) {
      markReachable(agent, input.receivedAtMillis());
    }
    agent.lastHeardMillis = Math.max(agent.lastHeardMillis, input.receivedAtMillis());
  }

  private void markReachable(Agent agent, long now) {
    agent.reachable = true;
    if (agent.everLost) {
      closeFault(regionFaultKey(agent.region), now);
      addEntry(new TimelineEntry(now, agent.region, EntryKind.AGENT,
          "agent reachable again", false));
    } else {
      addEntry(new TimelineEntry(now, agent.region, EntryKind.AGENT, "watching the agent",
          false));
    }
  }

  private void applyLost(LiveInput.AgentLost input) {
    Agent agent = agent(input.region());
    long now = input.receivedAtMillis();
    boolean wasReachable = agent.reachable || !agent.everLost;
    agent.reachable = false;
    agent.links = List.of();
    if (!wasReachable) {
      return; // Still unreachable: a failed reconnection attempt says nothing new.
    }
    agent.everLost = true;
    openFault(regionFaultKey(agent.region), now, "region " + agent.region + " unreachable");
    addEntry(new TimelineEntry(now, agent.region, EntryKind.AGENT,
        "agent unreachable" + (input.reason().isEmpty() ? "" : ": " + input.reason()), true));
  }

  // ------------------------------------------------------------------ state

  /**
   * The view at {@code now}: regions, flows, timeline, faults, conflicts and lag history.
   *
   * @param now the studio's clock, for freshness
   * @return the state
   */
  public LiveState state(long now) {
    Map<FlowKey, FlowState> flows = flows(now);
    Map<String, RegionState> regions = new LinkedHashMap<>();
    for (Agent agent : agents.values()) {
      regions.put(agent.region, regionState(agent, now, flows));
    }
    List<FaultWindow> faults = new ArrayList<>(closedFaults);
    faults.addAll(openFaults.values());
    faults.sort(java.util.Comparator.comparingLong(FaultWindow::startMillis));
    Map<FlowKey, List<LagSample>> histories = new HashMap<>();
    for (Map.Entry<FlowKey, ArrayDeque<LagSample>> entry : history.entrySet()) {
      histories.put(entry.getKey(), historyCopies.computeIfAbsent(entry.getKey(),
          key -> List.copyOf(entry.getValue())));
    }
    return new LiveState(now, regions, flows, List.copyOf(timeline), faults,
        List.copyOf(conflicts), histories, droppedDuplicates, droppedOutOfOrder);
  }

  private RegionState regionState(Agent agent, long now, Map<FlowKey, FlowState> flows) {
    List<String> primaryOf = new ArrayList<>();
    for (String dataset : datasets()) {
      if (agent.region.equals(primaryOf(dataset))) {
        primaryOf.add(dataset);
      }
    }
    Map<String, Long> epochs = new TreeMap<>();
    agent.datasets.forEach((name, status) -> epochs.put(name, status.getEpoch()));
    long recentConflicts = agent.conflictTimes.stream()
        .filter(t -> t > now - CONFLICT_RATE_WINDOW_MILLIS).count();
    double conflictsPerSecond = recentConflicts * 1000.0 / CONFLICT_RATE_WINDOW_MILLIS;
    boolean fresh = agent.fresh(now);
    Health health;
    if (!agent.reachable) {
      health = agent.everLost ? Health.FAILING : Health.UNKNOWN;
    } else if (!fresh) {
      health = agent.newestSnapshotReceivedMillis == Long.MIN_VALUE ? Health.UNKNOWN
          : Health.DEGRADED;
    } else if (flows.values().stream().anyMatch(f -> (f.key().source().equals(agent.region)
        || f.key().target().equals(agent.region)) && f.health() == Health.FAILING)) {
      health = Health.DEGRADED;
    } else {
      health = Health.OK;
    }
    health = worst(health, healthSeenByPeers(agent.region));
    return new RegionState(agent.region, agent.reachable, fresh, primaryOf, epochs,
        conflictsPerSecond, health, agent.lastHeardMillis);
  }

  private Set<String> datasets() {
    Set<String> names = new java.util.TreeSet<>(plannedPrimaries.keySet());
    agents.values().forEach(a -> names.addAll(a.datasets.keySet()));
    return names;
  }

  /**
   * The primary of a dataset: the reachable agent claiming it at the highest epoch, else the
   * planned one.
   */
  String primaryOf(String dataset) {
    String best = null;
    long bestEpoch = -1;
    for (Agent agent : agents.values()) {
      DatasetStatus status = agent.datasets.get(dataset);
      if (agent.reachable && status != null && status.getRole() == Role.ROLE_PRIMARY
          && status.getEpoch() > bestEpoch) {
        best = agent.region;
        bestEpoch = status.getEpoch();
      }
      // A decision an agent reports having applied names the primary before the next status
      // poll does; a later epoch wins whoever reports it.
      PrimaryChanged decision = agent.decisions.get(dataset);
      if (agent.reachable && decision != null && decision.getEpoch() > bestEpoch
          && !decision.getPrimaryRegion().isEmpty()) {
        best = decision.getPrimaryRegion();
        bestEpoch = decision.getEpoch();
      }
    }
    return best != null ? best : plannedPrimaries.get(dataset);
  }

  /** The flow a link report of {@code agent} describes, or null when it names no primary. */
  private FlowKey flowOf(String agent, PeerLinkStatus link) {
    String primary = primaryOf(link.getDataset());
    if (agent.equals(primary)) {
      return new FlowKey(link.getDataset(), agent, link.getPeerRegion());
    }
    if (link.getPeerRegion().equals(primary)) {
      return new FlowKey(link.getDataset(), primary, agent);
    }
    return null;
  }

  private record Report(Agent agent, PeerLinkStatus link, boolean fromTarget) {}

  private Map<FlowKey, FlowState> flows(long now) {
    Map<FlowKey, Report> best = new TreeMap<>(java.util.Comparator.comparing(FlowKey::toString));
    Map<FlowKey, Boolean> cutByEither = new HashMap<>();
    for (Agent agent : agents.values()) {
      boolean fresh = agent.fresh(now);
      for (PeerLinkStatus link : agent.links) {
        FlowKey key = flowOf(agent.region, link);
        if (key == null) {
          continue;
        }
        if (fresh && link.getLinkCut()) {
          cutByEither.put(key, true);
        }
        Report report = new Report(agent, link, key.target().equals(agent.region));
        Report current = best.get(key);
        if (current == null || rank(report, now) > rank(current, now)) {
          best.put(key, report);
        }
      }
    }
    Map<FlowKey, FlowState> flows = new LinkedHashMap<>();
    for (Map.Entry<FlowKey, Report> entry : best.entrySet()) {
      FlowKey key = entry.getKey();
      Report report = entry.getValue();
      PeerLinkStatus link = report.link();
      boolean fresh = report.agent().fresh(now);
      boolean cut = cutByEither.getOrDefault(key, false)
          || openFaults.containsKey(linkFaultKey(key.source(), key.target()));
      Agent otherEnd = agents.get(report.fromTarget() ? key.source() : key.target());
      boolean otherLost = otherEnd != null && !otherEnd.reachable && otherEnd.everLost;
      boolean connected = link.getConnected() && !otherLost;
      double changes = report.fromTarget() ? link.getChangesPerSecondIn()
          : link.getChangesPerSecondOut();
      double bytes = report.fromTarget() ? link.getBytesPerSecondIn()
          : link.getBytesPerSecondOut();
      // A connected replica that applies nothing while behind is not healthy, however fresh its report.
      Health health = cut || !connected ? Health.FAILING
          : fresh && link.getStalledMillis() == 0 ? Health.OK : Health.DEGRADED;
      flows.put(key, new FlowState(key, connected, cut, link.getLagMillis(),
          link.getLagVersions(), link.getPendingChanges(), changes, bytes, fresh,
          report.agent().region, health));
    }
    return flows;
  }

  /** Fresh beats stale; among equals, the target's own measure beats the source's. */
  private static int rank(Report report, long now) {
    return (report.agent().fresh(now) ? 2 : 0) + (report.fromTarget() ? 1 : 0);
  }

  private void recordHistory(Agent agent, long now) {
    for (PeerLinkStatus link : agent.links) {
      FlowKey key = flowOf(agent.region, link);
      if (key == null) {
        continue;
      }
      boolean fromTarget = key.target().equals(agent.region);
      Agent target = agents.get(key.target());
      if (!fromTarget && target != null && target.fresh(now)) {
        continue; // The replica's own measure is on its way.
      }
      ArrayDeque<LagSample> samples = history.computeIfAbsent(key, k -> new ArrayDeque<>());
      samples.addLast(new LagSample(now, link.getLagMillis(), link.getLagVersions()));
      while (samples.size() > HISTORY_SAMPLES_MAX
          || samples.peekFirst().atMillis() < now - HISTORY_MILLIS) {
        samples.removeFirst();
      }
      historyCopies.remove(key);
    }
  }

  // --------------------------------------------------------------- helpers

  private void addEntry(TimelineEntry entry) {
    // Keep the timeline in time order even when events arrive out of order.
    if (timeline.isEmpty() || timeline.peekLast().atMillis() <= entry.atMillis()) {
      timeline.addLast(entry);
    } else {
      List<TimelineEntry> sorted = new ArrayList<>(timeline);
      int at = sorted.size();
      while (at > 0 && sorted.get(at - 1).atMillis() > entry.atMillis()) {
        at--;
      }
      sorted.add(at, entry);
      timeline.clear();
      timeline.addAll(sorted);
    }
    while (timeline.size() > TIMELINE_ENTRIES_MAX) {
      timeline.removeFirst();
    }
  }

  private void addConflict(ConflictRecord conflict) {
    conflicts.addLast(conflict);
    while (conflicts.size() > CONFLICTS_MAX) {
      conflicts.removeFirst();
    }
  }

  private void openFault(String key, long now, String what) {
    openFaults.putIfAbsent(key, new FaultWindow(now, Long.MAX_VALUE, what));
  }

  private void closeFault(String key, long now) {
    FaultWindow open = openFaults.remove(key);
    if (open != null) {
      closedFaults.addLast(new FaultWindow(open.startMillis(), Math.max(now, open.startMillis()),
          open.what()));
      while (closedFaults.size() > FAULTS_MAX) {
        closedFaults.removeFirst();
      }
    }
  }

  private static String linkFaultKey(String a, String b) {
    return "link:" + linkName(a, b);
  }

  private static String regionFaultKey(String region) {
    return "region:" + region;
  }

  /** A link's name with its ends sorted, as the graph names it: {@code a~b}. */
  static String linkName(String a, String b) {
    return a.compareTo(b) <= 0 ? a + "~" + b : b + "~" + a;
  }

  /**
   * How the other reachable agents' failure detectors see a region: down for any of them is
   * failing, suspect is degraded. An agent that cannot see its peer says so even while the
   * studio still reaches both (a partition between regions, not between studio and region).
   */
  private Health healthSeenByPeers(String region) {
    Health seen = Health.OK;
    for (Agent other : agents.values()) {
      if (!other.reachable || other.region.equals(region)) {
        continue;
      }
      RegionHealth health = other.peerHealth.get(region);
      if (health == RegionHealth.REGION_HEALTH_DOWN) {
        seen = Health.FAILING;
      } else if (health == RegionHealth.REGION_HEALTH_SUSPECT) {
        seen = worst(seen, Health.DEGRADED);
      }
    }
    return seen;
  }

  /** The worse of two healths; unknown stays unknown unless the other is a failure. */
  private static Health worst(Health a, Health b) {
    if (a == Health.FAILING || b == Health.FAILING) {
      return Health.FAILING;
    }
    if (a == Health.UNKNOWN || b == Health.UNKNOWN) {
      return Health.UNKNOWN;
    }
    return a == Health.DEGRADED || b == Health.DEGRADED ? Health.DEGRADED : Health.OK;
  }

  private static String healthName(RegionHealth health) {
    return switch (health) {
      case REGION_HEALTH_HEALTHY -> "healthy";
      case REGION_HEALTH_SUSPECT -> "suspect";
      case REGION_HEALTH_DOWN -> "down";
      default -> "in an unknown state";
    };
  }

  private static String roleName(Role role) {
    return switch (role) {
      case ROLE_PRIMARY -> "primary";
      case ROLE_REPLICA -> "replica";
      case ROLE_WITNESS -> "witness";
      default -> "no role";
    };
  }
}

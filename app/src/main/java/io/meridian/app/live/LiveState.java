package io.meridian.app.live;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the live view shows at one instant: a value, built off the JavaFX thread by
 * {@link LiveModel#state(long)} and handed to the view whole.
 *
 * @param atMillis the instant, on the studio's clock
 * @param regions one entry per region heard of, by id
 * @param flows one entry per replication flow (dataset, primary → replica)
 * @param timeline discrete events and operator actions, oldest first
 * @param faults periods when a link was cut or an agent unreachable, oldest first
 * @param conflicts conflicts reported by multi-primary datasets, newest last
 * @param history lag samples per flow, oldest first
 * @param droppedDuplicates snapshots ignored because they repeated one already applied
 * @param droppedOutOfOrder snapshots ignored because a newer one had been applied
 */
public record LiveState(long atMillis, Map<String, RegionState> regions,
    Map<FlowKey, FlowState> flows, List<TimelineEntry> timeline, List<FaultWindow> faults,
    List<ConflictRecord> conflicts, Map<FlowKey, List<LagSample>> history,
    long droppedDuplicates, long droppedOutOfOrder) {

  /** Nothing heard yet. */
  public static final LiveState EMPTY = new LiveState(0, Map.of(), Map.of(), List.of(),
      List.of(), List.of(), Map.of(), 0, 0);

  /** Copies the collections. */
  public LiveState {
    regions = Map.copyOf(regions);
    flows = Map.copyOf(flows);
    timeline = List.copyOf(timeline);
    faults = List.copyOf(faults);
    conflicts = List.copyOf(conflicts);
    history = Map.copyOf(history);
  }

  /** The region's state, if heard of. */
  public Optional<RegionState> region(String id) {
    return Optional.ofNullable(regions.get(id));
  }

  /** The flows between two regions, either direction, any dataset. */
  public List<FlowState> flowsBetween(String a, String b) {
    return flows.values().stream()
        .filter(f -> f.key().source().equals(a) && f.key().target().equals(b)
            || f.key().source().equals(b) && f.key().target().equals(a))
        .sorted(java.util.Comparator.comparing(f -> f.key().toString()))
        .toList();
  }

  /**
   * A replication flow: a dataset's changes from its primary to one replica.
   *
   * @param dataset the dataset
   * @param source the primary
   * @param target the replica
   */
  public record FlowKey(String dataset, String source, String target) {
    @Override
    public String toString() {
      return dataset + ": " + source + " → " + target;
    }
  }

  /** How healthy a region or flow is, as the graph colours it. */
  public enum Health {
    /** Reporting and replicating within bounds. */
    OK,
    /** Reporting late, or a link down, or lag over the bound. */
    DEGRADED,
    /** Unreachable, or a flow cut or disconnected. */
    FAILING,
    /** Nothing heard yet. */
    UNKNOWN
  }

  /**
   * One region as its agent last reported.
   *
   * @param id the region
   * @param reachable whether its watch stream is open
   * @param fresh whether a snapshot arrived within {@link LiveModel#STALE_AFTER_MILLIS}
   * @param primaryOf datasets this region is the primary of (the highest epoch claim wins)
   * @param epochs epoch per dataset as this region reported it
   * @param conflictsPerSecond conflicts this region reported over the last ten seconds, per second
   * @param health the region's health
   * @param lastHeardMillis when anything last arrived from it (studio clock), 0 if never
   */
  public record RegionState(String id, boolean reachable, boolean fresh, List<String> primaryOf,
      Map<String, Long> epochs, double conflictsPerSecond, Health health, long lastHeardMillis) {
    /** Copies the collections. */
    public RegionState {
      primaryOf = List.copyOf(primaryOf);
      epochs = Map.copyOf(epochs);
    }
  }

  /**
   * One replication flow as the freshest report describes it.
   *
   * @param key dataset, source and target
   * @param connected whether the peer stream is up
   * @param cut whether an operator cut the link (rehearsals)
   * @param lagMillis how far the target is behind in time, or -1 when unknown
   * @param lagVersions how many committed changes the target has not applied
   * @param pendingChanges changes committed and not yet sent or applied
   * @param changesPerSecond changes per second flowing from source to target
   * @param bytesPerSecond bytes per second flowing from source to target
   * @param fresh whether the report is recent; a stale report is shown, not trusted
   * @param reportedBy which end's report this is
   * @param health the flow's health (the lag bound is applied by the overlay, which knows it)
   */
  public record FlowState(FlowKey key, boolean connected, boolean cut, long lagMillis,
      long lagVersions, long pendingChanges, double changesPerSecond, double bytesPerSecond,
      boolean fresh, String reportedBy, Health health) {}

  /** Kinds of timeline entries, for the filter. */
  public enum EntryKind {
    /** A link cut or healed. */
    LINK,
    /** A peer stream up or down. */
    PEER,
    /** An agent's watch stream opened or lost. */
    AGENT,
    /** A role or epoch change: failover. */
    FAILOVER,
    /** A conflict between concurrent writes. */
    CONFLICT,
    /** Protocol violations, sync timeouts, stale epochs and events this studio cannot read. */
    PROBLEM,
    /** Something the operator did. */
    ACTION,
    /** An agent's failure detector changed its view of a peer. */
    HEALTH
  }

  /**
   * One line of the event timeline.
   *
   * @param atMillis when it happened (studio clock when received)
   * @param region where
   * @param kind its kind
   * @param text what happened, in a sentence
   * @param failed whether it reports a failure (a failed action, a violation)
   */
  public record TimelineEntry(long atMillis, String region, EntryKind kind, String text,
      boolean failed) {}

  /**
   * A period when something was broken: shaded on the charts.
   *
   * @param startMillis when it began
   * @param endMillis when it ended, or {@link Long#MAX_VALUE} while it lasts
   * @param what what was broken, e.g. {@code link us-east~eu-central cut}
   */
  public record FaultWindow(long startMillis, long endMillis, String what) {
    /** @return whether it still lasts */
    public boolean open() {
      return endMillis == Long.MAX_VALUE;
    }
  }

  /**
   * A conflict between concurrent writes, as a multi-primary agent reports it.
   *
   * @param atMillis when
   * @param region the region that resolved it
   * @param dataset the dataset
   * @param key the key
   * @param concurrentVersions how many versions were concurrent
   * @param rule the resolution rule (lww, version-vector, crdt)
   * @param winner the version kept
   * @param discarded what was discarded
   */
  public record ConflictRecord(long atMillis, String region, String dataset, String key,
      int concurrentVersions, String rule, String winner, String discarded) {}

  /**
   * Lag of one flow at one instant.
   *
   * @param atMillis when (studio clock)
   * @param lagMillis lag in time, -1 when unknown
   * @param lagVersions lag in versions
   */
  public record LagSample(long atMillis, long lagMillis, long lagVersions) {}
}

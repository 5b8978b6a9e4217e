package io.meridian.agent.failover;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.replication.Input;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The failover group's replicated state: per dataset, the newest decided epoch and primary, and
 * which voting regions released that primary. Deterministic and fed only by committed commands in
 * log order, so every member derives the same decisions from the same log — the group's agreed
 * view of who is down is exactly the releases in its log (ADR 0016).
 *
 * <p>When a majority of a dataset's voting regions released the epoch's primary, its lease is
 * over (any majority holding it would intersect the releasing one, whose members pledged to grant
 * it nothing more), so the log decides: epoch + 1, led by the most up-to-date releasing region (by
 * the epoch of its newest entry, then its sequence), ties broken by failover priority, starting
 * after that region's last sequence, previous primary stopped.
 *
 * <p>The voting regions are the dataset's replicas and its witnesses (ADR 0020): a witness's
 * release counts toward the majority — the primary's lease counts the witness's grants over the
 * same voters, so the two majorities still intersect — but a witness holds no data and is never
 * chosen: the decision waits until a releasing majority includes a data replica.
 */
public final class DecisionLog {

  /** What applying one command did. */
  public record Outcome(Optional<Input.EpochDecided> decision, String detail,
      Optional<Retraction> retraction) {
    /** An outcome that retracts nothing. */
    public Outcome(Optional<Input.EpochDecided> decision, String detail) {
      this(decision, detail, Optional.empty());
    }
  }

  /** A retraction that took effect: {@code region} may grant the primary's lease again (ADR 0019). */
  public record Retraction(String region, Input.ReleaseRetracted input) {}

  private static final class DatasetState {
    final DatasetConfig config;
    final List<String> order;
    long epoch;
    String primary;
    final Map<String, FailoverCommand.Release> releases = new TreeMap<>();
    /** Per region, the newest release generation it retracted in this epoch: older copies never count. */
    final Map<String, Long> retractedThrough = new TreeMap<>();

    DatasetState(DatasetConfig config, List<String> order) {
      this.config = config;
      this.order = order;
      this.epoch = config.initialEpoch();
      this.primary = config.primary();
    }
  }

  private final Map<String, DatasetState> datasets = new LinkedHashMap<>();

  /**
   * The state before any command, for the single-primary datasets of {@code config} (every member
   * of a group is configured with the same datasets, priorities and initial epochs).
   */
  public DecisionLog(AgentConfig config) {
    for (DatasetConfig dataset : config.datasets()) {
      if (dataset.mode() == ReplicationMode.MULTI_PRIMARY) {
        continue;
      }
      List<String> order = config.failoverGroup() == null ? dataset.replicas() : config.failoverGroup().order(dataset);
      datasets.put(dataset.name(), new DatasetState(dataset, order));
    }
  }

  /** Applies one committed command. */
  public Outcome apply(FailoverCommand command) {
    DatasetState state = datasets.get(command.dataset());
    if (state == null) {
      return new Outcome(Optional.empty(), "dataset " + command.dataset() + " is not a single-primary dataset here");
    }
    if (command instanceof FailoverCommand.Decide) {
      FailoverCommand.Decide decide = (FailoverCommand.Decide) command;
      if (decide.epoch() != state.epoch + 1) {
        return new Outcome(Optional.empty(), "dataset " + decide.dataset() + ": a decision for epoch "
            + decide.epoch() + " lost: epoch " + state.epoch + " (primary " + state.primary
            + ") is the newest decided, so only epoch " + (state.epoch + 1) + " can follow it");
      }
      if (!state.config.replicas().contains(decide.primary())) {
        return new Outcome(Optional.empty(), "dataset " + decide.dataset() + ": " + decide.primary()
            + " is not one of its replicas " + state.config.replicas());
      }
      return new Outcome(Optional.of(decide(state, decide.epoch(), decide.primary(), decide.startSequence(),
          decide.previousPrimaryStopped())), "operator decision");
    }
    if (command instanceof FailoverCommand.Retract) {
      return retract(state, (FailoverCommand.Retract) command);
    }
    FailoverCommand.Release release = (FailoverCommand.Release) command;
    if (release.epoch() != state.epoch) {
      return new Outcome(Optional.empty(), "release of epoch " + release.epoch() + " is stale (epoch "
          + state.epoch + " is decided)");
    }
    if (!state.config.voters().contains(release.region()) || release.region().equals(state.primary)) {
      return new Outcome(Optional.empty(), release.region() + " has no say about primary " + state.primary);
    }
    if (!state.config.failover().automatic()) {
      return new Outcome(Optional.empty(), "dataset " + release.dataset() + " fails over by operator only");
    }
    if (release.generation() <= state.retractedThrough.getOrDefault(release.region(), 0L)) {
      return new Outcome(Optional.empty(), release.region() + " retracted release " + release.generation()
          + " of epoch " + release.epoch() + " already; it does not count");
    }
    state.releases.put(release.region(), release);
    if (state.releases.size() < state.config.majority()) {
      return new Outcome(Optional.empty(), state.releases.size() + " of " + state.config.voters().size()
          + " voting regions released " + state.primary + "; " + state.config.majority() + " needed");
    }
    FailoverCommand.Release best = null;
    for (String region : state.order) {
      FailoverCommand.Release candidate = state.releases.get(region);
      if (candidate != null && (best == null || newer(candidate, best))) {
        best = candidate;
      }
    }
    if (best == null) {
      // Only witnesses released: none of them can lead, so wait for a data replica's release.
      return new Outcome(Optional.empty(), "a majority " + state.releases.keySet() + " released "
          + state.primary + ", but only witnesses, which hold no data; a data replica must release it too");
    }
    // The detail is worded before deciding: deciding clears the releases and moves the primary.
    String detail = "a majority " + state.releases.keySet() + " released " + state.primary;
    return new Outcome(Optional.of(decide(state, state.epoch + 1, best.region(), best.lastSequence(), true)),
        detail);
  }

  private static Outcome retract(DatasetState state, FailoverCommand.Retract retract) {
    if (retract.epoch() != state.epoch) {
      return new Outcome(Optional.empty(), "retraction of epoch " + retract.epoch() + " by " + retract.region()
          + " is too late: epoch " + state.epoch + " (primary " + state.primary + ") is decided");
    }
    state.retractedThrough.merge(retract.region(), retract.generation(), Math::max);
    FailoverCommand.Release counted = state.releases.get(retract.region());
    if (counted != null && counted.generation() <= retract.generation()) {
      state.releases.remove(retract.region());
    }
    return new Outcome(Optional.empty(), retract.region() + " retracted its release " + retract.generation()
        + " of " + state.primary + "; " + state.releases.size() + " release(s) stand",
        Optional.of(new Retraction(retract.region(),
            new Input.ReleaseRetracted(retract.dataset(), retract.epoch(), retract.generation()))));
  }

  // Strictly newer log end; equal ones keep the earlier in priority order.
  private static boolean newer(FailoverCommand.Release a, FailoverCommand.Release b) {
    if (a.lastEpochInLog() != b.lastEpochInLog()) {
      return a.lastEpochInLog() > b.lastEpochInLog();
    }
    return a.lastSequence() > b.lastSequence();
  }

  private static Input.EpochDecided decide(DatasetState state, long epoch, String primary, long startSequence,
      boolean previousPrimaryStopped) {
    state.epoch = epoch;
    state.primary = primary;
    state.releases.clear();
    state.retractedThrough.clear();
    return new Input.EpochDecided(state.config.name(), epoch, primary, startSequence, previousPrimaryStopped);
  }

  /** The newest decided epoch of {@code dataset}, or empty if it is not decided here. */
  public Optional<Long> epoch(String dataset) {
    return Optional.ofNullable(datasets.get(dataset)).map(state -> state.epoch);
  }

  /** The primary of the newest decided epoch of {@code dataset}. */
  public Optional<String> primary(String dataset) {
    return Optional.ofNullable(datasets.get(dataset)).map(state -> state.primary);
  }

  /** The regions that released the current primary of {@code dataset}, in region order. */
  public List<String> releasedBy(String dataset) {
    DatasetState state = datasets.get(dataset);
    return state == null ? List.of() : new ArrayList<>(state.releases.keySet());
  }
}

package io.meridian.agent.config;

import java.util.List;
import java.util.Objects;

/**
 * One dataset as this agent sees it.
 *
 * @param name dataset id, unique in the deployment
 * @param mode replication mode
 * @param replicas every region holding a copy, the primary included
 * @param primary the region that accepts writes
 * @param syncAckCount in {@link ReplicationMode#SYNC}, how many replicas other than the primary
 *     must acknowledge a write before the client is answered; ignored in async mode
 * @param fsync when the log is forced to disk
 * @param initialEpoch the primary epoch to start from; failover increments it
 * @param conflictResolution in {@link ReplicationMode#MULTI_PRIMARY}, how concurrent writes are
 *     resolved; {@link ConflictResolution#LWW} when absent
 * @param allowedJurisdictions jurisdictions the dataset's data may be sent to; empty means any
 * @param failover how the primary is watched and replaced; {@link FailoverPolicy#MANUAL} when
 *     absent
 * @param quorum in {@link ReplicationMode#QUORUM}, the default W and R, the coordinator's timeout
 *     and the hint bound; majorities when absent
 * @param reads how reads above eventual are served: the staleness bound, the session wait (ADR
 *     0021); {@link ReadPolicy#DEFAULTS} when absent
 * @param witnesses regions that vote on this dataset's failover but hold none of its data: the
 *     primary heartbeats them and counts their answers toward its lease, and they release the
 *     primary like a replica, but they are never sent data and never become primary (ADR 0020);
 *     none when absent
 */
public record DatasetConfig(
    String name,
    ReplicationMode mode,
    List<String> replicas,
    String primary,
    int syncAckCount,
    FsyncPolicy fsync,
    long initialEpoch,
    ConflictResolution conflictResolution,
    List<String> allowedJurisdictions,
    FailoverPolicy failover,
    QuorumPolicy quorum,
    ReadPolicy reads,
    List<String> witnesses) {

  /** Validates the placement and the acknowledgement count. */
  public DatasetConfig {
    reads = reads == null ? ReadPolicy.DEFAULTS : reads;
    Objects.requireNonNull(name, "name");
    failover = failover == null ? FailoverPolicy.MANUAL : failover;
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(primary, "primary");
    Objects.requireNonNull(fsync, "fsync");
    replicas = List.copyOf(replicas);
    witnesses = witnesses == null ? List.of() : List.copyOf(witnesses);
    conflictResolution = conflictResolution == null ? ConflictResolution.LWW : conflictResolution;
    allowedJurisdictions = allowedJurisdictions == null ? List.of() : List.copyOf(allowedJurisdictions);
    if (name.isBlank()) {
      throw new IllegalArgumentException("dataset name must not be blank");
    }
    if (!replicas.contains(primary)) {
      throw new IllegalArgumentException(
          "dataset " + name + ": primary " + primary + " is not one of its replicas " + replicas);
    }
    if (replicas.stream().distinct().count() != replicas.size()) {
      throw new IllegalArgumentException("dataset " + name + ": replicas listed twice in " + replicas);
    }
    if (witnesses.stream().distinct().count() != witnesses.size()
        || witnesses.stream().anyMatch(replicas::contains)) {
      throw new IllegalArgumentException("dataset " + name + ": witnesses " + witnesses
          + " must be distinct and none of the replicas " + replicas);
    }
    if (!witnesses.isEmpty() && !((mode == ReplicationMode.ASYNC || mode == ReplicationMode.SYNC) && failover.automatic())) {
      throw new IllegalArgumentException("dataset " + name + ": witnesses " + witnesses + " vote only on the"
          + " automatic failover of an async or sync dataset");
    }
    if (syncAckCount < 0 || syncAckCount > replicas.size() - 1) {
      throw new IllegalArgumentException("dataset " + name + ": sync acknowledgement count "
          + syncAckCount + " must be between 0 and " + (replicas.size() - 1));
    }
    if (initialEpoch < 1) {
      throw new IllegalArgumentException("dataset " + name + ": epochs start at 1");
    }
    quorum = quorum == null ? QuorumPolicy.majorities(replicas.size()) : quorum;
    if (mode == ReplicationMode.QUORUM) {
      quorum.check(name, replicas.size());
      if (conflictResolution != ConflictResolution.LWW && conflictResolution != ConflictResolution.VERSION_VECTOR) {
        throw new IllegalArgumentException("dataset " + name + ": quorum mode resolves concurrent writes by lww"
            + " (hybrid clock, ties by region) or version-vector (siblings, ADR 0034), not "
            + conflictResolution.policyName() + "; use one of those or the multi-primary mode for CRDTs");
      }
    }
  }

  /** A dataset without witnesses. */
  public DatasetConfig(String name, ReplicationMode mode, List<String> replicas, String primary,
      int syncAckCount, FsyncPolicy fsync, long initialEpoch, ConflictResolution conflictResolution,
      List<String> allowedJurisdictions, FailoverPolicy failover, QuorumPolicy quorum, ReadPolicy reads) {
    this(name, mode, replicas, primary, syncAckCount, fsync, initialEpoch, conflictResolution,
        allowedJurisdictions, failover, quorum, reads, null);
  }

  /** This dataset with {@code witnesses} voting on its failover. */
  public DatasetConfig withWitnesses(List<String> witnesses) {
    return new DatasetConfig(name, mode, replicas, primary, syncAckCount, fsync, initialEpoch, conflictResolution,
        allowedJurisdictions, failover, quorum, reads, witnesses);
  }

  /** The regions that vote on this dataset's failover: its replicas, then its witnesses. */
  public List<String> voters() {
    List<String> voters = new java.util.ArrayList<>(replicas);
    voters.addAll(witnesses);
    return List.copyOf(voters);
  }

  /** Whether {@code region} is a witness of this dataset. */
  public boolean isWitness(String region) {
    return witnesses.contains(region);
  }

  /** A dataset with the default read policy. */
  public DatasetConfig(String name, ReplicationMode mode, List<String> replicas, String primary,
      int syncAckCount, FsyncPolicy fsync, long initialEpoch, ConflictResolution conflictResolution,
      List<String> allowedJurisdictions, FailoverPolicy failover, QuorumPolicy quorum) {
    this(name, mode, replicas, primary, syncAckCount, fsync, initialEpoch, conflictResolution,
        allowedJurisdictions, failover, quorum, null);
  }

  /** This dataset with {@code reads} as its read policy. */
  public DatasetConfig withReads(ReadPolicy reads) {
    return new DatasetConfig(name, mode, replicas, primary, syncAckCount, fsync, initialEpoch, conflictResolution,
        allowedJurisdictions, failover, quorum, reads, witnesses);
  }

  /** A dataset with every setting but the quorum policy, which is majorities. */
  public DatasetConfig(String name, ReplicationMode mode, List<String> replicas, String primary,
      int syncAckCount, FsyncPolicy fsync, long initialEpoch, ConflictResolution conflictResolution,
      List<String> allowedJurisdictions, FailoverPolicy failover) {
    this(name, mode, replicas, primary, syncAckCount, fsync, initialEpoch, conflictResolution,
        allowedJurisdictions, failover, null);
  }

  /** A quorum dataset on {@code replicas} (the first one is listed as primary, which quorum mode ignores). */
  public static DatasetConfig quorum(String name, List<String> replicas, QuorumPolicy quorum, FsyncPolicy fsync) {
    return new DatasetConfig(name, ReplicationMode.QUORUM, replicas, replicas.get(0), 0, fsync, 1,
        ConflictResolution.LWW, List.of(), FailoverPolicy.MANUAL, quorum);
  }

  /** A dataset without residency restriction, with manual failover, resolving multi-primary conflicts by LWW. */
  public DatasetConfig(String name, ReplicationMode mode, List<String> replicas, String primary,
      int syncAckCount, FsyncPolicy fsync, long initialEpoch) {
    this(name, mode, replicas, primary, syncAckCount, fsync, initialEpoch, ConflictResolution.LWW, List.of(),
        FailoverPolicy.MANUAL);
  }

  /** A dataset with manual failover. */
  public DatasetConfig(String name, ReplicationMode mode, List<String> replicas, String primary,
      int syncAckCount, FsyncPolicy fsync, long initialEpoch, ConflictResolution conflictResolution,
      List<String> allowedJurisdictions) {
    this(name, mode, replicas, primary, syncAckCount, fsync, initialEpoch, conflictResolution,
        allowedJurisdictions, FailoverPolicy.MANUAL);
  }

  /** A dataset without residency restriction, resolving multi-primary conflicts by LWW. */
  public DatasetConfig(String name, ReplicationMode mode, List<String> replicas, String primary,
      int syncAckCount, FsyncPolicy fsync, long initialEpoch, FailoverPolicy failover) {
    this(name, mode, replicas, primary, syncAckCount, fsync, initialEpoch, ConflictResolution.LWW, List.of(),
        failover);
  }

  /** A multi-primary dataset on {@code replicas} resolving conflicts by {@code rule}. */
  public static DatasetConfig multiPrimary(String name, List<String> replicas, ConflictResolution rule,
      FsyncPolicy fsync, List<String> allowedJurisdictions) {
    return new DatasetConfig(name, ReplicationMode.MULTI_PRIMARY, replicas, replicas.get(0), 0, fsync, 1,
        rule, allowedJurisdictions);
  }

  /** Whether data of this dataset may be sent to a region in {@code jurisdiction} (null: unknown). */
  public boolean allowsJurisdiction(String jurisdiction) {
    return allowedJurisdictions.isEmpty()
        || (jurisdiction != null && allowedJurisdictions.contains(jurisdiction));
  }

  /** How many regions make a majority of the dataset's voting regions (its replicas and witnesses). */
  public int majority() {
    return voters().size() / 2 + 1;
  }

  /** A dataset whose sync writes wait for every other replica. */
  public static DatasetConfig allReplicas(
      String name, ReplicationMode mode, List<String> replicas, String primary, FsyncPolicy fsync) {
    return new DatasetConfig(name, mode, replicas, primary, replicas.size() - 1, fsync, 1);
  }

  /** How many acknowledgements a write needs before its client is answered. */
  public int requiredAcks() {
    return mode == ReplicationMode.SYNC ? syncAckCount : 0;
  }
}

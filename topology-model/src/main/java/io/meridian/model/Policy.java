package io.meridian.model;

import java.util.List;
import java.util.Optional;

/**
 * How a dataset replicates, reads, resolves conflicts and fails over. Datasets refer to a policy by
 * name, so several datasets can share one.
 *
 * @param name unique name
 * @param mode replication mode
 * @param primary the write primary for {@code async} and {@code sync}; null for other modes
 * @param failoverPriority regions in the order they take over as primary (may be empty)
 * @param quorum N/W/R sizes for {@code quorum}; null otherwise
 * @param syncAcks for {@code sync}: how many replicas besides the primary must acknowledge a
 *     write; null means all of them
 * @param readConsistency the default read consistency level
 * @param staleness the bound for bounded-staleness reads; null when none is set
 * @param conflictResolution how concurrent writes are reconciled
 * @param failover automatic failover and detection timeout
 * @param rpoTargetMs the recovery point objective, or null when none is set
 * @param rtoTargetMs the recovery time objective, or null when none is set
 */
public record Policy(
    String name,
    ReplicationMode mode,
    RegionId primary,
    List<RegionId> failoverPriority,
    QuorumSpec quorum,
    Integer syncAcks,
    ReadConsistency readConsistency,
    StalenessBound staleness,
    ConflictResolution conflictResolution,
    FailoverSettings failover,
    Long rpoTargetMs,
    Long rtoTargetMs) {

  /** Checks fields and fills defaults: eventual reads, LWW, manual failover. */
  public Policy {
    Invariants.require(name != null && !name.isBlank(), "policy name is required");
    Invariants.notNull(mode, "mode of policy " + name);
    failoverPriority = failoverPriority == null ? List.of() : List.copyOf(failoverPriority);
    if (syncAcks != null) {
      Invariants.require(syncAcks >= 0, "syncAcks of policy %s must be zero or more, was %d",
          name, syncAcks);
    }
    if (readConsistency == null) {
      readConsistency = ReadConsistency.EVENTUAL;
    }
    if (conflictResolution == null) {
      conflictResolution = ConflictResolution.LWW;
    }
    if (failover == null) {
      failover = FailoverSettings.MANUAL;
    }
    if (rpoTargetMs != null) {
      Invariants.require(rpoTargetMs >= 0, "rpoTargetMs of policy %s must be zero or more", name);
    }
    if (rtoTargetMs != null) {
      Invariants.require(rtoTargetMs >= 0, "rtoTargetMs of policy %s must be zero or more", name);
    }
  }

  /** A policy of the given mode with every other field at its default. */
  public static Policy of(String name, ReplicationMode mode) {
    return new Policy(name, mode, null, List.of(), null, null, null, null, null, null, null, null);
  }

  public Optional<RegionId> primaryRegion() {
    return Optional.ofNullable(primary);
  }

  public Optional<QuorumSpec> quorumSpec() {
    return Optional.ofNullable(quorum);
  }

  public Optional<StalenessBound> stalenessBound() {
    return Optional.ofNullable(staleness);
  }

  public Policy withName(String value) {
    return new Policy(value, mode, primary, failoverPriority, quorum, syncAcks, readConsistency,
        staleness, conflictResolution, failover, rpoTargetMs, rtoTargetMs);
  }

  public Policy withMode(ReplicationMode value) {
    return new Policy(name, value, primary, failoverPriority, quorum, syncAcks, readConsistency,
        staleness, conflictResolution, failover, rpoTargetMs, rtoTargetMs);
  }

  public Policy withPrimary(RegionId value) {
    return new Policy(name, mode, value, failoverPriority, quorum, syncAcks, readConsistency,
        staleness, conflictResolution, failover, rpoTargetMs, rtoTargetMs);
  }

  public Policy withFailoverPriority(List<RegionId> value) {
    return new Policy(name, mode, primary, value, quorum, syncAcks, readConsistency,
        staleness, conflictResolution, failover, rpoTargetMs, rtoTargetMs);
  }

  public Policy withQuorum(QuorumSpec value) {
    return new Policy(name, mode, primary, failoverPriority, value, syncAcks, readConsistency,
        staleness, conflictResolution, failover, rpoTargetMs, rtoTargetMs);
  }

  public Policy withSyncAcks(Integer value) {
    return new Policy(name, mode, primary, failoverPriority, quorum, value, readConsistency,
        staleness, conflictResolution, failover, rpoTargetMs, rtoTargetMs);
  }

  public Policy withReadConsistency(ReadConsistency value) {
    return new Policy(name, mode, primary, failoverPriority, quorum, syncAcks, value,
        staleness, conflictResolution, failover, rpoTargetMs, rtoTargetMs);
  }

  public Policy withStaleness(StalenessBound value) {
    return new Policy(name, mode, primary, failoverPriority, quorum, syncAcks, readConsistency,
        value, conflictResolution, failover, rpoTargetMs, rtoTargetMs);
  }

  public Policy withConflictResolution(ConflictResolution value) {
    return new Policy(name, mode, primary, failoverPriority, quorum, syncAcks, readConsistency,
        staleness, value, failover, rpoTargetMs, rtoTargetMs);
  }

  public Policy withFailover(FailoverSettings value) {
    return new Policy(name, mode, primary, failoverPriority, quorum, syncAcks, readConsistency,
        staleness, conflictResolution, value, rpoTargetMs, rtoTargetMs);
  }

  public Policy withRpoTargetMs(Long value) {
    return new Policy(name, mode, primary, failoverPriority, quorum, syncAcks, readConsistency,
        staleness, conflictResolution, failover, value, rtoTargetMs);
  }

  public Policy withRtoTargetMs(Long value) {
    return new Policy(name, mode, primary, failoverPriority, quorum, syncAcks, readConsistency,
        staleness, conflictResolution, failover, rpoTargetMs, value);
  }
}

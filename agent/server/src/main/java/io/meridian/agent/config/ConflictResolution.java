package io.meridian.agent.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How a {@link ReplicationMode#MULTI_PRIMARY} dataset resolves concurrent writes; the topology
 * policy's {@code conflictResolution} ({@code lww}, {@code version-vector}, {@code crdt:<type>}).
 */
public enum ConflictResolution {
  /** Last writer wins by hybrid logical clock timestamp, ties broken by region id. */
  LWW("lww"),
  /** Concurrent versions kept as siblings until a write with their causal context resolves them. */
  VERSION_VECTOR("version-vector"),
  /** Grow-only counter. */
  CRDT_COUNTER("crdt:counter"),
  /** Counter that increments and decrements. */
  CRDT_PN_COUNTER("crdt:pn-counter"),
  /** Observed-remove set where an add wins over a concurrent remove. */
  CRDT_OR_SET("crdt:or-set"),
  /** Register whose newest write (hybrid clock, then region id) wins. */
  CRDT_LWW_REGISTER("crdt:lww-register"),
  /** Register that keeps every concurrent write. */
  CRDT_MV_REGISTER("crdt:mv-register"),
  /** Map whose entries are last-writer-wins registers. */
  CRDT_LWW_MAP("crdt:lww-map");

  private final String policyName;

  ConflictResolution(String policyName) {
    this.policyName = policyName;
  }

  /** The name used in topology files and agent configurations. */
  public String policyName() {
    return policyName;
  }

  /** Whether this is a conflict-free replicated data type. */
  public boolean isCrdt() {
    return policyName.startsWith("crdt:");
  }

  /**
   * The rule a topology file or configuration names.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static ConflictResolution fromPolicyName(String name) {
    for (ConflictResolution rule : values()) {
      if (rule.policyName.equals(name) || rule.name().equals(name)) {
        return rule;
      }
    }
    throw new IllegalArgumentException("unknown conflict resolution '" + name + "'; use one of "
        + Arrays.stream(values()).map(ConflictResolution::policyName).collect(Collectors.joining(", ")));
  }
}

package io.meridian.agent.core.storage;

/**
 * A replica's promise about the primary of one epoch (ADR 0016, 0019): whether it released that
 * primary (granting it no more lease), and how many times it released it in that epoch. Kept
 * durably so a restarted replica keeps its promise: a release is only undone by a retraction the
 * failover group committed, which names the generation it retracts.
 *
 * @param epoch the epoch whose primary the promise concerns
 * @param generation the number of releases this replica made in that epoch (1 for the first)
 * @param released whether release {@code generation} stands (false once it was retracted)
 */
public record Pledge(long epoch, long generation, boolean released) {
  /** Validates ranges. */
  public Pledge {
    if (epoch < 1 || generation < 0) {
      throw new IllegalArgumentException("pledge of epoch " + epoch + " generation " + generation + " is out of range");
    }
  }
}

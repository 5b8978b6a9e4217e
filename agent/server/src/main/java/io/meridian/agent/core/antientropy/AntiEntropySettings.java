package io.meridian.agent.core.antientropy;

import io.meridian.agent.core.Invariants;

/**
 * How anti-entropy runs (ADR 0014).
 *
 * @param depth tree depth: 2^depth leaves per dataset; aim for about one key per leaf, since a
 *     differing leaf costs the digests of all its keys
 * @param intervalMillis how often a primary compares each replica by itself; 0 turns periodic
 *     repair off (on-demand repair still works)
 * @param sessionTimeoutMillis a session that hears nothing for this long fails (lost messages,
 *     link down); the next one starts afresh
 * @param keysPerMessageMax most key digests or entries per message, bounding message size
 */
public record AntiEntropySettings(int depth, long intervalMillis, long sessionTimeoutMillis, int keysPerMessageMax) {
  /** Agents: every minute, 2^16 leaves. */
  public static final AntiEntropySettings DEFAULTS = new AntiEntropySettings(16, 60_000, 30_000, 4096);
  /** Tests and simulations: on demand only. */
  public static final AntiEntropySettings ON_DEMAND = new AntiEntropySettings(16, 0, 30_000, 4096);

  /** Validates ranges. */
  public AntiEntropySettings {
    Invariants.check(depth >= 1 && depth <= MerkleTree.DEPTH_MAX, "tree depth must be 1..%d, got %d",
        MerkleTree.DEPTH_MAX, depth);
    Invariants.check(intervalMillis >= 0, "repair interval must be 0 (off) or positive, got %d", intervalMillis);
    Invariants.check(sessionTimeoutMillis >= 1, "session timeout must be positive, got %d", sessionTimeoutMillis);
    Invariants.check(keysPerMessageMax >= 1, "keys per message must be positive, got %d", keysPerMessageMax);
  }

  /** The same with another interval. */
  public AntiEntropySettings withIntervalMillis(long interval) {
    return new AntiEntropySettings(depth, interval, sessionTimeoutMillis, keysPerMessageMax);
  }

  /** The same with another depth. */
  public AntiEntropySettings withDepth(int treeDepth) {
    return new AntiEntropySettings(treeDepth, intervalMillis, sessionTimeoutMillis, keysPerMessageMax);
  }
}

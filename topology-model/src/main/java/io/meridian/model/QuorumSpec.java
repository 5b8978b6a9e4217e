package io.meridian.model;

/**
 * Dynamo-style quorum sizes: N replicas, a write waits for W acknowledgements, a read asks R.
 *
 * @param n replication factor
 * @param w write quorum
 * @param r read quorum
 */
public record QuorumSpec(int n, int w, int r) {
  /** Checks that every size is at least one and W and R do not exceed N. */
  public QuorumSpec {
    Invariants.require(n >= 1, "quorum n must be at least 1, was %d", n);
    Invariants.require(w >= 1 && w <= n, "quorum w must be between 1 and n=%d, was %d", n, w);
    Invariants.require(r >= 1 && r <= n, "quorum r must be between 1 and n=%d, was %d", n, r);
  }

  /** Whether every read quorum intersects every write quorum (R + W > N). */
  public boolean readsSeeLatestWrite() {
    return r + w > n;
  }

  /** Whether a write survives the loss of any minority (W > N/2). */
  public boolean writesSurviveMinorityLoss() {
    return 2 * w > n;
  }
}

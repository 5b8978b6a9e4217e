package io.meridian.model.analysis;

/** What a mode gives up when a partition forces a choice (Brewer's CAP). */
public enum CapChoice {
  /** Consistent: the side without a quorum or primary refuses rather than diverges. */
  CP,
  /** Available: both sides keep serving, and reads may be stale or writes may conflict. */
  AP
}

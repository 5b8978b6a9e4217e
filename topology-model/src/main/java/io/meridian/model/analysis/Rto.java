package io.meridian.model.analysis;

import java.util.List;

/**
 * Recovery time: how long writes stop when the write leader (or a replica, for leaderless modes)
 * fails.
 *
 * @param terms detection, promotion (or election) and client redirect, each with its source
 * @param totalMs the sum of the terms, in milliseconds; null when writes cannot be recovered
 *     automatically at all (see the explanation)
 * @param automatic false when failover waits for an operator, whose reaction time is not included
 * @param targetMs the policy's RTO target, or null
 * @param meetsTarget whether {@code totalMs} is within the target, or null without a target
 * @param explanation one line
 */
public record Rto(
    List<RtoTerm> terms, Double totalMs, boolean automatic, Long targetMs, Boolean meetsTarget,
    String explanation) {

  /** Copies the list. */
  public Rto {
    terms = List.copyOf(terms);
  }
}

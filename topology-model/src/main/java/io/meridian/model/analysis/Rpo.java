package io.meridian.model.analysis;

/**
 * Recovery point: how much acknowledged data a failure loses.
 *
 * @param expectedMs expected window of acknowledged writes not yet on any survivor, in
 *     milliseconds (0 for synchronous modes); null when unbounded
 * @param p99Ms 99th percentile of that window; null when unbounded
 * @param writesAtRisk expected number of acknowledged writes lost, at the stated write rate; null
 *     when unbounded
 * @param bounded false when replication cannot keep up with the write rate, so the window grows
 *     without bound
 * @param targetMs the policy's RPO target, or null
 * @param meetsTarget whether {@code expectedMs} is within the target, or null without a target
 * @param explanation one line
 */
public record Rpo(
    Double expectedMs, Double p99Ms, Double writesAtRisk, boolean bounded, Long targetMs,
    Boolean meetsTarget, String explanation) {}

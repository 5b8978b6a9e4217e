package io.meridian.model.analysis;

/**
 * RPO and RTO of a dataset for one failure scenario.
 *
 * @param scenario the failure assumed, e.g. {@code primary us-east fails}
 * @param rpo data at risk
 * @param rto time to recover writes
 */
public record Recovery(String scenario, Rpo rpo, Rto rto) {}

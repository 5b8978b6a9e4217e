/**
 * Topology analysis: what a design costs and what survives a failure, predicted before anything
 * is deployed. From link round-trip times, jitter and loss it predicts write and read latency per
 * dataset and client region, the speed-of-light floor under each prediction, probabilistically
 * bounded staleness (PBS), availability under failed regions and cut links, RPO and RTO, and
 * link bandwidth use.
 *
 * <p>Pure and deterministic: the same topology, options and seed always give the same
 * {@link io.meridian.model.analysis.TopologyAnalysis}. Entry point:
 * {@link io.meridian.model.analysis.TopologyAnalyzer}. The method is described in
 * {@code docs/analysis.md}.
 */
package io.meridian.model.analysis;

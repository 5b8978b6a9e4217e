/**
 * Charts and tables the studio shows beside the graph: the region-by-region RTT matrix
 * ({@link io.meridian.visualization.chart.RttMatrix}, after CockroachDB's network latency
 * page), latency per region beside its physical floor ({@link
 * io.meridian.visualization.chart.LatencyBars}) and the t-visibility curve ({@link
 * io.meridian.visualization.chart.VisibilityChart}).
 *
 * <p>Each takes values (a topology, rows, curves) and draws them; the RTT matrix computes
 * its view-model ({@link io.meridian.visualization.chart.RttMatrixModel}) without JavaFX.
 */
package io.meridian.visualization.chart;

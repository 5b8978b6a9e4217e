/**
 * Charts and tables the studio shows beside the graph. So far the region-by-region RTT
 * matrix ({@link io.meridian.visualization.chart.RttMatrix}), after CockroachDB's network
 * latency page: one row and one column per region, grouped by jurisdiction, sortable.
 *
 * <p>Each chart has a view-model computed from the topology without JavaFX ({@link
 * io.meridian.visualization.chart.RttMatrixModel}), tested on its own.
 */
package io.meridian.visualization.chart;

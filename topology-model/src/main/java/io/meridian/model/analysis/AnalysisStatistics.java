package io.meridian.model.analysis;

/**
 * What the last run of a {@link TopologyAnalyzer} computed afresh and what it reused from the run
 * before, to show that an edit recomputes only what it touches.
 *
 * @param regionResultsComputed per-dataset, per-client results computed afresh
 * @param regionResultsReused per-dataset, per-client results taken from the previous run
 * @param sampleArraysDrawn Monte Carlo sample arrays drawn afresh
 * @param sampleArraysReused Monte Carlo sample arrays taken from the previous run
 * @param networkRebuilt whether the routing graph had to be rebuilt
 */
public record AnalysisStatistics(
    int regionResultsComputed, int regionResultsReused, int sampleArraysDrawn,
    int sampleArraysReused, boolean networkRebuilt) {}

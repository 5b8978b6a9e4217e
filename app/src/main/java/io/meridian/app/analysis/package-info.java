/**
 * Live checking and prediction of the design being edited: validation and analysis re-run off the
 * JavaFX thread after every edit (the newest request wins), and the conversion of an analysis into
 * what the analysis panel and the graph show (latency bars, staleness curves, recovery terms,
 * what-if verdicts).
 *
 * <p>Nothing here touches a {@code Node}; the panel in {@link io.meridian.app.analysis.AnalysisPanel}
 * only binds to these values.
 */
package io.meridian.app.analysis;

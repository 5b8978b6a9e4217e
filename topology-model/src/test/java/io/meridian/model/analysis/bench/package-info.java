/**
 * Benchmarks of the topology analysis (JMH) and the generated many-region topology they and the
 * scale tests use. Run with {@code AnalysisBenchmarkMain}; see {@code docs/analysis.md}.
 */
package io.meridian.model.analysis.bench;

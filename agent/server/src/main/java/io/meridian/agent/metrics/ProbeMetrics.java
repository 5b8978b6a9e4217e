package io.meridian.agent.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * Metrics of the consistency probes (ADR 0022): visibility delay per link, reads and violations per
 * level, probes not seen within the wait. Fed by the prober as it measures.
 */
public final class ProbeMetrics {
  /** Upper bounds of the visibility histogram, in seconds: WAN one-way delays to a stalled link. */
  static final double[] VISIBILITY_SECONDS_BOUNDS = {
      0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2.5, 5, 10};

  private final Histogram visibility;
  private final Counter reads;
  private final Counter violations;
  private final Counter unseen;

  private ProbeMetrics(Histogram visibility, Counter reads, Counter violations, Counter unseen) {
    this.visibility = visibility;
    this.reads = reads;
    this.violations = violations;
    this.unseen = unseen;
  }

  /** Registers the probe metrics in {@code registry}. */
  public static ProbeMetrics register(PrometheusRegistry registry) {
    Histogram visibility = Histogram.builder()
        .name("meridian_probe_visibility_seconds")
        .help("Consistency probes: from a probe write at source to the first eventual read at target that returned it")
        .unit(Unit.SECONDS)
        .labelNames("dataset", "source", "target")
        .classicOnly()
        .classicUpperBounds(VISIBILITY_SECONDS_BOUNDS)
        .register(registry);
    Counter reads = Counter.builder()
        .name("meridian_probe_reads_total")
        .help("Consistency probe reads judged, by dataset and read level")
        .labelNames("dataset", "level")
        .register(registry);
    Counter violations = Counter.builder()
        .name("meridian_probe_violations_total")
        .help("Consistency probe reads that returned less than their read level promises, by dataset and level")
        .labelNames("dataset", "level")
        .register(registry);
    Counter unseen = Counter.builder()
        .name("meridian_probe_unseen_total")
        .help("Consistency probes not visible at target within the probe's wait")
        .labelNames("dataset", "source", "target")
        .register(registry);
    return new ProbeMetrics(visibility, reads, violations, unseen);
  }

  public void visible(String dataset, String source, String target, double seconds) {
    visibility.labelValues(dataset, source, target).observe(seconds);
  }

  public void read(String dataset, String level, boolean violated) {
    reads.labelValues(dataset, level).inc();
    io.prometheus.metrics.core.datapoints.CounterDataPoint violationsOfLevel = violations.labelValues(dataset, level);
    if (violated) {
      violationsOfLevel.inc();
    }
  }

  public void unseen(String dataset, String source, String target) {
    unseen.labelValues(dataset, source, target).inc();
  }

  /** Makes the violation counter of {@code level} appear at zero before the first violation. */
  public void levelProbed(String dataset, String level) {
    violations.labelValues(dataset, level);
    reads.labelValues(dataset, level);
  }
}

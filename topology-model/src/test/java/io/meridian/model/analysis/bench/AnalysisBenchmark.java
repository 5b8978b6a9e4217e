package io.meridian.model.analysis.bench;

import io.meridian.model.Link;
import io.meridian.model.QuorumSpec;
import io.meridian.model.Topology;
import io.meridian.model.analysis.AnalysisOptions;
import io.meridian.model.analysis.TopologyAnalysis;
import io.meridian.model.analysis.TopologyAnalyzer;
import io.meridian.model.format.TopologyReader;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * How long a full analysis of a 50+ region topology takes, and how long the studio waits after
 * one edit. The topology is a generated one of 60 regions and six datasets (one per mode) unless
 * {@code topologyFile} names a file, such as {@code samples/large-global.yaml}.
 *
 * <p>The incremental benchmarks alternate between two versions of the topology that differ in
 * one link's round trip or one policy's quorum, so every call analyses a real one-edit change.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class AnalysisBenchmark {
  /** A topology file to analyse instead of the generated topology; empty for the generated. */
  @Param("")
  public String topologyFile;

  private Topology base;
  private Topology linkEdited;
  private Topology policyEdited;
  private final AnalysisOptions options = AnalysisOptions.DEFAULTS;
  private TopologyAnalyzer linkAnalyzer;
  private TopologyAnalyzer policyAnalyzer;
  private boolean flip;

  /** Loads or generates the topology and prepares the two edited versions. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    base = topologyFile.isEmpty() ? GeneratedTopology.of(60, 4, 7)
        : new TopologyReader().read(Path.of(topologyFile)).topology();
    Link first = base.links().get(0);
    linkEdited = base.mapLink(first.a(), first.b(), l -> l.withRttMs(l.rttMs() + 5));
    policyEdited = base.policies().stream().filter(p -> p.quorum() != null).findFirst()
        .map(p -> base.mapPolicy(p.name(), q -> q.withQuorum(new QuorumSpec(q.quorum().n(),
            Math.max(1, q.quorum().w() - 1), q.quorum().r()))))
        .orElse(base.mapPolicy(base.policies().get(0).name(),
            p -> p.withRtoTargetMs(p.rtoTargetMs() == null ? 1L : p.rtoTargetMs() + 1)));
    linkAnalyzer = new TopologyAnalyzer();
    linkAnalyzer.analyze(base, options);
    policyAnalyzer = new TopologyAnalyzer();
    policyAnalyzer.analyze(base, options);
  }

  /** Everything from scratch: routes, samples, every dataset and client region. */
  @Benchmark
  public TopologyAnalysis fullAnalysis() {
    return TopologyAnalyzer.analyzeOnce(base, options);
  }

  /** Re-analysis after one link's round trip changed. */
  @Benchmark
  public TopologyAnalysis incrementalAfterLinkEdit() {
    flip = !flip;
    return linkAnalyzer.analyze(flip ? linkEdited : base, options);
  }

  /** Re-analysis after one policy's quorum changed. */
  @Benchmark
  public TopologyAnalysis incrementalAfterPolicyEdit() {
    flip = !flip;
    return policyAnalyzer.analyze(flip ? policyEdited : base, options);
  }
}

package io.meridian.model.validation;

import io.meridian.model.Topology;
import io.meridian.model.diagnostics.Problem;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long validation takes on a studio-sized topology (200 regions, 1,000 links, 50 datasets),
 * once valid and once with every link unencrypted, the case that asks for the most routes. Prints
 * figures rather than asserting them. Run after {@code ./mvnw -pl topology-model test-compile}:
 * {@code java -cp "topology-model/target/test-classes:topology-model/target/classes:<test class
 * path>" org.openjdk.jmh.Main TopologyValidatorBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TopologyValidatorBenchmark {
  private final TopologyValidator validator = new TopologyValidator();
  private Topology large;
  private Topology unencrypted;

  /** Builds the two topologies once. */
  @Setup
  public void build() {
    large = LargeTopology.build();
    unencrypted = large.withLinks(large.links().stream().map(l -> l.withEncrypted(false)).toList());
  }

  /** A valid studio-sized topology. */
  @Benchmark
  public List<Problem> validateLargeTopology() {
    return validator.validate(large);
  }

  /** The same with every link unencrypted: every replica pair needs its route. */
  @Benchmark
  public List<Problem> validateLargeTopologyWithUnencryptedLinks() {
    return validator.validate(unencrypted);
  }
}

package io.meridian.model.analysis.bench;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link AnalysisBenchmark} briefly (one fork, 3 warm-up and 5 measured iterations of one
 * second each) and prints the figures. The first argument, if any, is a topology file to analyse
 * instead of the generated 60-region topology. See docs/analysis.md for the command.
 */
public final class AnalysisBenchmarkMain {
  private AnalysisBenchmarkMain() {}

  /** Runs the benchmark. */
  public static void main(String[] args) throws RunnerException {
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include(AnalysisBenchmark.class.getName())
        .forks(1)
        .jvmArgs("-Xmx1g", "-XX:ActiveProcessorCount=1")
        .warmupIterations(3)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(5)
        .measurementTime(TimeValue.seconds(1));
    if (args.length > 0) {
      options.param("topologyFile", args[0]);
    }
    new Runner(options.build()).run();
  }
}

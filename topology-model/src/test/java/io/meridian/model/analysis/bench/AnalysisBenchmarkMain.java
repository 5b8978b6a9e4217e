package io.meridian.model.analysis.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.function.Supplier;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link AnalysisBenchmark} briefly (one fork, 3 warm-up and 5 measured iterations of one
 * second each) and prints the figures; then measures the same three operations in CPU time of
 * the calling thread, which stays meaningful on a machine shared with other work (JMH's figures
 * are wall-clock time and include waiting for a core). The first argument, if any, is a
 * topology file to analyse instead of the generated 60-region topology; {@code --cpu-only}
 * skips JMH. See docs/analysis.md for the command.
 */
public final class AnalysisBenchmarkMain {
  /** Calls before measuring CPU time, so the JIT has compiled the hot paths. */
  static final int CPU_WARMUP_CALLS = 30;
  /** Calls measured for CPU time. */
  static final int CPU_MEASURED_CALLS = 30;

  private AnalysisBenchmarkMain() {}

  /** Runs the benchmark. */
  public static void main(String[] args) throws Exception {
    String file = "";
    boolean jmh = true;
    for (String arg : args) {
      if (arg.equals("--cpu-only")) {
        jmh = false;
      } else {
        file = arg;
      }
    }
    if (jmh) {
      runJmh(file);
    }
    AnalysisBenchmark bench = new AnalysisBenchmark();
    bench.topologyFile = file;
    bench.setUp();
    System.out.println();
    System.out.println("CPU time per operation (" + CPU_MEASURED_CALLS + " calls after "
        + CPU_WARMUP_CALLS + " warm-up calls), topology "
        + (file.isEmpty() ? "generated-60" : file) + ":");
    cpu("fullAnalysis", bench::fullAnalysis);
    cpu("incrementalAfterLinkEdit", bench::incrementalAfterLinkEdit);
    cpu("incrementalAfterPolicyEdit", bench::incrementalAfterPolicyEdit);
  }

  private static void runJmh(String file) throws RunnerException {
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include(AnalysisBenchmark.class.getName())
        .forks(1)
        .jvmArgs("-Xmx1g", "-XX:ActiveProcessorCount=1")
        .warmupIterations(3)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(5)
        .measurementTime(TimeValue.seconds(1));
    if (!file.isEmpty()) {
      options.param("topologyFile", file);
    }
    new Runner(options.build()).run();
  }

  private static void cpu(String name, Supplier<?> operation) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Object sink = null;
    for (int i = 0; i < CPU_WARMUP_CALLS; i++) {
      sink = operation.get();
    }
    long start = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < CPU_MEASURED_CALLS; i++) {
      sink = operation.get();
    }
    double ms = (threads.getCurrentThreadCpuTime() - start) / 1e6 / CPU_MEASURED_CALLS;
    System.out.println(String.format(Locale.ROOT, "  %-28s %8.1f ms/op", name, ms)
        + (sink == null ? " (no result)" : ""));
  }
}

package io.meridian.app.cli;

import io.meridian.agent.bench.RepairBenchmark;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meridian bench}: benchmarks that print figures, run in this process. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {"Run a benchmark and print its figures.", "", "Examples:",
        "  meridian bench repair --keys 1000000 --divergent 0.01",
        "  meridian bench failover --dataset orders --kind auto --trials 5"},
    subcommands = {BenchCommand.Repair.class, BenchFailoverCommand.class})
public final class BenchCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.UNUSABLE;
  }

  /**
   * {@code meridian bench repair}: Merkle-tree anti-entropy between a primary and a replica whose
   * state partly diverged (ADR 0014), with the real replication cores in this process.
   */
  @Command(
      name = "repair",
      mixinStandardHelpOptions = true,
      description = {
          "Anti-entropy benchmark: two replicas of an async dataset with KEYS keys, a share of them changed on the "
              + "replica behind replication's back; one repair session between the real replication cores, every "
              + "message encoded as its gRPC frame. Prints the session time and the bytes exchanged.",
          "",
          "Example (the issue's target: under 30 s, at most 3x the divergent bytes):",
          "  meridian bench repair --keys 1000000 --divergent 0.01 --value-bytes 100"},
      footer = {"", "Exit status: 0 the replicas ended identical, 1 they did not, 2 the options were not usable."})
  static final class Repair implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--keys", defaultValue = "1000000", paramLabel = "N", description = "Keys per replica (default ${DEFAULT-VALUE}).")
    private int keys;

    @Option(names = "--divergent", defaultValue = "0.01", paramLabel = "SHARE",
        description = "Share of the replica's keys that differ, 0..1 (default ${DEFAULT-VALUE}).")
    private double divergent;

    @Option(names = "--value-bytes", defaultValue = "100", paramLabel = "B", description = "Value size (default ${DEFAULT-VALUE}).")
    private int valueBytes;

    @Option(names = "--depth", defaultValue = "20", paramLabel = "D",
        description = "Merkle tree depth, 2^D leaves; about log2(keys) is best (default ${DEFAULT-VALUE}).")
    private int depth;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Picks the keys and values (default ${DEFAULT-VALUE}).")
    private long seed;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (keys < 1 || divergent < 0 || divergent > 1 || valueBytes < 1 || depth < 1 || depth > 22) {
        err.println("meridian bench repair: need --keys >= 1, 0 <= --divergent <= 1, --value-bytes >= 1 and "
            + "1 <= --depth <= 22; got " + keys + ", " + divergent + ", " + valueBytes + ", " + depth);
        err.flush();
        return ExitCodes.UNUSABLE;
      }
      Runtime runtime = Runtime.getRuntime();
      out.printf("machine: %d processors, %d MiB heap max, load average %.2f%n", runtime.availableProcessors(),
          runtime.maxMemory() >> 20, java.lang.management.ManagementFactory.getOperatingSystemMXBean()
              .getSystemLoadAverage());
      RepairBenchmark.Result result = RepairBenchmark.run(keys, divergent, valueBytes, depth, seed, out);
      RepairBenchmark.print(result, out);
      return result.converged() ? ExitCodes.OK : ExitCodes.PROBLEMS;
    }
  }
}

package io.meridian.app.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code meridian bench}: benchmarks against the running local deployment. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {"Benchmark the running local deployment.", "", "Example:",
        "  meridian bench failover --dataset orders --kind auto --trials 5"},
    subcommands = {BenchFailoverCommand.class})
public final class BenchCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.UNUSABLE;
  }
}

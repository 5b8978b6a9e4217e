package io.meridian.app.cli;

import io.meridian.model.analysis.AnalysisOptions;
import io.meridian.model.analysis.AnalysisReport;
import io.meridian.model.analysis.TopologyAnalysis;
import io.meridian.model.analysis.TopologyAnalyzer;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.format.AnalysisJson;
import io.meridian.model.format.LoadedTopology;
import io.meridian.model.format.TopologyFormatException;
import io.meridian.model.format.TopologyReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meridian analyze FILE}: predicts latency, staleness, availability under failures,
 * RPO/RTO and bandwidth for a topology file, and prints a text report or JSON
 * ({@code docs/analysis.md} documents both).
 *
 * <p>Exit codes: 0 when the analysis ran, 2 when the file cannot be read as a topology or an
 * option is wrong (each problem printed to stderr as {@code FILE:LINE:COL: error: ...}).
 */
@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    description = {
        "Predict write and read latency per region, staleness (PBS), what survives failed "
            + "regions and cut links, RPO/RTO and link bandwidth for a topology file."},
    footer = {"", "Examples:",
        "  meridian analyze samples/global-async.yaml",
        "  meridian analyze samples/quorum-3.yaml --fail ohio --format json",
        "  meridian analyze samples/consensus-5.yaml --fail virginia~iowa,oregon --write-rate 5000"})
public final class AnalyzeCommand implements Callable<Integer> {
  /** The two output formats; lower-case so {@code --format json} parses without relying on
   * case-insensitive enum matching being switched on by whoever registers the command. */
  enum Format { text, json }

  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "Topology file (.yaml or .json).")
  private Path file;

  @Option(names = "--write-rate", paramLabel = "N",
      description = "Writes per second to each dataset (default: ${DEFAULT-VALUE}).")
  private double writeRatePerSecond = AnalysisOptions.DEFAULT_WRITE_RATE_PER_SECOND;

  @Option(names = "--value-bytes", paramLabel = "B",
      description = "Size of one written value in bytes (default: ${DEFAULT-VALUE}).")
  private int valueBytes = AnalysisOptions.DEFAULT_VALUE_BYTES;

  @Option(names = "--fail", paramLabel = "REGION|A~B", split = ",",
      description = "Fail a region or cut a link for the what-if; repeat or separate with commas.")
  private List<String> failures = new ArrayList<>();

  @Option(names = "--format", paramLabel = "text|json",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  private Format format = Format.text;

  @Option(names = "--seed", paramLabel = "N",
      description = "Monte Carlo seed; the same seed reproduces every figure "
          + "(default: ${DEFAULT-VALUE}).")
  private long seed = AnalysisOptions.DEFAULT_SEED;

  @Option(names = "--samples", paramLabel = "N",
      description = "Monte Carlo samples per distribution (default: ${DEFAULT-VALUE}; the studio "
          + "uses fewer so it can re-run on every edit).")
  private int samples = AnalysisOptions.REPORT_SAMPLES;

  @Option(names = "--disk-sync-ms", paramLabel = "MS",
      description = "How long a replica's disk sync (fsync) takes, in ms: sync and consensus "
          + "writes wait for one after the round trip (default: ${DEFAULT-VALUE}, this "
          + "project's measured disk; 0 leaves it out).")
  private double diskSyncMs = AnalysisOptions.DEFAULT_DISK_SYNC_MS;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    LoadedTopology loaded;
    try {
      loaded = new TopologyReader().read(file);
    } catch (TopologyFormatException e) {
      for (Problem problem : e.problems()) {
        err.println(problem.format(e.source()));
      }
      err.flush();
      return 2;
    }
    AnalysisOptions options;
    try {
      options = AnalysisOptions.DEFAULTS
          .withWriteRatePerSecond(writeRatePerSecond)
          .withValueBytes(valueBytes)
          .withSeed(seed)
          .withSamples(samples)
          .withDiskSyncMs(diskSyncMs)
          .withFailures(failures);
    } catch (IllegalArgumentException e) {
      err.println("meridian analyze: error: " + e.getMessage());
      err.flush();
      return 2;
    }
    Optional<String> unknown = WhatIfFailures.firstUnknown(loaded.topology(), failures,
        String.valueOf(file.getFileName()));
    if (unknown.isPresent()) {
      err.println("meridian analyze: error: " + unknown.get());
      err.flush();
      return 2;
    }
    TopologyAnalysis analysis = new TopologyAnalyzer().analyze(loaded.topology(), options);
    out.print(format == Format.json ? new AnalysisJson().toJson(analysis)
        : AnalysisReport.render(analysis));
    out.flush();
    return 0;
  }
}

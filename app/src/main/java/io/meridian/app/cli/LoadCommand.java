package io.meridian.app.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.meridian.app.client.AgentClient;
import io.meridian.app.client.LoadGenerator;
import io.meridian.app.client.LoadOptions;
import io.meridian.app.client.LoadResult;
import io.meridian.app.client.LoadResult.Percentiles;
import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.DeploymentState.AgentRecord;
import io.meridian.app.deploy.DeploymentState.DatasetRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meridian load}: drives open-loop load at a target rate against the running deployment,
 * prints a progress line every second and ends with latency and replication-lag percentiles.
 */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    description = {
        "Drive open-loop load (writes through batched streams, reads as single requests) at a "
            + "target rate, print progress every second on stderr, and end with HdrHistogram "
            + "percentiles of operation latency and of replication lag (a sample of keys written "
            + "at the primary and read until visible at every other replica)."},
    footer = {"", "Examples:",
        "  meridian load --dataset orders --rate 5000 --duration 30 --warmup 10",
        "  meridian load --dataset orders --rate 2000 --duration 10 --read-ratio 0.5 "
            + "--regions us-east,eu-central --format json",
        "", "Exit status: 0 no operation failed, 1 some failed or the deployment is unusable, "
            + "2 wrong command line."})
public final class LoadCommand implements Callable<Integer> {
  /** Output formats. */
  enum Format { text, json }

  @Spec
  private CommandSpec spec;

  @Mixin
  private StateDirOption state;

  @Option(names = "--dataset", paramLabel = "D",
      description = "The dataset (default: the only one deployed).")
  private String dataset;

  @Option(names = "--rate", required = true, paramLabel = "N",
      description = "Operations per second, issued open-loop.")
  private double rate;

  @Option(names = "--duration", required = true, paramLabel = "S",
      description = "Seconds to issue operations for.")
  private double durationSeconds;

  @Option(names = "--value-bytes", paramLabel = "B",
      description = "Size of each written value (default: ${DEFAULT-VALUE}).")
  private int valueBytes = 100;

  @Option(names = "--read-ratio", paramLabel = "X",
      description = "Share of operations that are reads, 0 to 1 (default: ${DEFAULT-VALUE}).")
  private double readRatio = 0;

  @Option(names = "--regions", split = ",", paramLabel = "R",
      description = "Regions whose agents receive the operations, in turn (default: the "
          + "dataset's current primary). Writes sent to a replica are forwarded to the primary.")
  private List<String> regions = new ArrayList<>();

  @Option(names = "--in-flight", paramLabel = "N",
      description = "Most operations outstanding; more are shed and counted "
          + "(default: ${DEFAULT-VALUE}).")
  private int inFlightMax = LoadOptions.IN_FLIGHT_MAX_DEFAULT;

  @Option(names = "--keys", paramLabel = "N",
      description = "Distinct keys operations pick from (default: ${DEFAULT-VALUE}).")
  private int keySpace = LoadOptions.KEY_SPACE_DEFAULT;

  @Option(names = "--lag-probes", paramLabel = "N",
      description = "Keys per second written at the primary and awaited at every other "
          + "replica to measure lag (default: ${DEFAULT-VALUE}).")
  private double lagProbesPerSecond = LoadOptions.LAG_PROBES_PER_SECOND_DEFAULT;

  @Option(names = "--warmup", paramLabel = "S",
      description = "Seconds of the same load run first and not measured, so that connection "
          + "set-up and JIT compilation do not count (default: ${DEFAULT-VALUE}).")
  private double warmupSeconds = 0;

  @Option(names = "--history", paramLabel = "FILE",
      description = "Record every operation as JSON lines (Jepsen convention: process, type invoke|ok|fail|info,"
          + " f put|get|cas, key, value, expected, time in ns) from closed-loop client processes, for a"
          + " linearizability checker; use with --keys to make operations collide (ADR 0015).")
  private java.nio.file.Path history;

  @Option(names = "--cas-ratio", paramLabel = "X",
      description = "With --history: share of operations that are compare-and-sets (default: ${DEFAULT-VALUE}).")
  private double casRatio = 0;

  @Option(names = "--format", paramLabel = "text|json",
      description = "Summary format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  private Format format = Format.text;

  @Option(names = "--consistency", paramLabel = "LEVEL",
      description = "Read consistency of the load's reads: eventual, session, bounded-staleness, quorum or "
          + "strong (default: the dataset's). Refused levels count as failed reads, with the agent's reason.")
  private String consistency;

  @Option(names = "--replicas", paramLabel = "COUNT",
      description = "Quorum datasets: how many replicas each write and read waits for: one, quorum, all or "
          + "local-quorum (default: the dataset's W and R).")
  private String replicaCount;

  @Option(names = "--contended-share", paramLabel = "X",
      description = "Share of writes, 0 to 1, sent to a small set of shared keys written at every target "
          + "region (multi-primary conflicts); the rest go to keys private to the region they are sent to. "
          + "The run then ends by waiting until every replica answers the same and prints how long "
          + "convergence took after the last acknowledged write.")
  private Double contendedShare;

  @Option(names = "--contended-keys", paramLabel = "N",
      description = "With --contended-share: how many shared keys (default: ${DEFAULT-VALUE}).")
  private int contendedKeys = 100;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      return run(out, err);
    } finally {
      out.flush();
      err.flush();
    }
  }

  private int run(PrintWriter out, PrintWriter err) throws InterruptedException {
    io.meridian.agent.api.v1.ReadConsistency readLevel = consistency == null
        ? io.meridian.agent.api.v1.ReadConsistency.READ_CONSISTENCY_UNSPECIFIED : KvCommand.readConsistency(consistency);
    io.meridian.agent.api.v1.ReplicaCount count = replicaCount == null
        ? io.meridian.agent.api.v1.ReplicaCount.REPLICA_COUNT_UNSPECIFIED : KvCommand.replicaCount(replicaCount);
    if (readLevel == null || count == null) {
      err.println("meridian load: " + (readLevel == null
          ? "--consistency takes eventual, session, bounded-staleness, quorum or strong (got '" + consistency + "')"
          : "--replicas takes one, quorum, all or local-quorum (got '" + replicaCount + "')"));
      return ExitCodes.UNUSABLE;
    }
    DeploymentState deployment;
    try {
      deployment = state.read();
    } catch (IOException e) {
      err.println("meridian load: " + e.getMessage());
      return ExitCodes.PROBLEMS;
    }
    List<String> names = deployment.datasetNames();
    String name = dataset != null ? dataset : names.size() == 1 ? names.get(0) : null;
    Optional<DatasetRecord> record = name == null ? Optional.empty() : deployment.dataset(name);
    if (record.isEmpty()) {
      err.println("meridian load: " + (name == null ? "name a dataset with --dataset"
          : "no dataset " + name + " is deployed") + "; deployed: "
          + (names.isEmpty() ? "none" : String.join(", ", names)));
      return ExitCodes.PROBLEMS;
    }
    // The primary now, as the agents report it after any failover, not the one recorded at deploy.
    String primary = KvCommand.currentPrimary(deployment, record.get());
    List<String> targets = regions.isEmpty() ? List.of(primary) : regions;
    for (String region : targets) {
      if (!record.get().replicas().contains(region)) {
        err.println("meridian load: region " + region + " holds no replica of " + name
            + "; replicas: " + String.join(", ", record.get().replicas()));
        return ExitCodes.PROBLEMS;
      }
    }
    LoadOptions options;
    try {
      options = new LoadOptions(name, rate,
          Duration.ofMillis(Math.round(durationSeconds * 1000)), valueBytes, readRatio, targets,
          primary, record.get().replicas().stream()
          .filter(r -> !r.equals(primary)).toList(),
          inFlightMax, keySpace, lagProbesPerSecond);
    } catch (IllegalArgumentException e) {
      err.println("meridian load: " + e.getMessage());
      return ExitCodes.UNUSABLE;
    }
    if (history != null) {
      return runHistory(name, targets, record.get(), deployment, out, err);
    }
    if (contendedShare != null && (!(contendedShare >= 0 && contendedShare <= 1) || contendedKeys < 1)) {
      err.println("meridian load: --contended-share takes a share between 0 and 1 and --contended-keys a "
          + "positive count (got " + contendedShare + " and " + contendedKeys + ")");
      return ExitCodes.UNUSABLE;
    }
    if (casRatio != 0) {
      err.println("meridian load: --cas-ratio needs --history (the throughput load only writes and reads)");
      return ExitCodes.UNUSABLE;
    }
    if (readLevel == io.meridian.agent.api.v1.ReadConsistency.READ_CONSISTENCY_SESSION) {
      return runSessions(name, targets, record.get(), deployment, out, err);
    }
    Map<String, AgentClient> clients = new LinkedHashMap<>();
    try {
      for (String region : record.get().replicas()) {
        AgentRecord agent = deployment.agent(region).orElseThrow();
        clients.put(region, new AgentClient(region, agent.grpcAddress()));
      }
      err.println(String.format(Locale.ROOT, "Load on %s: %.0f ops/s for %.0f s, %d-byte values, "
          + "read ratio %.2f, to %s; lag probes %.0f/s at %s", name, rate, durationSeconds,
          valueBytes, readRatio, String.join(",", targets), lagProbesPerSecond,
          primary));
      err.flush();
      if (warmupSeconds > 0) {
        LoadOptions warmup;
        try {
          warmup = new LoadOptions(name, rate, Duration.ofMillis(Math.round(warmupSeconds * 1000)),
              valueBytes, readRatio, targets, options.primary(), options.replicas(), inFlightMax,
              keySpace, lagProbesPerSecond);
        } catch (IllegalArgumentException e) {
          err.println("meridian load: --warmup: " + e.getMessage());
          return ExitCodes.UNUSABLE;
        }
        LoadGenerator warmGenerator = new LoadGenerator(clients, warmup, progress -> {
          err.println("warm-up " + progress.line().strip());
          err.flush();
        }).withLevels(readLevel, count);
        if (contendedShare != null) {
          warmGenerator.withContention(contendedShare, contendedKeys);
        }
        LoadResult warm = warmGenerator.run();
        err.println(String.format(Locale.ROOT, "warm-up done: %.0f ops/s, %d errors; measuring",
            warm.achievedOpsPerSecond(), warm.errors()));
      }
      LoadGenerator generator = new LoadGenerator(clients, options, progress -> {
        err.println(progress.line());
        err.flush();
      }).withLevels(readLevel, count);
      if (contendedShare != null) {
        generator.withContention(contendedShare, contendedKeys);
      }
      LoadResult result = generator.run();
      io.meridian.app.client.ConvergenceCheck.Result convergence = generator.convergence();
      if (format == Format.json) {
        out.println(json(result, convergence));
      } else {
        printSummary(result, out);
        if (convergence != null) {
          out.println();
          out.println(convergence.line());
        }
      }
      return result.errors() == 0 && (convergence == null || convergence.converged())
          ? ExitCodes.OK : ExitCodes.PROBLEMS;
    } finally {
      clients.values().forEach(AgentClient::close);
    }
  }

  /**
   * {@code --consistency session}: sessions that write at the target regions and read their own
   * key back at another region with their session token, counting read-your-writes violations
   * (ADR 0021). Exits non-zero on any violation.
   */
  private int runSessions(String name, List<String> targets, DatasetRecord record, DeploymentState deployment,
      PrintWriter out, PrintWriter err) throws InterruptedException {
    io.meridian.app.client.SessionLoad.Options options;
    try {
      options = new io.meridian.app.client.SessionLoad.Options(name, targets, record.replicas(), rate,
          Duration.ofMillis(Math.round(durationSeconds * 1000)));
    } catch (IllegalArgumentException e) {
      err.println("meridian load: " + e.getMessage());
      return ExitCodes.UNUSABLE;
    }
    Map<String, AgentClient> clients = new LinkedHashMap<>();
    try {
      for (String region : record.replicas()) {
        clients.put(region, new AgentClient(region, deployment.agent(region).orElseThrow().grpcAddress()));
      }
      err.println(String.format(Locale.ROOT, "Session load on %s: %.0f ops/s for %.0f s, %d sessions writing at %s"
          + " and reading their writes back at another region with their session token", name, rate,
          durationSeconds, io.meridian.app.client.SessionLoad.SESSIONS_PER_REGION * targets.size(),
          String.join(",", targets)));
      err.flush();
      io.meridian.app.client.SessionLoad.Summary summary = new io.meridian.app.client.SessionLoad(clients, options).run();
      out.println(String.format(Locale.ROOT, "session load: %d writes, %d session reads (%d served by another region"
          + " than asked), read p50 %.2f ms p99 %.2f ms, %d failed requests", summary.writes(), summary.reads(),
          summary.servedRemotely(), summary.readMicrosP50() / 1000.0, summary.readMicrosP99() / 1000.0,
          summary.failures()));
      out.println("session violations (a read older than the session's own acknowledged write): "
          + summary.violations());
      summary.failureSamples().forEach((what, count) -> out.println("  " + count + " x " + what));
      return summary.violations() == 0 && summary.failures() == 0 ? ExitCodes.OK : ExitCodes.PROBLEMS;
    } finally {
      clients.values().forEach(AgentClient::close);
    }
  }

  /** {@code --history}: closed-loop processes recording every operation (ADR 0015). */
  private int runHistory(String name, List<String> targets, DatasetRecord record, DeploymentState deployment,
      PrintWriter out, PrintWriter err) throws InterruptedException {
    io.meridian.app.client.HistoryLoad.Options options;
    try {
      options = new io.meridian.app.client.HistoryLoad.Options(name, targets, rate,
          Duration.ofMillis(Math.round(durationSeconds * 1000)), keySpace, casRatio, readRatio,
          io.meridian.agent.api.v1.ReadConsistency.READ_CONSISTENCY_UNSPECIFIED);
    } catch (IllegalArgumentException e) {
      err.println("meridian load: " + e.getMessage());
      return ExitCodes.UNUSABLE;
    }
    Map<String, AgentClient> clients = new LinkedHashMap<>();
    try (io.meridian.app.client.HistoryRecorder recorder = new io.meridian.app.client.HistoryRecorder(history)) {
      for (String region : targets) {
        clients.put(region, new AgentClient(region, deployment.agent(region).orElseThrow().grpcAddress()));
      }
      err.println(String.format(Locale.ROOT, "Recording a history of %s into %s: %.0f ops/s for %.0f s over %d keys,"
          + " cas ratio %.2f, read ratio %.2f, %d processes at %s", name, history, rate, durationSeconds, keySpace,
          casRatio, readRatio, io.meridian.app.client.HistoryLoad.PROCESSES_PER_REGION * targets.size(),
          String.join(",", targets)));
      err.flush();
      io.meridian.app.client.HistoryLoad.Summary summary =
          new io.meridian.app.client.HistoryLoad(clients, options, recorder).run();
      out.println(String.format(Locale.ROOT, "history: %d operations (%d ok, %d failed, %d unknown outcome),"
          + " %d events in %s", summary.invoked(), summary.ok(), summary.failed(), summary.unknown(),
          summary.events(), history));
      return ExitCodes.OK;
    } catch (IOException e) {
      err.println("meridian load: cannot write the history " + history + ": " + e.getMessage());
      return ExitCodes.PROBLEMS;
    } finally {
      clients.values().forEach(AgentClient::close);
    }
  }

  private static String json(LoadResult result, io.meridian.app.client.ConvergenceCheck.Result convergence) {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("dataset", result.options().dataset());
    summary.put("targetOpsPerSecond", result.options().ratePerSecond());
    summary.put("durationSeconds", result.elapsedSeconds());
    summary.put("valueBytes", result.options().valueBytes());
    summary.put("readRatio", result.options().readRatio());
    summary.put("regions", result.options().regions());
    summary.put("achievedOpsPerSecond", result.achievedOpsPerSecond());
    summary.put("writes", result.writes());
    summary.put("reads", result.reads());
    summary.put("errors", result.errors());
    summary.put("shed", result.shed());
    summary.put("writeLatencyMillis", result.writeLatency());
    summary.put("readLatencyMillis", result.readLatency());
    summary.put("replicationLagMillis", result.lagByRegion());
    summary.put("replicationLagAllMillis", result.lagAll());
    summary.put("lagProbes", result.probesSent());
    summary.put("lagProbeReadsGivenUp", result.probesNotVisible());
    summary.put("errorSamples", result.errorSamples());
    if (convergence != null) {
      summary.put("convergence", convergence);
    }
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(summary);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("load summary does not serialise", e);
    }
  }

  private static void printSummary(LoadResult result, PrintWriter out) {
    LoadOptions options = result.options();
    out.println(String.format(Locale.ROOT,
        "Load on %s: target %.0f ops/s, achieved %.0f ops/s over %.1f s (%d writes, %d reads)",
        options.dataset(), options.ratePerSecond(), result.achievedOpsPerSecond(),
        result.elapsedSeconds(), result.writes(), result.reads()));
    out.println(String.format(Locale.ROOT, "errors %d, shed at the in-flight bound (%d) or backing off after RESOURCE_EXHAUSTED %d, "
        + "lag probes %d (%d of %d replica reads gave up after %d s)", result.errors(),
        options.inFlightMax(), result.shed(), result.probesSent(), result.probesNotVisible(),
        result.probesSent() * options.replicas().size(), LoadGenerator.PROBE_TIMEOUT.toSeconds()));
    result.errorSamples().forEach(sample -> out.println("  error: " + sample));
    out.println();
    out.println(String.format(Locale.ROOT, "%-28s %9s %9s %9s %9s %9s %9s %9s", "(milliseconds)",
        "count", "p50", "p90", "p99", "p99.9", "max", "mean"));
    row(out, "write latency", result.writeLatency());
    row(out, "read latency", result.readLatency());
    result.lagByRegion().forEach((region, lag) -> row(out, "lag to " + region, lag));
    row(out, "lag, all replicas", result.lagAll());
  }

  private static void row(PrintWriter out, String label, Percentiles p) {
    out.println(String.format(Locale.ROOT, "%-28s %9d %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f", label,
        p.count(), p.p50Millis(), p.p90Millis(), p.p99Millis(), p.p999Millis(), p.maxMillis(),
        p.meanMillis()));
  }
}

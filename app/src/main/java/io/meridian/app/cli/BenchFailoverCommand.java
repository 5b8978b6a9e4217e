package io.meridian.app.cli;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.DatasetFailoverView;
import io.meridian.agent.api.v1.FailoverStatusRequest;
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.GetResponse;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.PutResponse;
import io.meridian.agent.api.v1.Version;
import io.meridian.app.client.AgentClient;
import io.meridian.app.deploy.DeploymentException;
import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.DeploymentState.AgentRecord;
import io.meridian.app.deploy.DeploymentState.DatasetRecord;
import io.meridian.app.deploy.LocalDeployer;
import io.meridian.app.failover.FailoverPlan;
import io.meridian.app.failover.FailoverRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meridian bench failover}: runs a writer against the local deployment, triggers a
 * failover and measures it as a client sees it. Per trial: RTO (from the fault or command to the
 * first write acknowledged by the new primary), RPO (acknowledged writes missing afterwards, found
 * by reading every acknowledged key back from the new primary), and whether the old primary
 * acknowledged any write after the new one did (two primaries accepting writes).
 */
@Command(
    name = "failover",
    mixinStandardHelpOptions = true,
    description = {
        "Measure failover of a dataset of the running local deployment under load.",
        "auto: kill -9 the primary and let the agents fail over (the dataset's policy must be automatic);",
        "the killed agent is restarted after each trial. planned / forced: run 'meridian failover' to the",
        "first other replica, with --force for forced.",
        "",
        "Example:",
        "  meridian bench failover --dataset orders --kind auto --trials 5"},
    footer = {"", "Exit status: 0 every trial failed over, 1 a trial did not, 2 the command was not usable."})
public final class BenchFailoverCommand implements Callable<Integer> {
  /** How long the writer runs before the fault, and how long after the new primary's first acknowledgement. */
  static final long LOAD_BEFORE_MILLIS = 1_000;
  static final long LOAD_AFTER_MILLIS = 500;
  /** Longest wait for a restarted region to rejoin before a trial. */
  static final long SETTLE_TIMEOUT_MILLIS = 30_000;
  /** A trial without a new primary after this long counts as failed. */
  static final long TRIAL_TIMEOUT_MILLIS = 30_000;
  /** Deadline of one write; a slow write counts as refused and the client moves on. */
  static final long WRITE_DEADLINE_MILLIS = 1_000;

  @Spec
  private CommandSpec spec;

  @Mixin
  private StateDirOption state;

  @Option(names = "--dataset", required = true, paramLabel = "D", description = "The dataset.")
  private String dataset;

  @Option(names = "--kind", required = true, paramLabel = "auto|planned|forced", description = "The failover.")
  private String kind;

  @Option(names = "--trials", defaultValue = "5", paramLabel = "N", description = "Trials (default ${DEFAULT-VALUE}).")
  private int trials;

  /** One acknowledged write as the client saw it. */
  private record Ack(String key, Version version, long atNanos) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!List.of("auto", "planned", "forced").contains(kind) || trials < 1 || trials > 100) {
      err.println("meridian bench failover: --kind must be auto, planned or forced and --trials 1 to 100; got "
          + kind + " and " + trials + ".");
      err.flush();
      return ExitCodes.UNUSABLE;
    }
    DeploymentState deployment;
    try {
      deployment = state.read();
    } catch (IOException e) {
      err.println("meridian bench failover: " + e.getMessage());
      err.flush();
      return ExitCodes.PROBLEMS;
    }
    Optional<DatasetRecord> record = deployment.dataset(dataset);
    if (record.isEmpty()) {
      err.println("meridian bench failover: dataset '" + dataset + "' is not deployed; deployed: "
          + deployment.datasetNames() + ".");
      err.flush();
      return ExitCodes.UNUSABLE;
    }
    List<String> replicas = record.get().replicas();
    List<Double> rtos = new ArrayList<>();
    int failed = 0;
    out.printf(Locale.ROOT, "bench failover: dataset %s, kind %s, %d trial(s), replicas %s%n", dataset, kind, trials,
        replicas);
    for (int trial = 1; trial <= trials; trial++) {
      deployment = state.read();
      String result = trial(trial, deployment, replicas, rtos);
      if (result.startsWith("FAILED")) {
        failed++;
      }
      out.println(result);
      out.flush();
    }
    if (!rtos.isEmpty()) {
      List<Double> sorted = rtos.stream().sorted().toList();
      out.printf(Locale.ROOT, "RTO median %.0f ms, min %.0f ms, max %.0f ms over %d trial(s)%n",
          sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1), sorted.size());
    }
    out.flush();
    return failed == 0 ? ExitCodes.OK : ExitCodes.PROBLEMS;
  }

  private Map<String, DatasetFailoverView> views(DeploymentState deployment, List<String> replicas) {
    Map<String, DatasetFailoverView> views = new LinkedHashMap<>();
    for (String region : replicas) {
      AgentRecord agent = deployment.agent(region).orElseThrow();
      try (AgentClient client = new AgentClient(region, agent.grpcAddress())) {
        ControlGrpc.newBlockingStub(client.channel()).withDeadlineAfter(2, TimeUnit.SECONDS)
            .failoverStatus(FailoverStatusRequest.getDefaultInstance()).getDatasetsList().stream()
            .filter(view -> view.getDataset().equals(dataset)).findFirst()
            .ifPresent(view -> views.put(region, view));
      } catch (StatusRuntimeException e) {
        // Not reachable: left out.
      }
    }
    return views;
  }

  /**
   * Waits until every replica answers at the same epoch, its primary accepts writes and no replica
   * releases it: a region restarted by the previous trial has rejoined and follows the primary, so
   * the next trial measures a failover, not a region still starting (whose start grace, ADR 0016,
   * delays its release). Gives up after {@link #SETTLE_TIMEOUT_MILLIS} and lets the trial say why.
   */
  private Map<String, DatasetFailoverView> settledViews(DeploymentState deployment, List<String> replicas)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_TIMEOUT_MILLIS);
    while (true) {
      Map<String, DatasetFailoverView> views = views(deployment, replicas);
      boolean settled = views.size() == replicas.size()
          && views.values().stream().map(DatasetFailoverView::getEpoch).distinct().count() == 1
          && views.values().stream().filter(DatasetFailoverView::getAcceptingWrites).count() == 1
          && views.values().stream().noneMatch(DatasetFailoverView::getReleasesPrimary);
      if (settled || System.nanoTime() > deadline) {
        return views;
      }
      Thread.sleep(100);
    }
  }

  private String trial(int trial, DeploymentState deployment, List<String> replicas, List<Double> rtos)
      throws Exception {
    Map<String, DatasetFailoverView> views = settledViews(deployment, replicas);
    DatasetFailoverView newest = views.values().stream().max((x, y) -> Long.compare(x.getEpoch(), y.getEpoch()))
        .orElse(null);
    if (newest == null || views.size() < replicas.size()) {
      return "FAILED trial " + trial + ": only " + views.keySet() + " of " + replicas + " answered; every replica "
          + "must run before a trial (meridian fault restart REGION).";
    }
    String oldPrimary = newest.getPrimaryRegion();
    long oldEpoch = newest.getEpoch();
    String target = replicas.stream().filter(r -> !r.equals(oldPrimary)).findFirst().orElseThrow();
    List<AgentClient> clients = new ArrayList<>();
    for (String region : replicas) {
      clients.add(new AgentClient(region, deployment.agent(region).orElseThrow().grpcAddress()));
    }
    List<Ack> acks = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stop = new AtomicBoolean();
    long[] triggeredAtNanos = {0};
    Thread writer = new Thread(() -> write(trial, clients, oldPrimary, acks, stop), "bench-failover-writer");
    try {
      writer.start();
      Thread.sleep(LOAD_BEFORE_MILLIS);
      triggeredAtNanos[0] = System.nanoTime();
      String problem = trigger(deployment, replicas, oldPrimary, target);
      if (problem != null) {
        return "FAILED trial " + trial + ": " + problem;
      }
      long deadline = triggeredAtNanos[0] + TimeUnit.MILLISECONDS.toNanos(TRIAL_TIMEOUT_MILLIS);
      Ack firstNew = null;
      while (firstNew == null && System.nanoTime() < deadline) {
        Thread.sleep(20);
        firstNew = firstByNewPrimary(acks, oldEpoch);
      }
      if (firstNew == null) {
        return "FAILED trial " + trial + ": no write was acknowledged by a new primary within "
            + TRIAL_TIMEOUT_MILLIS + " ms of the " + kind + " failover.";
      }
      Thread.sleep(LOAD_AFTER_MILLIS);
      stop.set(true);
      writer.join(WRITE_DEADLINE_MILLIS * 3);
      double rtoMillis = (firstNew.atNanos() - triggeredAtNanos[0]) / 1e6;
      rtos.add(rtoMillis);
      String newPrimary = firstNew.version().getCommittedByRegion();
      long newerEpochFirstNanos = firstNew.atNanos();
      long lateOldAcks;
      List<Ack> snapshot;
      synchronized (acks) {
        snapshot = List.copyOf(acks);
      }
      lateOldAcks = snapshot.stream().filter(ack -> ack.version().getEpoch() <= oldEpoch
          && ack.atNanos() > newerEpochFirstNanos).count();
      int missing = 0;
      AgentClient reader = clients.get(replicas.indexOf(newPrimary));
      long firstMissingNanos = Long.MAX_VALUE;
      long lastMissingNanos = 0;
      for (Ack ack : snapshot) {
        GetResponse read = reader.kv().withDeadlineAfter(5, TimeUnit.SECONDS)
            .get(GetRequest.newBuilder().setDataset(dataset).setKey(ByteString.copyFromUtf8(ack.key())).build());
        if (!read.getFound() || !read.getVersion().equals(ack.version())) {
          missing++;
          firstMissingNanos = Math.min(firstMissingNanos, ack.atNanos());
          lastMissingNanos = Math.max(lastMissingNanos, ack.atNanos());
        }
      }
      String window = missing == 0 ? "" : String.format(Locale.ROOT, " (acknowledged over %.0f ms)",
          (lastMissingNanos - firstMissingNanos) / 1e6);
      String restarted = "";
      if (kind.equals("auto")) {
        restarted = restart(oldPrimary);
      }
      return String.format(Locale.ROOT, "trial %d: %s -> %s, epoch %d -> %d, RTO %.0f ms, RPO %d of %d acknowledged "
              + "writes missing%s, second primary accepted a write: %s%s", trial, oldPrimary, newPrimary, oldEpoch,
          firstNew.version().getEpoch(), rtoMillis, missing, snapshot.size(), window,
          lateOldAcks == 0 ? "no" : "YES (" + lateOldAcks + " writes)", restarted);
    } finally {
      stop.set(true);
      writer.join(WRITE_DEADLINE_MILLIS * 3);
      clients.forEach(AgentClient::close);
    }
  }

  private Ack firstByNewPrimary(List<Ack> acks, long oldEpoch) {
    synchronized (acks) {
      return acks.stream().filter(ack -> ack.version().getEpoch() > oldEpoch).findFirst().orElse(null);
    }
  }

  // A client that follows the primary without configuration: it writes through any agent, moving
  // to the next one when a write is refused or times out; replicas forward to their primary.
  private void write(int trial, List<AgentClient> clients, String oldPrimary, List<Ack> acks, AtomicBoolean stop) {
    int next = 0;
    for (long i = 0; !stop.get(); i++) {
      AgentClient client = clients.get(next);
      String key = "bench-failover-" + trial + "-" + i;
      try {
        PutResponse response = client.kv().withDeadlineAfter(WRITE_DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
            .put(PutRequest.newBuilder().setDataset(dataset).setKey(ByteString.copyFromUtf8(key))
                .setValue(ByteString.copyFromUtf8("v" + i)).build());
        acks.add(new Ack(key, response.getVersion(), System.nanoTime()));
      } catch (StatusRuntimeException refused) {
        next = (next + 1) % clients.size();
      }
    }
  }

  // Returns why the failover could not be started, or null.
  private String trigger(DeploymentState deployment, List<String> replicas, String oldPrimary, String target) {
    if (kind.equals("auto")) {
      AgentRecord agent = deployment.agent(oldPrimary).orElseThrow();
      Optional<ProcessHandle> process = LocalDeployer.agentProcess(agent);
      if (process.isEmpty()) {
        return "the primary " + oldPrimary + " (pid " + agent.pid() + ") is not running";
      }
      process.get().destroyForcibly();
      return null;
    }
    List<FailoverRunner.Agent> agents = new ArrayList<>();
    for (AgentRecord agent : deployment.agents()) {
      agents.add(new FailoverRunner.Agent(agent.region(), agent.grpcAddress()));
    }
    boolean force = kind.equals("forced");
    FailoverRunner.Prepared prepared = FailoverRunner.prepare(dataset, target, force, replicas, agents, note -> {});
    Optional<FailoverPlan> plan = prepared.result().plan();
    if (plan.isEmpty()) {
      return prepared.result().problem().orElse("no plan");
    }
    FailoverRunner.Outcome outcome = FailoverRunner.execute(plan.get(), prepared, 5_000, System.nanoTime(), note -> {});
    return outcome.tookOver() ? null : outcome.message();
  }

  private String restart(String region) {
    try {
      LocalDeployer.fromCurrentJvm().restart(state.resolve(), region);
      return "; restarted " + region;
    } catch (DeploymentException | IOException e) {
      return "; could not restart " + region + ": " + e.getMessage();
    }
  }
}

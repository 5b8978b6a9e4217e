package io.meridian.app.cli;

import io.grpc.StatusRuntimeException;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.RepairOutcome;
import io.meridian.agent.api.v1.RepairRequest;
import io.meridian.agent.api.v1.RepairResponse;
import io.meridian.app.client.AgentClient;
import io.meridian.app.client.CurrentPrimary;
import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.DeploymentState.AgentRecord;
import io.meridian.app.deploy.DeploymentState.DatasetRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meridian repair}: Merkle-tree anti-entropy on demand (ADR 0014). Asks the dataset's
 * current primary (or the listed regions) to compare their trees with their peers, repair what
 * differs, and prints each pair's figures. For a quorum dataset (ADR 0035) every pair of the
 * (listed) replicas is compared, one after the other, each side merging the other's newer versions.
 */
@Command(
    name = "repair",
    mixinStandardHelpOptions = true,
    description = {
        "Compare a dataset's replicas with Merkle trees and repair what differs: only the differing "
            + "key ranges are exchanged, and the primary's state wins (async and sync datasets); in a quorum "
            + "dataset every pair of replicas is compared and the newer version wins on both sides.",
        "",
        "Examples:",
        "  meridian repair --dataset orders",
        "  meridian repair --dataset orders --regions us-east,eu-west"},
    footer = {"", "Exit status: 0 every pair compared and repaired, 1 some pair failed or an agent did not "
        + "answer, 2 the command was not usable."})
public final class RepairCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private StateDirOption state;

  @Option(names = "--dataset", required = true, paramLabel = "D", description = "The dataset to repair.")
  private String dataset;

  @Option(names = "--regions", split = ",", paramLabel = "A,B",
      description = "Only these regions: the primary among them is compared with the others; without the primary, "
          + "each listed replica is compared with its primary. Default: the primary with every replica. Quorum "
          + "datasets: every pair of the listed replicas (one listed: it with every other replica); default: every pair.")
  private List<String> regions = new ArrayList<>();

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
      description = "How long to wait for the sessions (default ${DEFAULT-VALUE} s).")
  private long timeoutSeconds;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      return run(out, err);
    } finally {
      out.flush();
      err.flush();
    }
  }

  private int run(PrintWriter out, PrintWriter err) {
    DeploymentState deployment;
    try {
      deployment = state.read();
    } catch (IOException e) {
      err.println("meridian repair: " + e.getMessage());
      return ExitCodes.PROBLEMS;
    }
    Optional<DatasetRecord> record = deployment.dataset(dataset);
    if (record.isEmpty()) {
      err.println("meridian repair: dataset '" + dataset + "' is not deployed; deployed: " + deployment.datasetNames());
      return ExitCodes.UNUSABLE;
    }
    if (timeoutSeconds < 1) {
      err.println("meridian repair: --timeout must be at least 1 second, got " + timeoutSeconds);
      return ExitCodes.UNUSABLE;
    }
    for (String region : regions) {
      if (!record.get().replicas().contains(region)) {
        err.println("meridian repair: region '" + region + "' holds no replica of " + dataset + "; its replicas are "
            + record.get().replicas());
        return ExitCodes.UNUSABLE;
      }
    }
    if (record.get().mode().replace('_', '-').equalsIgnoreCase("multi-primary")) {
      err.println("meridian repair: dataset " + dataset + " is multi-primary; its replicas converge by merging every "
          + "region's log, and Merkle repair covers async and sync datasets only.");
      return ExitCodes.UNUSABLE;
    }
    Map<String, String> agents = new LinkedHashMap<>();
    for (String replica : record.get().replicas()) {
      deployment.agent(replica).ifPresent(agent -> agents.put(replica, agent.grpcAddress()));
    }
    if (record.get().mode().equalsIgnoreCase("quorum")) {
      return repair(deployment, quorumPlan(record.get().replicas()), out, err);
    }
    String primary = CurrentPrimary.of(dataset, agents, record.get().primary());
    // Which agent starts which sessions: the primary repairs its replicas; a replica, its primary.
    Map<String, List<String>> plan = new LinkedHashMap<>();
    if (regions.isEmpty()) {
      plan.put(primary, List.of());
    } else if (regions.contains(primary)) {
      List<String> others = regions.stream().filter(r -> !r.equals(primary)).distinct().toList();
      if (others.isEmpty()) {
        err.println("meridian repair: --regions names only the primary " + primary + "; add the replicas to compare "
            + "it with, or leave --regions out to compare it with all of them.");
        return ExitCodes.UNUSABLE;
      }
      plan.put(primary, others);
    } else {
      regions.stream().distinct().forEach(replica -> plan.put(replica, List.of(primary)));
    }
    return repair(deployment, plan, out, err);
  }

  // Leaderless: the lower region of each pair starts its session (as periodic repair does), and
  // pairs go one after the other, so what one pair repairs is there for the next to spread.
  private Map<String, List<String>> quorumPlan(List<String> replicas) {
    List<String> chosen = (regions.isEmpty() ? replicas : regions).stream().distinct().sorted().toList();
    Map<String, List<String>> plan = new LinkedHashMap<>();
    if (chosen.size() == 1) {
      plan.put(chosen.get(0), List.of());
      return plan;
    }
    for (int i = 0; i < chosen.size() - 1; i++) {
      plan.put(chosen.get(i), chosen.subList(i + 1, chosen.size()));
    }
    return plan;
  }

  private int repair(DeploymentState deployment, Map<String, List<String>> plan, PrintWriter out, PrintWriter err) {
    boolean allRepaired = true;
    for (Map.Entry<String, List<String>> step : plan.entrySet()) {
      Optional<AgentRecord> agent = deployment.agent(step.getKey());
      if (agent.isEmpty()) {
        err.println("meridian repair: region " + step.getKey() + " has no deployed agent");
        allRepaired = false;
        continue;
      }
      try (AgentClient client = new AgentClient(step.getKey(), agent.get().grpcAddress())) {
        RepairResponse response = ControlGrpc.newBlockingStub(client.channel())
            .withDeadlineAfter(Duration.ofSeconds(timeoutSeconds).plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS)
            .repair(RepairRequest.newBuilder().setDataset(dataset).addAllRegions(step.getValue())
                .setTimeoutMillis((int) Math.min(Integer.MAX_VALUE, timeoutSeconds * 1000)).build());
        for (RepairOutcome outcome : response.getOutcomesList()) {
          allRepaired &= print(step.getKey(), outcome, out, err);
        }
      } catch (StatusRuntimeException e) {
        allRepaired = false;
        err.println("meridian repair: " + step.getKey() + ": " + e.getStatus().getCode() + ": "
            + e.getStatus().getDescription());
      }
    }
    return allRepaired ? ExitCodes.OK : ExitCodes.PROBLEMS;
  }

  private boolean print(String from, RepairOutcome outcome, PrintWriter out, PrintWriter err) {
    String pair = dataset + " " + from + " <-> " + outcome.getPeerRegion();
    if (!outcome.getError().isEmpty()) {
      err.println("meridian repair: " + pair + ": " + outcome.getError());
      return false;
    }
    out.printf("%s: compared %d ranges, repaired %d keys, sent %d bytes in %d ms%n", pair,
        outcome.getRangesCompared(), outcome.getKeysRepaired(), outcome.getBytesSent(), outcome.getDurationMillis());
    return true;
  }
}

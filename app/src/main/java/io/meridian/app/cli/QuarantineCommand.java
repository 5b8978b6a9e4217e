package io.meridian.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.StatusRuntimeException;
import io.meridian.agent.api.v1.Change;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.ListQuarantineRequest;
import io.meridian.agent.api.v1.QuarantinedChange;
import io.meridian.app.client.AgentClient;
import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.DeploymentState.AgentRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meridian quarantine list|export}: the writes failovers moved aside (ADR 0009), per region
 * and failover epoch, counted with their time window, or exported one JSON object per line.
 */
@Command(
    name = "quarantine",
    mixinStandardHelpOptions = true,
    description = {
        "Show or export the writes a failover displaced: changes a region had committed or applied "
            + "that the new primary never received. They are kept, never dropped.",
        "",
        "Example:",
        "  meridian quarantine list --dataset orders",
        "  meridian quarantine export --dataset orders --output orders-quarantine.jsonl"},
    footer = {"", "Exit status: 0 every agent answered, 1 some agent did not, 2 the command was not usable."})
public final class QuarantineCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private StateDirOption state;

  @Parameters(index = "0", paramLabel = "list|export", description = "What to do.")
  private String action;

  @Option(names = "--dataset", required = true, paramLabel = "D", description = "The dataset.")
  private String dataset;

  @Option(names = "--output", paramLabel = "FILE", description = "export: write to FILE instead of standard output.")
  private Path output;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!action.equals("list") && !action.equals("export")) {
      err.println("meridian quarantine: unknown action '" + action + "'; use list or export.");
      err.flush();
      return ExitCodes.UNUSABLE;
    }
    DeploymentState deployment;
    try {
      deployment = state.read();
    } catch (IOException e) {
      err.println("meridian quarantine: " + e.getMessage());
      err.flush();
      return ExitCodes.PROBLEMS;
    }
    if (deployment.dataset(dataset).isEmpty()) {
      err.println("meridian quarantine: dataset '" + dataset + "' is not deployed; deployed: "
          + deployment.datasetNames());
      err.flush();
      return ExitCodes.UNUSABLE;
    }
    Map<String, List<QuarantinedChange>> byRegion = new TreeMap<>();
    boolean everyoneAnswered = true;
    for (AgentRecord agent : deployment.agents()) {
      if (agent.dataset(dataset).isEmpty()) {
        continue;
      }
      try (AgentClient client = new AgentClient(agent.region(), agent.grpcAddress())) {
        try {
          byRegion.put(agent.region(), ControlGrpc.newBlockingStub(client.channel())
              .withDeadlineAfter(FailoverCommand.CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
              .listQuarantine(ListQuarantineRequest.newBuilder().setDataset(dataset).build()).getChangesList());
        } catch (StatusRuntimeException e) {
          everyoneAnswered = false;
          err.println("meridian quarantine: " + client.describe(e));
        }
      }
    }
    if (action.equals("list")) {
      list(byRegion, out);
    } else if (output != null) {
      try (Writer file = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
        export(byRegion, file);
      }
      out.println("wrote " + byRegion.values().stream().mapToInt(List::size).sum() + " quarantined changes to " + output);
    } else {
      export(byRegion, out);
    }
    out.flush();
    err.flush();
    return everyoneAnswered ? ExitCodes.OK : ExitCodes.PROBLEMS;
  }

  private void list(Map<String, List<QuarantinedChange>> byRegion, PrintWriter out) {
    int total = 0;
    for (Map.Entry<String, List<QuarantinedChange>> region : byRegion.entrySet()) {
      Map<Long, List<QuarantinedChange>> byEpoch = new TreeMap<>();
      for (QuarantinedChange change : region.getValue()) {
        byEpoch.computeIfAbsent(change.getFailoverEpoch(), e -> new java.util.ArrayList<>()).add(change);
      }
      for (Map.Entry<Long, List<QuarantinedChange>> epoch : byEpoch.entrySet()) {
        List<QuarantinedChange> changes = epoch.getValue();
        long first = changes.get(0).getChange().getVersion().getTimestamp().getPhysicalMillis();
        long last = changes.get(changes.size() - 1).getChange().getVersion().getTimestamp().getPhysicalMillis();
        out.printf("%s: failover to epoch %d displaced %d change(s), sequences %d..%d, committed %s .. %s%n",
            region.getKey(), epoch.getKey(), changes.size(), changes.get(0).getChange().getVersion().getSequence(),
            changes.get(changes.size() - 1).getChange().getVersion().getSequence(), Instant.ofEpochMilli(first),
            Instant.ofEpochMilli(last));
        total += changes.size();
      }
    }
    if (total == 0) {
      out.println("no quarantined changes in dataset " + dataset);
    }
  }

  private void export(Map<String, List<QuarantinedChange>> byRegion, Writer out) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    for (Map.Entry<String, List<QuarantinedChange>> region : byRegion.entrySet()) {
      for (QuarantinedChange quarantined : region.getValue()) {
        Change change = quarantined.getChange();
        ObjectNode line = mapper.createObjectNode()
            .put("region", region.getKey())
            .put("dataset", dataset)
            .put("failoverEpoch", quarantined.getFailoverEpoch())
            .put("kind", change.getKind().name().replace("CHANGE_KIND_", "").toLowerCase(java.util.Locale.ROOT))
            .put("keyBase64", Base64.getEncoder().encodeToString(change.getKey().toByteArray()))
            .put("valueBase64", Base64.getEncoder().encodeToString(change.getValue().toByteArray()))
            .put("sequence", change.getVersion().getSequence())
            .put("epoch", change.getVersion().getEpoch())
            .put("committedBy", change.getVersion().getCommittedByRegion())
            .put("originRegion", change.getVersion().getOriginRegion())
            .put("commitMillis", change.getVersion().getTimestamp().getPhysicalMillis());
        if (change.getKey().isValidUtf8()) {
          line.put("key", change.getKey().toStringUtf8());
        }
        if (change.getValue().isValidUtf8()) {
          line.put("value", change.getValue().toStringUtf8());
        }
        out.write(mapper.writeValueAsString(line));
        out.write('\n');
      }
    }
    out.flush();
  }
}

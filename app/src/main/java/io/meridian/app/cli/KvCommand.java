package io.meridian.app.cli;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.meridian.agent.api.v1.CompareAndSetRequest;
import io.meridian.agent.api.v1.CompareAndSetResponse;
import io.meridian.agent.api.v1.DeleteRequest;
import io.meridian.agent.api.v1.DeleteResponse;
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.GetResponse;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.PutResponse;
import io.meridian.app.client.AgentClient;
import io.meridian.app.client.VersionText;
import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.DeploymentState.AgentRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meridian kv put|get|delete|cas}: one key-value request to one region's agent, printing
 * the value and its version metadata. Keys and values are UTF-8 text.
 */
@Command(
    name = "kv",
    mixinStandardHelpOptions = true,
    description = {
        "Put, get, delete or compare-and-set one key at one region of the running deployment "
            + "and show the version (sequence, epoch, committing and originating region, "
            + "hybrid logical clock)."},
    footer = {"", "Examples:",
        "  meridian kv put --region us-east --dataset orders k1 hello",
        "  meridian kv get --region ap-southeast --dataset orders k1",
        "  meridian kv cas --region eu-central --dataset orders k1 bye --expected hello",
        "  meridian kv delete --region us-east --dataset orders k1",
        "", "Exit status: 0 done (a get of a missing key included), 1 refused, not swapped or "
            + "unreachable, 2 wrong command line."})
public final class KvCommand implements Callable<Integer> {
  /** The operations. */
  enum Operation { put, get, delete, cas }

  @Spec
  private CommandSpec spec;

  @Mixin
  private StateDirOption state;

  @Parameters(index = "0", paramLabel = "put|get|delete|cas", description = "The operation.")
  private Operation operation;

  @Parameters(index = "1", paramLabel = "KEY", description = "The key (UTF-8).")
  private String key;

  @Parameters(index = "2", arity = "0..1", paramLabel = "VALUE",
      description = "The value, for put and cas (UTF-8).")
  private String value;

  @Option(names = "--region", paramLabel = "R",
      description = "The region whose agent gets the request (default: the dataset's primary).")
  private String region;

  @Option(names = "--dataset", paramLabel = "D",
      description = "The dataset (default: the only one deployed).")
  private String dataset;

  @Option(names = "--expected", paramLabel = "V",
      description = "For cas: the value the key must hold for the write to happen.")
  private String expected;

  @Option(names = "--expect-absent",
      description = "For cas: the key must be absent for the write to happen.")
  private boolean expectAbsent;

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
    if ((operation == Operation.put || operation == Operation.cas) && value == null) {
      err.println("meridian kv " + operation + ": VALUE is required");
      return ExitCodes.UNUSABLE;
    }
    if ((operation == Operation.get || operation == Operation.delete) && value != null) {
      err.println("meridian kv " + operation + ": takes no VALUE (got '" + value + "')");
      return ExitCodes.UNUSABLE;
    }
    if (operation == Operation.cas && (expected == null) == !expectAbsent) {
      err.println("meridian kv cas: give exactly one of --expected V and --expect-absent");
      return ExitCodes.UNUSABLE;
    }
    DeploymentState deployment;
    try {
      deployment = state.read();
    } catch (IOException e) {
      err.println("meridian kv: " + e.getMessage());
      return ExitCodes.PROBLEMS;
    }
    Optional<String> datasetName = chooseDataset(deployment, err);
    if (datasetName.isEmpty()) {
      return ExitCodes.PROBLEMS;
    }
    String target = region != null ? region
        : deployment.dataset(datasetName.get()).orElseThrow().primary();
    Optional<AgentRecord> agent = deployment.agent(target);
    if (agent.isEmpty()) {
      err.println("meridian kv: no agent in region " + target + "; deployed regions: "
          + String.join(", ", deployment.agents().stream().map(AgentRecord::region).toList()));
      return ExitCodes.PROBLEMS;
    }
    if (agent.get().dataset(datasetName.get()).isEmpty()) {
      err.println("meridian kv: region " + target + " holds no replica of dataset "
          + datasetName.get() + "; replicas: "
          + String.join(", ", deployment.dataset(datasetName.get()).orElseThrow().replicas()));
      return ExitCodes.PROBLEMS;
    }
    try (AgentClient client = new AgentClient(target, agent.get().grpcAddress())) {
      return perform(client, datasetName.get(), out, err);
    } catch (StatusRuntimeException e) {
      try (AgentClient client = new AgentClient(target, agent.get().grpcAddress())) {
        err.println("meridian kv " + operation + ": " + client.describe(e));
      }
      return ExitCodes.PROBLEMS;
    }
  }

  private Optional<String> chooseDataset(DeploymentState deployment, PrintWriter err) {
    List<String> names = deployment.datasetNames();
    if (dataset == null) {
      if (names.size() == 1) {
        return Optional.of(names.get(0));
      }
      err.println("meridian kv: name a dataset with --dataset; deployed: "
          + (names.isEmpty() ? "none" : String.join(", ", names)));
      return Optional.empty();
    }
    if (!names.contains(dataset)) {
      err.println("meridian kv: no dataset " + dataset + " is deployed; deployed: "
          + (names.isEmpty() ? "none" : String.join(", ", names)));
      return Optional.empty();
    }
    return Optional.of(dataset);
  }

  private int perform(AgentClient client, String datasetName, PrintWriter out, PrintWriter err) {
    ByteString keyBytes = ByteString.copyFromUtf8(key);
    String where = datasetName + "/" + key;
    switch (operation) {
      case put -> {
        PutResponse response = client.kv().put(PutRequest.newBuilder().setDataset(datasetName)
            .setKey(keyBytes).setValue(ByteString.copyFromUtf8(value)).build());
        out.println("put " + where + " = " + value + " at " + client.region());
        out.println("  version: " + VersionText.describe(response.getVersion()));
        return ExitCodes.OK;
      }
      case get -> {
        GetResponse response = client.kv().get(GetRequest.newBuilder().setDataset(datasetName)
            .setKey(keyBytes).build());
        if (!response.getFound()) {
          out.println(where + " not found (served by " + response.getServedByRegion() + ")");
          return ExitCodes.OK;
        }
        out.println(where + " = " + response.getValue().toString(StandardCharsets.UTF_8)
            + " (served by " + response.getServedByRegion() + ")");
        out.println("  version: " + VersionText.describe(response.getVersion()));
        return ExitCodes.OK;
      }
      case delete -> {
        DeleteResponse response = client.kv().delete(DeleteRequest.newBuilder()
            .setDataset(datasetName).setKey(keyBytes).build());
        out.println("deleted " + where + " at " + client.region()
            + (response.getExisted() ? "" : " (it did not exist)"));
        out.println("  version: " + VersionText.describe(response.getVersion()));
        return ExitCodes.OK;
      }
      case cas -> {
        CompareAndSetRequest.Builder request = CompareAndSetRequest.newBuilder()
            .setDataset(datasetName).setKey(keyBytes).setNewValue(ByteString.copyFromUtf8(value));
        if (expectAbsent) {
          request.setExpectAbsent(true);
        } else {
          request.setExpectedValue(ByteString.copyFromUtf8(expected));
        }
        CompareAndSetResponse response = client.kv().compareAndSet(request.build());
        if (response.getSwapped()) {
          out.println("swapped " + where + " = " + value + " at " + client.region());
          out.println("  version: " + VersionText.describe(response.getVersion()));
          return ExitCodes.OK;
        }
        out.println("not swapped: " + where + (response.getCurrentFound()
            ? " is " + response.getCurrentValue().toString(StandardCharsets.UTF_8)
            : " is absent"));
        if (response.hasVersion()) {
          out.println("  version: " + VersionText.describe(response.getVersion()));
        }
        return ExitCodes.PROBLEMS;
      }
      default -> throw new IllegalStateException("unknown operation " + operation);
    }
  }
}

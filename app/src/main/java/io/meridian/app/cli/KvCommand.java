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
import io.meridian.agent.api.v1.KeyValue;
import io.meridian.agent.api.v1.Sibling;
import io.meridian.agent.api.v1.UpdateRequest;
import io.meridian.agent.api.v1.UpdateResponse;
import io.meridian.app.client.AgentClient;
import io.meridian.app.client.CurrentPrimary;
import io.meridian.app.client.VersionText;
import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.DeploymentState.DatasetRecord;
import io.meridian.app.deploy.DeploymentState.AgentRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.HexFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meridian kv put|get|delete|cas|incr|decr|add|remove|put-entry|remove-entry}: one
 * key-value or conflict-free data type request to one region's agent, printing the value (siblings
 * and causal context, counter, set or map for multi-primary datasets) and its version metadata.
 * Keys and values are UTF-8 text.
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
        "Read levels and quorum datasets:",
        "  meridian kv get --region us-east --dataset orders k1 --consistency strong",
        "  meridian kv get --region eu-central --dataset orders k1 --consistency session --session-token 0101...",
        "      (every write prints its session token; a session read never returns anything older)",
        "  meridian kv put --region ohio --dataset carts c1 full --replicas all",
        "  meridian kv get --region oregon --dataset carts c1 --consistency quorum",
        "Multi-primary datasets:",
        "  meridian kv get --region eu-west --dataset carts c1      # siblings and their context",
        "  meridian kv put --region eu-west --dataset carts c1 merged --context 0201...",
        "  meridian kv incr --region us-east --dataset likes post7 5",
        "  meridian kv decr --region eu-west --dataset stock sku1 2",
        "  meridian kv add --region us-east --dataset tags post7 blue",
        "  meridian kv remove --region eu-west --dataset tags post7 blue",
        "  meridian kv put-entry --region us-east --dataset sessions s1 theme dark",
        "  meridian kv remove-entry --region us-east --dataset sessions s1 theme",
        "", "Exit status: 0 done (a get of a missing key included), 1 refused, not swapped or "
            + "unreachable, 2 wrong command line."})
public final class KvCommand implements Callable<Integer> {
  /** The operations; {@code put_entry} is typed {@code put-entry}. */
  enum Operation { put, get, delete, cas, incr, decr, add, remove, put_entry, remove_entry }

  /** Accepts the operations with dashes. */
  static final class OperationConverter implements ITypeConverter<Operation> {
    @Override
    public Operation convert(String value) {
      return Operation.valueOf(value.replace('-', '_'));
    }
  }

  @Spec
  private CommandSpec spec;

  @Mixin
  private StateDirOption state;

  @Parameters(index = "0", paramLabel = "OPERATION", converter = OperationConverter.class,
      description = "put, get, delete, cas; on multi-primary datasets also incr, decr (counters), "
          + "add, remove (or-sets), put-entry, remove-entry (lww-maps).")
  private Operation operation;

  @Parameters(index = "1", paramLabel = "KEY", description = "The key (UTF-8).")
  private String key;

  @Parameters(index = "2", arity = "0..1", paramLabel = "VALUE",
      description = "The value for put and cas, the amount for incr and decr (default 1), the "
          + "element for add and remove, the field for put-entry and remove-entry (UTF-8).")
  private String value;

  @Parameters(index = "3", arity = "0..1", paramLabel = "ENTRY_VALUE",
      description = "For put-entry: the entry's value (UTF-8).")
  private String entryValue;

  @Option(names = "--context", paramLabel = "HEX",
      description = "For put and delete on a version-vector dataset: the causal context a get "
          + "printed; the write replaces the siblings it covers.")
  private String context;

  @Option(names = "--region", paramLabel = "R",
      description = "The region whose agent gets the request (default: the dataset's current primary, "
          + "as the agents report it after any failover).")
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

  @Option(names = "--consistency", paramLabel = "LEVEL",
      description = "For get: eventual, session, bounded-staleness, quorum or strong (default: the dataset's). "
          + "A level the dataset's mode cannot honour is refused with the reason and a level that works.")
  private String consistency;

  @Option(names = "--session-token", paramLabel = "HEX",
      description = "For get at --consistency session (implied): the session token a write printed; the read "
          + "never returns anything older than that write.")
  private String sessionToken;

  @Option(names = "--replicas", paramLabel = "COUNT",
      description = "Quorum datasets, for put, delete and get: how many replicas must answer: one, quorum, all "
          + "or local-quorum (default: the dataset's W for writes, R for reads).")
  private String replicas;

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
    String name = operation.name().replace('_', '-');
    boolean needsValue = switch (operation) {
      case put, cas, add, remove, put_entry, remove_entry -> true;
      default -> false;
    };
    if (needsValue && value == null) {
      err.println("meridian kv " + name + ": " + (operation == Operation.add || operation == Operation.remove
          ? "ELEMENT" : operation == Operation.put_entry || operation == Operation.remove_entry ? "FIELD" : "VALUE")
          + " is required");
      return ExitCodes.UNUSABLE;
    }
    if ((operation == Operation.put_entry) != (entryValue != null)) {
      err.println("meridian kv " + name + ": " + (entryValue == null
          ? "ENTRY_VALUE is required: put-entry KEY FIELD VALUE" : "takes no fourth argument (got '" + entryValue + "')"));
      return ExitCodes.UNUSABLE;
    }
    if ((operation == Operation.incr || operation == Operation.decr) && value != null && !value.matches("\\d{1,18}")) {
      err.println("meridian kv " + name + ": the amount must be a whole number from 0 to 10^18 (got '" + value + "')");
      return ExitCodes.UNUSABLE;
    }
    if (context != null && (operation != Operation.put && operation != Operation.delete
        || !context.matches("([0-9a-fA-F]{2})*"))) {
      err.println("meridian kv " + name + ": --context takes the hexadecimal causal context a get printed, "
          + "for put or delete only");
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
    if (consistency != null && (operation != Operation.get || readConsistency(consistency) == null)) {
      err.println("meridian kv " + name + ": --consistency is for get and takes eventual, session, "
          + "bounded-staleness, quorum or strong (got '" + consistency + "')");
      return ExitCodes.UNUSABLE;
    }
    if (sessionToken != null && (operation != Operation.get || !sessionToken.matches("([0-9a-fA-F]{2})+")
        || (consistency != null && !consistency.equals("session")))) {
      err.println("meridian kv " + name + ": --session-token is for get at --consistency session and takes the "
          + "hexadecimal token a write printed (got '" + sessionToken + "'" + (consistency == null ? "" : " with "
          + consistency) + ")");
      return ExitCodes.UNUSABLE;
    }
    if (replicas != null && (!(operation == Operation.put || operation == Operation.get
        || operation == Operation.delete) || replicaCount(replicas) == null)) {
      err.println("meridian kv " + name + ": --replicas is for put, get and delete and takes one, quorum, all "
          + "or local-quorum (got '" + replicas + "')");
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
    // Without --region, the primary now (it moves on failover), not the one recorded at deploy.
    String target = region != null ? region
        : currentPrimary(deployment, deployment.dataset(datasetName.get()).orElseThrow());
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
        err.println("meridian kv " + operation.name().replace('_', '-') + ": " + client.describe(e));
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
        PutRequest.Builder request = PutRequest.newBuilder().setDataset(datasetName)
            .setKey(keyBytes).setValue(ByteString.copyFromUtf8(value));
        if (replicas != null) {
          request.setReplicaCount(replicaCount(replicas));
        }
        if (context != null) {
          request.setCausalContext(ByteString.copyFrom(HexFormat.of().parseHex(context)));
        }
        PutResponse response = client.kv().put(request.build());
        out.println("put " + where + " = " + value + " at " + client.region());
        out.println("  version: " + VersionText.describe(response.getVersion()));
        printToken(response.getSessionToken(), out);
        return ExitCodes.OK;
      }
      case get -> {
        GetRequest.Builder request = GetRequest.newBuilder().setDataset(datasetName).setKey(keyBytes);
        if (consistency != null) {
          request.setConsistency(readConsistency(consistency));
        }
        if (sessionToken != null) {
          request.setConsistency(io.meridian.agent.api.v1.ReadConsistency.READ_CONSISTENCY_SESSION)
              .setSessionToken(ByteString.copyFrom(HexFormat.of().parseHex(sessionToken)));
        }
        if (replicas != null) {
          request.setReplicaCount(replicaCount(replicas));
        }
        GetResponse response = client.kv().get(request.build());
        if (response.hasCrdt() || response.getSiblingsCount() > 0 || !response.getCausalContext().isEmpty()) {
          printMerged(where, response, out);
          return ExitCodes.OK;
        }
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
        DeleteRequest.Builder request = DeleteRequest.newBuilder().setDataset(datasetName).setKey(keyBytes);
        if (replicas != null) {
          request.setReplicaCount(replicaCount(replicas));
        }
        if (context != null) {
          request.setCausalContext(ByteString.copyFrom(HexFormat.of().parseHex(context)));
        }
        DeleteResponse response = client.kv().delete(request.build());
        out.println("deleted " + where + " at " + client.region()
            + (response.getExisted() ? "" : " (it did not exist)"));
        out.println("  version: " + VersionText.describe(response.getVersion()));
        printToken(response.getSessionToken(), out);
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
          printToken(response.getSessionToken(), out);
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
      default -> {
        UpdateRequest.Builder request = UpdateRequest.newBuilder().setDataset(datasetName).setKey(keyBytes);
        String done;
        switch (operation) {
          case incr, decr -> {
            long amount = value == null ? 1 : Long.parseLong(value);
            request.setIncrement(operation == Operation.incr ? amount : -amount);
            done = (operation == Operation.incr ? "incremented " : "decremented ") + where + " by " + amount;
          }
          case add -> {
            request.setAddElement(ByteString.copyFromUtf8(value));
            done = "added " + value + " to " + where;
          }
          case remove -> {
            request.setRemoveElement(ByteString.copyFromUtf8(value));
            done = "removed " + value + " from " + where;
          }
          case put_entry -> {
            request.setPutEntry(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(value))
                .setValue(ByteString.copyFromUtf8(entryValue)));
            done = "put " + where + "[" + value + "] = " + entryValue;
          }
          case remove_entry -> {
            request.setRemoveEntry(ByteString.copyFromUtf8(value));
            done = "removed " + where + "[" + value + "]";
          }
          default -> throw new IllegalStateException("unknown operation " + operation);
        }
        UpdateResponse response = client.kv().update(request.build());
        out.println(done + " at " + client.region());
        out.println("  version: " + VersionText.describe(response.getVersion()));
        return ExitCodes.OK;
      }
    }
  }

  /** The session token of a write, for later reads with --consistency session (ADR 0021). */
  private static void printToken(ByteString token, PrintWriter out) {
    if (!token.isEmpty()) {
      out.println("  session token: " + HexFormat.of().formatHex(token.toByteArray())
          + "   (get --consistency session --session-token ... never returns anything older)");
    }
  }

  /** A multi-primary read: siblings with their context, or a counter, set or map. */
  private static void printMerged(String where, GetResponse response, PrintWriter out) {
    String servedBy = " (served by " + response.getServedByRegion() + ")";
    if (response.getSiblingsCount() > 0 || !response.getCausalContext().isEmpty()) {
      if (response.getSiblingsCount() == 0) {
        out.println(where + " not found" + servedBy);
      } else if (response.getSiblingsCount() == 1) {
        out.println(where + " = " + response.getValue().toString(StandardCharsets.UTF_8) + servedBy);
        out.println("  version: " + VersionText.describe(response.getVersion()));
      } else {
        out.println(where + " has " + response.getSiblingsCount() + " concurrent values (siblings)" + servedBy);
        for (Sibling sibling : response.getSiblingsList()) {
          out.println("  " + sibling.getValue().toString(StandardCharsets.UTF_8) + "   version: "
              + VersionText.describe(sibling.getVersion()));
        }
      }
      out.println("  context: " + HexFormat.of().formatHex(response.getCausalContext().toByteArray())
          + "   (put with --context to replace these)");
      return;
    }
    var crdt = response.getCrdt();
    if (crdt.getElementsCount() > 0) {
      out.println(where + " = {" + String.join(", ", crdt.getElementsList().stream()
          .map(element -> element.toString(StandardCharsets.UTF_8)).toList()) + "}" + servedBy);
    } else if (crdt.getEntriesCount() > 0) {
      out.println(where + " = {" + String.join(", ", crdt.getEntriesList().stream()
          .map(entry -> entry.getKey().toString(StandardCharsets.UTF_8) + ": "
              + entry.getValue().toString(StandardCharsets.UTF_8)).toList()) + "}" + servedBy);
    } else if (crdt.getCounter() != 0 || !response.getFound()) {
      out.println(where + " = " + crdt.getCounter() + servedBy + (response.getFound() ? "" : " (empty or never written)"));
    } else {
      out.println(where + " = 0" + servedBy);
    }
  }

  /** The dataset's primary now, as its replicas' agents report it (see {@link CurrentPrimary}). */
  /** The read level named on the command line, or null. */
  static io.meridian.agent.api.v1.ReadConsistency readConsistency(String level) {
    return switch (level) {
      case "eventual" -> io.meridian.agent.api.v1.ReadConsistency.READ_CONSISTENCY_EVENTUAL;
      case "session" -> io.meridian.agent.api.v1.ReadConsistency.READ_CONSISTENCY_SESSION;
      case "bounded-staleness" -> io.meridian.agent.api.v1.ReadConsistency.READ_CONSISTENCY_BOUNDED_STALENESS;
      case "quorum" -> io.meridian.agent.api.v1.ReadConsistency.READ_CONSISTENCY_QUORUM;
      case "strong" -> io.meridian.agent.api.v1.ReadConsistency.READ_CONSISTENCY_STRONG;
      default -> null;
    };
  }

  /** The replica count named on the command line, or null. */
  static io.meridian.agent.api.v1.ReplicaCount replicaCount(String count) {
    return switch (count) {
      case "one" -> io.meridian.agent.api.v1.ReplicaCount.REPLICA_COUNT_ONE;
      case "quorum" -> io.meridian.agent.api.v1.ReplicaCount.REPLICA_COUNT_QUORUM;
      case "all" -> io.meridian.agent.api.v1.ReplicaCount.REPLICA_COUNT_ALL;
      case "local-quorum" -> io.meridian.agent.api.v1.ReplicaCount.REPLICA_COUNT_LOCAL_QUORUM;
      default -> null;
    };
  }

  static String currentPrimary(DeploymentState deployment, DatasetRecord record) {
    java.util.Map<String, String> agents = new java.util.LinkedHashMap<>();
    for (String replica : record.replicas()) {
      deployment.agent(replica).ifPresent(agent -> agents.put(replica, agent.grpcAddress()));
    }
    return CurrentPrimary.of(record.name(), agents, record.primary());
  }
}

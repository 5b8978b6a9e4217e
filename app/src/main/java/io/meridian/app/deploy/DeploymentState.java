package io.meridian.app.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A running local deployment as recorded in {@code deployment.json} in its state directory:
 * which topology, and for each region the agent's process, addresses and files. Later commands
 * ({@code kv}, {@code status}, {@code load}, {@code teardown}) find the agents here.
 *
 * @param topologyName the deployed topology's name
 * @param topologyPath the topology file, absolute
 * @param emulateWan whether links are emulated
 * @param startedAt when the deployment became ready, ISO-8601 UTC
 * @param agents one entry per agent, in the topology's region order
 * @param warnings what the deployment left out (from the compiler)
 */
public record DeploymentState(String topologyName, String topologyPath, boolean emulateWan,
    String startedAt, List<AgentRecord> agents, List<String> warnings) {

  /** The file name inside a state directory. */
  public static final String FILE_NAME = "deployment.json";

  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      .enable(SerializationFeature.INDENT_OUTPUT);

  /** Copies the lists. */
  public DeploymentState {
    Objects.requireNonNull(topologyName, "topologyName");
    agents = List.copyOf(agents);
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
  }

  /**
   * One agent process.
   *
   * @param region its region
   * @param pid its process id
   * @param processStartedAt when that process started, ISO-8601 (null when the system does not
   *     say), so that a pid reused by another program is never taken for the agent
   * @param grpcAddress {@code host:port} of KV, control and watch
   * @param metricsAddress {@code host:port} serving {@code /metrics}
   * @param dataDirectory where it stores its data
   * @param logFile where its standard output and error go
   * @param configFile the configuration it read
   * @param datasets the datasets it replicates
   */
  public record AgentRecord(String region, long pid, String processStartedAt, String grpcAddress,
      String metricsAddress,
      String dataDirectory, String logFile, String configFile, List<DatasetRecord> datasets) {

    /** Copies the list. */
    public AgentRecord {
      datasets = datasets == null ? List.of() : List.copyOf(datasets);
    }

    /** The dataset with this name, if this agent replicates it. */
    public Optional<DatasetRecord> dataset(String name) {
      return datasets.stream().filter(d -> d.name().equals(name)).findFirst();
    }
  }

  /**
   * A dataset as deployed.
   *
   * @param name its name
   * @param mode {@code async} or {@code sync}
   * @param primary the region that commits writes
   * @param replicas every region holding a copy
   */
  public record DatasetRecord(String name, String mode, String primary, List<String> replicas) {

    /** Copies the list. */
    public DatasetRecord {
      replicas = replicas == null ? List.of() : List.copyOf(replicas);
    }
  }

  /** The agent of a region, if deployed. */
  public Optional<AgentRecord> agent(String region) {
    return agents.stream().filter(a -> a.region().equals(region)).findFirst();
  }

  /** The dataset with this name as any agent records it. */
  public Optional<DatasetRecord> dataset(String name) {
    return agents.stream().flatMap(a -> a.dataset(name).stream()).findFirst();
  }

  /** Every deployed dataset name, in first-seen order. */
  public List<String> datasetNames() {
    return agents.stream().flatMap(a -> a.datasets().stream()).map(DatasetRecord::name)
        .distinct().toList();
  }

  /** Writes {@code deployment.json} into {@code stateDirectory}. */
  public void write(Path stateDirectory) throws IOException {
    Files.createDirectories(stateDirectory);
    Path temporary = stateDirectory.resolve(FILE_NAME + ".tmp");
    JSON.writeValue(temporary.toFile(), this);
    Files.move(temporary, stateDirectory.resolve(FILE_NAME),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Reads {@code deployment.json} from {@code stateDirectory}. */
  public static DeploymentState read(Path stateDirectory) throws IOException {
    return JSON.readValue(stateDirectory.resolve(FILE_NAME).toFile(), DeploymentState.class);
  }
}

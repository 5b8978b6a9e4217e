package io.meridian.app.live;

import io.grpc.StatusRuntimeException;
import io.meridian.agent.api.v1.DatasetStatus;
import io.meridian.agent.api.v1.Role;
import io.meridian.agent.api.v1.StatusResponse;
import io.meridian.app.check.DesignCheck;
import io.meridian.app.check.FileReport;
import io.meridian.app.client.AgentClient;
import io.meridian.app.client.LoadGenerator;
import io.meridian.app.client.LoadOptions;
import io.meridian.app.client.LoadResult;
import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.LocalDeployer;
import io.meridian.model.Topology;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A watched deployment: the design, the agents' endpoints, the merge session, the watchers and
 * the actions. Made from a local deployment's state directory (kill and restart allowed) or from
 * a list of agent addresses (watch, cut and heal only). Close it to stop watching; the agents
 * keep running.
 */
public final class LiveConnection implements AutoCloseable {
  /** Deadline of the status request that learns an address's region. */
  static final Duration PROBE_DEADLINE = Duration.ofSeconds(3);

  private final Topology topology;
  private final List<AgentEndpoint> endpoints;
  private final Map<String, String> primaries;
  private final Path stateDirectory;
  private final LiveSession session;
  private final AgentWatchers watchers;
  private final DeploymentActions actions;

  private LiveConnection(Topology topology, List<AgentEndpoint> endpoints,
      Map<String, String> primaries, Path stateDirectory) {
    this.topology = topology;
    this.endpoints = List.copyOf(endpoints);
    this.primaries = Map.copyOf(primaries);
    this.stateDirectory = stateDirectory;
    this.session = new LiveSession(endpoints.stream().map(AgentEndpoint::region).toList(),
        primaries, System::currentTimeMillis);
    this.watchers = new AgentWatchers(endpoints, session);
    this.actions = new DeploymentActions(watchers, stateDirectory,
        LocalDeployer.fromCurrentJvm());
  }

  /**
   * Connects to a local deployment. Blocking (reads files): call it off the JavaFX thread.
   *
   * @param stateDirectory the deployment's state directory
   * @return the connection, started
   * @throws IOException when the state or the topology file it names cannot be read
   */
  public static LiveConnection ofStateDirectory(Path stateDirectory) throws IOException {
    DeploymentState state;
    try {
      state = DeploymentState.read(stateDirectory);
    } catch (IOException e) {
      throw new IOException(stateDirectory + " holds no readable deployment ("
          + DeploymentState.FILE_NAME + "): " + e.getMessage()
          + "; choose the directory 'meridian deploy' wrote", e);
    }
    FileReport report = new DesignCheck().check(Path.of(state.topologyPath()));
    Topology topology = report.topology().orElseThrow(() -> new IOException(
        "the deployed topology " + state.topologyPath() + " cannot be read any more; "
            + "restore it to watch this deployment")).topology();
    List<AgentEndpoint> endpoints = state.agents().stream()
        .map(a -> new AgentEndpoint(a.region(), a.grpcAddress())).toList();
    Map<String, String> primaries = new LinkedHashMap<>();
    state.datasetNames().forEach(name -> state.dataset(name)
        .ifPresent(d -> primaries.put(name, d.primary())));
    LiveConnection connection = new LiveConnection(topology, endpoints, primaries,
        stateDirectory);
    connection.start();
    return connection;
  }

  /**
   * Connects to agents by address, learning each one's region from its status. Blocking: call
   * it off the JavaFX thread.
   *
   * @param addresses {@code host:port} of each agent
   * @param topology the design the agents were deployed from (it must name their regions)
   * @return the connection, started
   * @throws IOException naming the address that did not answer or the region the design lacks
   */
  public static LiveConnection ofAddresses(List<String> addresses, Topology topology)
      throws IOException {
    if (addresses.isEmpty()) {
      throw new IOException("no agent addresses given; enter host:port of at least one agent");
    }
    List<AgentEndpoint> endpoints = new ArrayList<>();
    Map<String, String> primaries = new LinkedHashMap<>();
    for (String address : addresses) {
      if (!address.matches("[^\\s:]+:\\d{1,5}")) {
        throw new IOException("'" + address + "' is not an agent address; write host:port, "
            + "e.g. 127.0.0.1:44519 (see 'meridian status')");
      }
      try (AgentClient client = new AgentClient("?", address)) {
        StatusResponse status = client.status(PROBE_DEADLINE);
        if (topology.regions().stream().noneMatch(r -> r.id().value()
            .equals(status.getRegion()))) {
          throw new IOException("the agent at " + address + " serves region "
              + status.getRegion() + ", which the open design " + topology.name()
              + " does not have; open the design it was deployed from");
        }
        endpoints.add(new AgentEndpoint(status.getRegion(), address));
        for (DatasetStatus dataset : status.getDatasetsList()) {
          if (dataset.getRole() == Role.ROLE_PRIMARY) {
            primaries.put(dataset.getDataset(), status.getRegion());
          } else if (!dataset.getPrimaryRegion().isEmpty()) {
            primaries.putIfAbsent(dataset.getDataset(), dataset.getPrimaryRegion());
          }
        }
      } catch (StatusRuntimeException e) {
        throw new IOException("no agent answered at " + address + " (" + e.getStatus().getCode()
            + "); check the address with 'meridian status'", e);
      }
    }
    LiveConnection connection = new LiveConnection(topology, endpoints, primaries, null);
    connection.start();
    return connection;
  }

  private void start() {
    session.start();
    watchers.start();
  }

  /** @return the design */
  public Topology topology() {
    return topology;
  }

  /** @return the merge session */
  public LiveSession session() {
    return session;
  }

  /** @return the actions */
  public LiveActions actions() {
    return actions;
  }

  /** @return the local state directory, or null when connected by address */
  public Path stateDirectory() {
    return stateDirectory;
  }

  /** @return the watched agents */
  public List<AgentEndpoint> endpoints() {
    return endpoints;
  }

  /** @return primary per dataset as deployed */
  public Map<String, String> primaries() {
    return primaries;
  }

  /**
   * Runs the load generator against this deployment until its duration ends or the thread is
   * interrupted. Blocking.
   *
   * @param options what to drive
   * @param progress receives a line per second
   * @return the result
   * @throws InterruptedException when stopped
   */
  public LoadResult load(LoadOptions options, Consumer<LoadGenerator.Progress> progress)
      throws InterruptedException {
    Map<String, AgentClient> clients = new LinkedHashMap<>();
    try {
      for (AgentEndpoint endpoint : endpoints) {
        clients.put(endpoint.region(), new AgentClient(endpoint.region(), endpoint.address()));
      }
      return new LoadGenerator(clients, options, progress).run();
    } finally {
      clients.values().forEach(AgentClient::close);
    }
  }

  /** Stops watching; the agents keep running. */
  @Override
  public void close() {
    watchers.close();
    session.close();
  }
}

package io.meridian.app.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.grpc.StatusRuntimeException;
import io.meridian.agent.api.v1.DatasetStatus;
import io.meridian.agent.api.v1.PeerLinkStatus;
import io.meridian.agent.api.v1.StatusResponse;
import io.meridian.app.client.AgentClient;
import io.meridian.app.deploy.DeploymentState;
import io.meridian.app.deploy.DeploymentState.AgentRecord;
import io.meridian.app.deploy.LocalDeployer;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meridian status}: per region and dataset, the role, health, lag to each peer in
 * milliseconds and versions, and throughput, from each agent's control API.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
        "Show each agent of the running deployment: whether it is reachable, and per dataset "
            + "its role, log position, and per peer the connection, lag (ms and versions), "
            + "pending changes and throughput."},
    footer = {"", "Exit status: 0 every agent answered, 1 some agent did not."})
public final class StatusCommand implements Callable<Integer> {
  /** How long one agent may take to answer. */
  static final Duration STATUS_DEADLINE = Duration.ofSeconds(3);

  /** Output formats. */
  enum Format { text, json }

  @Spec
  private CommandSpec spec;

  @Mixin
  private StateDirOption state;

  @Option(names = "--format", paramLabel = "text|json",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  private Format format = Format.text;

  /**
   * One peer link of a dataset as seen from a region.
   *
   * @param peer the peer region
   * @param connected whether the replication stream is up
   * @param linkCut whether the link was cut for a rehearsal
   * @param lagMillis lag in time
   * @param lagVersions lag in versions
   * @param pendingChanges changes not yet sent (primary) or not yet applied (replica)
   * @param changesPerSecondIn changes received per second
   * @param changesPerSecondOut changes sent per second
   * @param bytesPerSecondIn bytes received per second
   * @param bytesPerSecondOut bytes sent per second
   */
  record PeerView(String peer, boolean connected, boolean linkCut, long lagMillis,
      long lagVersions, long pendingChanges, double changesPerSecondIn, double changesPerSecondOut,
      double bytesPerSecondIn, double bytesPerSecondOut) {}

  /**
   * One dataset at one region.
   *
   * @param dataset its name
   * @param mode async or sync
   * @param role primary or replica
   * @param epoch the primary epoch
   * @param primary the primary region
   * @param lastSequence newest sequence in this region's log
   * @param peers the links to its peers
   */
  record DatasetView(String dataset, String mode, String role, long epoch, String primary,
      long lastSequence, List<PeerView> peers) {}

  /**
   * One region's agent.
   *
   * @param region the region
   * @param pid the agent's process id
   * @param processAlive whether the process runs
   * @param reachable whether it answered
   * @param error why not, when it did not
   * @param address its gRPC address
   * @param metrics its metrics URL
   * @param datasets its datasets
   */
  record RegionView(String region, long pid, boolean processAlive, boolean reachable,
      String error, String address, String metrics, List<DatasetView> datasets) {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    DeploymentState deployment;
    try {
      deployment = state.read();
    } catch (IOException e) {
      err.println("meridian status: " + e.getMessage());
      err.flush();
      return ExitCodes.PROBLEMS;
    }
    List<RegionView> regions = collect(deployment);
    if (format == Format.json) {
      try {
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .writeValueAsString(regions));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("status does not serialise", e);
      }
    } else {
      printText(deployment, regions, out);
    }
    out.flush();
    return regions.stream().allMatch(RegionView::reachable) ? ExitCodes.OK : ExitCodes.PROBLEMS;
  }

  /** Asks every agent of {@code deployment} for its status. */
  static List<RegionView> collect(DeploymentState deployment) {
    List<RegionView> regions = new ArrayList<>();
    for (AgentRecord agent : deployment.agents()) {
      boolean alive = LocalDeployer.agentProcess(agent).isPresent();
      String metrics = "http://" + agent.metricsAddress() + "/metrics";
      try (AgentClient client = new AgentClient(agent.region(), agent.grpcAddress())) {
        StatusResponse status = client.status(STATUS_DEADLINE);
        regions.add(new RegionView(agent.region(), agent.pid(), alive, true, null,
            agent.grpcAddress(), metrics, status.getDatasetsList().stream()
            .map(StatusCommand::view).toList()));
      } catch (StatusRuntimeException e) {
        String error;
        try (AgentClient client = new AgentClient(agent.region(), agent.grpcAddress())) {
          error = client.describe(e);
        }
        regions.add(new RegionView(agent.region(), agent.pid(), alive, false,
            alive ? error : "process " + agent.pid() + " is not running; see " + agent.logFile(),
            agent.grpcAddress(), metrics, List.of()));
      }
    }
    return regions;
  }

  private static DatasetView view(DatasetStatus status) {
    return new DatasetView(status.getDataset(), lower(status.getMode().name(), "REPLICATION_MODE_"),
        lower(status.getRole().name(), "ROLE_"), status.getEpoch(), status.getPrimaryRegion(),
        status.getLastSequence(), status.getPeersList().stream().map(StatusCommand::view).toList());
  }

  private static PeerView view(PeerLinkStatus link) {
    return new PeerView(link.getPeerRegion(), link.getConnected(), link.getLinkCut(),
        link.getLagMillis(), link.getLagVersions(), link.getPendingChanges(),
        link.getChangesPerSecondIn(), link.getChangesPerSecondOut(), link.getBytesPerSecondIn(),
        link.getBytesPerSecondOut());
  }

  private static String lower(String enumName, String prefix) {
    return enumName.replace(prefix, "").toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static void printText(DeploymentState deployment, List<RegionView> regions,
      PrintWriter out) {
    out.println("Deployment " + deployment.topologyName() + " (" + (deployment.emulateWan()
        ? "WAN emulated" : "no WAN emulation") + ", started " + deployment.startedAt() + ")");
    for (RegionView region : regions) {
      out.println();
      out.println(String.format(Locale.ROOT, "%s  %s  pid %d  %s  %s", region.region(),
          region.reachable() ? "reachable" : "UNREACHABLE", region.pid(), region.address(),
          region.metrics()));
      if (!region.reachable()) {
        out.println("  " + region.error());
        continue;
      }
      for (DatasetView dataset : region.datasets()) {
        out.println(String.format(Locale.ROOT,
            "  %s  %s %s  epoch %d  primary %s  last sequence %d",
            dataset.dataset(), dataset.mode(), dataset.role(), dataset.epoch(), dataset.primary(),
            dataset.lastSequence()));
        for (PeerView peer : dataset.peers()) {
          out.println(String.format(Locale.ROOT,
              "    %-14s %-12s lag %6s ms %8d versions  pending %6d  out %8.1f ch/s %9s/s"
                  + "  in %8.1f ch/s %9s/s",
              peer.peer(), peer.linkCut() ? "link cut" : peer.connected() ? "connected"
                  : "DISCONNECTED",
              // A negative lag is the agent saying it has no figure for the link (seen on a
              // link that never connected).
              peer.lagMillis() < 0 ? "?" : Long.toString(peer.lagMillis()), peer.lagVersions(),
              peer.pendingChanges(),
              peer.changesPerSecondOut(), bytes(peer.bytesPerSecondOut()),
              peer.changesPerSecondIn(), bytes(peer.bytesPerSecondIn())));
        }
      }
    }
  }

  private static String bytes(double value) {
    if (value >= 1 << 20) {
      return String.format(Locale.ROOT, "%.1f MiB", value / (1 << 20));
    }
    if (value >= 1 << 10) {
      return String.format(Locale.ROOT, "%.1f KiB", value / (1 << 10));
    }
    return String.format(Locale.ROOT, "%.0f B", value);
  }
}

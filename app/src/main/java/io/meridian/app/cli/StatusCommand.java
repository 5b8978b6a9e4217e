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
   * @param probes what this region's consistency probes measured at the other regions (ADR 0022)
   * @param probeLevels this region's probe reads and violations per read level
   */
  record DatasetView(String dataset, String mode, String role, long epoch, String primary,
      long lastSequence, List<PeerView> peers, List<ProbeView> probes, List<ProbeLevelView> probeLevels) {}

  /**
   * Visibility of one region's probes at a target region (ADR 0022).
   *
   * @param target where the probe was read
   * @param visible probes seen there
   * @param unseen probes not seen within the probe's wait
   * @param lastMillis the latest measurement, -1 before the first
   * @param p50Millis median of the recent measurements
   * @param p99Millis 99th percentile of the recent measurements
   */
  record ProbeView(String target, long visible, long unseen, double lastMillis, double p50Millis,
      double p99Millis) {}

  /**
   * Probe reads at one level.
   *
   * @param level the read level
   * @param reads reads judged
   * @param violations reads that broke the level's promise
   * @param notProbed why the level is not probed (the dataset refused it), or empty
   */
  record ProbeLevelView(String level, long reads, long violations, String notProbed) {}

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
        io.meridian.agent.api.v1.ProbesResponse probes = probes(client);
        regions.add(new RegionView(agent.region(), agent.pid(), alive, true, null,
            agent.grpcAddress(), metrics, status.getDatasetsList().stream()
            .map(dataset -> view(dataset, probes)).toList()));
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

  // Agents older than the probes answer UNIMPLEMENTED: their status simply has no probe figures.
  private static io.meridian.agent.api.v1.ProbesResponse probes(AgentClient client) {
    try {
      return client.probes(STATUS_DEADLINE);
    } catch (StatusRuntimeException e) {
      return io.meridian.agent.api.v1.ProbesResponse.getDefaultInstance();
    }
  }

  private static DatasetView view(DatasetStatus status, io.meridian.agent.api.v1.ProbesResponse probes) {
    String name = status.getDataset();
    return new DatasetView(name, lower(status.getMode().name(), "REPLICATION_MODE_"),
        lower(status.getRole().name(), "ROLE_"), status.getEpoch(), status.getPrimaryRegion(),
        status.getLastSequence(), status.getPeersList().stream().map(StatusCommand::view).toList(),
        probes.getLinksList().stream().filter(link -> link.getDataset().equals(name))
            .map(link -> new ProbeView(link.getTargetRegion(), link.getVisible(), link.getUnseen(),
                link.getLastMillis(), link.getP50Millis(), link.getP99Millis())).toList(),
        probes.getLevelsList().stream().filter(level -> level.getDataset().equals(name))
            .map(level -> new ProbeLevelView(level.getLevel(), level.getReads(), level.getViolations(),
                level.getNotProbedReason())).toList());
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
        for (ProbeView probe : dataset.probes()) {
          if (probe.visible() == 0 && probe.unseen() == 0) {
            continue; // this region does not write the dataset (a single-primary replica)
          }
          out.println(String.format(Locale.ROOT,
              "    probe to %-14s visible after %7s ms (p50 %s, p99 %s; %d seen, %d not within the wait)",
              probe.target(), millis(probe.lastMillis()), millis(probe.p50Millis()), millis(probe.p99Millis()),
              probe.visible(), probe.unseen()));
        }
        if (!dataset.probeLevels().isEmpty()) {
          StringBuilder levels = new StringBuilder("    probe reads:");
          for (ProbeLevelView level : dataset.probeLevels()) {
            levels.append(' ').append(level.level()).append(' ');
            levels.append(level.notProbed().isEmpty() ? level.reads() + " reads " + level.violations()
                + (level.violations() == 1 ? " violation" : " violations") : "not served");
            levels.append(';');
          }
          out.println(levels.substring(0, levels.length() - 1));
        }
      }
    }
  }

  private static String millis(double value) {
    return value < 0 ? "?" : String.format(Locale.ROOT, "%.1f", value);
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

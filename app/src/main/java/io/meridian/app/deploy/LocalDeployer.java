package io.meridian.app.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.grpc.StatusRuntimeException;
import io.meridian.agent.api.v1.DatasetStatus;
import io.meridian.agent.api.v1.PeerLinkStatus;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.app.client.AgentClient;
import io.meridian.app.deploy.DeploymentState.AgentRecord;
import io.meridian.app.deploy.DeploymentState.DatasetRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Starts a deployment plan's agents as processes on this machine and stops them again.
 *
 * <p>Each agent runs {@code java -cp CLASSPATH io.meridian.agent.AgentMain} with the classpath of
 * the running program (the {@code meridian.jar}, or a test's classpath), its standard output and
 * error go to {@code logs/<region>.log} in the state directory, its configuration to
 * {@code config/<region>.json} and its data to {@code data/<region>}. An agent is ready when
 * its log shows the {@code READY} line.
 */
public final class LocalDeployer {
  /**
   * How long, by default, one agent may take to print READY, and the agents' replication links
   * to connect once all are ready; {@code meridian deploy --wait} changes it for a slow machine.
   */
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
  /** Deadline of one status request while waiting for links. */
  private static final Duration LINK_STATUS_DEADLINE = Duration.ofSeconds(2);
  /** How long agents get to exit after SIGTERM before they are killed. */
  public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  /** How long a killed agent gets to disappear. */
  public static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);
  /** How often the logs are checked for READY. */
  private static final Duration READY_POLL_INTERVAL = Duration.ofMillis(25);
  /** Lines of a failed agent's log shown to the person deploying. */
  public static final int LOG_TAIL_LINES = 20;
  /** The agent's main class. */
  public static final String AGENT_MAIN_CLASS = "io.meridian.agent.AgentMain";
  /** Heap each agent may use; enough for the default replication bounds. */
  public static final String AGENT_MAX_HEAP = "-Xmx256m";
  /**
   * Heap each agent starts with: all of {@link #AGENT_MAX_HEAP}, set explicitly (without it the
   * JVM sizes the initial heap from the machine's memory). It was 32 MiB until ADR 0043: the serial
   * collector then kept a replica at 5,000 writes/s in a ~60 MiB heap with a 10 MiB young
   * generation, so it collected every 1-2 s and ran a full collection every ~8 s (4-5 in a 30 s
   * run, 235-891 ms each at load 20), which put whole batches of lag probes behind a pause: the p99
   * lag tail. Started at 256 MiB it made 7 young collections and no full one in the same run; an
   * idle agent's resident size stays about the same (untouched heap is not resident).
   */
  public static final String AGENT_INITIAL_HEAP = "-Xms256m";

  /**
   * Only the quick (C1) just-in-time compiler: local agents share this machine's few cores, and
   * with C2 the three agents of a rehearsal spent 40 % of their CPU compiling during the first
   * minute under load, at twice the CPU per write of C1-only agents (docs/benchmarks.md, ADR 0007).
   * Agents deployed elsewhere keep the JVM's default.
   */
  public static final String AGENT_COMPILER = "-XX:TieredStopAtLevel=1";

  /** Environment variable with extra JVM options for the agents. */
  public static final String AGENT_JAVA_OPTIONS_VARIABLE = "MERIDIAN_AGENT_JAVA_OPTIONS";
  /**
   * System property giving every deployed agent's periodic repair interval in ms (0 off); unset,
   * agents use their default (ADR 0014). Tests that need repair on demand only set it to 0.
   */
  public static final String REPAIR_INTERVAL_PROPERTY = "meridian.repairIntervalMillis";

  /**
   * System property giving every deployed agent's consistency probe interval in ms (0 off); unset,
   * agents probe at their default, once a second (ADR 0022).
   */
  public static final String PROBE_INTERVAL_PROPERTY = "meridian.probeIntervalMillis";

  private static final ObjectMapper CONFIG_JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  private final String javaCommand;
  private final String classPath;
  private final AgentStartupCache startupCache;
  private boolean firstAgent = true;
  private Duration wait = DEFAULT_WAIT;

  /**
   * Creates a deployer.
   *
   * @param javaCommand the {@code java} executable to run agents with
   * @param classPath the classpath holding the agent and its dependencies
   */
  public LocalDeployer(String javaCommand, String classPath) {
    this(javaCommand, classPath, AgentStartupCache.defaultRoot());
  }

  /**
   * Creates a deployer whose agents keep their start-up cache (class-data archive, native
   * library) under {@code cacheRoot}.
   */
  public LocalDeployer(String javaCommand, String classPath, Path cacheRoot) {
    this.javaCommand = javaCommand;
    this.classPath = classPath;
    this.startupCache = AgentStartupCache.of(cacheRoot, javaCommand, classPath);
  }

  /**
   * Sets how long one agent may take to print READY, and the replication links to connect once
   * all agents are ready.
   *
   * @param wait a positive duration
   * @return this deployer
   */
  public LocalDeployer waitingUpTo(Duration wait) {
    if (wait.isNegative() || wait.isZero()) {
      throw new IllegalArgumentException("the wait must be positive, not " + wait);
    }
    this.wait = wait;
    return this;
  }

  /** A deployer that runs agents with this JVM's {@code java} and this program's classpath. */
  public static LocalDeployer fromCurrentJvm() {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return new LocalDeployer(java.toString(), System.getProperty("java.class.path"));
  }

  /** An agent process being started. */
  private record Started(AgentPlan plan, Process process, Path logFile, Path dataDirectory,
      Path configFile, long startedNanos) {}

  /**
   * Starts every agent of {@code plan} and waits until all are ready, or stops them all and
   * explains which one failed.
   *
   * @param plan the compiled deployment
   * @param topologyFile the file it was compiled from
   * @param stateDirectory where configuration, data, logs and {@code deployment.json} go
   * @param emulateWan recorded in the state
   * @param progress receives one line per agent event
   * @return the recorded state, already written to {@code deployment.json}
   * @throws DeploymentException when a deployment is already running there, or an agent failed
   *     to start or to become ready in time
   */
  public DeploymentState deploy(DeploymentPlan plan, Path topologyFile, Path stateDirectory,
      boolean emulateWan, Consumer<String> progress) throws DeploymentException {
    refuseIfRunning(stateDirectory);
    List<Started> started = new ArrayList<>();
    Thread cleanup = new Thread(() -> started.forEach(s -> s.process().destroyForcibly()),
        "meridian-deploy-interrupted");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      // One at a time, primaries first, each ready before the next starts: a replica's first
      // connection then finds its primary listening. (The agent does not yet survive a peer
      // stream that fails before it is set up; see the deployment notes in docs/benchmarks.md.)
      for (AgentPlan agent : startOrder(plan)) {
        Started one = start(agent, stateDirectory);
        started.add(one);
        progress.accept(String.format(Locale.ROOT, "  %-16s starting   pid %d, gRPC %s, "
            + "metrics %s", agent.region(), one.process().pid(), agent.grpcAddress(),
            agent.metricsAddress()));
        awaitReady(List.of(one), progress);
      }
      awaitLinksConnected(started, progress);
      List<AgentRecord> agents = plan.agents().stream()
          .map(agent -> started.stream().filter(s -> s.plan() == agent).findFirst().orElseThrow())
          .map(LocalDeployer::record).toList();
      DeploymentState state = new DeploymentState(plan.topologyName(),
          topologyFile.toAbsolutePath().normalize().toString(), emulateWan,
          Instant.now().toString(), agents, plan.warnings());
      state.write(stateDirectory);
      StateDirectories.markCurrent(stateDirectory);
      return state;
    } catch (IOException e) {
      stopAll(started);
      throw new DeploymentException("could not write the deployment to " + stateDirectory + ": "
          + e.getMessage(), e);
    } catch (DeploymentException e) {
      stopAll(started);
      throw e;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException shuttingDown) {
        // The JVM is already exiting; the hook runs and kills the agents, as it should.
      }
    }
  }

  private static void refuseIfRunning(Path stateDirectory) throws DeploymentException {
    if (!Files.isRegularFile(stateDirectory.resolve(DeploymentState.FILE_NAME))) {
      return;
    }
    try {
      DeploymentState existing = DeploymentState.read(stateDirectory);
      List<String> alive = existing.agents().stream()
          .filter(a -> agentProcess(a).isPresent())
          .map(a -> a.region() + " (pid " + a.pid() + ")").toList();
      if (!alive.isEmpty()) {
        throw new DeploymentException("a deployment is already running in " + stateDirectory
            + ": " + String.join(", ", alive) + "; run 'meridian teardown --state-dir "
            + stateDirectory + "' first");
      }
    } catch (IOException e) {
      throw new DeploymentException("cannot read the deployment already recorded in "
          + stateDirectory + ": " + e.getMessage(), e);
    }
  }

  private Started start(AgentPlan agent, Path stateDirectory) throws DeploymentException {
    Path configFile = stateDirectory.resolve("config").resolve(agent.region() + ".json");
    Path dataDirectory = stateDirectory.resolve("data").resolve(agent.region());
    Path logFile = stateDirectory.resolve("logs").resolve(agent.region() + ".log");
    try {
      Files.createDirectories(configFile.getParent());
      Files.createDirectories(dataDirectory);
      Files.createDirectories(logFile.getParent());
      if (agent.consensus() == null) {
        CONFIG_JSON.writeValue(configFile.toFile(), agent.config());
      } else {
        com.fasterxml.jackson.databind.node.ObjectNode json = CONFIG_JSON.valueToTree(agent.config());
        json.set("consensus", CONFIG_JSON.valueToTree(agent.consensus()));
        CONFIG_JSON.writeValue(configFile.toFile(), json);
      }
      List<String> command = agentCommand(agent.region(), configFile, dataDirectory, logFile,
          Integer.toString(agent.grpcPort()), Integer.toString(agent.metricsPort()), firstAgent);
      firstAgent = false;
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()));
      long startedNanos = System.nanoTime();
      Process process = builder.start();
      // The agent reads nothing; closing its input lets it outlive this command cleanly.
      process.getOutputStream().close();
      return new Started(agent, process, logFile, dataDirectory, configFile, startedNanos);
    } catch (IOException e) {
      throw new DeploymentException("could not start the agent of region " + agent.region()
          + ": " + e.getMessage(), e);
    }
  }

  /** The command line of one agent; the same for its first start and every restart. */
  private List<String> agentCommand(String region, Path configFile, Path dataDirectory, Path logFile,
      String grpcPort, String metricsPort, boolean recordsArchive) {
    List<String> command = new ArrayList<>(List.of(javaCommand, AGENT_INITIAL_HEAP, AGENT_MAX_HEAP,
        "-XX:+UseSerialGC", AGENT_COMPILER));
    // Only the first agent of a deployment records a class-data archive, so a missing
    // archive is written once, by one process.
    command.addAll(startupCache.jvmOptions(recordsArchive));
    command.addAll(extraJavaOptions());
    // Should an agent's JVM ever crash, its report goes next to its log, not into the
    // directory deploy was run from.
    command.add("-XX:ErrorFile=" + logFile.toAbsolutePath().getParent().resolve(region + "-hs_err_pid%p.log"));
    command.addAll(List.of("-cp", classPath, AGENT_MAIN_CLASS,
        "--config", configFile.toAbsolutePath().toString(),
        "--data-dir", dataDirectory.toAbsolutePath().toString(),
        "--port", grpcPort,
        "--metrics-port", metricsPort,
        // A rehearsal is reached through 127.0.0.1 only; nothing needs to listen beyond it.
        "--bind-address", "127.0.0.1"));
    // Periodic anti-entropy (ADR 0014): the agents' default unless this JVM says otherwise.
    String repairInterval = System.getProperty(REPAIR_INTERVAL_PROPERTY);
    if (repairInterval != null && !repairInterval.isBlank()) {
      command.addAll(List.of("--repair-interval-millis", repairInterval.trim()));
    }
    // Consistency probes (ADR 0022): likewise.
    String probeInterval = System.getProperty(PROBE_INTERVAL_PROPERTY);
    if (probeInterval != null && !probeInterval.isBlank()) {
      command.addAll(List.of("--probe-interval-millis", probeInterval.trim()));
    }
    return command;
  }

  /**
   * Extra JVM options for every agent from {@value #AGENT_JAVA_OPTIONS_VARIABLE} (space-separated),
   * for profiling or tuning a rehearsal, e.g. {@code -XX:StartFlightRecording}.
   */
  static List<String> extraJavaOptions() {
    String options = System.getenv(AGENT_JAVA_OPTIONS_VARIABLE);
    return options == null || options.isBlank() ? List.of() : List.of(options.trim().split("\\s+"));
  }

  /** Regions that are primary of some dataset first, otherwise the plan's order. */
  static List<AgentPlan> startOrder(DeploymentPlan plan) {
    List<AgentPlan> primariesFirst = new ArrayList<>();
    for (AgentPlan agent : plan.agents()) {
      if (agent.config().datasets().stream().anyMatch(d -> d.primary().equals(agent.region()))) {
        primariesFirst.add(agent);
      }
    }
    plan.agents().stream().filter(agent -> !primariesFirst.contains(agent))
        .forEach(primariesFirst::add);
    return primariesFirst;
  }

  /**
   * Waits until every agent reports every replication link of every dataset connected, so that
   * "ready" means replicating, and fails naming the links that are not.
   */
  private void awaitLinksConnected(List<Started> started, Consumer<String> progress)
      throws DeploymentException {
    long deadline = System.nanoTime() + wait.toNanos();
    List<String> down = List.of();
    List<AgentClient> clients = started.stream()
        .map(s -> new AgentClient(s.plan().region(), s.plan().grpcAddress())).toList();
    try {
      while (System.nanoTime() < deadline) {
        down = new ArrayList<>();
        for (AgentClient client : clients) {
          try {
            for (DatasetStatus dataset : client.status(LINK_STATUS_DEADLINE).getDatasetsList()) {
              for (PeerLinkStatus link : dataset.getPeersList()) {
                if (!link.getConnected()) {
                  down.add(client.region() + " -> " + link.getPeerRegion() + " ("
                      + dataset.getDataset() + ")");
                }
              }
            }
          } catch (StatusRuntimeException e) {
            down.add(client.region() + " (no status: " + e.getStatus().getCode() + ")");
          }
        }
        if (down.isEmpty()) {
          progress.accept("  all replication links connected");
          return;
        }
        try {
          Thread.sleep(READY_POLL_INTERVAL.toMillis() * 4);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new DeploymentException("interrupted while waiting for replication links");
        }
      }
    } finally {
      clients.forEach(AgentClient::close);
    }
    StringBuilder logs = new StringBuilder();
    for (Started agent : started) {
      logs.append(System.lineSeparator()).append("the end of ").append(agent.logFile())
          .append(':').append(System.lineSeparator()).append(logTail(agent.logFile()));
    }
    throw new DeploymentException("the agents started, but these replication links did not "
        + "connect within " + wait.toSeconds() + " s (give a slow machine longer with --wait): "
        + String.join(", ", down)
        + logs);
  }

  private void awaitReady(List<Started> started, Consumer<String> progress)
      throws DeploymentException {
    long deadline = System.nanoTime() + wait.toNanos();
    Map<String, Started> waiting = new LinkedHashMap<>();
    started.forEach(s -> waiting.put(s.plan().region(), s));
    while (!waiting.isEmpty()) {
      for (Started agent : List.copyOf(waiting.values())) {
        if (logShowsReady(agent.logFile())) {
          waiting.remove(agent.plan().region());
          progress.accept(String.format(Locale.ROOT, "  %-16s ready      in %.1f s",
              agent.plan().region(), (System.nanoTime() - agent.startedNanos()) / 1e9));
        } else if (!agent.process().isAlive()) {
          throw new DeploymentException("the agent of region " + agent.plan().region()
              + " exited with status " + agent.process().exitValue() + " before it was ready; "
              + "the end of " + agent.logFile() + ":" + System.lineSeparator()
              + logTail(agent.logFile()));
        }
      }
      if (waiting.isEmpty()) {
        break;
      }
      if (System.nanoTime() > deadline) {
        Started first = waiting.values().iterator().next();
        throw new DeploymentException("the agent"
            + (waiting.size() > 1 ? "s of regions " : " of region ")
            + String.join(", ", waiting.keySet()) + " did not print READY within "
            + wait.toSeconds() + " s (give a slow machine longer with --wait); the end of "
            + first.logFile() + ":"
            + System.lineSeparator() + logTail(first.logFile()));
      }
      try {
        Thread.sleep(READY_POLL_INTERVAL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DeploymentException("interrupted while waiting for agents to be ready");
      }
    }
  }

  private static boolean logShowsReady(Path logFile) {
    try (Stream<String> lines = Files.lines(logFile, StandardCharsets.UTF_8)) {
      return lines.anyMatch(line -> line.startsWith("READY "));
    } catch (IOException | java.io.UncheckedIOException e) {
      return false;
    }
  }

  /** The last {@link #LOG_TAIL_LINES} lines of a log, indented, or a note that it is unreadable. */
  public static String logTail(Path logFile) {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
      return tail.isEmpty() ? "    (empty)"
          : String.join(System.lineSeparator(), tail.stream().map(l -> "    " + l).toList());
    } catch (IOException | java.io.UncheckedIOException e) {
      return "    (cannot read " + logFile + ": " + e.getMessage() + ")";
    }
  }

  private static AgentRecord record(Started started) {
    AgentPlan plan = started.plan();
    List<DatasetRecord> datasets = new ArrayList<>();
    for (DatasetConfig dataset : plan.config().datasets()) {
      datasets.add(new DatasetRecord(dataset.name(), dataset.mode().name().toLowerCase(Locale.ROOT),
          dataset.primary(), dataset.replicas()));
    }
    String processStartedAt = started.process().toHandle().info().startInstant()
        .map(Instant::toString).orElse(null);
    return new AgentRecord(plan.region(), started.process().pid(), processStartedAt,
        plan.grpcAddress(),
        plan.metricsAddress(), started.dataDirectory().toAbsolutePath().toString(),
        started.logFile().toAbsolutePath().toString(),
        started.configFile().toAbsolutePath().toString(), datasets);
  }

  private static void stopAll(List<Started> started) {
    List<ProcessHandle> handles = started.stream().map(s -> s.process().toHandle()).toList();
    stop(handles);
  }

  /**
   * The running process of a recorded agent: alive, and (where the system tells) started at the
   * recorded instant, so a pid reused by another program is never signalled. (The command line
   * is no good for this check: the system truncates long ones, such as a test's classpath.)
   */
  public static Optional<ProcessHandle> agentProcess(AgentRecord agent) {
    return ProcessHandle.of(agent.pid())
        .filter(ProcessHandle::isAlive)
        .filter(handle -> agent.processStartedAt() == null
            || handle.info().startInstant()
            .map(started -> started.toString().equals(agent.processStartedAt()))
            .orElse(true));
  }

  /** What happened to one agent at teardown. */
  public enum StopOutcome {
    /** It exited after SIGTERM. */
    STOPPED,
    /** It ignored SIGTERM for {@link #STOP_TIMEOUT} and was killed. */
    KILLED,
    /** It was not running. */
    NOT_RUNNING,
    /** It survived even SIGKILL for {@link #KILL_TIMEOUT}. */
    STILL_RUNNING
  }

  /**
   * Stops every agent of a deployment: SIGTERM to all, then SIGKILL to those still running
   * after {@link #STOP_TIMEOUT}.
   *
   * @return the outcome per region, in the deployment's order
   */
  public static Map<String, StopOutcome> teardown(DeploymentState state) {
    Map<String, Optional<ProcessHandle>> processes = new LinkedHashMap<>();
    state.agents().forEach(a -> processes.put(a.region(), agentProcess(a)));
    Map<String, StopOutcome> outcomes = new LinkedHashMap<>();
    List<ProcessHandle> running = processes.values().stream().flatMap(Optional::stream).toList();
    Map<ProcessHandle, StopOutcome> stopped = stop(running);
    processes.forEach((region, handle) -> outcomes.put(region,
        handle.map(stopped::get).orElse(StopOutcome.NOT_RUNNING)));
    return outcomes;
  }

  private static Map<ProcessHandle, StopOutcome> stop(List<ProcessHandle> handles) {
    Map<ProcessHandle, StopOutcome> outcomes = new LinkedHashMap<>();
    handles.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
    for (ProcessHandle handle : handles) {
      outcomes.put(handle, awaitExit(handle, deadline) ? StopOutcome.STOPPED : null);
    }
    long killDeadline = System.nanoTime() + KILL_TIMEOUT.toNanos();
    for (ProcessHandle handle : handles) {
      if (outcomes.get(handle) == null) {
        handle.destroyForcibly();
        outcomes.put(handle, awaitExit(handle, killDeadline) ? StopOutcome.KILLED
            : StopOutcome.STILL_RUNNING);
      }
    }
    return outcomes;
  }

  private static boolean awaitExit(ProcessHandle handle, long deadlineNanos) {
    try {
      handle.onExit().get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return !handle.isAlive();
    } catch (ExecutionException e) {
      return !handle.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !handle.isAlive();
    }
  }

  /**
   * Starts one recorded agent of a running deployment again, with the configuration, data,
   * ports and log file it had (the log is appended to), waits until it is ready and records its
   * new pid in {@code deployment.json}. For rehearsals: the studio's "restart region".
   *
   * @param stateDirectory the deployment's state directory
   * @param region the region whose agent to start
   * @return the agent's new record
   * @throws DeploymentException when the deployment or region is unknown, the agent still runs,
   *     or it does not become ready in time (its log tail is in the message)
   */
  public AgentRecord restart(Path stateDirectory, String region) throws DeploymentException {
    DeploymentState state;
    try {
      state = DeploymentState.read(stateDirectory);
    } catch (IOException e) {
      throw new DeploymentException("cannot read the deployment in " + stateDirectory + ": "
          + e.getMessage(), e);
    }
    AgentRecord agent = state.agent(region).orElseThrow(() -> new DeploymentException(
        "region " + region + " has no agent in " + stateDirectory));
    if (agentProcess(agent).isPresent()) {
      throw new DeploymentException("the agent of " + region + " is still running (pid "
          + agent.pid() + "); kill it first");
    }
    Path logFile = Path.of(agent.logFile());
    List<String> command = agentCommand(region, Path.of(agent.configFile()), Path.of(agent.dataDirectory()),
        logFile, port(agent.grpcAddress()), port(agent.metricsAddress()), false);
    Process process;
    long readyLinesBefore = readyLines(logFile);
    long startedNanos = System.nanoTime();
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new DeploymentException("could not start the agent of region " + region + ": "
          + e.getMessage(), e);
    }
    long deadline = startedNanos + wait.toNanos();
    while (readyLines(logFile) <= readyLinesBefore) {
      if (!process.isAlive()) {
        throw new DeploymentException("the agent of region " + region + " exited with status "
            + process.exitValue() + " before it was ready; the end of " + logFile + ":"
            + System.lineSeparator() + logTail(logFile));
      }
      if (System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new DeploymentException("the agent of region " + region + " did not print READY "
            + "within " + wait.toSeconds() + " s; the end of " + logFile + ":"
            + System.lineSeparator() + logTail(logFile));
      }
      try {
        Thread.sleep(READY_POLL_INTERVAL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
        throw new DeploymentException("interrupted while restarting " + region);
      }
    }
    String processStartedAt = process.toHandle().info().startInstant()
        .map(Instant::toString).orElse(null);
    AgentRecord restarted = new AgentRecord(agent.region(), process.pid(), processStartedAt,
        agent.grpcAddress(), agent.metricsAddress(), agent.dataDirectory(), agent.logFile(),
        agent.configFile(), agent.datasets());
    List<AgentRecord> agents = state.agents().stream()
        .map(a -> a.region().equals(region) ? restarted : a).toList();
    try {
      new DeploymentState(state.topologyName(), state.topologyPath(), state.emulateWan(),
          state.startedAt(), agents, state.warnings()).write(stateDirectory);
    } catch (IOException e) {
      throw new DeploymentException("the agent of " + region + " runs again (pid "
          + process.pid() + ") but " + stateDirectory + " could not be updated: "
          + e.getMessage(), e);
    }
    return restarted;
  }

  private static String port(String address) {
    return address.substring(address.lastIndexOf(':') + 1);
  }

  private static long readyLines(Path logFile) {
    try (Stream<String> lines = Files.lines(logFile, StandardCharsets.UTF_8)) {
      return lines.filter(line -> line.startsWith("READY ")).count();
    } catch (IOException | java.io.UncheckedIOException e) {
      return 0;
    }
  }

  /** Deletes a state directory's data, logs and configuration, and the deployment record. */
  public static void purge(Path stateDirectory) throws IOException {
    if (!Files.isDirectory(stateDirectory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(stateDirectory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}

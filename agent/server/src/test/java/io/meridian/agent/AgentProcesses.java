package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Real agent processes for the process tests: each region's agent runs {@link AgentMain} in its
 * own JVM with the configuration {@code <directory>/<region>.json}, its data in {@code
 * data-<region>} and its standard error appended to {@code <region>.log}; {@link #start} waits for
 * its READY line, {@link #kill} is {@code kill -9}. Channels to the agents are made on demand and
 * dropped with the agent. {@link #close} stops everything.
 */
final class AgentProcesses implements AutoCloseable {
  /** A JVM start on a loaded 2-core machine has taken over 30 s, and over 90 s at load 55. */
  private static final long READY_SECONDS = 180;
  /**
   * How long the tests wait, after the last agent printed READY, for the agents' streams to each
   * other to be open (the first write that needs them succeeds): at load 40 a quorum write needing
   * every replica still failed 30 s after the last READY.
   */
  static final java.time.Duration CONNECTED_TIMEOUT = java.time.Duration.ofSeconds(90);
  /** Starts of all agents on newly picked ports after one found its port taken (see startAll). */
  private static final int PORT_ATTEMPTS_MAX = 3;

  private final Path directory;
  private final Map<String, Integer> ports = new HashMap<>();
  private final Map<String, Process> processes = new HashMap<>();
  private final Map<String, ManagedChannel> channels = new HashMap<>();
  private final List<String> jvmOptions = new ArrayList<>();
  private final Map<String, List<String>> agentArguments = new HashMap<>();
  private ConfigWriter configWriter;

  AgentProcesses(Path directory) {
    this.directory = directory;
  }

  /** A port nobody listens on now. */
  static int freePort() throws IOException {
    return freePorts(1).get(0);
  }

  /**
   * {@code count} different ports nobody listens on now. All are held open until the last is
   * picked: ports picked one after the other, each closed before the next, can repeat, and two
   * agents given the same port cannot both start.
   */
  static List<Integer> freePorts(int count) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0);
        held.add(socket);
        ports.add(socket.getLocalPort());
      }
      return ports;
    } finally {
      for (ServerSocket socket : held) {
        socket.close();
      }
    }
  }

  /** The agents' gRPC ports by region; the tests fill it in before writing configurations. */
  Map<String, Integer> ports() {
    return ports;
  }

  // Consistency probes (ADR 0022) write a key every second, which would shift the sequences and the
  // quarantines these tests count exactly; a test that wants them clears this list.
  private final List<String> commonArguments = new ArrayList<>(List.of("--no-probes"));

  /** Agent arguments added to every region's start from now on (changeable between starts). */
  List<String> commonArguments() {
    return commonArguments;
  }

  /** JVM options given to agents started from now on (changeable between starts). */
  List<String> jvmOptions() {
    return jvmOptions;
  }

  /** Extra command-line arguments per region (e.g. {@code --clock-skew-millis}), for later starts. */
  Map<String, List<String>> agentArguments() {
    return agentArguments;
  }

  /** Picks the agents' ports and writes their configurations; may be called again for new ports. */
  @FunctionalInterface
  interface ConfigWriter {
    void write() throws IOException;
  }

  /**
   * Writes the configurations with {@code writer}, which picks the ports (into {@link #ports()})
   * and writes {@code <region>.json}; {@link #startAll} calls it again should an agent find its
   * port taken.
   */
  void writeConfigs(ConfigWriter writer) throws IOException {
    configWriter = writer;
    writer.write();
  }

  /**
   * Gives each region a free port and writes its configuration: every other region is a peer,
   * reached through {@code emulation.apply(region, peer)}, and the region holds {@code
   * datasets.apply(region)}. The start-up shared by the process tests of one replication mode.
   */
  void writeConfigs(List<String> regions, java.util.function.BiFunction<String, String, LinkEmulation> emulation,
      java.util.function.Function<String, List<DatasetConfig>> datasets) throws IOException {
    writeConfigs(() -> writeFullMeshConfigs(regions, emulation, datasets));
  }

  private void writeFullMeshConfigs(List<String> regions,
      java.util.function.BiFunction<String, String, LinkEmulation> emulation,
      java.util.function.Function<String, List<DatasetConfig>> datasets) throws IOException {
    List<Integer> picked = freePorts(regions.size());
    for (int i = 0; i < regions.size(); i++) {
      ports.put(regions.get(i), picked.get(i));
    }
    for (String region : regions) {
      List<PeerConfig> peers = new ArrayList<>();
      for (String peer : regions) {
        if (!peer.equals(region)) {
          peers.add(new PeerConfig(peer, "localhost:" + ports.get(peer), emulation.apply(region, peer)));
        }
      }
      new ObjectMapper().writeValue(directory.resolve(region + ".json").toFile(),
          new AgentMain.ConfigFile(region, peers, datasets.apply(region), null));
    }
  }

  /**
   * Starts the regions' agents one after the other, each waited for as {@link #start} does. Ports
   * are picked free and bound by the agents a moment later: should another process take one
   * meanwhile, the agent says so and exits, and then every agent started so far is stopped, its
   * data deleted (a failover group keeps its members' addresses there), new ports are picked
   * ({@link #writeConfigs(ConfigWriter)}) and all start again, at most {@link
   * #PORT_ATTEMPTS_MAX} times.
   */
  void startAll(List<String> regions) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        for (String region : regions) {
          start(region);
        }
        return;
      } catch (PortTaken taken) {
        if (configWriter == null || attempt == PORT_ATTEMPTS_MAX) {
          throw taken;
        }
        System.out.println(taken.getMessage() + "; starting every agent again on new ports");
        for (String region : regions) {
          Process process = processes.remove(region);
          if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
          }
          ManagedChannel channel = channels.remove(region);
          if (channel != null) {
            channel.shutdownNow();
          }
          deleteRecursively(directory.resolve("data-" + region));
        }
        configWriter.write();
      }
    }
  }

  /** An agent that exited at start because a port it was given was taken by then. */
  static final class PortTaken extends AssertionError {
    PortTaken(String message) {
      super(message);
    }
  }

  /**
   * Starts the region's agent and waits for its READY line on its port; {@link PortTaken} when the
   * agent exited because another process held one of its ports.
   */
  void start(String region) throws Exception {
    long logStart = Files.exists(logFile(region)) ? Files.size(logFile(region)) : 0;
    Process process = launch(region);
    BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String ready;
    try {
      ready = CompletableFuture.supplyAsync(() -> {
        try {
          return output.readLine();
        } catch (IOException e) {
          return "failed: " + e;
        }
      }).get(READY_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("agent " + region + " printed no READY line within " + READY_SECONDS
          + " s (alive: " + process.isAlive() + "); its log:\n" + logOf(region), e);
    }
    if (ready == null && process.waitFor(10, TimeUnit.SECONDS)) {
      String said = logOf(region).substring((int) Math.min(logStart, logOf(region).length()));
      if (said.contains("Address already in use") || said.contains("cannot be bound")) {
        throw new PortTaken("agent " + region + " exited at start: another process took a port it was given"
            + " (gRPC " + ports.get(region) + ") after it was picked; its log:\n" + said);
      }
    }
    assertThat(ready).as("first line from agent " + region + "; its log:\n" + logOf(region))
        .startsWith("READY " + ports.get(region) + " ");
  }

  private Path logFile(String region) {
    return directory.resolve(region + ".log");
  }

  /** Deletes a directory and everything in it, if it exists. */
  static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  /**
   * Starts the region's agent expecting it to refuse to start: waits for it to exit (it must not
   * print READY) and returns its exit status; what it said is in {@link #logOf}.
   */
  int startExpectingExit(String region) throws Exception {
    Process process = launch(region);
    boolean exited = process.waitFor(READY_SECONDS, TimeUnit.SECONDS);
    processes.remove(region);
    if (!exited) {
      process.destroyForcibly();
    }
    assertThat(exited).as("agent " + region + " still running after " + READY_SECONDS + " s; its log:\n"
        + logOf(region)).isTrue();
    assertThat(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .as("standard output of agent " + region).doesNotContain("READY");
    return process.exitValue();
  }

  private Process launch(String region) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        AgentMain.class.getName(),
        "--config", directory.resolve(region + ".json").toString(),
        "--data-dir", directory.resolve("data-" + region).toString(),
        "--port", String.valueOf(ports.get(region))));
    command.addAll(commonArguments);
    command.addAll(agentArguments.getOrDefault(region, List.of()));
    Process process = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(directory.resolve(region + ".log").toFile()))
        .start();
    processes.put(region, process);
    return process;
  }

  /** The running agent's process. */
  Process process(String region) {
    return processes.get(region);
  }

  /** The region's agent log so far. */
  String logOf(String region) {
    try {
      return Files.readString(directory.resolve(region + ".log"));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  /** {@code kill -9} of the region's agent; waits until it is gone. */
  void kill(String region) throws Exception {
    Process process = processes.remove(region);
    process.destroyForcibly();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("agent " + region + " gone after kill -9").isTrue();
    ManagedChannel channel = channels.remove(region);
    if (channel != null) {
      channel.shutdownNow();
    }
  }

  /** {@code kill -STOP} of the region's agent: it keeps its sockets but runs nothing until resumed. */
  void pause(String region) throws Exception {
    signal(region, "-STOP");
  }

  /** {@code kill -CONT} of a paused agent. */
  void resume(String region) throws Exception {
    signal(region, "-CONT");
  }

  private void signal(String region, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", signal, String.valueOf(processes.get(region).pid()))
        .redirectErrorStream(true).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0)
        .as("kill " + signal + " of agent " + region).isTrue();
  }

  /**
   * KV calls refused with {@code RESOURCE_EXHAUSTED} are retried, as a well-behaved client does:
   * it is the agents' pushback (an async primary whose replica is more than a second behind, ADR
   * 0041; a quorum coordinator's admission control, ADR 0028), which writes nothing and says
   * "slow down and retry". On a loaded machine a replica falls that far behind now and then, and a
   * test writing in a loop then saw its write refused (AgentProcessIT, load 31). Within each
   * call's deadline; no other status is retried.
   */
  private static final int KV_ATTEMPTS_MAX = 40;
  private static final Map<String, ?> KV_RETRIES_PUSHBACK = Map.of("methodConfig", List.of(Map.of(
      "name", List.of(Map.of("service", "meridian.v1.Kv")),
      "retryPolicy", Map.of(
          "maxAttempts", (double) KV_ATTEMPTS_MAX,
          "initialBackoff", "0.02s",
          "maxBackoff", "0.5s",
          "backoffMultiplier", 2.0,
          "retryableStatusCodes", List.of("RESOURCE_EXHAUSTED")))));

  /** A channel to the region's agent (KV calls retried on pushback, see {@link #KV_RETRIES_PUSHBACK}). */
  ManagedChannel channel(String region) {
    return channels.computeIfAbsent(region, r ->
        Grpc.newChannelBuilder("localhost:" + ports.get(r), InsecureChannelCredentials.create())
            .defaultServiceConfig(KV_RETRIES_PUSHBACK).enableRetry().maxRetryAttempts(KV_ATTEMPTS_MAX)
            .intercept(new UnaryDeadlines()).build());
  }

  /** The region's KV service, each call bounded at 10 s. */
  KvGrpc.KvBlockingStub kv(String region) {
    return KvGrpc.newBlockingStub(channel(region)).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** The region's control service, each call bounded at 10 s. */
  ControlGrpc.ControlBlockingStub control(String region) {
    return ControlGrpc.newBlockingStub(channel(region)).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** How {@code region} sees its link to {@code peer} for {@code dataset}, from its status. */
  io.meridian.agent.api.v1.PeerLinkStatus link(String region, String dataset, String peer) {
    for (io.meridian.agent.api.v1.DatasetStatus status : control(region)
        .status(io.meridian.agent.api.v1.StatusRequest.getDefaultInstance()).getDatasetsList()) {
      for (io.meridian.agent.api.v1.PeerLinkStatus link : status.getPeersList()) {
        if (status.getDataset().equals(dataset) && link.getPeerRegion().equals(peer)) {
          return link;
        }
      }
    }
    throw new AssertionError("no link " + region + "->" + peer + " for " + dataset);
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    // A stopped process ignores SIGKILL until continued on some systems' tools; continue first.
    for (Process process : processes.values()) {
      try {
        new ProcessBuilder("kill", "-CONT", String.valueOf(process.pid())).start().waitFor(5, TimeUnit.SECONDS);
      } catch (IOException | InterruptedException e) {
        // Best effort: destroyForcibly below still ends it.
      }
    }
    processes.values().forEach(Process::destroyForcibly);
    // Gone before the next test starts: a dying agent would still hold its ports and CPU.
    for (Process process : processes.values()) {
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}

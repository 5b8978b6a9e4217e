package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.KvGrpc;
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
  /** A JVM start on a loaded 2-core machine has taken over 30 s. */
  private static final long READY_SECONDS = 90;

  private final Path directory;
  private final Map<String, Integer> ports = new HashMap<>();
  private final Map<String, Process> processes = new HashMap<>();
  private final Map<String, ManagedChannel> channels = new HashMap<>();
  private final List<String> jvmOptions = new ArrayList<>();
  private final Map<String, List<String>> agentArguments = new HashMap<>();

  AgentProcesses(Path directory) {
    this.directory = directory;
  }

  /** A port nobody listens on now. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
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

  /** Starts the region's agent and waits for its READY line on its port. */
  void start(String region) throws Exception {
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
    assertThat(ready).as("first line from agent " + region + "; its log:\n" + logOf(region))
        .startsWith("READY " + ports.get(region) + " ");
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

  /** A channel to the region's agent. */
  ManagedChannel channel(String region) {
    return channels.computeIfAbsent(region, r ->
        Grpc.newChannelBuilder("localhost:" + ports.get(r), InsecureChannelCredentials.create()).build());
  }

  /** The region's KV service, each call bounded at 10 s. */
  KvGrpc.KvBlockingStub kv(String region) {
    return KvGrpc.newBlockingStub(channel(region)).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** The region's control service, each call bounded at 10 s. */
  ControlGrpc.ControlBlockingStub control(String region) {
    return ControlGrpc.newBlockingStub(channel(region)).withDeadlineAfter(10, TimeUnit.SECONDS);
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
  }
}

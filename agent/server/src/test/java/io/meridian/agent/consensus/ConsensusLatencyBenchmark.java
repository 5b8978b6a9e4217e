package io.meridian.agent.consensus;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.ConsensusConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import io.meridian.agent.runtime.AgentRuntime;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * What a consensus write costs above the network's round trip, and how much of that is the Raft
 * log's fsync (ADR 0043): three Ratis members in one JVM whose Raft messages are all delayed by the
 * same round trip (the emulation agents apply, {@link RaftLinks}), writes offered open-loop at the
 * leader's runtime at a fixed rate. {@code durable} is the agents' configuration; {@code
 * unsafe-flush} lets every member answer before its log is on disk ({@code
 * raft.server.log.unsafe-flush.enabled}), which no agent may do: it is here only to take the fsync
 * out of the path and show what it was worth. Prints write latency percentiles over the round trip
 * and, for scale, this disk's fsync latency measured in the same directory. Run with {@code java
 * -cp <test classes>:<meridian.jar> io.meridian.agent.consensus.ConsensusLatencyBenchmark
 * durable|unsafe-flush|direct [rate] [seconds] [round trip ms]}; {@code direct} submits
 * each write straight to the leader's Raft server instead of through the agent's Ratis client,
 * to measure that hop; figures in docs/benchmarks.md.
 */
public final class ConsensusLatencyBenchmark {
  private static final List<String> REGIONS = List.of("a", "b", "c");
  private static final String DATASET = "ledger";

  private ConsensusLatencyBenchmark() {}

  public static void main(String[] args) throws Exception {
    boolean unsafeFlush = args.length > 0 && args[0].equals("unsafe-flush");
    boolean direct = args.length > 0 && args[0].equals("direct");
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    long seconds = args.length > 2 ? Long.parseLong(args[2]) : 15;
    long roundTripMillis = args.length > 3 ? Long.parseLong(args[3]) : 12;
    Path directory = Files.createTempDirectory("meridian-consensus-bench");
    Map<String, String> addresses = new LinkedHashMap<>();
    for (String region : REGIONS) {
      try (ServerSocket socket = new ServerSocket(0)) {
        addresses.put(region, "127.0.0.1:" + socket.getLocalPort());
      }
    }
    List<ConsensusConfig.ConsensusGroup> groups = List.of(new ConsensusConfig.ConsensusGroup(DATASET, REGIONS, List.of()));
    Map<String, RatisHost> hosts = new LinkedHashMap<>();
    Map<String, AgentRuntime> runtimes = new LinkedHashMap<>();
    Map<String, ConsensusDataset> datasets = new LinkedHashMap<>();
    for (String region : REGIONS) {
      RaftLinks links = new RaftLinks();
      for (String peer : REGIONS) {
        if (!peer.equals(region)) {
          links.setDelayMillis(peer, roundTripMillis);
        }
      }
      ConsensusConfig own = new ConsensusConfig(Integer.parseInt(addresses.get(region).split(":")[1]), addresses,
          groups, 1_000);
      AgentRuntime runtime = new AgentRuntime(new AgentConfig(region, List.of(), List.of(), ReplicationBounds.DEFAULTS),
          new InMemoryReplicaStore(), System::currentTimeMillis);
      RatisHost host = RatisHost.start(region, own, directory.resolve(region), "127.0.0.1", links,
          properties -> RaftServerConfigKeys.Log.setUnsafeFlushEnabled(properties, unsafeFlush));
      hosts.put(region, host);
      runtimes.put(region, runtime);
      datasets.put(region, host.attach(DATASET, runtime, ConsensusMetrics.register(new PrometheusRegistry())));
    }
    // The election, outside the measurement: every member names the same leader.
    String leader = org.awaitility.Awaitility.await("one leader all members agree on")
        .atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(100))
        .until(() -> {
          List<String> views = datasets.values().stream().map(ConsensusDataset::leader).distinct().toList();
          return views.size() == 1 ? views.get(0) : "";
        }, name -> !name.isEmpty());
    AgentRuntime client = runtimes.get(leader);
    String leaderRegion = leader;
    for (int i = 0; i < 200; i++) { // Warm-up: classes loaded, JIT, log segments open.
      client.submit(DATASET, put(i)).get(30, TimeUnit.SECONDS);
    }

    Histogram latency = new Histogram(60_000_000_000L, 3);
    AtomicLong failed = new AtomicLong();
    AtomicLong done = new AtomicLong();
    ScheduledExecutorService offer = Executors.newSingleThreadScheduledExecutor();
    long writes = rate * seconds;
    AtomicLong sent = new AtomicLong();
    offer.scheduleAtFixedRate(() -> {
      if (sent.incrementAndGet() > writes) {
        return;
      }
      long start = System.nanoTime();
      CompletableFuture<Boolean> submitted = direct ? submitDirect(hosts.get(leaderRegion), leaderRegion,
          sent.get()) : client.submit(DATASET, put(sent.get())).thenApply(ClientResult.Committed.class::isInstance);
      submitted.whenComplete((result, error) -> {
        long end = System.nanoTime();
        synchronized (latency) {
          if (Boolean.TRUE.equals(result)) {
            latency.recordValue(end - start);
          } else {
            failed.incrementAndGet();
          }
        }
        done.incrementAndGet();
      });
    }, 0, 1_000_000_000L / rate, TimeUnit.NANOSECONDS);
    // The run ends when every write has its answer; the measurement is in the callbacks.
    org.awaitility.Awaitility.await("every write answered").atMost(java.time.Duration.ofSeconds(seconds + 60))
        .pollInterval(java.time.Duration.ofMillis(50)).until(() -> done.get() >= writes);
    offer.shutdownNow();
    Histogram fsync = fsyncLatency(directory.resolve("fsync-probe"), 200);
    synchronized (latency) {
      System.out.printf("%s, leader %s, round trip %d ms, %d writes/s for %d s: %d committed, %d failed%n",
          unsafeFlush ? "unsafe-flush (members answer before their log is on disk)"
              : direct ? "durable, submitted straight to the leader's Raft server (no Ratis client, no loopback gRPC)"
              : "durable",
          leader, roundTripMillis, rate, seconds, latency.getTotalCount(), failed.get());
      System.out.printf("write latency ms: p50 %.2f  p90 %.2f  p99 %.2f  (p50 over the round trip %+.2f)%n",
          latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(90) / 1e6,
          latency.getValueAtPercentile(99) / 1e6, latency.getValueAtPercentile(50) / 1e6 - roundTripMillis);
    }
    System.out.printf("this disk, 200 appends of 200 bytes each forced: fsync p50 %.2f  p90 %.2f  p99 %.2f ms%n",
        fsync.getValueAtPercentile(50) / 1e6, fsync.getValueAtPercentile(90) / 1e6,
        fsync.getValueAtPercentile(99) / 1e6);
    hosts.values().forEach(RatisHost::close);
    System.exit(0);
  }

  private static Histogram fsyncLatency(Path file, int count) throws Exception {
    Histogram histogram = new Histogram(60_000_000_000L, 3);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      ByteBuffer bytes = ByteBuffer.allocate(200);
      for (int i = 0; i < count; i++) {
        bytes.clear();
        channel.write(bytes);
        long start = System.nanoTime();
        channel.force(false);
        histogram.recordValue(System.nanoTime() - start);
      }
    }
    return histogram;
  }

  private static final ClientId DIRECT_CLIENT = ClientId.randomId();

  // The leader-local path last session tried and reverted (docs/benchmarks.md): the entry goes to
  // the Raft server in this process instead of through a Ratis client over loopback gRPC. Here
  // only to measure what that hop costs; ordering against the client path is not handled.
  private static CompletableFuture<Boolean> submitDirect(RatisHost host, String leader, long i) {
    RaftClientRequest request = RaftClientRequest.newBuilder()
        .setClientId(DIRECT_CLIENT)
        .setServerId(RaftPeerId.valueOf(leader))
        .setGroupId(RatisHost.groupId(DATASET))
        .setCallId(i)
        .setMessage(Message.valueOf(ByteString.copyFrom(
            ConsensusCodec.encodeBatch(leader, System.currentTimeMillis(), List.of(put(i))))))
        .setType(RaftClientRequest.writeRequestType())
        .build();
    try {
      return host.raftServer().submitClientRequestAsync(request).thenApply(reply -> reply.isSuccess());
    } catch (java.io.IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static ClientOperation put(long i) {
    return new ClientOperation.Put(Bytes.ofUtf8("key-" + (i % 100_000)), Bytes.ofUtf8("v".repeat(100)));
  }
}

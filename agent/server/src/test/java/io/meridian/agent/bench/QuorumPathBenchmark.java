package io.meridian.agent.bench;

import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.meridian.agent.Agent;
import io.meridian.agent.api.v1.BatchPutRequest;
import io.meridian.agent.api.v1.BatchPutResponse;
import io.meridian.agent.api.v1.KeyValue;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.api.v1.PutResult;
import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.QuorumPolicy;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.core.replication.PeerLinkStatus;
import io.meridian.agent.storage.rocksdb.RocksDbReplicaStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The whole quorum write path in one JVM, without the load generator's process: three agents over
 * TCP on localhost, a {@code quorum} dataset N=3 W=2 (LWW, as {@code samples/quorum-3.yaml} with
 * {@code conflictResolution: lww}), RocksDB stores, emulation off. A client offers batched 100-byte
 * puts open-loop at a fixed rate, one {@code BatchPut} stream per agent (every agent coordinates a
 * third), every millisecond, as {@code meridian load} does; after a warm-up it prints acknowledged
 * writes per second, the writes shed with {@code RESOURCE_EXHAUSTED}, client write latency
 * percentiles, and the process CPU time (agents and client together) per acknowledged write and
 * per offered write. Offer twice what the machine acknowledges to see admission control at work
 * (ADR 0028): shed writes answered quickly, admitted writes without timeouts. Run with {@code java
 * -XX:TieredStopAtLevel=1 -cp <test classes>:<meridian.jar> io.meridian.agent.bench.QuorumPathBenchmark
 * [rate] [seconds] [warm-up seconds] [lww|version-vector] [keys]}; commands and figures in docs/benchmarks.md ("Quorum write
 * path, session 7").
 */
public final class QuorumPathBenchmark {
  static final int VALUE_BYTES = 100;
  /** Distinct keys, as {@code meridian load}'s default. */
  static final int KEYS = 100_000;
  /** Most puts outstanding over all streams; more are not offered and counted as unsent. */
  static final int IN_FLIGHT_MAX = 20_000;

  private QuorumPathBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    long seconds = args.length > 1 ? Long.parseLong(args[1]) : 15;
    long warmupSeconds = args.length > 2 ? Long.parseLong(args[2]) : 5;
    // A fourth argument "version-vector" runs the dataset as samples/quorum-3.yaml ships it (ADR 0034):
    // every put joins the key's sibling set and ships the whole set to the replicas.
    io.meridian.agent.config.ConflictResolution rule = args.length > 3 && args[3].equals("version-vector")
        ? io.meridian.agent.config.ConflictResolution.VERSION_VECTOR : io.meridian.agent.config.ConflictResolution.LWW;
    // A fifth argument confines the puts to fewer keys, so that a run below the overload rate also
    // rewrites keys the replicas already hold (the case ADR 0057's cache serves) after the warm-up.
    int keys = args.length > 4 ? Integer.parseInt(args[4]) : KEYS;
    List<String> regions = List.of("ohio", "oregon", "virginia");
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < regions.size(); i++) {
      try (ServerSocket socket = new ServerSocket(0)) {
        ports.add(socket.getLocalPort());
      }
    }
    Path data = Files.createTempDirectory("meridian-quorum-bench");
    ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    List<Agent> agents = new ArrayList<>();
    List<RocksDbReplicaStore> stores = new ArrayList<>();
    for (int i = 0; i < regions.size(); i++) {
      List<PeerConfig> peers = new ArrayList<>();
      for (int j = 0; j < regions.size(); j++) {
        if (j != i) {
          peers.add(new PeerConfig(regions.get(j), "localhost:" + ports.get(j), LinkEmulation.NONE));
        }
      }
      AgentConfig config = new AgentConfig(regions.get(i), peers, List.of(new DatasetConfig("carts",
          io.meridian.agent.config.ReplicationMode.QUORUM, regions, regions.get(0), 0, FsyncPolicy.OPERATING_SYSTEM, 1,
          rule, List.of(), io.meridian.agent.config.FailoverPolicy.MANUAL, new QuorumPolicy(2, 2, 2_000, 100_000))),
          ReplicationBounds.DEFAULTS);
      RocksDbReplicaStore store = new RocksDbReplicaStore(data.resolve(regions.get(i)), List.of("carts"));
      stores.add(store);
      agents.add(Agent.start(config, store, Grpc.newServerBuilderForPort(ports.get(i), InsecureServerCredentials.create()),
          address -> Grpc.newChannelBuilder(address, InsecureChannelCredentials.create())
              .compressorRegistry(io.meridian.agent.transport.PeerCompression.registry()).build(),
          System::currentTimeMillis, scheduler, io.meridian.agent.AgentMain.TICK_INTERVAL_MILLIS_MAX,
          new PrometheusRegistry(), store::approximateSizeBytes));
    }
    // Measure only once every replica's streams to the others are open.
    await().atMost(java.time.Duration.ofSeconds(30)).until(() -> agents.stream().allMatch(agent ->
        agent.runtime().status().stream().allMatch(status -> !status.peers().isEmpty()
            && status.peers().stream().allMatch(PeerLinkStatus::connected))));

    Recorder latencyMicros = new Recorder(60_000_000L, 3);
    Recorder shedLatencyMicros = new Recorder(60_000_000L, 3);
    AtomicLong acknowledged = new AtomicLong();
    AtomicLong shed = new AtomicLong();
    AtomicLong other = new AtomicLong();
    AtomicLong inFlight = new AtomicLong();
    Map<String, Long> otherSamples = new ConcurrentHashMap<>();
    List<ManagedChannel> channels = new ArrayList<>();
    List<StreamObserver<BatchPutRequest>> streams = new ArrayList<>();
    List<Map<Long, long[]>> outstanding = new ArrayList<>();
    for (int i = 0; i < regions.size(); i++) {
      ManagedChannel channel = Grpc.newChannelBuilder("localhost:" + ports.get(i), InsecureChannelCredentials.create())
          .build();
      channels.add(channel);
      Map<Long, long[]> sent = new ConcurrentHashMap<>();
      outstanding.add(sent);
      streams.add(KvGrpc.newStub(channel).batchPut(new StreamObserver<>() {
        @Override
        public void onNext(BatchPutResponse response) {
          long now = System.nanoTime();
          long[] intended = sent.remove(response.getBatchId());
          for (int r = 0; r < response.getResultsCount(); r++) {
            PutResult result = response.getResults(r);
            long micros = Math.min(60_000_000L, (now - intended[r]) / 1_000);
            if (result.getCommitted() || result.hasVersion()) {
              latencyMicros.recordValue(micros);
              acknowledged.incrementAndGet();
            } else if (result.getErrorCode() == Status.Code.RESOURCE_EXHAUSTED.value()) {
              shedLatencyMicros.recordValue(micros);
              shed.incrementAndGet();
            } else {
              other.incrementAndGet();
              otherSamples.merge(Status.Code.values()[result.getErrorCode()] + ": " + result.getErrorMessage(), 1L,
                  Long::sum);
            }
          }
          inFlight.addAndGet(-response.getResultsCount());
        }

        @Override
        public void onError(Throwable error) {
          System.err.println("batch stream failed: " + error);
        }

        @Override
        public void onCompleted() {}
      }));
    }

    ByteString value = ByteString.copyFrom(new byte[VALUE_BYTES]);
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long start = System.nanoTime();
    long measureFrom = start + warmupSeconds * 1_000_000_000L;
    long end = measureFrom + seconds * 1_000_000_000L;
    boolean measuring = false;
    long cpuAtStart = 0;
    long acknowledgedAtStart = 0;
    long shedAtStart = 0;
    long otherAtStart = 0;
    long offered = 0;
    long offeredAtStart = 0;
    long unsent = 0;
    long key = 0;
    long batchId = 0;
    long tick = 0;
    while (true) {
      long now = System.nanoTime();
      if (now >= end) {
        break;
      }
      if (!measuring && now >= measureFrom) {
        measuring = true;
        cpuAtStart = os.getProcessCpuTime();
        acknowledgedAtStart = acknowledged.get();
        shedAtStart = shed.get();
        otherAtStart = other.get();
        offeredAtStart = offered;
        latencyMicros.reset();
        shedLatencyMicros.reset();
      }
      // Open loop: what is due by now, in batches per stream, every millisecond.
      long due = (now - start) * rate / 1_000_000_000L - offered - unsent;
      for (int s = 0; s < streams.size() && due > 0; s++) {
        int entries = (int) Math.min(due / (streams.size() - s) + (due % (streams.size() - s) > 0 ? 1 : 0), 10_000);
        if (inFlight.get() + entries > IN_FLIGHT_MAX) {
          unsent += entries;
          due -= entries;
          continue;
        }
        BatchPutRequest.Builder batch = BatchPutRequest.newBuilder().setDataset("carts").setBatchId(batchId)
            .setOmitVersions(true);
        long[] intended = new long[entries];
        for (int e = 0; e < entries; e++) {
          batch.addEntries(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("key-" + (key++ % keys)))
              .setValue(value));
          intended[e] = now;
        }
        outstanding.get(s).put(batchId++, intended);
        inFlight.addAndGet(entries);
        streams.get(s).onNext(batch.build());
        offered += entries;
        due -= entries;
      }
      tick++;
      long next = start + tick * 1_000_000L;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    }
    long cpuNanos = os.getProcessCpuTime() - cpuAtStart;
    long acked = acknowledged.get() - acknowledgedAtStart;
    long shedCount = shed.get() - shedAtStart;
    long otherCount = other.get() - otherAtStart;
    long offeredCount = offered - offeredAtStart;
    var latency = latencyMicros.getIntervalHistogram();
    var shedLatency = shedLatencyMicros.getIntervalHistogram();
    System.out.printf("quorum N=3 W=2 (%s), 3 agents in one JVM, localhost, %d-byte values, offered %d/s for %d s after"
        + " %d s warm-up, %d keys: %.0f acknowledged writes/s, %d shed (RESOURCE_EXHAUSTED), %d other failures, %d not offered"
        + " (client in-flight bound)%n", rule.policyName(), VALUE_BYTES, rate, seconds, warmupSeconds, keys,
        acked / (double) seconds, shedCount, otherCount, unsent);
    System.out.printf("client latency: acknowledged p50 %.1f ms, p99 %.1f ms, max %.1f ms; shed p50 %.1f ms, p99 %.1f"
        + " ms%n", latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3,
        latency.getMaxValue() / 1e3, shedLatency.getValueAtPercentile(50) / 1e3,
        shedLatency.getValueAtPercentile(99) / 1e3);
    System.out.printf("process CPU (agents + client): %.2f s over %d s = %.0f us per acknowledged write, %.0f us per"
        + " offered write%n", cpuNanos / 1e9, seconds, acked == 0 ? 0 : cpuNanos / 1e3 / acked,
        offeredCount == 0 ? 0 : cpuNanos / 1e3 / offeredCount);
    otherSamples.forEach((message, count) -> System.out.println("  " + count + " x " + message));
    try { // let answered writes finish before closing; after 10 s close anyway
      await().atMost(java.time.Duration.ofSeconds(10)).pollInterval(java.time.Duration.ofMillis(10))
          .until(() -> inFlight.get() == 0);
    } catch (ConditionTimeoutException e) {
      System.out.println("closing with " + inFlight.get() + " writes still in flight");
    }
    streams.forEach(StreamObserver::onCompleted);
    channels.forEach(ManagedChannel::shutdownNow);
    agents.forEach(Agent::close);
    // Frames already received may still step a runtime: close each store on its logical thread,
    // after which nothing reaches it.
    for (int i = 0; i < agents.size(); i++) {
      agents.get(i).runtime().stop(stores.get(i)::close, 5_000);
    }
    scheduler.shutdownNow();
    System.exit(0);
  }
}

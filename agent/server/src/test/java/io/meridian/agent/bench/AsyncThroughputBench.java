package io.meridian.agent.bench;

import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.meridian.agent.Agent;
import io.meridian.agent.api.v1.BatchPutRequest;
import io.meridian.agent.api.v1.BatchPutResponse;
import io.meridian.agent.api.v1.KeyValue;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.replication.DatasetStatus;
import io.meridian.agent.core.replication.PeerLinkStatus;
import io.meridian.agent.storage.rocksdb.RocksDbReplicaStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Three agents in one JVM over TCP on localhost, an async dataset, RocksDB stores, emulation off:
 * drives batched 100-byte puts into the primary for a while and prints acknowledged writes per
 * second and the replication lag sampled every 100 ms. Run with {@code java -cp <test classpath>
 * io.meridian.agent.bench.AsyncThroughputBench [seconds]}.
 */
public final class AsyncThroughputBench {
  static final int BATCH_ENTRIES = 200;
  static final int BATCHES_IN_FLIGHT_MAX = 16;
  static final int VALUE_BYTES = 100;

  private AsyncThroughputBench() {}

  public static void main(String[] args) throws Exception {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : 10;
    List<String> regions = List.of("a", "b", "c");
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < regions.size(); i++) {
      try (ServerSocket socket = new ServerSocket(0)) {
        ports.add(socket.getLocalPort());
      }
    }
    Path data = Files.createTempDirectory("meridian-bench");
    ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    List<Agent> agents = new ArrayList<>();
    List<RocksDbReplicaStore> stores = new ArrayList<>();
    for (int i = 0; i < regions.size(); i++) {
      String region = regions.get(i);
      List<PeerConfig> peers = new ArrayList<>();
      for (int j = 0; j < regions.size(); j++) {
        if (j != i) {
          peers.add(new PeerConfig(regions.get(j), "localhost:" + ports.get(j), LinkEmulation.NONE));
        }
      }
      AgentConfig config = new AgentConfig(region, peers, List.of(DatasetConfig.allReplicas("orders",
          ReplicationMode.ASYNC, regions, "a", FsyncPolicy.OPERATING_SYSTEM)), ReplicationBounds.DEFAULTS);
      RocksDbReplicaStore store = new RocksDbReplicaStore(data.resolve(region), List.of("orders"));
      stores.add(store);
      agents.add(Agent.start(config, store, Grpc.newServerBuilderForPort(ports.get(i), InsecureServerCredentials.create()),
          address -> Grpc.newChannelBuilder(address, InsecureChannelCredentials.create())
              .compressorRegistry(io.meridian.agent.transport.PeerCompression.registry()).build(),
          System::currentTimeMillis, scheduler, io.meridian.agent.AgentMain.TICK_INTERVAL_MILLIS_MAX, new PrometheusRegistry(), store::approximateSizeBytes));
    }
    // Measure only once every agent's replication streams to the others are open.
    await().atMost(Duration.ofSeconds(30)).until(() -> agents.stream().allMatch(agent ->
        agent.runtime().status().stream().allMatch(status -> !status.peers().isEmpty()
            && status.peers().stream().allMatch(PeerLinkStatus::connected))));

    ManagedChannel channel = Grpc.newChannelBuilder("localhost:" + ports.get(0), InsecureChannelCredentials.create()).build();
    Semaphore inFlight = new Semaphore(BATCHES_IN_FLIGHT_MAX);
    AtomicLong acknowledged = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    StreamObserver<BatchPutRequest> requests = KvGrpc.newStub(channel).batchPut(new StreamObserver<>() {
      @Override
      public void onNext(BatchPutResponse response) {
        response.getResultsList().forEach(result -> (result.hasVersion() ? acknowledged : failed).incrementAndGet());
        inFlight.release();
      }

      @Override
      public void onError(Throwable error) {
        System.err.println("batch stream failed: " + error);
      }

      @Override
      public void onCompleted() {}
    });
    Histogram lagMillis = new Histogram(60_000, 3);
    Histogram lagVersions = new Histogram(100_000_000, 3);
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    sampler.scheduleAtFixedRate(() -> {
      for (DatasetStatus status : agents.get(0).runtime().status()) {
        for (PeerLinkStatus link : status.peers()) {
          lagMillis.recordValue(Math.min(60_000, link.lagMillis()));
          lagVersions.recordValue(link.lagVersions());
        }
      }
    }, 100, 100, java.util.concurrent.TimeUnit.MILLISECONDS);

    ByteString value = ByteString.copyFrom(new byte[VALUE_BYTES]);
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    long key = 0;
    long batchId = 0;
    while (System.nanoTime() < end) {
      inFlight.acquire();
      BatchPutRequest.Builder batch = BatchPutRequest.newBuilder().setDataset("orders").setBatchId(batchId++);
      for (int i = 0; i < BATCH_ENTRIES; i++) {
        batch.addEntries(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("key-" + (key++ % 1_000_000))).setValue(value));
      }
      requests.onNext(batch.build());
    }
    inFlight.acquire(BATCHES_IN_FLIGHT_MAX);
    double elapsed = (System.nanoTime() - start) / 1e9;
    sampler.shutdownNow();
    long head = stores.get(0).lastSequence("orders");
    long catchUpStart = System.nanoTime();
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(10))
        .until(() -> stores.get(1).lastSequence("orders") >= head && stores.get(2).lastSequence("orders") >= head);
    System.out.printf("async, 3 agents, localhost, %d-byte values, batches of %d: %.0f acknowledged writes/s over %.1f s"
            + " (%d failed)%n", VALUE_BYTES, BATCH_ENTRIES, acknowledged.get() / elapsed, elapsed, failed.get());
    System.out.printf("replication lag sampled at the primary: p50 %d ms, p99 %d ms, max %d ms; versions p99 %d%n",
        lagMillis.getValueAtPercentile(50), lagMillis.getValueAtPercentile(99), lagMillis.getMaxValue(),
        lagVersions.getValueAtPercentile(99));
    System.out.printf("replicas caught up %d ms after load stopped%n", (System.nanoTime() - catchUpStart) / 1_000_000);
    requests.onCompleted();
    channel.shutdownNow();
    // Each store closes on its runtime's logical thread after the last step (closing it under a
    // step crashed this JVM inside RocksDB).
    for (int i = 0; i < agents.size(); i++) {
      agents.get(i).close(stores.get(i)::close);
    }
    scheduler.shutdownNow();
    System.exit(0);
  }
}

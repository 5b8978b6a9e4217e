package io.meridian.agent.bench;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.PeerMessage;
import io.meridian.agent.runtime.AgentRuntime;
import io.meridian.agent.runtime.PeerSender;
import io.meridian.agent.storage.rocksdb.RocksDbReplicaStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * What a replica's store sync costs a {@code sync} write, with the syncs inline on the logical
 * thread (before ADR 0043) or grouped on their own thread (after): a primary and two replicas as
 * runtimes in one JVM, each with its own RocksDB store syncing every commit, joined by links that
 * deliver each message on the receiver's own thread after a fixed one-way delay (no gRPC, so the
 * figures are the runtime's and the disk's). Writes are offered open-loop at a fixed rate; prints
 * the write latency percentiles over the round trip and the replicas' syncs per write. Run with
 * {@code java -cp <test classes>:<meridian.jar> io.meridian.agent.bench.SyncGroupCommitBenchmark
 * inline|group [rate] [seconds] [one-way ms]}; figures in docs/benchmarks.md (ADR 0043 section).
 */
public final class SyncGroupCommitBenchmark {
  private static final List<String> REGIONS = List.of("a", "b", "c");

  private SyncGroupCommitBenchmark() {}

  public static void main(String[] args) throws Exception {
    boolean group = args.length > 0 && args[0].equals("group");
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    long seconds = args.length > 2 ? Long.parseLong(args[2]) : 10;
    long oneWayMillis = args.length > 3 ? Long.parseLong(args[3]) : 5;
    long warmupSeconds = 2;
    Path data = Files.createTempDirectory("meridian-sync-bench");
    Map<String, AgentRuntime> runtimes = new ConcurrentHashMap<>();
    Map<String, ScheduledExecutorService> inbound = new ConcurrentHashMap<>();
    List<RocksDbReplicaStore> stores = new ArrayList<>();
    List<ExecutorService> syncThreads = new ArrayList<>();
    for (String region : REGIONS) {
      DatasetConfig dataset = DatasetConfig.allReplicas("d", ReplicationMode.SYNC, REGIONS, "a", FsyncPolicy.PER_COMMIT);
      List<PeerConfig> peers = REGIONS.stream().filter(peer -> !peer.equals(region))
          .map(peer -> new PeerConfig(peer, "localhost:1", LinkEmulation.NONE)).toList();
      RocksDbReplicaStore store = new RocksDbReplicaStore(data.resolve(region), List.of("d"));
      stores.add(store);
      AgentRuntime runtime = new AgentRuntime(new AgentConfig(region, peers, List.of(dataset), ReplicationBounds.DEFAULTS),
          store, System::currentTimeMillis);
      runtimes.put(region, runtime);
      inbound.put(region, Executors.newSingleThreadScheduledExecutor());
      if (group) {
        ExecutorService syncThread = Executors.newSingleThreadExecutor();
        syncThreads.add(syncThread);
        runtime.syncInBackground(syncThread);
      }
    }
    for (String region : REGIONS) {
      runtimes.get(region).attach(new PeerSender() {
        @Override
        public void send(String peer, PeerMessage message) {
          inbound.get(peer).schedule(() -> runtimes.get(peer).deliver(new Input.PeerMessageReceived(region, message)),
              oneWayMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void disconnect(String peer, String dataset, String reason) {
          throw new IllegalStateException(reason);
        }
      });
    }
    for (String region : REGIONS) {
      for (String peer : REGIONS) {
        if (!peer.equals(region)) {
          runtimes.get(region).deliver(new Input.PeerConnected(peer, "d"));
        }
      }
    }
    AgentRuntime primary = runtimes.get("a");
    if (!(primary.submit("d", put(0)).get(10, TimeUnit.SECONDS) instanceof ClientResult.Committed)) {
      throw new IllegalStateException("the first write did not commit");
    }

    Histogram latency = new Histogram(60_000_000_000L, 3);
    AtomicLong failed = new AtomicLong();
    ScheduledExecutorService client = Executors.newSingleThreadScheduledExecutor();
    long periodNanos = 1_000_000_000L / rate;
    long startNanos = System.nanoTime();
    long measureFromNanos = startNanos + warmupSeconds * 1_000_000_000L;
    long endNanos = measureFromNanos + seconds * 1_000_000_000L;
    AtomicLong sent = new AtomicLong();
    long[] syncsAtStart = new long[REGIONS.size()];
    AtomicLong acknowledged = new AtomicLong();
    AtomicLong answeredOutside = new AtomicLong();
    client.scheduleAtFixedRate(() -> {
      long now = System.nanoTime();
      long i = sent.incrementAndGet();
      primary.submit("d", put(i)).whenComplete((result, error) -> {
        long done = System.nanoTime();
        if (!(result instanceof ClientResult.Committed)) {
          failed.incrementAndGet();
        } else if (now >= measureFromNanos && now < endNanos) {
          synchronized (latency) {
            latency.recordValue(done - now);
          }
          acknowledged.incrementAndGet();
        } else {
          answeredOutside.incrementAndGet();
        }
      });
    }, 0, periodNanos, TimeUnit.NANOSECONDS);
    // The warm-up and the run are wall-clock lengths by design: the measurement starts and the
    // writer stops at those instants (scheduled, not slept).
    CompletableFuture.runAsync(() -> {
      for (int i = 0; i < REGIONS.size(); i++) {
        syncsAtStart[i] = runtimes.get(REGIONS.get(i)).groupCommitCounts()[0];
      }
    }, CompletableFuture.delayedExecutor(measureFromNanos - System.nanoTime(), TimeUnit.NANOSECONDS)).join();
    CompletableFuture.runAsync(client::shutdownNow,
        CompletableFuture.delayedExecutor(endNanos - System.nanoTime(), TimeUnit.NANOSECONDS)).join();
    // Then every write sent has its answer (or the run reports what is missing).
    org.awaitility.Awaitility.await("every write answered").atMost(java.time.Duration.ofSeconds(60))
        .until(() -> acknowledged.get() + failed.get() + answeredOutside.get() >= sent.get());
    synchronized (latency) {
      double rtt = 2 * oneWayMillis;
      System.out.printf("mode %s, rate %d/s, %d s, one-way %d ms (round trip %.0f ms): %d writes acknowledged,"
              + " %d failed%n", group ? "group" : "inline", rate, seconds, oneWayMillis, rtt,
          acknowledged.get(), failed.get());
      System.out.printf("write latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  (p50 over the round trip %+.2f)%n",
          latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(90) / 1e6,
          latency.getValueAtPercentile(99) / 1e6, latency.getMaxValue() / 1e6,
          latency.getValueAtPercentile(50) / 1e6 - rtt);
    }
    for (int i = 0; i < REGIONS.size(); i++) {
      long[] counts = runtimes.get(REGIONS.get(i)).groupCommitCounts();
      System.out.printf("%s %s: %d syncs for %d steps that asked for one (whole run); %d syncs while measured%n",
          i == 0 ? "primary" : "replica", REGIONS.get(i), counts[0], counts[1], counts[0] - syncsAtStart[i]);
    }
    for (AgentRuntime runtime : runtimes.values()) {
      runtime.stop(() -> {}, 10_000);
    }
    syncThreads.forEach(ExecutorService::shutdownNow);
    inbound.values().forEach(ExecutorService::shutdownNow);
    stores.forEach(RocksDbReplicaStore::close);
    System.exit(0);
  }

  private static ClientOperation put(long i) {
    return new ClientOperation.Put(Bytes.ofUtf8("key-" + (i % 100_000)), Bytes.ofUtf8("v".repeat(100)));
  }
}

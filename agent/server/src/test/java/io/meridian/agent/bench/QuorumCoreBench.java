package io.meridian.agent.bench;

import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.QuorumPolicy;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResponse;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.Output;
import io.meridian.agent.core.replication.ReplicationNode;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The quorum coordinator's write path in the core alone (no gRPC; RocksDB only if asked): three regions, one
 * N=3 W=2 dataset, every region coordinating a third of the 100-byte puts, each client batch
 * handed to its coordinator as one step (as {@code KvService} does for a {@code BatchPut}), the
 * replicas' frames carried at once. Prints acknowledged writes per second and CPU time per
 * acknowledged write of this thread, which covers all three regions' core work for each write
 * (the coordinator's hold, admission and bookkeeping, two remote holds, the acknowledgements).
 * Run with {@code java -cp <test classpath> io.meridian.agent.bench.QuorumCoreBench [writes] [rocksdb]}
 * (classpath as for {@code WritePathBenchmark}, docs/benchmarks.md).
 */
public final class QuorumCoreBench {
  static final int VALUE_BYTES = 100;
  static final int BATCH_WRITES = 256;
  static final int KEYS = 100_000;

  private QuorumCoreBench() {}

  public static void main(String[] args) throws java.io.IOException {
    int writes = args.length > 0 ? Integer.parseInt(args[0]) : 600_000;
    // "rocksdb" as the second argument keeps each region's state in its own RocksDB store, as
    // agents do: the store reads and decodes of every hold (ADR 0057) then count too.
    boolean rocksDb = args.length > 1 && args[1].equals("rocksdb");
    run(writes / 5, rocksDb); // warm-up
    run(writes, rocksDb);
  }

  private static void run(int writes, boolean rocksDb) throws java.io.IOException {
    List<String> regions = List.of("a", "b", "c");
    DatasetConfig dataset = DatasetConfig.quorum("carts", regions, QuorumPolicy.majorities(3),
        FsyncPolicy.OPERATING_SYSTEM);
    java.nio.file.Path data = rocksDb ? java.nio.file.Files.createTempDirectory("meridian-quorum-core-bench") : null;
    List<io.meridian.agent.storage.rocksdb.RocksDbReplicaStore> opened = new ArrayList<>();
    Map<String, ReplicationNode> nodes = !rocksDb ? CoreBenchNodes.of(regions, dataset)
        : CoreBenchNodes.of(regions, dataset, region -> {
          opened.add(new io.meridian.agent.storage.rocksdb.RocksDbReplicaStore(data.resolve(region), List.of("carts")));
          return opened.get(opened.size() - 1);
        });
    Deque<Object[]> network = new ArrayDeque<>();
    long now = 1;
    for (String a : regions) {
      for (String b : regions) {
        if (!a.equals(b)) {
          carry(a, nodes.get(a).step(now, new Input.PeerConnected(b, "carts@" + b)), network);
          carry(b, nodes.get(b).step(now, new Input.PeerConnected(a, "carts@" + b)), network);
        }
      }
    }
    long[] answers = new long[2]; // committed, other
    deliver(nodes, network, now, answers);
    answers[0] = 0;
    answers[1] = 0;
    SplittableRandom random = new SplittableRandom(1);
    byte[] value = new byte[VALUE_BYTES];
    random.nextBytes(value);
    Bytes sharedValue = Bytes.copyOf(value);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long cpuStart = threads.getCurrentThreadCpuTime();
    long started = System.nanoTime();
    long requestId = 1;
    for (int done = 0; done < writes; done += BATCH_WRITES * regions.size()) {
      // Time moves 1 ms a round: batches wait out the 2 ms batch delay as they do in an agent.
      now++;
      for (String region : regions) {
        List<Input> inputs = new ArrayList<>(BATCH_WRITES);
        for (int i = 0; i < BATCH_WRITES; i++) {
          inputs.add(new Input.ClientRequest(requestId++, "carts",
              new ClientOperation.Put(Bytes.ofUtf8("k" + random.nextInt(KEYS)), sharedValue)));
        }
        count(carry(region, nodes.get(region).stepAll(now, inputs), network), answers);
      }
      for (String region : regions) {
        count(carry(region, nodes.get(region).tick(now), network), answers);
      }
      deliver(nodes, network, now, answers);
    }
    for (int i = 0; i < 10; i++) {
      now += 2;
      for (String region : regions) {
        count(carry(region, nodes.get(region).tick(now), network), answers);
      }
      deliver(nodes, network, now, answers);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    double cpuMicros = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e3;
    System.out.printf(java.util.Locale.ROOT, "quorum core, N=3 W=2, %s, %d puts in batches of %d at 3 coordinators:"
        + " %d acknowledged, %d failed, %.0f acknowledged writes/s, %.1f µs CPU per acknowledged write%n",
        rocksDb ? "RocksDB" : "in memory", writes, BATCH_WRITES, answers[0], answers[1], answers[0] / seconds,
        cpuMicros / Math.max(1, answers[0]));
    for (io.meridian.agent.storage.rocksdb.RocksDbReplicaStore store : opened) {
      store.close();
    }
  }

  private static Output carry(String from, Output output, Deque<Object[]> network) {
    for (Output.Outbound outbound : output.messages()) {
      network.add(new Object[] {from, outbound});
    }
    return output;
  }

  private static void count(Output output, long[] answers) {
    for (ClientResponse response : output.responses()) {
      answers[response.result() instanceof ClientResult.Committed ? 0 : 1]++;
    }
  }

  private static void deliver(Map<String, ReplicationNode> nodes, Deque<Object[]> network, long now, long[] answers) {
    while (!network.isEmpty()) {
      Object[] next = network.poll();
      Output.Outbound outbound = (Output.Outbound) next[1];
      Output output = nodes.get(outbound.to()).step(now, new Input.PeerMessageReceived((String) next[0], outbound.message()));
      count(carry(outbound.to(), output, network), answers);
    }
  }
}

package io.meridian.agent.bench;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.Output;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.replication.ReplicationNode;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import io.meridian.agent.core.storage.ReplicaStore;
import io.meridian.agent.storage.rocksdb.RocksDbReplicaStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The multi-primary path of three regions' replication cores, without gRPC: one operation is a
 * round of {@link #WRITES_PER_ROUND} 100-byte puts spread over the three regions (10 % on
 * {@link #CONTENDED_KEYS} shared keys, the rest on keys private to the writing region, as
 * {@code meridian load --contended-share 0.1} sends them), each committed to its region's log and
 * then applied to the merged state at the two other regions (batches and acknowledgements handed
 * over in process), on the in-memory store or on RocksDB. Divide the time per operation by
 * {@link #WRITES_PER_ROUND} for the cost of one write in the whole system (one commit, two
 * applies). {@link #main} runs JMH briefly, then prints the CPU time per write of the calling
 * thread and checks the replicas ended byte-identical. Command in docs/benchmarks.md
 * ("Multi-primary throughput, session 5").
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MultiPrimaryPathBenchmark {
  /** Writes per operation, over all regions. */
  static final int WRITES_PER_ROUND = 510;
  /** Shared keys the contended writes pick from. */
  static final int CONTENDED_KEYS = 100;
  /** Share of writes on the shared keys. */
  static final double CONTENDED_SHARE = 0.1;
  /** Private keys per region. */
  static final int PRIVATE_KEYS = 100_000;
  static final List<String> REGIONS = List.of("a", "b", "c");

  /** {@code memory} or {@code rocksdb}. */
  @Param({"memory", "rocksdb"})
  public String store;

  /** {@code lww} or {@code version-vector}. */
  @Param({"lww", "version-vector"})
  public String rule;

  private final Map<String, ReplicationNode> nodes = new TreeMap<>();
  private final List<ReplicaStore> stores = new ArrayList<>();
  private final Deque<Object[]> network = new ArrayDeque<>();
  private Path directory;
  private SplittableRandom random;
  private Bytes value;
  private Bytes[] sharedKeys;
  private Bytes[][] privateKeys;
  private long now = 1;
  private long requestId;
  /** Conflict events seen, so far. */
  long conflicts;

  /** Starts three connected regions. */
  @Setup
  public void setUp() throws IOException {
    ConflictResolution resolution = ConflictResolution.fromPolicyName(rule);
    DatasetConfig dataset = DatasetConfig.multiPrimary("orders", REGIONS, resolution,
        FsyncPolicy.OPERATING_SYSTEM, List.of());
    directory = Files.createTempDirectory("meridian-mp-bench");
    for (String region : REGIONS) {
      List<PeerConfig> peers = new ArrayList<>();
      REGIONS.stream().filter(peer -> !peer.equals(region))
          .forEach(peer -> peers.add(new PeerConfig(peer, "localhost:0", LinkEmulation.NONE)));
      AgentConfig config = new AgentConfig(region, peers, List.of(dataset), ReplicationBounds.DEFAULTS);
      ReplicaStore replicaStore = store.equals("rocksdb")
          ? new RocksDbReplicaStore(directory.resolve(region), ReplicationNode.storeNames(config))
          : new InMemoryReplicaStore();
      stores.add(replicaStore);
      nodes.put(region, new ReplicationNode(config, replicaStore, now));
    }
    for (String a : REGIONS) {
      for (String b : REGIONS) {
        if (!a.equals(b)) {
          for (String origin : REGIONS) {
            carry(a, nodes.get(a).step(now, new Input.PeerConnected(b, "orders@" + origin)));
          }
        }
      }
    }
    deliver();
    random = new SplittableRandom(7);
    byte[] bytes = new byte[100];
    random.nextBytes(bytes);
    value = Bytes.copyOf(bytes);
    sharedKeys = new Bytes[CONTENDED_KEYS];
    for (int i = 0; i < CONTENDED_KEYS; i++) {
      sharedKeys[i] = Bytes.ofUtf8("load-shared-" + i);
    }
    privateKeys = new Bytes[REGIONS.size()][PRIVATE_KEYS];
    for (int r = 0; r < REGIONS.size(); r++) {
      for (int i = 0; i < PRIVATE_KEYS; i++) {
        privateKeys[r][i] = Bytes.ofUtf8("load-" + REGIONS.get(r) + "-" + i);
      }
    }
  }

  /** Closes the stores and deletes RocksDB's files. */
  @TearDown
  public void tearDown() throws IOException {
    for (ReplicaStore replicaStore : stores) {
      if (replicaStore instanceof RocksDbReplicaStore) {
        ((RocksDbReplicaStore) replicaStore).close();
      }
    }
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  /** One round: every region commits its share of writes, then everything is delivered. */
  @Benchmark
  public long round() {
    now++;
    for (int r = 0; r < REGIONS.size(); r++) {
      List<Input> inputs = new ArrayList<>(WRITES_PER_ROUND / REGIONS.size());
      for (int i = 0; i < WRITES_PER_ROUND / REGIONS.size(); i++) {
        Bytes key = random.nextDouble() < CONTENDED_SHARE ? sharedKeys[random.nextInt(CONTENDED_KEYS)]
            : privateKeys[r][random.nextInt(PRIVATE_KEYS)];
        inputs.add(new Input.ClientRequest(requestId++, "orders", new ClientOperation.Put(key, value)));
      }
      carry(REGIONS.get(r), nodes.get(REGIONS.get(r)).stepAll(now, inputs));
    }
    for (String region : REGIONS) {
      carry(region, nodes.get(region).tick(now));
    }
    deliver();
    return conflicts;
  }

  private void carry(String from, Output output) {
    for (Output.Outbound outbound : output.messages()) {
      network.add(new Object[] {from, outbound});
    }
  }

  private void deliver() {
    while (!network.isEmpty()) {
      Object[] next = network.poll();
      Output.Outbound outbound = (Output.Outbound) next[1];
      Output output = nodes.get(outbound.to()).step(now,
          new Input.PeerMessageReceived((String) next[0], outbound.message()));
      carry(outbound.to(), output);
      for (ReplicationEvent event : output.events()) {
        conflicts += event instanceof ReplicationEvent.Conflict ? 1 : 0;
      }
    }
  }

  /** Whether every region's canonical merged state is the same. */
  boolean identical() {
    for (int i = 0; i < 20; i++) {
      now += 60;
      for (String region : REGIONS) {
        carry(region, nodes.get(region).tick(now));
      }
      deliver();
    }
    Map<Bytes, byte[]> reference = nodes.get("a").canonicalState("orders");
    for (String region : REGIONS) {
      Map<Bytes, byte[]> state = nodes.get(region).canonicalState("orders");
      if (!state.keySet().equals(reference.keySet()) || !state.entrySet().stream()
          .allMatch(e -> Arrays.equals(e.getValue(), reference.get(e.getKey())))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Runs JMH briefly, then the CPU time per write of the calling thread for each store and rule;
   * {@code --cpu-only} skips JMH; {@code --only rocksdb:lww} (store:rule) measures one case, {@code
   * --rounds N} sets the warm-up and measured rounds (400 each by default).
   */
  public static void main(String[] args) throws Exception {
    if (!List.of(args).contains("--cpu-only")) {
      new Runner(new OptionsBuilder().include(MultiPrimaryPathBenchmark.class.getName()).forks(1)
          .jvmArgs("-Xmx1g", "-XX:TieredStopAtLevel=1").warmupIterations(3)
          .warmupTime(TimeValue.seconds(1)).measurementIterations(5)
          .measurementTime(TimeValue.seconds(1)).build()).run();
    }
    System.out.println();
    System.out.println("CPU time per write (commit at one region, apply at two; calling thread, this JVM's "
        + "compiler settings):");
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    List<String> arguments = List.of(args);
    String only = arguments.contains("--only") ? arguments.get(arguments.indexOf("--only") + 1) : null;
    int rounds = arguments.contains("--rounds") ? Integer.parseInt(arguments.get(arguments.indexOf("--rounds") + 1)) : 400;
    for (String storeKind : List.of("memory", "rocksdb")) {
      for (String ruleName : List.of("lww", "version-vector")) {
        if (only != null && !only.equals(storeKind + ":" + ruleName)) {
          continue;
        }
        MultiPrimaryPathBenchmark bench = new MultiPrimaryPathBenchmark();
        bench.store = storeKind;
        bench.rule = ruleName;
        bench.setUp();
        for (int i = 0; i < rounds; i++) {
          bench.round();
        }
        long start = threads.getCurrentThreadCpuTime();
        long conflictsBefore = bench.conflicts;
        for (int i = 0; i < rounds; i++) {
          bench.round();
        }
        double nanos = (double) (threads.getCurrentThreadCpuTime() - start) / (rounds * WRITES_PER_ROUND);
        long conflicts = bench.conflicts - conflictsBefore;
        boolean identical = bench.identical();
        bench.tearDown();
        System.out.printf(java.util.Locale.ROOT, "  %-8s %-15s %8.2f us per write, %d conflict events in %d "
            + "writes, replicas byte-identical: %s%n", storeKind, ruleName, nanos / 1000, conflicts,
            rounds * WRITES_PER_ROUND, identical);
      }
    }
  }
}

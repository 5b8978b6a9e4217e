package io.meridian.agent.bench;

import io.meridian.agent.api.v1.PeerFrame;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.antientropy.MerkleTree;
import io.meridian.agent.core.clock.HlcTimestamp;
import io.meridian.agent.core.replication.PeerMessage;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.ChangeKind;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.storage.Version;
import io.meridian.agent.wire.ChangeEncodingCache;
import io.meridian.agent.wire.WireMapping;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The per-write work of the async write path that the whole-system profiles ranked highest,
 * each on its own: keeping the anti-entropy tree up to date for one write (to a key the tree
 * holds, as in a long run, and to a new key), and encoding and decoding a 64-change replication
 * batch of 100-byte values (done once per replica and batch by the primary, once per batch by a
 * replica). {@link #main} runs JMH briefly, then prints the CPU time per operation of the calling
 * thread, which stays meaningful on a machine shared with other work. Command in
 * docs/benchmarks.md ("Write throughput, session 4"; later figures in "Write throughput, session 7" and "session 8").
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class WritePathBenchmark {
  /** Keys the tree holds before measuring, as the load generator's default key space. */
  static final int KEYS = 100_000;
  /** Changes in one replication batch. */
  static final int BATCH_CHANGES = 64;
  /** Tree depth for {@link #KEYS} keys (about one key per leaf, as ADR 0014 advises). */
  static final int DEPTH = 17;

  private MerkleTree tree;
  private Bytes[] keys;
  private Bytes value;
  private long sequence = 1;
  private long newKeys;
  private int next;
  private PeerMessage.ChangeBatch batch;
  private byte[] encodedBatch;

  /** Fills the tree and prepares a batch. */
  @Setup
  public void setUp() throws Exception {
    SplittableRandom random = new SplittableRandom(42);
    byte[] valueBytes = new byte[100];
    random.nextBytes(valueBytes);
    value = Bytes.copyOf(valueBytes);
    keys = new Bytes[KEYS];
    tree = new MerkleTree(DEPTH);
    for (int i = 0; i < KEYS; i++) {
      keys[i] = Bytes.ofUtf8("load-" + i);
      tree.update(keys[i], Optional.of(StoredValue.of(change(keys[i]))));
    }
    List<Change> changes = new ArrayList<>();
    long first = sequence;
    for (int i = 0; i < BATCH_CHANGES; i++) {
      changes.add(change(keys[random.nextInt(KEYS)]));
    }
    batch = new PeerMessage.ChangeBatch("orders", 1, first, sequence - 1, changes, sequence - 1, 1_700_000_000_000L);
    encodedBatch = WireMapping.toFrame("us-east", batch).toByteArray();
  }

  private Change change(Bytes key) {
    long s = sequence++;
    return new Change(ChangeKind.PUT, key, value,
        new Version(new HlcTimestamp(1_700_000_000_000L + s / 1000, (int) (s % 1000)), "us-east", s, "us-east", 1));
  }

  /** One write to a key the tree already holds. */
  @Benchmark
  public long merkleUpdateExistingKey() {
    Bytes key = keys[next];
    next = (next + 7919) % KEYS;
    tree.update(Bytes.copyOf(key.toByteArray()), Optional.of(StoredValue.of(change(key))));
    // No root per write: the agent reads the tree only when a repair compares it (ADR 0026).
    return tree.size();
  }

  /** One write to a key the tree does not hold yet. */
  @Benchmark
  public long merkleUpdateNewKey() {
    Bytes key = Bytes.ofUtf8("new-" + newKeys++);
    tree.update(key, Optional.of(StoredValue.of(change(key))));
    return tree.size();
  }

  /**
   * A replication batch's writes to held keys followed by a read of the root, as if a repair
   * compared the tree after every batch: the worst case for the lazily recomputed inner nodes.
   */
  @Benchmark
  public long merkleBatchThenRoot() {
    for (int i = 0; i < BATCH_CHANGES; i++) {
      Bytes key = keys[next];
      next = (next + 7919) % KEYS;
      tree.update(Bytes.copyOf(key.toByteArray()), Optional.of(StoredValue.of(change(key))));
    }
    return tree.root();
  }

  /** A batch as the primary sends it to one replica: core form to protobuf bytes. */
  @Benchmark
  public int encodeBatch() {
    return WireMapping.toFrame("us-east", batch).toByteArray().length;
  }

  /** A batch as a replica receives it: protobuf bytes to core form. */
  @Benchmark
  public int decodeBatch() throws Exception {
    return ((PeerMessage.ChangeBatch) WireMapping.fromFrame("orders", PeerFrame.parseFrom(encodedBatch)))
        .changes().size();
  }

  /**
   * A primary's encoding of one batch as before ADR 0037: each change built into protobuf for the
   * RocksDB log, and again (once, shared by both replicas) for the wire.
   */
  @Benchmark
  public long primaryEncodesForLogAndWireSeparately() {
    ChangeEncodingCache wire = new ChangeEncodingCache();
    long bytes = 0;
    for (Change change : batch.changes()) {
      bytes += WireMapping.toProto(change).toByteArray().length;
    }
    for (int replica = 0; replica < 2; replica++) {
      bytes += WireMapping.toFrame("us-east", batch, wire::encode).getSerializedSize();
    }
    return bytes;
  }

  /** The same with the encoding shared by the log and the wire (ADR 0037). */
  @Benchmark
  public long primaryEncodesOnceForLogAndWire() {
    ChangeEncodingCache shared = new ChangeEncodingCache();
    long bytes = 0;
    for (Change change : batch.changes()) {
      bytes += shared.encode(change).toByteArray().length;
    }
    for (int replica = 0; replica < 2; replica++) {
      bytes += WireMapping.toFrame("us-east", batch, shared::encode).getSerializedSize();
    }
    return bytes;
  }

  /**
   * A replica's handling of one received batch before ADR 0041: decoded from the wire, then each
   * change built into protobuf again for the RocksDB log and state entries.
   */
  @Benchmark
  public long replicaDecodesThenEncodesForLog() throws Exception {
    ChangeEncodingCache store = new ChangeEncodingCache();
    PeerMessage.ChangeBatch received = (PeerMessage.ChangeBatch)
        WireMapping.fromFrame("orders", PeerFrame.parseFrom(encodedBatch));
    long bytes = 0;
    for (Change change : received.changes()) {
      bytes += store.encode(change).toByteArray().length;
    }
    return bytes;
  }

  /** The same, the log storing the encoding each change arrived in (ADR 0041). */
  @Benchmark
  public long replicaStoresReceivedEncoding() throws Exception {
    ChangeEncodingCache shared = new ChangeEncodingCache();
    PeerMessage.ChangeBatch received = (PeerMessage.ChangeBatch)
        WireMapping.fromFrame("orders", PeerFrame.parseFrom(encodedBatch), shared);
    long bytes = 0;
    for (Change change : received.changes()) {
      bytes += shared.encode(change).toByteArray().length;
    }
    return bytes;
  }

  /** Runs JMH briefly, then CPU time per operation; {@code --cpu-only} skips JMH. */
  public static void main(String[] args) throws Exception {
    if (!List.of(args).contains("--cpu-only")) {
      new Runner(new OptionsBuilder().include(WritePathBenchmark.class.getName()).forks(1)
          .jvmArgs("-Xmx1g", "-XX:TieredStopAtLevel=1").warmupIterations(3)
          .warmupTime(TimeValue.seconds(1)).measurementIterations(5)
          .measurementTime(TimeValue.seconds(1)).build()).run();
    }
    WritePathBenchmark bench = new WritePathBenchmark();
    bench.setUp();
    System.out.println();
    System.out.println("CPU time per operation (calling thread, this JVM's compiler settings):");
    cpu("merkleUpdateExistingKey", 200_000, bench::merkleUpdateExistingKey);
    cpu("merkleUpdateNewKey", 200_000, bench::merkleUpdateNewKey);
    cpu("merkleBatchThenRoot (64)", 5_000, bench::merkleBatchThenRoot);
    cpu("encodeBatch (64 changes)", 20_000, bench::encodeBatch);
    cpu("log+wire, separately (64)", 20_000, bench::primaryEncodesForLogAndWireSeparately);
    cpu("log+wire, shared (64)", 20_000, bench::primaryEncodesOnceForLogAndWire);
    cpu("replica decode+encode (64)", 20_000, unchecked(bench::replicaDecodesThenEncodesForLog));
    cpu("replica keeps received (64)", 20_000, unchecked(bench::replicaStoresReceivedEncoding));
    cpu("decodeBatch (64 changes)", 20_000, () -> {
      try {
        return bench.decodeBatch();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private interface Measured {
    Object call() throws Exception;
  }

  private static Supplier<Object> unchecked(Measured operation) {
    return () -> {
      try {
        return operation.call();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
  }

  private static void cpu(String name, int calls, Supplier<?> operation) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Object sink = null;
    for (int i = 0; i < calls; i++) {
      sink = operation.get();
    }
    long start = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < calls; i++) {
      sink = operation.get();
    }
    double nanos = (double) (threads.getCurrentThreadCpuTime() - start) / calls;
    System.out.printf(java.util.Locale.ROOT, "  %-28s %10.0f ns (%s)%n", name, nanos, sink == null ? "-" : "ok");
  }
}

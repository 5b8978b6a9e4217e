package io.meridian.agent.bench;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverPolicy;
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
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import io.meridian.agent.runtime.AgentRuntime;
import io.meridian.agent.runtime.PeerSender;
import io.meridian.agent.storage.rocksdb.RocksDbReplicaStore;
import io.meridian.agent.wire.WireMapping;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * What ADR 0055's fold saves at an async replica, in one process and on one thread: two replicas
 * on RocksDB apply the same stream of small batches (as a primary under load ships them, a few
 * changes per step), one stepping every batch as it comes, the other with the batches of a round
 * queued behind a busy logical thread and folded. Rounds alternate between the two, so both see the
 * same machine; the figure is the calling thread's CPU time per applied change, which stays
 * meaningful on a loaded machine. Each acknowledgement is encoded into its wire frame, as the
 * transport would; the gRPC send itself is not included. Command in docs/benchmarks.md ("Write
 * throughput, session 10").
 */
public final class ReplicaFoldBenchmark {
  private static final ReplicationBounds BATCH_PER_STEP = new ReplicationBounds(512, 1 << 20, 0, 8192, 200, 2_000,
      1_000, 5_000, 5_000, 10_000, 10_000, 65_536, 1024, 1 << 20);

  private ReplicaFoldBenchmark() {}

  private static AgentConfig config(String self, String peer) {
    DatasetConfig dataset = new DatasetConfig("d", ReplicationMode.ASYNC, List.of("a", "b"), "a", 0,
        FsyncPolicy.OPERATING_SYSTEM, 1, new FailoverPolicy(false, 3_000, 100));
    return new AgentConfig(self, List.of(new PeerConfig(peer, "localhost:1", LinkEmulation.NONE)), List.of(dataset),
        BATCH_PER_STEP);
  }

  /** Args: rounds (default 40), batches per round (default 250), changes per batch (default 4). */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    int batchesPerRound = args.length > 1 ? Integer.parseInt(args[1]) : 250;
    int changesPerBatch = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    List<PeerMessage.ChangeBatch> batches = primaryBatches(rounds * batchesPerRound, changesPerBatch);
    Path directory = Files.createTempDirectory("replica-fold-bench");
    AgentRuntime stepped = replica(directory.resolve("stepped"));
    AgentRuntime folded = replica(directory.resolve("folded"));
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long steppedNanos = 0;
    long foldedNanos = 0;
    int warmupRounds = rounds / 4;
    for (int round = 0; round < rounds; round++) {
      List<PeerMessage.ChangeBatch> slice = batches.subList(round * batchesPerRound, (round + 1) * batchesPerRound);
      long start = threads.getCurrentThreadCpuTime();
      for (PeerMessage.ChangeBatch batch : slice) {
        stepped.deliver(new Input.PeerMessageReceived("a", batch)); // Runs inline: nobody else drains.
      }
      long middle = threads.getCurrentThreadCpuTime();
      // Queued behind this task on the logical thread, then drained by this thread when it returns.
      folded.execute(() -> slice.forEach(batch -> folded.deliver(new Input.PeerMessageReceived("a", batch))));
      long end = threads.getCurrentThreadCpuTime();
      if (round >= warmupRounds) {
        steppedNanos += middle - start;
        foldedNanos += end - middle;
      }
    }
    long changes = (long) (rounds - warmupRounds) * batchesPerRound * changesPerBatch;
    System.out.printf("replica apply, %d-change batches, %d batches queued per round, %d measured rounds:%n",
        changesPerBatch, batchesPerRound, rounds - warmupRounds);
    System.out.printf("  stepped one by one: %.2f us CPU per change%n", steppedNanos / 1_000.0 / changes);
    System.out.printf("  folded (ADR 0055):  %.2f us CPU per change%n", foldedNanos / 1_000.0 / changes);
  }

  private static AgentRuntime replica(Path directory) throws Exception {
    RocksDbReplicaStore store = new RocksDbReplicaStore(directory, List.of("d"));
    AgentRuntime replica = new AgentRuntime(config("b", "a"), store, System::currentTimeMillis);
    replica.attach(new PeerSender() {
      @Override
      public void send(String peer, PeerMessage message) {
        WireMapping.toFrame("b", message).toByteArray();
      }

      @Override
      public void disconnect(String peer, String dataset, String reason) {
        throw new IllegalStateException("replica disconnected " + peer + ": " + reason);
      }
    });
    replica.deliver(new Input.PeerConnected("a", "d"));
    return replica;
  }

  // The batches a primary ships when its writes arrive changesPerBatch at a time: one per step.
  private static List<PeerMessage.ChangeBatch> primaryBatches(int count, int changesPerBatch) {
    AgentRuntime primary = new AgentRuntime(config("a", "b"), new InMemoryReplicaStore(), System::currentTimeMillis);
    List<PeerMessage.ChangeBatch> batches = new ArrayList<>();
    primary.attach(new PeerSender() {
      @Override
      public void send(String peer, PeerMessage message) {
        if (message instanceof PeerMessage.ChangeBatch batch) {
          batches.add(batch);
          // Acknowledged at once, so the in-flight window never holds the primary back.
          primary.deliver(new Input.PeerMessageReceived("b", new PeerMessage.Ack("d", 1, batch.lastSequence(), false)));
        }
      }

      @Override
      public void disconnect(String peer, String dataset, String reason) {}
    });
    primary.deliver(new Input.PeerConnected("b", "d"));
    primary.deliver(new Input.PeerMessageReceived("b", new PeerMessage.Hello("d", 1, 1)));
    SplittableRandom random = new SplittableRandom(42);
    byte[] value = new byte[100];
    Consumer<ClientResult> ignore = result -> {};
    while (batches.size() < count) {
      List<ClientOperation> operations = new ArrayList<>();
      List<Consumer<ClientResult>> callbacks = new ArrayList<>();
      for (int i = 0; i < changesPerBatch; i++) {
        random.nextBytes(value);
        operations.add(new ClientOperation.Put(Bytes.ofUtf8("load-" + random.nextInt(100_000)), Bytes.copyOf(value)));
        callbacks.add(ignore);
      }
      primary.submitAll("d", operations, callbacks);
    }
    return batches.subList(0, count);
  }
}

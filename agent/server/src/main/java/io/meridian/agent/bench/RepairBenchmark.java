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
import io.meridian.agent.core.antientropy.AntiEntropySettings;
import io.meridian.agent.core.clock.HlcTimestamp;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.Output;
import io.meridian.agent.core.replication.PeerMessage;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.replication.ReplicationNode;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.ChangeKind;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.storage.Version;
import io.meridian.agent.wire.WireMapping;
import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Anti-entropy benchmark (ADR 0014): a primary and a replica of one async dataset hold the same
 * {@code keys} keys of {@code valueBytes} bytes, except that a share of the replica's keys were
 * changed behind replication's back (a different value of the same size). One repair session runs
 * between the two real replication cores in this process, every message encoded as the gRPC
 * frame it would be; the figures are the session's wall time, the encoded bytes of its frames
 * both ways (plus gRPC's 5-byte message header each), and whether the replica ends identical.
 * No sockets: the link is free, so this is the protocol's cost, not a WAN's.
 */
public final class RepairBenchmark {
  private static final String DATASET = "bench";
  private static final int GRPC_MESSAGE_HEADER_BYTES = 5;

  /** What one run measured. */
  public record Result(int keys, int divergentKeys, long divergentBytes, int depth, long treeBuildMillis,
      long repairMillis, long bytesOnWire, long messages, long rangesCompared, long keysRepaired,
      boolean converged, java.util.Map<String, Long> bytesByKind) {
    /** Bytes on the wire per byte of divergent data. */
    public double amplification() {
      return divergentBytes == 0 ? 0 : (double) bytesOnWire / divergentBytes;
    }
  }

  // Bytes per message kind of the run in progress (the benchmark is single-threaded).
  private static java.util.Map<String, Long> bytesByKind = new java.util.TreeMap<>();

  private RepairBenchmark() {}

  /**
   * Runs once.
   *
   * @param keys keys per replica
   * @param divergentShare share of the replica's keys that differ, 0..1
   * @param valueBytes size of every value
   * @param depth Merkle tree depth
   * @param seed picks the divergent keys and the values
   */
  public static Result run(int keys, double divergentShare, int valueBytes, int depth, long seed, PrintWriter progress) {
    return run(keys, divergentShare, valueBytes, depth, seed, false, progress);
  }

  /**
   * Runs once, for an async dataset or, with {@code quorum}, a quorum pair (ADR 0035): there the
   * divergent keys are newer writes that reached only the second replica (hints dropped), so both
   * replicas must end with them, and the replicas compare equal when they hold the same versions
   * (each numbers its own log).
   */
  public static Result run(int keys, double divergentShare, int valueBytes, int depth, long seed, boolean quorum,
      PrintWriter progress) {
    if (keys < 1 || divergentShare < 0 || divergentShare > 1 || valueBytes < 1) {
      throw new IllegalArgumentException("need keys >= 1, 0 <= divergent share <= 1 and value bytes >= 1; got " + keys
          + ", " + divergentShare + ", " + valueBytes);
    }
    SplittableRandom random = new SplittableRandom(seed);
    DatasetConfig dataset = quorum
        ? DatasetConfig.quorum(DATASET, List.of("a", "b"), new io.meridian.agent.config.QuorumPolicy(1, 1, 2_000,
            100_000), FsyncPolicy.OPERATING_SYSTEM)
        : new DatasetConfig(DATASET, ReplicationMode.ASYNC, List.of("a", "b"), "a", 0,
            FsyncPolicy.OPERATING_SYSTEM, 1, FailoverPolicy.MANUAL);
    InMemoryReplicaStore primaryStore = new InMemoryReplicaStore();
    InMemoryReplicaStore replicaStore = new InMemoryReplicaStore();
    progress.printf("writing %,d keys of %d bytes to both replicas...%n", keys, valueBytes);
    progress.flush();
    int batch = 10_000;
    List<Change> changes = new ArrayList<>(batch);
    for (int i = 0; i < keys; i++) {
      byte[] value = new byte[valueBytes];
      random.nextBytes(value);
      changes.add(new Change(ChangeKind.PUT, key(i), Bytes.copyOf(value),
          new Version(new HlcTimestamp(1_000 + i, 0), "a", i + 1L, "a", 1)));
      if (changes.size() == batch || i == keys - 1) {
        primaryStore.append(DATASET, changes);
        replicaStore.append(DATASET, changes);
        changes = new ArrayList<>(batch);
      }
    }
    int divergent = (int) Math.round(keys * divergentShare);
    long divergentBytes = 0;
    // Distinct keys: a random permutation's prefix.
    int[] order = new int[keys];
    for (int i = 0; i < keys; i++) {
      order[i] = i;
    }
    for (int i = 0; i < divergent; i++) {
      int j = i + random.nextInt(keys - i);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
      Bytes key = key(order[i]);
      StoredValue current = replicaStore.get(DATASET, key).orElseThrow();
      byte[] value = new byte[valueBytes];
      random.nextBytes(value);
      Version version = quorum ? new Version(new HlcTimestamp(2_000_000 + i, 0), "b", current.version().sequence(),
          "b", 1) : current.version();
      replicaStore.repairKey(DATASET, key, Optional.of(new StoredValue(Bytes.copyOf(value), version, false)));
      divergentBytes += key.size() + valueBytes;
    }
    AntiEntropySettings settings = AntiEntropySettings.ON_DEMAND.withDepth(depth);
    long startNanos = System.nanoTime();
    ReplicationNode primary = new ReplicationNode(config("a", "b", dataset), primaryStore, 1, settings);
    ReplicationNode replica = new ReplicationNode(config("b", "a", dataset), replicaStore, 1, settings);
    long treeBuildMillis = (System.nanoTime() - startNanos) / 2_000_000; // per replica
    progress.printf("trees of depth %d built (%d ms per replica); %,d keys (%,d bytes) differ; repairing...%n",
        depth, treeBuildMillis, divergent, divergentBytes);
    progress.flush();

    Deque<Object[]> network = new ArrayDeque<>();
    if (quorum) {
      // Each side opens a stream to the other (ADR 0013); both ends hear of both.
      for (String stream : List.of(DATASET + "@b", DATASET + "@a")) {
        carry("a", primary.step(1, new Input.PeerConnected("b", stream)), network, null);
        carry("b", replica.step(1, new Input.PeerConnected("a", stream)), network, null);
      }
    } else {
      carry("a", primary.step(1, new Input.PeerConnected("b", DATASET)), network, null);
      carry("b", replica.step(1, new Input.PeerConnected("a", DATASET)), network, null);
    }
    pump(primary, replica, network, null);

    long[] traffic = new long[2];
    java.util.Map<String, Long> byKind = new java.util.TreeMap<>();
    bytesByKind = byKind;
    List<ReplicationEvent.RepairFinished> finished = new ArrayList<>();
    startNanos = System.nanoTime();
    Output started = primary.step(2, new Input.RepairRequested(DATASET, List.of("b")));
    carry("a", started, network, traffic);
    finished.addAll(finishedIn(started));
    finished.addAll(pump(primary, replica, network, traffic));
    long repairMillis = (System.nanoTime() - startNanos) / 1_000_000;
    ReplicationEvent.RepairFinished done = finished.stream().findFirst().orElseThrow(
        () -> new IllegalStateException("the repair session did not finish"));
    if (!done.error().isEmpty()) {
      throw new IllegalStateException("the repair failed: " + done.error());
    }
    boolean converged = quorum
        ? canonical(replicaStore.snapshot(DATASET)).equals(canonical(primaryStore.snapshot(DATASET)))
        : replicaStore.snapshot(DATASET).equals(primaryStore.snapshot(DATASET));
    return new Result(keys, divergent, divergentBytes, depth, treeBuildMillis, repairMillis, traffic[0], traffic[1],
        done.rangesCompared(), done.keysRepaired(), converged, java.util.Map.copyOf(byKind));
  }

  private static java.util.Map<Bytes, StoredValue> canonical(java.util.Map<Bytes, StoredValue> state) {
    java.util.Map<Bytes, StoredValue> result = new java.util.HashMap<>();
    state.forEach((key, value) -> result.put(key,
        io.meridian.agent.core.antientropy.MerkleTrackingStore.canonical(value)));
    return result;
  }

  private static Bytes key(int i) {
    return Bytes.ofUtf8(String.format("key-%08d", i));
  }

  private static AgentConfig config(String self, String peer, DatasetConfig dataset) {
    return new AgentConfig(self, List.of(new PeerConfig(peer, "localhost:0", LinkEmulation.NONE)), List.of(dataset),
        ReplicationBounds.DEFAULTS);
  }

  private static List<ReplicationEvent.RepairFinished> finishedIn(Output output) {
    return output.events().stream().filter(ReplicationEvent.RepairFinished.class::isInstance)
        .map(ReplicationEvent.RepairFinished.class::cast).toList();
  }

  // Counts anti-entropy frames as they would be encoded for gRPC; replication traffic is not counted.
  private static void carry(String from, Output output, Deque<Object[]> network, long[] traffic) {
    for (Output.Outbound outbound : output.messages()) {
      PeerMessage message = outbound.message();
      if (traffic != null && isRepair(message)) {
        long size = WireMapping.toFrame(from, message).getSerializedSize() + GRPC_MESSAGE_HEADER_BYTES;
        traffic[0] += size;
        bytesByKind.merge(message.getClass().getSimpleName(), size, Long::sum);
        traffic[1]++;
      }
      network.addLast(new Object[] {from, outbound.to(), message});
    }
  }

  private static boolean isRepair(PeerMessage message) {
    return message instanceof PeerMessage.TreeCompare || message instanceof PeerMessage.KeyDigests
        || message instanceof PeerMessage.EntriesWanted || message instanceof PeerMessage.RepairEntries
        || message instanceof PeerMessage.RepairDone;
  }

  private static List<ReplicationEvent.RepairFinished> pump(ReplicationNode a, ReplicationNode b,
      Deque<Object[]> network, long[] traffic) {
    List<ReplicationEvent.RepairFinished> finished = new ArrayList<>();
    for (int delivered = 0; !network.isEmpty(); delivered++) {
      if (delivered > 10_000_000) {
        throw new IllegalStateException("messages kept flowing");
      }
      Object[] envelope = network.pollFirst();
      String from = (String) envelope[0];
      String to = (String) envelope[1];
      ReplicationNode target = to.equals("a") ? a : b;
      Output output = target.step(3, new Input.PeerMessageReceived(from, (PeerMessage) envelope[2]));
      finished.addAll(finishedIn(output));
      carry(to, output, network, traffic);
    }
    return finished;
  }

  /** Prints one run's figures. */
  public static void print(Result result, PrintWriter out) {
    out.printf("keys per replica:       %,d%n", result.keys());
    out.printf("divergent keys:         %,d (%,d bytes of keys and values)%n", result.divergentKeys(),
        result.divergentBytes());
    out.printf("tree depth:             %d (%,d leaves)%n", result.depth(), 1 << result.depth());
    out.printf("tree build:             %,d ms per replica (on start, from the store)%n", result.treeBuildMillis());
    out.printf("repair session:         %,d ms%n", result.repairMillis());
    out.printf("bytes on the wire:      %,d in %,d frames (%.2fx the divergent bytes)%n", result.bytesOnWire(),
        result.messages(), result.amplification());
    out.printf("bytes by message kind:  %s%n", new java.util.TreeMap<>(result.bytesByKind()));
    out.printf("ranges compared:        %,d%n", result.rangesCompared());
    out.printf("keys repaired:          %,d%n", result.keysRepaired());
    out.printf("replicas identical:     %s%n", result.converged() ? "yes" : "NO");
    out.flush();
  }

  /** {@code RepairBenchmark [keys] [divergent share] [value bytes] [depth] [async|quorum]}. */
  public static void main(String[] args) {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    double share = args.length > 1 ? Double.parseDouble(args[1]) : 0.01;
    int valueBytes = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    int depth = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    PrintWriter out = new PrintWriter(System.out, true);
    boolean quorum = args.length > 4 && args[4].equalsIgnoreCase("quorum");
    out.printf("dataset mode:           %s%n", quorum ? "quorum (a pair, leaderless merge)" : "async (primary wins)");
    print(run(keys, share, valueBytes, depth, 1, quorum, out), out);
  }
}

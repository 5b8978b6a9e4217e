package io.meridian.agent.bench;

import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.Output;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.replication.ReplicationNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The multi-primary core alone (no gRPC, no RocksDB): three regions, one LWW dataset, 100-byte
 * puts spread over all regions with 10% of writes on a small contended key set, messages handed
 * over in batches of writes. Prints merged writes per second (each write committed once and
 * applied at the two other regions), conflicts, and whether the replicas ended byte-identical.
 * Run with {@code java -cp <test classpath> io.meridian.agent.bench.MultiPrimaryCoreBench [writes]}.
 */
public final class MultiPrimaryCoreBench {
  static final int VALUE_BYTES = 100;
  static final int WRITES_PER_ROUND = 512;
  static final int CONTENDED_KEYS = 100;
  static final double CONTENDED_SHARE = 0.1;

  private MultiPrimaryCoreBench() {}

  public static void main(String[] args) {
    int writes = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    List<String> regions = List.of("a", "b", "c");
    DatasetConfig dataset = DatasetConfig.multiPrimary("orders", regions, ConflictResolution.LWW,
        FsyncPolicy.OPERATING_SYSTEM, List.of());
    Map<String, ReplicationNode> nodes = CoreBenchNodes.of(regions, dataset);
    Deque<Object[]> network = new ArrayDeque<>();
    long now = 1;
    for (String a : regions) {
      for (String b : regions) {
        if (!a.equals(b)) {
          for (String origin : regions) {
            carry(a, nodes.get(a).step(now, new Input.PeerConnected(b, "orders@" + origin)), network);
          }
        }
      }
    }
    deliver(nodes, network, now);
    SplittableRandom random = new SplittableRandom(1);
    byte[] value = new byte[VALUE_BYTES];
    long conflicts = 0;
    long started = System.nanoTime();
    for (int done = 0; done < writes; done += WRITES_PER_ROUND) {
      now++;
      for (String region : regions) {
        List<Input> inputs = new ArrayList<>();
        for (int i = 0; i < WRITES_PER_ROUND / regions.size(); i++) {
          String key = random.nextDouble() < CONTENDED_SHARE ? "hot" + random.nextInt(CONTENDED_KEYS)
              : region + random.nextInt(1 << 20);
          random.nextBytes(value);
          inputs.add(new Input.ClientRequest(i, "orders", new ClientOperation.Put(Bytes.ofUtf8(key), Bytes.copyOf(value))));
        }
        carry(region, nodes.get(region).stepAll(now, inputs), network);
      }
      for (String region : regions) {
        carry(region, nodes.get(region).tick(now), network);
      }
      conflicts += deliver(nodes, network, now);
    }
    for (int i = 0; i < 100; i++) {
      now += 5;
      for (String region : regions) {
        carry(region, nodes.get(region).tick(now), network);
      }
      conflicts += deliver(nodes, network, now);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    Map<Bytes, byte[]> reference = nodes.get("a").canonicalState("orders");
    boolean identical = true;
    for (String region : regions) {
      Map<Bytes, byte[]> state = nodes.get(region).canonicalState("orders");
      identical &= state.keySet().equals(reference.keySet())
          && state.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), reference.get(e.getKey())));
    }
    System.out.printf("multi-primary core: %d writes over 3 regions (10%% on %d contended keys) in %.2f s ="
        + " %.0f writes/s committed and merged everywhere; %d conflict events; replicas byte-identical: %s%n",
        writes, CONTENDED_KEYS, seconds, writes / seconds, conflicts, identical);
  }

  private static void carry(String from, Output output, Deque<Object[]> network) {
    for (Output.Outbound outbound : output.messages()) {
      network.add(new Object[] {from, outbound});
    }
  }

  private static long deliver(Map<String, ReplicationNode> nodes, Deque<Object[]> network, long now) {
    long conflicts = 0;
    while (!network.isEmpty()) {
      Object[] next = network.poll();
      Output.Outbound outbound = (Output.Outbound) next[1];
      Output output = nodes.get(outbound.to()).step(now, new Input.PeerMessageReceived((String) next[0], outbound.message()));
      carry(outbound.to(), output, network);
      conflicts += output.events().stream().filter(e -> e instanceof ReplicationEvent.Conflict).count();
    }
    return conflicts;
  }
}

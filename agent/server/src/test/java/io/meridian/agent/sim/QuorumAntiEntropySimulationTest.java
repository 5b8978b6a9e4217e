package io.meridian.agent.sim;

import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.QuorumPolicy;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.clock.HlcTimestamp;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.ReplicationNode;
import io.meridian.agent.core.replication.RequestOptions;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.storage.Version;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Seeded simulation of Merkle anti-entropy on quorum datasets (ADR 0035): writes at any replica
 * count (W = one included) under arbitrary link cuts, crashes, lost messages, hint bounds small
 * enough to drop hints, and coordinators that lose their hints, with periodic and on-demand
 * repairs running throughout. It proves that once the cluster is healed, hints have settled and
 * nothing but anti-entropy runs, every replica holds exactly the same keys, values, tombstones and
 * versions (each replica numbers its own log, so only that position may differ), that the state is
 * the newest version any replica held (no acknowledged write lost), and that some seeds were
 * divergent before anti-entropy ran (so the check has teeth). Half the seeds bound each node's cache
 * of latest versions (ADR 0057) below the keys in use, so repairs meet keys both cached and not. A
 * failure prints {@code reproduce with -Dsim.seed=N}.
 */
class QuorumAntiEntropySimulationTest {
  private static final int STEPS = 300;
  private static final int KEYS = 12;
  // Long beside the hint settling below (2 x 200 ms), so that divergence is usually still there
  // when the quiet, anti-entropy-only phase starts; the run itself lasts about 6 intervals.
  private static final long INTERVAL_MILLIS = 3_000;

  @Test
  void replicasConvergeByAntiEntropyAloneAfterPartitionsAndDroppedHints() {
    String single = System.getProperty("sim.seed");
    long first = single != null ? Long.parseLong(single) : Long.getLong("sim.firstSeed", 1);
    int seeds = single != null ? 1 : Integer.getInteger("sim.quorumRepairSeeds", 60);
    int divergentBeforeRepair = 0;
    for (long seed = first; seed < first + seeds; seed++) {
      try {
        divergentBeforeRepair += run(seed) ? 1 : 0;
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("quorum anti-entropy simulation failed: reproduce with -Dsim.seed=" + seed + ": "
            + e.getMessage(), e);
      }
    }
    System.out.println("quorum anti-entropy simulation: " + divergentBeforeRepair + " of " + seeds
        + " seeds left replicas divergent after hints settled; anti-entropy converged every one");
    if (seeds >= 20 && divergentBeforeRepair < seeds / 4) {
      throw new AssertionError("only " + divergentBeforeRepair + " of seeds " + first + ".." + (first + seeds - 1)
          + " left the replicas divergent after hints settled; the simulation no longer exercises anti-entropy");
    }
  }

  /** A write's identity for last-writer-wins: hybrid clock timestamp, then the coordinating region. */
  private record Stamp(HlcTimestamp timestamp, String region) implements Comparable<Stamp> {
    static Stamp of(Version version) {
      return new Stamp(version.timestamp(), version.committedBy());
    }

    @Override
    public int compareTo(Stamp other) {
      int byTime = timestamp.compareTo(other.timestamp);
      return byTime != 0 ? byTime : region.compareTo(other.region);
    }
  }

  /** Runs one seed; returns whether the replicas differed once hints had settled. */
  private static boolean run(long seed) {
    Random random = new Random(seed);
    QuorumDivergence.Shape shape = QuorumDivergence.Shape.draw(random, INTERVAL_MILLIS);
    int n = shape.n();
    List<String> regions = shape.regions();
    QuorumPolicy policy = shape.policy();
    // Odd seeds bound each node's latest-version cache (ADR 0057) below the keys in use, so keys
    // leave it and are read again; even seeds keep every key cached.
    int cachedKeysMax = seed % 2 == 0 ? ReplicationNode.QUORUM_CACHED_KEYS_MAX : 1 + (int) (seed / 2 % (KEYS - 1));
    QuorumCluster cluster = new QuorumCluster(policy, regions, ConflictResolution.LWW, shape.settings(),
        cachedKeysMax);
    cluster.connectAll();
    RequestOptions.ReplicaCount[] counts = RequestOptions.ReplicaCount.values();
    Map<Long, String> writes = new HashMap<>();
    for (int step = 0; step < STEPS; step++) {
      int action = random.nextInt(100);
      List<String> up = regions.stream().filter(cluster::isUp).toList();
      String keyName = "k" + random.nextInt(KEYS);
      Bytes key = Bytes.ofUtf8(keyName);
      String a = regions.get(random.nextInt(n));
      String b = regions.get(random.nextInt(n));
      if (action < 30 && !up.isEmpty()) {
        RequestOptions.ReplicaCount count = counts[random.nextInt(counts.length)];
        ClientOperation operation = random.nextInt(6) == 0 ? new ClientOperation.Delete(key)
            : new ClientOperation.Put(key, Bytes.ofUtf8("s" + step));
        long id = cluster.request(up.get(random.nextInt(up.size())), count == RequestOptions.ReplicaCount.LOCAL_QUORUM
            ? operation : new ClientOperation.Tuned(operation, new RequestOptions(count,
                RequestOptions.ReadLevel.DEFAULT)));
        writes.put(id, keyName);
      } else if (action >= 30) {
        QuorumDivergence.fault(cluster, regions, random, action, a, b);
      }
    }
    writes.putAll(QuorumDivergence.storm(cluster, regions, random, KEYS, KEYS));
    Map<String, Stamp> newestAcknowledged = new HashMap<>();
    for (Map.Entry<Long, String> write : writes.entrySet()) {
      if (cluster.result(write.getKey()) instanceof ClientResult.Committed committed) {
        newestAcknowledged.merge(write.getValue(), Stamp.of(committed.version()), (x, y) -> x.compareTo(y) >= 0 ? x : y);
      }
    }

    QuorumDivergence.settle(cluster, regions, policy);
    boolean divergent = !QuorumDivergence.allEqual(cluster, regions);
    Map<Bytes, StoredValue> newest = newestHeldAnywhere(cluster, regions);

    // From here on only anti-entropy runs: periodic rounds until the replicas agree.
    long repaired = QuorumDivergence.repairUntilEqual(cluster, regions, INTERVAL_MILLIS, shape.where());
    Map<Bytes, StoredValue> converged = QuorumDivergence.canonicalState(cluster, regions.get(0));
    if (!converged.equals(newest)) {
      throw new AssertionError("replicas agree on " + converged + " but the newest versions held before repair were "
          + newest);
    }
    for (Map.Entry<String, Stamp> acknowledged : newestAcknowledged.entrySet()) {
      StoredValue held = converged.get(Bytes.ofUtf8(acknowledged.getKey()));
      if (held == null || Stamp.of(held.version()).compareTo(acknowledged.getValue()) < 0) {
        throw new AssertionError(acknowledged.getKey() + " converged to " + held + " though " + acknowledged.getValue()
            + " was acknowledged");
      }
    }
    if (divergent && repaired == 0) {
      throw new AssertionError("replicas converged without a repair reporting a repaired key");
    }
    return divergent;
  }

  private static Map<Bytes, StoredValue> newestHeldAnywhere(QuorumCluster cluster, List<String> regions) {
    Map<Bytes, StoredValue> result = new TreeMap<>();
    for (String region : regions) {
      QuorumDivergence.canonicalState(cluster, region).forEach((key, state) -> result.merge(key, state,
          (x, y) -> Stamp.of(x.version()).compareTo(Stamp.of(y.version())) >= 0 ? x : y));
    }
    return result;
  }
}

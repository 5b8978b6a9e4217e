package io.meridian.agent.sim;

import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.QuorumPolicy;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.conflict.Dot;
import io.meridian.agent.core.conflict.VersionVector;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.replication.RequestOptions;
import io.meridian.agent.core.storage.StoredValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Seeded simulation of quorum datasets that keep concurrent writes as version-vector siblings (ADR
 * 0034), under crashes, restarts and arbitrary interleavings of the streams, with blind writes at
 * every coordinator and writes that resolve what an earlier read returned. It proves, for random N,
 * W and R with R + W > N: a read that starts after a write is acknowledged returns that write among
 * its siblings unless a write whose causal context covered it replaced it (no sibling is lost,
 * whichever coordinators took the concurrent writes); every hint is delivered exactly once; and a
 * read at all leaves every replica with the same sibling set (read repair converges). A failure
 * prints {@code reproduce with -Dsim.seed=N}.
 */
class QuorumSiblingsSimulationTest {
  private static final int STEPS = 400;
  private static final int KEYS = 8;

  @Test
  void concurrentWritesAtAnyCoordinatorAreKeptAsSiblingsAndReadRepairConverges() {
    List<Long> seeds = SimSeeds.seeds("sim.quorumSiblingsSeeds", 40);
    int readsChecked = 0;
    for (long seed : seeds) {
      try {
        readsChecked += run(seed);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("quorum siblings simulation failed: reproduce with -Dsim.seed=" + seed + ": "
            + e.getMessage(), e);
      }
    }
    // Runs where reads rarely reach R (R = N with crashes) resolve little, so their keys hit the
    // sibling bound and are not checked for losses; the seeds together must still check plenty.
    if (readsChecked < 10 * seeds.size()) {
      throw new AssertionError("only " + readsChecked + " reads over " + seeds.size() + " seeds were checked against"
          + " the acknowledged writes: the simulation proves too little");
    }
  }

  private record PendingRead(String key, Set<Dot> mustSee) {}

  /** What the run has issued and seen, per key. */
  private static final class Ledger {
    final Map<Long, String> writes = new HashMap<>();
    final Map<Long, PendingRead> reads = new HashMap<>();
    // Per key: dots of acknowledged writes.
    final Map<String, Set<Dot>> acknowledged = new HashMap<>();
    // Per key: the join of the causal contexts every write to it was issued with. A dot it covers
    // may have been replaced by such a write (acknowledged or not: an unacknowledged write may
    // still spread), so it may vanish.
    final Map<String, VersionVector> replaced = new HashMap<>();
    // Per key: the context of the latest read answered, which the next resolving write uses.
    final Map<String, VersionVector> lastContext = new HashMap<>();
    final Set<String> truncated = new HashSet<>();
    final Set<Long> checked = new HashSet<>();
    int readsChecked;
  }

  /** Runs one seed; returns how many reads it checked against the acknowledged writes. */
  private static int run(long seed) {
    Random random = new Random(seed);
    int n = random.nextBoolean() ? 3 : 5;
    int w = 1 + random.nextInt(n);
    int r = n + 1 - w + random.nextInt(w); // R + W > N
    List<String> regions = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      regions.add("r" + i);
    }
    QuorumPolicy policy = new QuorumPolicy(w, r, 200, 1_000);
    QuorumCluster cluster = new QuorumCluster(policy, regions, ConflictResolution.VERSION_VECTOR);
    cluster.connectAll();
    Ledger ledger = new Ledger();
    for (int step = 0; step < STEPS; step++) {
      int action = random.nextInt(100);
      List<String> up = regions.stream().filter(cluster::isUp).toList();
      String key = "k" + random.nextInt(KEYS);
      if (action < 7 && !up.isEmpty()) {
        long id = cluster.put(up.get(random.nextInt(up.size())), key, "s" + step);
        ledger.writes.put(id, key);
      } else if (action < 30 && !up.isEmpty()) {
        // Resolves what the latest read of the key returned.
        VersionVector context = ledger.lastContext.getOrDefault(key, VersionVector.EMPTY);
        ledger.replaced.merge(key, context, VersionVector::merge);
        long id = cluster.request(up.get(random.nextInt(up.size())), new ClientOperation.ContextualWrite(
            Bytes.ofUtf8(key), Optional.of(Bytes.ofUtf8("m" + step)), context));
        ledger.writes.put(id, key);
      } else if (action < 50 && !up.isEmpty()) {
        long id = cluster.get(up.get(random.nextInt(up.size())), key);
        ledger.reads.put(id, new PendingRead(key, Set.copyOf(ledger.acknowledged.getOrDefault(key, Set.of()))));
      } else if (action < 82) {
        for (int i = random.nextInt(8); i >= 0; i--) {
          cluster.deliverOne(random);
        }
      } else if (action < 92) {
        cluster.tick(1 + random.nextInt(100));
      } else if (action < 96 && up.size() > 1) {
        cluster.crash(up.get(random.nextInt(up.size())));
      } else {
        List<String> down = regions.stream().filter(region -> !cluster.isUp(region)).toList();
        if (!down.isEmpty()) {
          cluster.restart(down.get(random.nextInt(down.size())));
        }
      }
      check(cluster, ledger);
    }
    // Heal: everyone back, everything delivered, every deadline passed.
    for (String region : regions) {
      cluster.restart(region);
    }
    for (int round = 0; round < 20; round++) {
      cluster.deliverAll();
      cluster.tick(policy.timeoutMillis());
    }
    cluster.deliverAll();
    check(cluster, ledger);
    String where = " (N=" + n + " W=" + w + " R=" + r + ")";
    for (String coordinator : regions) {
      for (String target : regions) {
        if (coordinator.equals(target)) {
          continue;
        }
        long[] hints = cluster.hints(coordinator, target);
        if (hints[3] != 0 || hints[0] != hints[1] || hints[2] != 0) {
          throw new AssertionError("hints " + coordinator + "->" + target + " stored " + hints[0] + ", delivered "
              + hints[1] + ", dropped " + hints[2] + ", kept " + hints[3] + " after healing" + where);
        }
      }
    }
    // A read at all joins every replica's siblings and repairs each to the join.
    for (int k = 0; k < KEYS; k++) {
      String key = "k" + k;
      long id = cluster.request(regions.get(0), new ClientOperation.Tuned(new ClientOperation.Get(Bytes.ofUtf8(key)),
          new RequestOptions(RequestOptions.ReplicaCount.ALL, RequestOptions.ReadLevel.DEFAULT)));
      ledger.reads.put(id, new PendingRead(key, Set.copyOf(ledger.acknowledged.getOrDefault(key, Set.of()))));
      cluster.deliverAll();
      check(cluster, ledger);
      if (!(cluster.result(id) instanceof ClientResult.MergedRead)) {
        throw new AssertionError("a read at all of " + key + " after healing answered " + cluster.result(id) + where);
      }
      Optional<StoredValue> expected = cluster.store(regions.get(0)).get(QuorumCluster.DATASET, Bytes.ofUtf8(key));
      for (String region : regions) {
        Optional<StoredValue> held = cluster.store(region).get(QuorumCluster.DATASET, Bytes.ofUtf8(key));
        if (!held.map(StoredValue::value).equals(expected.map(StoredValue::value))) {
          throw new AssertionError(region + " holds a different sibling set of " + key + " than " + regions.get(0)
              + " after a read at all" + where);
        }
      }
    }
    if (System.getProperty("sim.verbose") != null) {
      System.out.println("seed run" + where + ": " + ledger.readsChecked + " reads checked, keys truncated "
          + ledger.truncated);
    }
    return ledger.readsChecked;
  }

  private static void check(QuorumCluster cluster, Ledger ledger) {
    for (ReplicationEvent event : cluster.events()) {
      if (event instanceof ReplicationEvent.SiblingsTruncated truncated) {
        ledger.truncated.add(truncated.key().toUtf8());
      }
    }
    for (Map.Entry<Long, String> write : ledger.writes.entrySet()) {
      ClientResult result = cluster.result(write.getKey());
      if (result instanceof ClientResult.Committed committed && ledger.checked.add(write.getKey())) {
        ledger.acknowledged.computeIfAbsent(write.getValue(), k -> new TreeSet<>())
            .add(new Dot(committed.version().committedBy(), committed.version().sequence()));
      }
    }
    for (Map.Entry<Long, PendingRead> read : new TreeMap<>(ledger.reads).entrySet()) {
      ClientResult result = cluster.result(read.getKey());
      if (result == null || !ledger.checked.add(read.getKey()) || result instanceof ClientResult.Failed) {
        continue;
      }
      PendingRead pending = read.getValue();
      ClientResult.MergedRead merged = (ClientResult.MergedRead) result;
      ledger.lastContext.put(pending.key(), merged.context());
      Set<Dot> returned = new TreeSet<>();
      for (StoredValue value : merged.values()) {
        returned.add(new Dot(value.version().committedBy(), value.version().sequence()));
      }
      if (ledger.truncated.contains(pending.key())) {
        continue; // The sibling bound replaced the oldest; the unit tests check which.
      }
      ledger.readsChecked++;
      VersionVector replaced = ledger.replaced.getOrDefault(pending.key(), VersionVector.EMPTY);
      for (Dot dot : pending.mustSee()) {
        if (!returned.contains(dot) && !replaced.covers(dot)) {
          throw new AssertionError("read of " + pending.key() + " (request " + read.getKey() + ") returned siblings "
              + returned + " without " + dot + ", acknowledged before the read started and never replaced by a"
              + " write whose context covered it");
        }
        if (!merged.context().covers(dot)) {
          throw new AssertionError("read of " + pending.key() + " returned context " + merged.context()
              + " not covering the acknowledged " + dot);
        }
      }
    }
  }
}

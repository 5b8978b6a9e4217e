package io.meridian.agent.sim;

import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.QuorumPolicy;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.conflict.Dot;
import io.meridian.agent.core.conflict.Siblings;
import io.meridian.agent.core.conflict.VersionVector;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.PeerMessage;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.replication.RequestOptions;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.ChangeKind;
import io.meridian.agent.core.storage.StoredValue;
import java.util.ArrayList;
import java.util.Arrays;
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
 * Seeded simulation of Merkle anti-entropy on quorum datasets that keep concurrent writes as
 * version-vector siblings (ADR 0034, 0035, 0044): blind puts at any coordinator, writes and deletes
 * that resolve what an earlier read returned, all at per-request replica counts, under the shared
 * fault schedule ({@link QuorumDivergence}: cuts, crashes, lost messages, small hint bounds,
 * coordinators losing their hints, a last storm of concurrent W = one puts with every link cut).
 * After healing and hint settling no read runs, only anti-entropy, and it proves: every replica
 * ends byte-identical; each key is the join of every state any replica held before repair (no
 * sibling lost, none resurrected); every acknowledged write is still a sibling unless a write whose
 * context covered it replaced it; and some seeds were divergent before repair (so the check has
 * teeth). Then it deletes about half the keys and lets periodic rounds collect the tombstones
 * against the floor they learn (ADR 0044), and proves that only tombstones went, that replicas stay
 * byte-identical, and that no collected key comes back when replicas restart and every state they
 * held along the way is replayed as a late write. A failure prints {@code reproduce with
 * -Dsim.seed=N}.
 */
class QuorumSiblingsAntiEntropySimulationTest {
  private static final int STEPS = 300;
  private static final int KEYS = 10;
  private static final long INTERVAL_MILLIS = 3_000;

  @Test
  void siblingReplicasBecomeByteIdenticalByAntiEntropyAloneWithNoSiblingLost() {
    List<Long> seeds = SimSeeds.seeds("sim.quorumSiblingsRepairSeeds", 40);
    int divergentBeforeRepair = 0;
    int collected = 0;
    for (long seed : seeds) {
      try {
        int[] counts = run(seed);
        divergentBeforeRepair += counts[0];
        collected += counts[1];
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("quorum siblings anti-entropy simulation failed: reproduce with -Dsim.seed=" + seed
            + ": " + e.getMessage(), e);
      }
    }
    System.out.println("quorum siblings anti-entropy simulation: " + divergentBeforeRepair + " of " + seeds.size()
        + " seeds left replicas divergent after hints settled; anti-entropy converged every one; " + collected
        + " tombstones collected, none came back");
    if (seeds.size() >= 20 && collected < seeds.size()) {
      throw new AssertionError("only " + collected + " tombstones were collected over " + seeds.size() + " seeds: the"
          + " simulation no longer exercises tombstone collection");
    }
    if (seeds.size() >= 20 && divergentBeforeRepair < seeds.size() / 4) {
      throw new AssertionError("only " + divergentBeforeRepair + " of " + seeds.size() + " seeds left the replicas"
          + " divergent after hints settled; the simulation no longer exercises anti-entropy");
    }
  }

  /**
   * Runs one seed; returns 1 if the replicas differed once hints had settled (else 0), and how many
   * tombstones were collected.
   */
  private static int[] run(long seed) {
    Random random = new Random(seed);
    QuorumDivergence.Shape shape = QuorumDivergence.Shape.draw(random, INTERVAL_MILLIS);
    int n = shape.n();
    List<String> regions = shape.regions();
    QuorumPolicy policy = shape.policy();
    QuorumCluster cluster = new QuorumCluster(policy, regions, ConflictResolution.VERSION_VECTOR, shape.settings());
    cluster.connectAll();
    String where = shape.where();
    RequestOptions.ReplicaCount[] counts = RequestOptions.ReplicaCount.values();
    Map<Long, String> writes = new HashMap<>();
    Map<Long, String> reads = new HashMap<>();
    // Deletes: acknowledged, they add no sibling (their dot only enters the context).
    Set<Long> deletes = new HashSet<>();
    // Per key: the context of the latest read answered, which the next resolving write uses, and
    // the join of the contexts every such write was issued with (a dot it covers may be replaced).
    Map<String, VersionVector> lastContext = new HashMap<>();
    Map<String, VersionVector> replaced = new HashMap<>();
    // States replicas held along the way, replayed after tombstones were collected (late hints).
    List<QuorumCluster.Envelope> stale = new ArrayList<>();
    for (int step = 0; step < STEPS; step++) {
      if (step % 50 == 49) {
        String holder = regions.get(random.nextInt(n));
        cluster.store(holder).snapshot(QuorumCluster.DATASET).forEach((key, state) -> {
          String target = regions.get(random.nextInt(n));
          if (!target.equals(holder)) {
            stale.add(new QuorumCluster.Envelope(holder, target, new PeerMessage.QuorumWrite(
                QuorumCluster.stream(target), List.of(0L), List.of(new Change(ChangeKind.PUT, key, state.value(),
                    state.version())))));
          }
        });
      }
      int action = random.nextInt(100);
      List<String> up = regions.stream().filter(cluster::isUp).toList();
      String keyName = "k" + random.nextInt(KEYS);
      Bytes key = Bytes.ofUtf8(keyName);
      String a = regions.get(random.nextInt(n));
      String b = regions.get(random.nextInt(n));
      if (action < 30 && !up.isEmpty()) {
        String coordinator = up.get(random.nextInt(up.size()));
        RequestOptions.ReplicaCount count = counts[random.nextInt(counts.length)];
        ClientOperation operation;
        if (action < 12) {
          operation = new ClientOperation.Put(key, Bytes.ofUtf8("s" + step));
        } else if (action < 20) {
          operation = new ClientOperation.Get(key);
        } else {
          // Resolves (or, one time in four, deletes) what the latest read of the key returned.
          VersionVector context = lastContext.getOrDefault(keyName, VersionVector.EMPTY);
          replaced.merge(keyName, context, VersionVector::merge);
          operation = new ClientOperation.ContextualWrite(key,
              random.nextInt(4) == 0 ? Optional.empty() : Optional.of(Bytes.ofUtf8("m" + step)), context);
        }
        long id = cluster.request(coordinator, count == RequestOptions.ReplicaCount.LOCAL_QUORUM ? operation
            : new ClientOperation.Tuned(operation, new RequestOptions(count, RequestOptions.ReadLevel.DEFAULT)));
        (operation instanceof ClientOperation.Get ? reads : writes).put(id, keyName);
        if (operation instanceof ClientOperation.ContextualWrite write && write.value().isEmpty()) {
          deletes.add(id);
        }
      } else if (action >= 30) {
        QuorumDivergence.fault(cluster, regions, random, action, a, b);
      }
      for (Map.Entry<Long, String> read : List.copyOf(reads.entrySet())) {
        if (cluster.result(read.getKey()) instanceof ClientResult.MergedRead merged) {
          lastContext.put(read.getValue(), merged.context());
          reads.remove(read.getKey());
        } else if (cluster.result(read.getKey()) != null) {
          reads.remove(read.getKey());
        }
      }
    }
    writes.putAll(QuorumDivergence.storm(cluster, regions, random, KEYS, KEYS));
    Map<String, Set<Dot>> acknowledged = new HashMap<>();
    for (Map.Entry<Long, String> write : writes.entrySet()) {
      if (!deletes.contains(write.getKey())
          && cluster.result(write.getKey()) instanceof ClientResult.Committed committed) {
        acknowledged.computeIfAbsent(write.getValue(), k -> new TreeSet<>())
            .add(new Dot(committed.version().committedBy(), committed.version().sequence()));
      }
    }
    Set<String> truncated = new HashSet<>();
    for (ReplicationEvent event : cluster.events()) {
      if (event instanceof ReplicationEvent.SiblingsTruncated t) {
        truncated.add(t.key().toUtf8());
      }
    }

    QuorumDivergence.settle(cluster, regions, policy);
    boolean divergent = !QuorumDivergence.allEqual(cluster, regions);
    Map<Bytes, Siblings> joinOfAll = joinHeldAnywhere(cluster, regions);

    // From here on only anti-entropy runs: no read, so no read repair.
    long repaired = QuorumDivergence.repairUntilEqual(cluster, regions, INTERVAL_MILLIS, where);
    for (String region : regions) {
      Map<Bytes, StoredValue> held = cluster.store(region).snapshot(QuorumCluster.DATASET);
      if (!held.keySet().equals(joinOfAll.keySet())) {
        throw new AssertionError(region + " holds keys " + held.keySet() + ", replicas held " + joinOfAll.keySet()
            + " before repair" + where);
      }
      for (Map.Entry<Bytes, Siblings> expected : joinOfAll.entrySet()) {
        byte[] bytes = held.get(expected.getKey()).value().toByteArray();
        if (!Arrays.equals(bytes, expected.getValue().toBytes())) {
          throw new AssertionError(region + " holds " + Siblings.fromBytes(bytes).entries().keySet() + " for "
              + expected.getKey() + ", not the join of every replica's state before repair "
              + expected.getValue().entries().keySet() + where);
        }
      }
    }
    for (Map.Entry<String, Set<Dot>> key : acknowledged.entrySet()) {
      Siblings converged = joinOfAll.get(Bytes.ofUtf8(key.getKey()));
      VersionVector covered = replaced.getOrDefault(key.getKey(), VersionVector.EMPTY);
      for (Dot dot : key.getValue()) {
        if (converged == null || !converged.readContext().covers(dot)) {
          throw new AssertionError(key.getKey() + " converged without the acknowledged write " + dot
              + " in its causal context" + where);
        }
        if (!truncated.contains(key.getKey()) && !converged.entries().containsKey(dot) && !covered.covers(dot)) {
          throw new AssertionError(key.getKey() + " converged to siblings " + converged.entries().keySet()
              + " without the acknowledged " + dot + ", which no write's context covered" + where);
        }
      }
    }
    if (divergent && repaired == 0) {
      throw new AssertionError("replicas converged without a repair reporting a repaired key" + where);
    }

    // Tombstone collection (ADR 0044). Delete about half the keys everywhere first (a read at all,
    // then a delete with its context at all), so there are tombstones whose keys the stale states
    // below still hold siblings of. Then a few more periodic rounds let the lowest region learn a
    // floor (two passes with every partner) and hand it on; every tombstone it covers goes.
    RequestOptions all = new RequestOptions(RequestOptions.ReplicaCount.ALL, RequestOptions.ReadLevel.DEFAULT);
    for (int k = 0; k < KEYS; k++) {
      if (random.nextBoolean()) {
        Bytes key = Bytes.ofUtf8("k" + k);
        long read = cluster.request(regions.get(random.nextInt(n)), new ClientOperation.Tuned(
            new ClientOperation.Get(key), all));
        cluster.deliverAll();
        if (cluster.result(read) instanceof ClientResult.MergedRead merged) {
          cluster.request(regions.get(random.nextInt(n)), new ClientOperation.Tuned(
              new ClientOperation.ContextualWrite(key, Optional.empty(), merged.context()), all));
          cluster.deliverAll();
        }
      }
    }
    joinOfAll = joinHeldAnywhere(cluster, regions);
    for (int round = 0; round < 4; round++) {
      cluster.tick(INTERVAL_MILLIS);
      cluster.deliverAll();
    }
    if (!QuorumDivergence.allEqual(cluster, regions)) {
      throw new AssertionError("replicas differ after tombstones were collected" + where);
    }
    Map<Bytes, StoredValue> afterCollection = QuorumDivergence.canonicalState(cluster, regions.get(0));
    int collected = 0;
    for (Map.Entry<Bytes, Siblings> key : joinOfAll.entrySet()) {
      StoredValue held = afterCollection.get(key.getKey());
      if (held == null) {
        if (!key.getValue().entries().isEmpty()) {
          throw new AssertionError(key.getKey() + " with siblings " + key.getValue().entries().keySet()
              + " disappeared when tombstones were collected" + where);
        }
        collected++;
      } else if (!Arrays.equals(held.value().toByteArray(), key.getValue().toBytes())) {
        throw new AssertionError(key.getKey() + " changed when tombstones were collected" + where);
      }
    }
    // A collected tombstone never lets an old sibling come back: restart some replicas (the floor
    // must survive), replay every state replicas held along the way as late writes, and repair.
    for (String region : regions) {
      if (random.nextBoolean()) {
        cluster.crash(region);
        cluster.restart(region);
      }
    }
    cluster.deliverAll();
    stale.forEach(cluster::inject);
    cluster.deliverAll();
    QuorumDivergence.repairUntilEqual(cluster, regions, INTERVAL_MILLIS, where);
    Map<Bytes, StoredValue> afterReplay = QuorumDivergence.canonicalState(cluster, regions.get(0));
    for (Map.Entry<Bytes, StoredValue> key : afterReplay.entrySet()) {
      if (!key.getValue().equals(afterCollection.get(key.getKey()))) {
        throw new AssertionError(key.getKey() + " came back as " + Siblings.fromBytes(key.getValue().value()
            .toByteArray()).entries().keySet() + " after " + stale.size() + " stale states were replayed"
            + (afterCollection.containsKey(key.getKey()) ? "" : " though its tombstone had been collected") + where);
      }
    }
    if (!afterReplay.keySet().equals(afterCollection.keySet())) {
      throw new AssertionError("keys " + afterCollection.keySet() + " became " + afterReplay.keySet()
          + " after stale states were replayed" + where);
    }
    return new int[] {divergent ? 1 : 0, collected};
  }

  private static Map<Bytes, Siblings> joinHeldAnywhere(QuorumCluster cluster, List<String> regions) {
    Map<Bytes, Siblings> result = new TreeMap<>();
    for (String region : regions) {
      cluster.store(region).snapshot(QuorumCluster.DATASET).forEach((key, state) -> {
        Siblings held = Siblings.fromBytes(state.value().toByteArray());
        result.merge(key, held, (x, y) -> {
          Siblings joined = x.copy();
          joined.merge(y);
          return joined;
        });
      });
    }
    return result;
  }
}

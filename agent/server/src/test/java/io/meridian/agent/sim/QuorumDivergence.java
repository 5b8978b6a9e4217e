package io.meridian.agent.sim;

import io.meridian.agent.config.QuorumPolicy;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.antientropy.MerkleTrackingStore;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.replication.RequestOptions;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.antientropy.AntiEntropySettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The shared part of the quorum anti-entropy simulations (last-writer-wins and version vectors,
 * ADR 0035 and 0044): the fault schedule that drives a {@link QuorumCluster}'s replicas apart
 * (deliveries in random order, ticks, link cuts and heals, lossy moments, crashes, restarts of
 * coordinators that lost their hints, repairs on demand), the last storm that leaves something
 * only anti-entropy can find, the settling of hints once everything is healed, and the
 * anti-entropy-only phase that must end with every replica holding the same canonical state.
 */
final class QuorumDivergence {
  /** Periodic anti-entropy rounds the quiet phase may take before the replicas must agree. */
  static final int QUIET_ROUNDS_MAX = 12;

  private QuorumDivergence() {}

  /**
   * A seed's cluster shape, drawn first from its random source (the draws' order is part of every
   * seed's replay): N of 3 or 5, any W with R = N + 1 - W, a hint bound of 0 to 3, and anti-entropy
   * with a tree depth and keys per message among the ones worth covering.
   */
  record Shape(int n, int w, List<String> regions, QuorumPolicy policy, AntiEntropySettings settings) {
    static Shape draw(Random random, long intervalMillis) {
      int n = random.nextBoolean() ? 3 : 5;
      int w = 1 + random.nextInt(n);
      List<String> regions = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        regions.add("r" + i);
      }
      QuorumPolicy policy = new QuorumPolicy(w, n + 1 - w, 200, random.nextInt(4));
      int[] depths = {1, 3, 6};
      int[] keysPerMessage = {1, 2, 64};
      AntiEntropySettings settings = new AntiEntropySettings(depths[random.nextInt(depths.length)], intervalMillis,
          300, keysPerMessage[random.nextInt(keysPerMessage.length)]);
      return new Shape(n, w, List.copyOf(regions), policy, settings);
    }

    /** Says where a failure happened. */
    String where() {
      return " (N=" + n + " W=" + w + ", " + settings + ")";
    }
  }

  /**
   * One step of the fault schedule for {@code action} in 30..99 (below 30 the simulations issue
   * their own client requests); {@code a} and {@code b} are two regions drawn for this step.
   */
  static void fault(QuorumCluster cluster, List<String> regions, Random random, int action, String a, String b) {
    List<String> up = regions.stream().filter(cluster::isUp).toList();
    if (action < 30) {
      throw new IllegalArgumentException("actions below 30 are client requests, got " + action);
    } else if (action < 60) {
      for (int i = random.nextInt(10); i >= 0; i--) {
        cluster.deliverOne(random);
      }
    } else if (action < 70) {
      cluster.tick(1 + random.nextInt(400));
    } else if (action < 78 && !a.equals(b)) {
      cluster.cut(a, b);
    } else if (action < 84) {
      cluster.heal(a, b);
    } else if (action < 87) {
      cluster.drop(envelope -> random.nextInt(3) == 0); // a lossy moment
    } else if (action < 90 && up.size() > 1) {
      cluster.crash(up.get(random.nextInt(up.size())));
    } else if (action < 93) {
      List<String> down = regions.stream().filter(region -> !cluster.isUp(region)).toList();
      if (!down.isEmpty()) {
        String region = down.get(random.nextInt(down.size()));
        if (random.nextBoolean()) {
          loseHints(cluster, region); // the coordinator came back without its hints
        }
        cluster.restart(region);
      }
    } else if (action < 96 && cluster.isUp(a)) {
      cluster.repair(a, List.of());
    }
  }

  /**
   * The last storm: every link cut, {@code writes} blind puts at W = one at random running
   * coordinators (concurrent with each other), then random coordinators crash with their hint
   * disks, so something is left that only repair finds. Returns the puts' request ids and keys.
   */
  static Map<Long, String> storm(QuorumCluster cluster, List<String> regions, Random random, int keys, int writes) {
    for (String x : regions) {
      for (String y : regions) {
        if (x.compareTo(y) < 0) {
          cluster.cut(x, y);
        }
      }
    }
    Map<Long, String> issued = new HashMap<>();
    for (int i = 0; i < writes; i++) {
      List<String> up = regions.stream().filter(cluster::isUp).toList();
      String keyName = "k" + random.nextInt(keys);
      long id = cluster.request(up.get(random.nextInt(up.size())), new ClientOperation.Tuned(
          new ClientOperation.Put(Bytes.ofUtf8(keyName), Bytes.ofUtf8("storm" + i)),
          new RequestOptions(RequestOptions.ReplicaCount.ONE, RequestOptions.ReadLevel.DEFAULT)));
      issued.put(id, keyName);
    }
    for (String region : regions) {
      if (random.nextBoolean()) {
        cluster.crash(region);
        loseHints(cluster, region);
      }
    }
    return issued;
  }

  /** Quiescence: everyone back, every link healed, hints delivered, every deadline passed. */
  static void settle(QuorumCluster cluster, List<String> regions, QuorumPolicy policy) {
    for (String region : regions) {
      cluster.restart(region);
    }
    cluster.healAll();
    for (int round = 0; round < 2; round++) {
      cluster.deliverAll();
      cluster.tick(policy.timeoutMillis());
    }
    cluster.deliverAll();
  }

  /**
   * Lets only anti-entropy run, one periodic interval at a time, until every replica holds the
   * same canonical state; fails naming each replica's state after {@link #QUIET_ROUNDS_MAX}.
   *
   * @return the keys the repairs of this phase reported repaired
   */
  static long repairUntilEqual(QuorumCluster cluster, List<String> regions, long intervalMillis, String where) {
    int eventsBefore = cluster.events().size();
    int rounds = 0;
    while (!allEqual(cluster, regions) && rounds++ < QUIET_ROUNDS_MAX) {
      cluster.tick(intervalMillis);
      cluster.deliverAll();
    }
    if (!allEqual(cluster, regions)) {
      StringBuilder states = new StringBuilder();
      for (String region : regions) {
        states.append("\n  ").append(region).append(": ").append(canonicalState(cluster, region));
      }
      throw new AssertionError("replicas still differ after " + QUIET_ROUNDS_MAX + " anti-entropy rounds" + where
          + ":" + states);
    }
    return cluster.events().subList(eventsBefore, cluster.events().size()).stream()
        .filter(ReplicationEvent.RepairFinished.class::isInstance).map(ReplicationEvent.RepairFinished.class::cast)
        .filter(finished -> finished.error().isEmpty()).mapToLong(ReplicationEvent.RepairFinished::keysRepaired).sum();
  }

  /**
   * The coordinator's hint store is lost (a replaced disk): those writes reach their targets only
   * through anti-entropy or read repair.
   */
  static void loseHints(QuorumCluster cluster, String region) {
    SortedMap<String, SortedMap<Long, Change>> hints = cluster.store(region).hints(QuorumCluster.DATASET);
    for (Map.Entry<String, SortedMap<Long, Change>> target : hints.entrySet()) {
      for (long id : List.copyOf(target.getValue().keySet())) {
        cluster.store(region).removeHint(QuorumCluster.DATASET, target.getKey(), id);
      }
    }
  }

  /** A replica's keys as replicas compare them: values, tombstones and versions, without log positions. */
  static Map<Bytes, StoredValue> canonicalState(QuorumCluster cluster, String region) {
    Map<Bytes, StoredValue> result = new TreeMap<>();
    cluster.store(region).snapshot(QuorumCluster.DATASET)
        .forEach((key, state) -> result.put(key, MerkleTrackingStore.canonical(state)));
    return result;
  }

  /** Whether every replica holds the same canonical state. */
  static boolean allEqual(QuorumCluster cluster, List<String> regions) {
    Map<Bytes, StoredValue> first = canonicalState(cluster, regions.get(0));
    return regions.stream().allMatch(region -> canonicalState(cluster, region).equals(first));
  }
}

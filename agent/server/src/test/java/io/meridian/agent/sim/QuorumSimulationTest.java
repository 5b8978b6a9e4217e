package io.meridian.agent.sim;

import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.QuorumPolicy;
import io.meridian.agent.core.antientropy.AntiEntropySettings;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.clock.HlcTimestamp;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.ReplicationNode;
import io.meridian.agent.core.replication.RequestOptions;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.storage.Version;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Seeded simulation of quorum datasets under crashes, restarts and arbitrary interleavings of the
 * streams. It proves, for random N, W and R with R + W > N: a read that starts after a write is
 * acknowledged returns that write or a newer one (stores survive crashes, so the replicas that saw
 * it are never all lost; a read that cannot reach R fails instead); hints are delivered exactly
 * once (every hint stored is delivered once the cluster heals, and no replica holds one version
 * twice); and a read at all repairs every replica to the newest version. Half the seeds bound each
 * node's cache of latest versions (ADR 0057) below the keys in use, the others cache every key, so
 * the cache is shown coherent across crashes and restarts, whether keys stay in it or not. A
 * failure prints {@code reproduce with -Dsim.seed=N}.
 */
class QuorumSimulationTest {
  private static final int STEPS = 400;
  private static final int KEYS = 4;

  @Test
  void acknowledgedWritesAreSeenByOverlappingReadsAndHintsArriveOnce() {
    String single = System.getProperty("sim.seed");
    long first = single != null ? Long.parseLong(single) : Long.getLong("sim.firstSeed", 1);
    int seeds = single != null ? 1 : Integer.getInteger("sim.quorumSeeds", 60);
    for (long seed = first; seed < first + seeds; seed++) {
      try {
        run(seed);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("quorum simulation failed: reproduce with -Dsim.seed=" + seed + ": "
            + e.getMessage(), e);
      }
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

  private record PendingRead(String key, Stamp mustSee) {}

  private static void run(long seed) {
    Random random = new Random(seed);
    int n = random.nextBoolean() ? 3 : 5;
    int w = 1 + random.nextInt(n);
    int r = n + 1 - w + random.nextInt(w); // R + W > N
    List<String> regions = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      regions.add("r" + i);
    }
    QuorumPolicy policy = new QuorumPolicy(w, r, 200, 1_000);
    // Odd seeds bound each node's latest-version cache (ADR 0057) below the keys in use, so keys
    // leave it and are read again; even seeds keep every key cached.
    int cachedKeysMax = seed % 2 == 0 ? ReplicationNode.QUORUM_CACHED_KEYS_MAX : 1 + (int) (seed / 2 % (KEYS - 1));
    QuorumCluster cluster = new QuorumCluster(policy, regions, ConflictResolution.LWW, AntiEntropySettings.ON_DEMAND,
        cachedKeysMax);
    cluster.connectAll();
    Map<Long, String> writes = new HashMap<>();
    Map<Long, PendingRead> reads = new HashMap<>();
    Map<String, Stamp> newestAcknowledged = new HashMap<>();
    Set<Long> checked = new HashSet<>();
    for (int step = 0; step < STEPS; step++) {
      int action = random.nextInt(100);
      List<String> up = regions.stream().filter(cluster::isUp).toList();
      String key = "k" + random.nextInt(KEYS);
      if (action < 25 && !up.isEmpty()) {
        long id = cluster.put(up.get(random.nextInt(up.size())), key, "s" + step);
        writes.put(id, key);
      } else if (action < 45 && !up.isEmpty()) {
        long id = cluster.get(up.get(random.nextInt(up.size())), key);
        reads.put(id, new PendingRead(key, newestAcknowledged.get(key)));
      } else if (action < 80) {
        for (int i = random.nextInt(8); i >= 0; i--) {
          cluster.deliverOne(random);
        }
      } else if (action < 90) {
        cluster.tick(1 + random.nextInt(100));
      } else if (action < 95 && up.size() > 1) {
        cluster.crash(up.get(random.nextInt(up.size())));
      } else {
        List<String> down = regions.stream().filter(region -> !cluster.isUp(region)).toList();
        if (!down.isEmpty()) {
          cluster.restart(down.get(random.nextInt(down.size())));
        }
      }
      check(cluster, writes, reads, newestAcknowledged, checked);
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
    check(cluster, writes, reads, newestAcknowledged, checked);
    for (String coordinator : regions) {
      for (String target : regions) {
        if (coordinator.equals(target)) {
          continue;
        }
        long[] hints = cluster.hints(coordinator, target);
        if (hints[3] != 0 || hints[0] != hints[1] || hints[2] != 0) {
          throw new AssertionError("hints " + coordinator + "->" + target + " stored " + hints[0] + ", delivered "
              + hints[1] + ", dropped " + hints[2] + ", kept " + hints[3] + " after healing (N=" + n + " W=" + w
              + " R=" + r + ")");
        }
      }
    }
    for (String region : regions) {
      Set<String> seen = new HashSet<>();
      for (Change change : cluster.store(region).log(QuorumCluster.DATASET)) {
        String identity = change.key() + "/" + change.version().timestamp() + "/" + change.version().committedBy();
        if (!seen.add(identity)) {
          throw new AssertionError(region + " applied " + identity + " twice");
        }
      }
    }
    // A read at all repairs every replica it hears from to the newest version.
    for (int k = 0; k < KEYS; k++) {
      String key = "k" + k;
      long id = cluster.request(regions.get(0), new ClientOperation.Tuned(new ClientOperation.Get(Bytes.ofUtf8(key)),
          new RequestOptions(RequestOptions.ReplicaCount.ALL, RequestOptions.ReadLevel.DEFAULT)));
      reads.put(id, new PendingRead(key, newestAcknowledged.get(key)));
      cluster.deliverAll();
      check(cluster, writes, reads, newestAcknowledged, checked);
      Optional<StoredValue> expected = cluster.store(regions.get(0)).get(QuorumCluster.DATASET, Bytes.ofUtf8(key));
      for (String region : regions) {
        Optional<StoredValue> held = cluster.store(region).get(QuorumCluster.DATASET, Bytes.ofUtf8(key));
        if (held.map(v -> Stamp.of(v.version())).orElse(null) == null ? expected.isPresent()
            : !Stamp.of(held.get().version()).equals(expected.map(v -> Stamp.of(v.version())).orElse(null))) {
          throw new AssertionError(region + " holds " + held + " of " + key + " after a read at all, "
              + regions.get(0) + " holds " + expected);
        }
      }
    }
  }

  private static void check(QuorumCluster cluster, Map<Long, String> writes, Map<Long, PendingRead> reads,
      Map<String, Stamp> newestAcknowledged, Set<Long> checked) {
    for (Map.Entry<Long, String> write : writes.entrySet()) {
      ClientResult result = cluster.result(write.getKey());
      if (result instanceof ClientResult.Committed && checked.add(write.getKey())) {
        Stamp stamp = Stamp.of(((ClientResult.Committed) result).version());
        newestAcknowledged.merge(write.getValue(), stamp, (a, b) -> a.compareTo(b) >= 0 ? a : b);
      }
    }
    for (Map.Entry<Long, PendingRead> read : reads.entrySet()) {
      ClientResult result = cluster.result(read.getKey());
      if (result == null || !checked.add(read.getKey())) {
        continue;
      }
      PendingRead pending = read.getValue();
      if (result instanceof ClientResult.Failed || pending.mustSee() == null) {
        continue;
      }
      Optional<StoredValue> value = ((ClientResult.Read) result).value();
      if (value.isEmpty() || Stamp.of(value.get().version()).compareTo(pending.mustSee()) < 0) {
        throw new AssertionError("read of " + pending.key() + " (request " + read.getKey() + ") returned "
            + value.map(v -> Stamp.of(v.version()).toString()).orElse("nothing") + " though " + pending.mustSee()
            + " was acknowledged before it started");
      }
    }
  }
}

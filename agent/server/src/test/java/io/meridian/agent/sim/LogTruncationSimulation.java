package io.meridian.agent.sim;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LogRetention;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.ClientResponse;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.Output;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.replication.ReplicationNode;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * One seeded run of an async dataset whose logs are truncated (ADR 0017): a primary and two
 * replicas under continuous writes, with message delay, reordering, duplication and loss, cut
 * links, crashes and restarts, and replicas whose store is wiped. Throughout, every log stays
 * within its retention bound; after faults heal and writes stop, every replica holds exactly the
 * primary's state and sequence. Appending a sequence twice or skipping one breaks the store's
 * own invariant at once. Deterministic for a given seed.
 */
final class LogTruncationSimulation {
  static final String DATASET = "d";
  static final List<String> REGIONS = List.of("a", "b", "c");
  static final String PRIMARY = "a";
  static final LogRetention RETENTION = new LogRetention(300, 50, 16);
  private static final int STEPS = 3_000;
  private static final int KEYS = 120;
  private static final long QUIESCE_MILLIS_MAX = 60_000;

  /** What one run did, for the test's guard against a simulation that exercises nothing. */
  record Report(long writesAcknowledged, long snapshotsInstalled, long crashes, long wipes, long logEntriesMax) {}

  private final long seed;
  private final Random random;
  private final Map<String, InMemoryReplicaStore> stores = new TreeMap<>();
  private final Map<String, AgentConfig> configs = new TreeMap<>();
  private final SimNetwork network;
  private long requestSequence;
  private long writesAcknowledged;
  private long snapshotsInstalled;
  private long crashes;
  private long wipes;
  private long logEntriesMax;

  LogTruncationSimulation(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
    this.network = new SimNetwork(DATASET, 1_000, this::delaysMillis, this::apply);
    ReplicationBounds bounds = new ReplicationBounds(32, 1 << 20, 2, 128, 50, 200, 300, 1_000, 1_000,
        100, 100, 1_000, 64, 1_024);
    DatasetConfig dataset = new DatasetConfig(DATASET, ReplicationMode.ASYNC, REGIONS, PRIMARY, 0,
        FsyncPolicy.PER_COMMIT, 1, FailoverPolicy.MANUAL);
    for (String region : REGIONS) {
      configs.put(region, SimNetwork.agentConfig(region, REGIONS, dataset, bounds));
      stores.put(region, new InMemoryReplicaStore());
      start(region);
    }
  }

  Report run() {
    try {
      for (String replica : REGIONS.subList(1, REGIONS.size())) {
        network.connect(PRIMARY, replica);
      }
      for (int step = 0; step < STEPS; step++) {
        if (random.nextInt(3) > 0) {
          write();
        }
        if (random.nextInt(200) == 0) {
          fault();
        }
        network.advance(1 + random.nextInt(3));
        checkLogsBounded();
      }
      // Heal: every link up, every region running; writes stop.
      for (String replica : REGIONS.subList(1, REGIONS.size())) {
        if (!network.linkUp(PRIMARY, replica)) {
          network.connect(PRIMARY, replica);
        }
      }
      long stopMillis = network.nowMillis();
      while (!converged()) {
        if (network.nowMillis() - stopMillis > QUIESCE_MILLIS_MAX) {
          throw new AssertionError("replicas did not converge within " + QUIESCE_MILLIS_MAX + " ms of healing: "
              + sequences());
        }
        network.advance(5);
      }
      return new Report(writesAcknowledged, snapshotsInstalled, crashes, wipes, logEntriesMax);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("log truncation simulation failed (reproduce with -Dsim.seed=" + seed + "): "
          + e.getMessage(), e);
    }
  }

  private void write() {
    Bytes key = Bytes.ofUtf8("k" + random.nextInt(KEYS));
    ClientOperation operation = random.nextInt(8) == 0 ? new ClientOperation.Delete(key)
        : new ClientOperation.Put(key, Bytes.ofUtf8("v" + network.nowMillis() + "-" + random.nextInt(1000)));
    network.step(PRIMARY, new Input.ClientRequest(requestSequence++, DATASET, operation));
  }

  private void fault() {
    String replica = REGIONS.get(1 + random.nextInt(REGIONS.size() - 1));
    switch (random.nextInt(3)) {
      case 0 -> { // Cut the link for a while (it heals at a later fault or at the end).
        if (network.linkUp(PRIMARY, replica)) {
          network.disconnect(PRIMARY, replica, "link cut");
        } else {
          network.connect(PRIMARY, replica);
        }
      }
      case 1 -> { // Crash and restart: the store survives.
        crashes++;
        restart(replica);
      }
      default -> { // The replica's data directory is wiped: it starts from nothing.
        wipes++;
        stores.put(replica, new InMemoryReplicaStore());
        restart(replica);
      }
    }
  }

  private void restart(String region) {
    if (network.linkUp(PRIMARY, region)) {
      network.disconnect(PRIMARY, region, region + " crashed");
    }
    start(region);
    network.connect(PRIMARY, region);
  }

  private void start(String region) {
    network.start(region,
        new ReplicationNode(configs.get(region), RETENTION, stores.get(region), network.nowMillis()));
  }

  /** This run's fault policy: 2% of messages lost, 3% duplicated, 8% delayed enough to overtake others. */
  private long[] delaysMillis(String from, String to) {
    int fate = random.nextInt(100);
    if (fate < 2) {
      return new long[0]; // Lost.
    }
    long delay = 1 + random.nextInt(fate < 10 ? 40 : 5); // Some overtake others.
    return fate >= 97 ? new long[] {delay, delay + random.nextInt(30)} : new long[] {delay}; // Duplicated.
  }

  /** Everything a node outputs but its messages, which the network sends after this. */
  private void apply(String region, Output output) {
    if (output.syncStoreFirst()) {
      stores.get(region).sync();
    }
    for (ClientResponse response : output.responses()) {
      if (response.result() instanceof ClientResult.Committed) {
        writesAcknowledged++;
      }
    }
    for (ReplicationEvent event : output.events()) {
      if (event instanceof ReplicationEvent.SnapshotInstalled) {
        snapshotsInstalled++;
      }
    }
    for (Output.Disconnect disconnect : output.disconnects()) {
      throw new AssertionError(region + " closed its stream with " + disconnect.peer()
          + " in a well-behaved cluster: " + disconnect.reason());
    }
  }

  private void checkLogsBounded() {
    for (Map.Entry<String, InMemoryReplicaStore> store : stores.entrySet()) {
      long entries = store.getValue().log(DATASET).size();
      logEntriesMax = Math.max(logEntriesMax, entries);
      // The retention bound, plus one truncation step not yet taken, plus one batch.
      long bound = RETENTION.retainedChangesMax() + RETENTION.truncateStepChanges() + 32;
      if (entries > bound) {
        throw new AssertionError(store.getKey() + " keeps " + entries + " log entries, over the bound " + bound);
      }
    }
  }

  private boolean converged() {
    InMemoryReplicaStore primary = stores.get(PRIMARY);
    for (String region : REGIONS) {
      if (primary.lastSequence(DATASET) != stores.get(region).lastSequence(DATASET)
          || !primary.snapshot(DATASET).equals(stores.get(region).snapshot(DATASET))) {
        return false;
      }
    }
    return true;
  }

  private String sequences() {
    StringBuilder text = new StringBuilder();
    for (String region : REGIONS) {
      text.append(region).append('@').append(stores.get(region).lastSequence(DATASET))
          .append(" (truncated through ").append(stores.get(region).truncatedThrough(DATASET)).append(") ");
    }
    return text.toString();
  }
}

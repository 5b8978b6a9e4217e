package io.meridian.agent.sim;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResponse;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.Output;
import io.meridian.agent.core.replication.PeerLinkStatus;
import io.meridian.agent.core.replication.PeerMessage;
import io.meridian.agent.core.replication.ReplicationNode;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One seeded run of an async dataset whose links to the replicas are cut and healed at random
 * moments under continuous writes, where a healed (or reopened) stream may come back <em>frozen</em>:
 * both ends are connected and heartbeats and their replies pass (they travel on the agent's own
 * heartbeat lane), but no data frame in either direction (batches, hellos, acknowledgements) gets
 * through until the stream is closed. That is what the live view showed after a heal (issue 4:
 * "connected=true, changesPerSecond=0.0, lagMillis=81122, health=OK" for two minutes). A replica
 * must notice that it applies nothing while behind, say so in its status, and close the stream so
 * a fresh one resumes; the network then reopens it after the transport's reconnect delay. After
 * the cuts heal and writes stop, every replica must hold the primary's state and sequence.
 * Messages also suffer delay and loss. Deterministic for a given seed.
 */
final class FrozenStreamSimulation {
  static final String DATASET = "d";
  static final List<String> REGIONS = List.of("a", "b", "c");
  static final String PRIMARY = "a";
  /** Batch 32, window 128, heartbeats every 50 ms, retransmit after 200 ms, hello after 300 ms. */
  static final ReplicationBounds BOUNDS = new ReplicationBounds(32, 1 << 20, 2, 128, 50, 200, 300, 1_000, 1_000,
      100, 100, 1_000, 64, 1_024);
  private static final int STEPS = 4_000;
  private static final int KEYS = 100;
  /** The transport reopens a closed stream to the primary after this long. */
  private static final long RECONNECT_DELAY_MILLIS = 50;
  private static final long QUIESCE_MILLIS_MAX = 60_000;

  /** What one run did, for the test's checks and its guard against a simulation that exercises nothing. */
  record Report(long writesAcknowledged, long frozenStreams, long stallDisconnects, long stalledReports,
      List<String> healthyStreamsClosed) {}

  private final long seed;
  private final Random random;
  private final Map<String, InMemoryReplicaStore> stores = new TreeMap<>();
  private final Map<String, ReplicationNode> nodes = new TreeMap<>();
  private final SimNetwork network;
  /** Replicas whose current stream with the primary carries no data. */
  private final Set<String> frozen = new TreeSet<>();
  /** Replicas whose link to the primary an operator cut. */
  private final Set<String> cut = new TreeSet<>();
  /** Replicas that asked to close their stream during the last advance. */
  private final Set<String> closeRequested = new TreeSet<>();
  private final Map<String, Long> reconnectAtMillis = new TreeMap<>();
  private final List<String> healthyStreamsClosed = new ArrayList<>();
  private long requestSequence;
  private long writesAcknowledged;
  private long frozenStreams;
  private long stallDisconnects;
  private long stalledReports;

  FrozenStreamSimulation(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
    this.network = new SimNetwork(DATASET, 1_000, new SimNetwork.MessageFaults() {
      @Override
      public long[] delaysMillis(String from, String to) {
        return delays();
      }

      @Override
      public long[] delaysMillis(String from, String to, PeerMessage message) {
        String replica = from.equals(PRIMARY) ? to : from;
        boolean lane = message instanceof PeerMessage.Heartbeat || message instanceof PeerMessage.HeartbeatReply;
        return frozen.contains(replica) && !lane ? new long[0] : delays();
      }
    }, this::apply);
    DatasetConfig dataset = new DatasetConfig(DATASET, ReplicationMode.ASYNC, REGIONS, PRIMARY, 0,
        FsyncPolicy.PER_COMMIT, 1, FailoverPolicy.MANUAL);
    for (String region : REGIONS) {
      AgentConfig config = SimNetwork.agentConfig(region, REGIONS, dataset, BOUNDS);
      stores.put(region, new InMemoryReplicaStore());
      ReplicationNode node = new ReplicationNode(config, stores.get(region), network.nowMillis());
      nodes.put(region, node);
      network.start(region, node);
    }
  }

  Report run() {
    try {
      for (String replica : replicas()) {
        open(replica, 0);
      }
      for (int step = 0; step < STEPS; step++) {
        if (random.nextInt(3) > 0) {
          write();
        }
        if (random.nextInt(150) == 0) {
          cutOrHeal(replicas().get(random.nextInt(replicas().size())));
        }
        advance(1 + random.nextInt(3));
      }
      // The operator heals every cut link (the stream may come back frozen); writes stop.
      for (String replica : List.copyOf(cut)) {
        cutOrHeal(replica);
      }
      long stopMillis = network.nowMillis();
      while (!converged()) {
        if (network.nowMillis() - stopMillis > QUIESCE_MILLIS_MAX) {
          throw new AssertionError("replicas did not catch up within " + QUIESCE_MILLIS_MAX + " ms of the last"
              + " heal: " + sequences() + "; streams frozen now: " + frozen);
        }
        advance(5);
      }
      return new Report(writesAcknowledged, frozenStreams, stallDisconnects, stalledReports,
          List.copyOf(healthyStreamsClosed));
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("frozen stream simulation failed (reproduce with -Dsim.seed=" + seed + "): "
          + e.getMessage(), e);
    }
  }

  private List<String> replicas() {
    return REGIONS.subList(1, REGIONS.size());
  }

  private void write() {
    Bytes key = Bytes.ofUtf8("k" + random.nextInt(KEYS));
    network.step(PRIMARY, new Input.ClientRequest(requestSequence++, DATASET,
        new ClientOperation.Put(key, Bytes.ofUtf8("v" + network.nowMillis() + "-" + random.nextInt(1000)))));
  }

  private void cutOrHeal(String replica) {
    if (cut.remove(replica)) {
      open(replica, 2); // Healed: the new stream is frozen one time in two.
    } else {
      cut.add(replica);
      reconnectAtMillis.remove(replica);
      close(replica, "link cut by an operator");
    }
  }

  /** Opens the replica's stream with the primary; frozen with probability 1/{@code frozenOneIn} (0: never). */
  private void open(String replica, int frozenOneIn) {
    if (frozenOneIn > 0 && random.nextInt(frozenOneIn) == 0) {
      frozen.add(replica); // Before the ends learn of the stream: its very first frames are lost too.
      frozenStreams++;
    }
    network.connect(PRIMARY, replica);
  }

  private void close(String replica, String reason) {
    if (network.linkUp(PRIMARY, replica)) {
      network.disconnect(PRIMARY, replica, reason);
    }
    frozen.remove(replica);
  }

  /** Runs simulated time, then closes the streams the nodes asked to close and reopens due ones. */
  private void advance(long millis) {
    network.advance(millis);
    for (String replica : List.copyOf(closeRequested)) {
      close(replica, "closed by " + replica);
      reconnectAtMillis.put(replica, network.nowMillis() + RECONNECT_DELAY_MILLIS);
    }
    closeRequested.clear();
    for (String replica : replicas()) {
      Long due = reconnectAtMillis.get(replica);
      if (due != null && due <= network.nowMillis() && !cut.contains(replica)) {
        reconnectAtMillis.remove(replica);
        open(replica, 3); // A reopened stream may be frozen again, one time in three.
      }
      PeerLinkStatus link = nodes.get(replica).status(network.nowMillis()).get(0).peers().get(0);
      if (link.stalledMillis() > 0) {
        stalledReports++;
      }
    }
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
    for (Output.Disconnect disconnect : output.disconnects()) {
      if (region.equals(PRIMARY)) {
        throw new AssertionError("the primary closed its stream with " + disconnect.peer() + ": "
            + disconnect.reason());
      }
      stallDisconnects++;
      if (!frozen.contains(region)) {
        healthyStreamsClosed.add(region + " at " + network.nowMillis() + ": " + disconnect.reason());
      }
      closeRequested.add(region);
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
    Map<String, Long> sequences = new TreeMap<>();
    stores.forEach((region, store) -> sequences.put(region, store.lastSequence(DATASET)));
    return sequences.toString();
  }

  /** Delay 2-31 ms; 1 % of messages lost. */
  private long[] delays() {
    return random.nextInt(100) == 0 ? new long[0] : new long[] {2 + random.nextInt(30)};
  }
}

package io.meridian.agent.sim;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.ReadPolicy;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResponse;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.Output;
import io.meridian.agent.core.replication.ReplicationNode;
import io.meridian.agent.core.replication.RequestOptions;
import io.meridian.agent.core.replication.SessionToken;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

/**
 * One seeded run of read-your-writes across regions (ADR 0021): an async or sync dataset on three
 * regions, client sessions that write at one region (replicas forward to the primary) and then read
 * their own key at another region at {@code session} with the token of their last write, while
 * messages are delayed, reordered, duplicated and lost, links to the primary are cut and healed and
 * replicas crash and restart. The promise checked on every answered session read: it never returns
 * an older value than the session's last acknowledged write. Deterministic for a given seed.
 */
final class SessionSimulation {
  static final String DATASET = "d";
  static final List<String> REGIONS = List.of("a", "b", "c");
  static final String PRIMARY = "a";
  private static final int STEPS = 2_000;
  private static final int SESSIONS = 6;

  /** What one run did, for the test's guard against a simulation that exercises nothing. */
  record Report(long writesAcknowledged, long sessionReads, long readsServedElsewhere, long readsThatWaited,
      long readsRefused, long crashes, long cuts) {}

  private final long seed;
  private final Random random;
  private final ReplicationMode mode;
  private final Map<String, InMemoryReplicaStore> stores = new TreeMap<>();
  private final Map<String, AgentConfig> configs = new TreeMap<>();
  private final SimNetwork network;
  private final Session[] sessions = new Session[SESSIONS];
  private final Map<Long, Outstanding> outstanding = new HashMap<>();
  private long requestSequence;
  private long writesAcknowledged;
  private long sessionReads;
  private long readsServedElsewhere;
  private long readsThatWaited;
  private long readsRefused;
  private long crashes;
  private long cuts;

  /** A client session: its key, the counter of its last acknowledged write and that write's token. */
  private static final class Session {
    final int id;
    long acknowledged = -1;
    long nextCounter;
    Optional<SessionToken> token = Optional.empty();
    boolean busy;

    Session(int id) {
      this.id = id;
    }

    Bytes key() {
      return Bytes.ofUtf8("session-" + id);
    }
  }

  private record Outstanding(Session session, String region, boolean write, long counter, long issuedAtMillis) {}

  SessionSimulation(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
    this.network = new SimNetwork(DATASET, 1_000, this::delaysMillis, this::apply);
    this.mode = seed % 2 == 0 ? ReplicationMode.SYNC : ReplicationMode.ASYNC;
    ReplicationBounds bounds = new ReplicationBounds(32, 1 << 20, 2, 128, 50, 200, 300, 1_000, 1_000,
        100, 100, 1_000, 64, 1_024);
    // Sync waits for one replica: the other may lag, which is what session reads must see through.
    DatasetConfig dataset = new DatasetConfig(DATASET, mode, REGIONS, PRIMARY, mode == ReplicationMode.SYNC ? 1 : 0,
        FsyncPolicy.PER_COMMIT, 1, FailoverPolicy.MANUAL).withReads(new ReadPolicy(0, 0, false, 50));
    for (String region : REGIONS) {
      configs.put(region, SimNetwork.agentConfig(region, REGIONS, dataset, bounds));
      stores.put(region, new InMemoryReplicaStore());
      start(region);
    }
    for (int i = 0; i < SESSIONS; i++) {
      sessions[i] = new Session(i);
    }
  }

  Report run() {
    try {
      for (String replica : REGIONS.subList(1, REGIONS.size())) {
        network.connect(PRIMARY, replica);
      }
      for (int step = 0; step < STEPS; step++) {
        Session session = sessions[random.nextInt(SESSIONS)];
        if (!session.busy) {
          if (session.acknowledged < 0 || random.nextInt(3) == 0) {
            write(session);
          } else {
            read(session);
          }
        }
        if (random.nextInt(150) == 0) {
          fault();
        }
        network.advance(1 + random.nextInt(4));
      }
      return new Report(writesAcknowledged, sessionReads, readsServedElsewhere, readsThatWaited, readsRefused,
          crashes, cuts);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("session simulation (" + mode + ") failed (reproduce with -Dsim.seed=" + seed + "): "
          + e.getMessage(), e);
    }
  }

  private void write(Session session) {
    String region = REGIONS.get(random.nextInt(REGIONS.size()));
    long counter = session.nextCounter++;
    issue(region, new Outstanding(session, region, true, counter, network.nowMillis()),
        new ClientOperation.Put(session.key(), Bytes.ofUtf8(Long.toString(counter))));
  }

  private void read(Session session) {
    String region = REGIONS.get(random.nextInt(REGIONS.size()));
    issue(region, new Outstanding(session, region, false, session.acknowledged, network.nowMillis()),
        new ClientOperation.Tuned(new ClientOperation.Get(session.key()),
            RequestOptions.read(RequestOptions.ReadLevel.SESSION, session.token)));
  }

  private void issue(String region, Outstanding what, ClientOperation operation) {
    long id = requestSequence++;
    what.session().busy = true;
    outstanding.put(id, what);
    network.step(region, new Input.ClientRequest(id, DATASET, operation));
  }

  private void onResponse(ClientResponse response) {
    Outstanding what = outstanding.remove(response.requestId());
    if (what == null) {
      return;
    }
    Session session = what.session();
    session.busy = false;
    ClientResult result = response.result();
    if (what.write()) {
      if (result instanceof ClientResult.Committed committed) {
        writesAcknowledged++;
        // A later write may have been acknowledged first (never here: one operation per session).
        session.acknowledged = Math.max(session.acknowledged, what.counter());
        SessionToken token = SessionToken.forWrite(DATASET, mode, committed.version());
        session.token = Optional.of(session.token.map(t -> t.merge(token)).orElse(token));
      }
      return;
    }
    if (result instanceof ClientResult.Failed) {
      readsRefused++; // Refused or unavailable: nothing stale was returned, which is the promise.
      return;
    }
    ClientResult.Read read = (ClientResult.Read) result;
    sessionReads++;
    if (!read.servedBy().equals(what.region())) {
      readsServedElsewhere++;
    }
    if (network.nowMillis() > what.issuedAtMillis()) {
      readsThatWaited++;
    }
    long seen = read.value().map(v -> Long.parseLong(v.value().toUtf8())).orElse(-1L);
    if (seen < what.counter()) {
      throw new AssertionError("session " + session.id + " read " + (seen < 0 ? "nothing" : "value " + seen)
          + " at " + what.region() + " (served by " + read.servedBy() + ") after its write " + what.counter()
          + " was acknowledged");
    }
  }

  private void fault() {
    String replica = REGIONS.get(1 + random.nextInt(REGIONS.size() - 1));
    if (random.nextBoolean()) {
      cuts++;
      if (network.linkUp(PRIMARY, replica)) {
        network.disconnect(PRIMARY, replica, "link cut");
      } else {
        network.connect(PRIMARY, replica);
      }
    } else {
      crashes++;
      if (network.linkUp(PRIMARY, replica)) {
        network.disconnect(PRIMARY, replica, replica + " crashed");
      }
      // Its clients' requests die with it; they see a lost connection, not an answer.
      outstanding.values().removeIf(what -> {
        if (what.region().equals(replica)) {
          what.session().busy = false;
          return true;
        }
        return false;
      });
      start(replica);
      network.connect(PRIMARY, replica);
    }
  }

  private void start(String region) {
    network.start(region,
        new ReplicationNode(configs.get(region), stores.get(region), network.nowMillis()));
  }

  /**
   * This run's fault policy: 2% of messages lost, 3% duplicated, 8% delayed enough to overtake
   * others, and a slow link to replica b.
   */
  private long[] delaysMillis(String from, String to) {
    int fate = random.nextInt(100);
    if (fate < 2) {
      return new long[0]; // Lost.
    }
    // Replica b sits behind a slow link in this run: its batches often arrive late.
    long slow = to.equals("b") && random.nextInt(4) == 0 ? 80 : 0;
    long delay = 1 + slow + random.nextInt(fate < 10 ? 40 : 5); // Some overtake others.
    return fate >= 97 ? new long[] {delay, delay + random.nextInt(30)} : new long[] {delay}; // Duplicated.
  }

  /** Everything a node outputs but its messages, which the network sends after this. */
  private void apply(String region, Output output) {
    if (output.syncStoreFirst()) {
      stores.get(region).sync();
    }
    for (ClientResponse response : output.responses()) {
      onResponse(response);
    }
    for (Output.Disconnect disconnect : output.disconnects()) {
      throw new AssertionError(region + " closed its stream with " + disconnect.peer()
          + " in a well-behaved cluster: " + disconnect.reason());
    }
  }
}

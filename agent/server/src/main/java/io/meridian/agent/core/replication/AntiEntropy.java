package io.meridian.agent.core.replication;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.antientropy.AntiEntropySettings;
import io.meridian.agent.core.antientropy.MerkleTrackingStore;
import io.meridian.agent.core.antientropy.MerkleTree;
import io.meridian.agent.core.antientropy.RepairRule;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.replication.PeerMessage.EntriesWanted;
import io.meridian.agent.core.replication.PeerMessage.KeyDigests;
import io.meridian.agent.core.replication.PeerMessage.RepairDone;
import io.meridian.agent.core.replication.PeerMessage.RepairEntries;
import io.meridian.agent.core.replication.PeerMessage.TreeCompare;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Anti-entropy sessions of one region (ADR 0014). A session compares one dataset between two
 * regions: the initiator sends its root; each side answers a {@link TreeCompare} with its hashes
 * one level deeper, only under the nodes that differed; at the leaves each sends the key digests of
 * the differing leaves; the replica then gets the source's state of exactly the differing keys and
 * applies them by the dataset's {@link RepairRule}. Messages travel on the dataset's replication
 * stream. Lost messages make a session time out; the next one starts afresh. Deterministic: time
 * comes in as arguments.
 */
final class AntiEntropy {
  /** What anti-entropy needs to know about the node's datasets. */
  interface Datasets {
    /** The region whose state is the truth for {@code dataset} (its primary), if it has one. */
    Optional<String> authority(String dataset);

    /** Regions this region exchanges {@code dataset} with (a primary: its replicas; a replica: its primary). */
    List<String> partners(String dataset);

    /**
     * At the primary: changes of its log {@code peer} has not acknowledged yet; -1 when {@code peer}
     * is not a connected replica being fed from the log (disconnected, or catching up by snapshot).
     */
    long backlog(String dataset, String peer);
  }

  /**
   * A periodic session waits while its replica has more unacknowledged changes than this (ADR
   * 0022): a lagging replica's missing keys differ from the primary's, and a session would re-send
   * the backlog the log is already delivering. A few in-flight changes are tolerated, or a primary
   * under steady writes would never find a moment to compare; the protocol leaves those few to the
   * log (ADR 0014, "Rule").
   */
  static final long BACKLOG_TOLERATED_CHANGES = 64;
  /** How often a deferred periodic session looks again whether its replica caught up. */
  static final long DEFERRED_RETRY_MILLIS = 500;

  private final String self;
  private final AntiEntropySettings settings;
  private final MerkleTrackingStore store;
  private final Datasets datasets;
  private final Map<String, Session> sessions = new LinkedHashMap<>();
  private final Map<String, Long> nextPeriodicAtMillis = new TreeMap<>();
  /** Periodic sessions waiting for their replica to catch up: (dataset, peer) to when they give up. */
  private final Map<List<String>, Long> deferredUntilMillis = new LinkedHashMap<>();
  private long lastTickMillis;
  private final String sessionPrefix;
  private long sessionsStarted;

  private static final class Session {
    final String id;
    final String dataset;
    final String peer;
    final boolean initiator;
    final long startedAtMillis;
    long lastHeardAtMillis;
    long rangesCompared;
    long keysRepaired;
    long bytes;
    int partsApplied;

    Session(String id, String dataset, String peer, boolean initiator, long nowMillis) {
      this.id = id;
      this.dataset = dataset;
      this.peer = peer;
      this.initiator = initiator;
      this.startedAtMillis = nowMillis;
      this.lastHeardAtMillis = nowMillis;
    }
  }

  AntiEntropy(String self, AntiEntropySettings settings, MerkleTrackingStore store, Datasets datasets, long incarnation,
      long nowMillis) {
    this.self = self;
    this.settings = settings;
    this.store = store;
    this.datasets = datasets;
    // Session names must not repeat across restarts, or a peer could mistake an old session's
    // late message for a new one's.
    this.sessionPrefix = self + "#" + incarnation + "-";
    if (settings.intervalMillis() > 0) {
      for (String dataset : store.trackedDatasets()) {
        nextPeriodicAtMillis.put(dataset, nowMillis + settings.intervalMillis());
      }
    }
  }

  /** Starts a session with each of {@code peers} (empty: every partner) for {@code dataset}. */
  void start(long nowMillis, String dataset, List<String> peers, Output.Builder out) {
    if (store.tree(dataset).isEmpty()) {
      out.report(new ReplicationEvent.RepairFinished(dataset, String.join(",", peers), "", 0, 0, 0, 0,
          "dataset " + dataset + " has no anti-entropy tree in region " + self + " (unknown, or a "
              + "multi-primary dataset, whose logs already converge); nothing was compared."));
      return;
    }
    List<String> partners = datasets.partners(dataset);
    List<String> targets = peers.isEmpty() ? partners : peers;
    for (String peer : targets) {
      if (!partners.contains(peer)) {
        out.report(new ReplicationEvent.RepairFinished(dataset, peer, "", 0, 0, 0, 0, "region " + self
            + " does not exchange dataset " + dataset + " with " + peer + "; it repairs with " + partners
            + " (a replica repairs against its primary)."));
        continue;
      }
      if (running(dataset, peer)) {
        out.report(new ReplicationEvent.RepairFinished(dataset, peer, "", 0, 0, 0, 0, "a repair of dataset "
            + dataset + " with " + peer + " is already running in region " + self + "; wait for it to finish."));
        continue;
      }
      String id = sessionPrefix + (++sessionsStarted);
      Session session = new Session(id, dataset, peer, true, nowMillis);
      sessions.put(id, session);
      out.report(new ReplicationEvent.RepairStarted(dataset, peer, id));
      MerkleTree tree = store.tree(dataset).orElseThrow();
      send(session, new TreeCompare(dataset, id, tree.depth(), 0, List.of(), List.of(tree.root())), out);
    }
  }

  private boolean running(String dataset, String peer) {
    return sessions.values().stream().anyMatch(s -> s.initiator && s.dataset.equals(dataset) && s.peer.equals(peer));
  }

  /** Whether {@code message} is an anti-entropy message (handled here, not by a dataset engine). */
  static boolean handles(PeerMessage message) {
    return message instanceof TreeCompare || message instanceof KeyDigests || message instanceof EntriesWanted
        || message instanceof RepairEntries || message instanceof RepairDone;
  }

  void onMessage(long nowMillis, String from, PeerMessage message, Output.Builder out) {
    String id = sessionOf(message);
    Session session = sessions.get(id);
    if (session == null) {
      if (!(message instanceof TreeCompare compare) || compare.level() != 0) {
        return; // a late message of a session that ended or timed out
      }
      Optional<String> refusal = refusal(from, compare);
      if (refusal.isPresent()) {
        out.send(from, new RepairDone(message.dataset(), id, 0, refusal.get()));
        return;
      }
      session = new Session(id, message.dataset(), from, false, nowMillis);
      sessions.put(id, session);
    }
    if (!session.peer.equals(from)) {
      return; // session names carry their initiator, so this is a confused or hostile peer
    }
    session.lastHeardAtMillis = nowMillis;
    if (session.initiator) {
      session.bytes += sizeBytes(message);
    }
    if (message instanceof TreeCompare compare) {
      onTreeCompare(session, compare, out);
    } else if (message instanceof KeyDigests digests) {
      onKeyDigests(session, digests, out);
    } else if (message instanceof EntriesWanted wanted) {
      send(session, entries(session, wanted.part(), wanted.parts(), wanted.keys()), out);
    } else if (message instanceof RepairEntries entries) {
      onRepairEntries(nowMillis, session, entries, out);
    } else if (message instanceof RepairDone done) {
      session.keysRepaired += done.keysRepaired();
      if (session.initiator) {
        complete(nowMillis, session, done.error(), out);
      } else {
        sessions.remove(session.id);
      }
    }
  }

  private Optional<String> refusal(String from, TreeCompare compare) {
    String dataset = compare.dataset();
    Optional<MerkleTree> tree = store.tree(dataset);
    if (tree.isEmpty()) {
      return Optional.of("dataset " + dataset + " has no anti-entropy tree in region " + self);
    }
    if (tree.get().depth() != compare.depth()) {
      return Optional.of("region " + self + " keeps trees of depth " + tree.get().depth() + " for dataset "
          + dataset + ", region " + from + " of depth " + compare.depth() + "; configure one depth everywhere");
    }
    if (!datasets.partners(dataset).contains(from)) {
      return Optional.of("region " + self + " does not exchange dataset " + dataset + " with " + from);
    }
    return Optional.empty();
  }

  private void onTreeCompare(Session session, TreeCompare compare, Output.Builder out) {
    MerkleTree tree = store.tree(session.dataset).orElseThrow();
    int level = compare.level();
    if (level < 0 || level > tree.depth() || compare.hashes().size() != (level == 0 ? 1 : 2 * compare.parents().size())) {
      finish(session, "malformed tree comparison at level " + level, out);
      return;
    }
    session.rangesCompared += compare.hashes().size();
    List<Integer> differing = new ArrayList<>();
    for (int i = 0; i < compare.hashes().size(); i++) {
      int node = level == 0 ? 0 : 2 * compare.parents().get(i / 2) + (i % 2);
      if (node < 0 || node >= (1 << level)) {
        finish(session, "tree node " + node + " outside level " + level, out);
        return;
      }
      if (tree.hash(level, node) != compare.hashes().get(i)) {
        differing.add(node);
      }
    }
    if (differing.isEmpty()) {
      finish(session, "", out);
    } else if (level == tree.depth()) {
      sendDigests(session, tree, differing, out);
    } else {
      List<Long> hashes = new ArrayList<>(2 * differing.size());
      for (int node : differing) {
        hashes.add(tree.hash(level + 1, 2 * node));
        hashes.add(tree.hash(level + 1, 2 * node + 1));
      }
      send(session, new TreeCompare(session.dataset, session.id, tree.depth(), level + 1, differing, hashes), out);
    }
  }

  // Splits the differing leaves into parts of at most keysPerMessageMax digests (a leaf is never
  // split), so no message grows with the divergence.
  private void sendDigests(Session session, MerkleTree tree, List<Integer> leaves, Output.Builder out) {
    List<List<Integer>> partLeaves = new ArrayList<>();
    List<List<MerkleTree.KeyDigest>> partKeys = new ArrayList<>();
    List<Integer> currentLeaves = new ArrayList<>();
    List<MerkleTree.KeyDigest> currentKeys = new ArrayList<>();
    for (int leaf : leaves) {
      List<MerkleTree.KeyDigest> keys = tree.keysIn(leaf);
      if (!currentLeaves.isEmpty() && currentKeys.size() + keys.size() > settings.keysPerMessageMax()) {
        partLeaves.add(currentLeaves);
        partKeys.add(currentKeys);
        currentLeaves = new ArrayList<>();
        currentKeys = new ArrayList<>();
      }
      currentLeaves.add(leaf);
      currentKeys.addAll(keys);
    }
    partLeaves.add(currentLeaves);
    partKeys.add(currentKeys);
    int parts = partLeaves.size();
    for (int part = 0; part < parts; part++) {
      List<Bytes> keys = new ArrayList<>();
      List<Long> hashes = new ArrayList<>();
      for (MerkleTree.KeyDigest digest : partKeys.get(part)) {
        keys.add(digest.key());
        hashes.add(digest.entryHash());
      }
      send(session, new KeyDigests(session.dataset, session.id, part, parts, partLeaves.get(part), keys, hashes), out);
    }
  }

  private void onKeyDigests(Session session, KeyDigests digests, Output.Builder out) {
    MerkleTree tree = store.tree(session.dataset).orElseThrow();
    if (digests.keys().size() != digests.entryHashes().size() || digests.parts() < 1 || digests.part() < 0
        || digests.part() >= digests.parts()) {
      finish(session, "malformed key digests", out);
      return;
    }
    Map<Bytes, Long> theirs = new HashMap<>();
    for (int i = 0; i < digests.keys().size(); i++) {
      theirs.put(digests.keys().get(i), digests.entryHashes().get(i));
    }
    List<Bytes> differing = new ArrayList<>();
    for (int leaf : digests.leaves()) {
      if (leaf < 0 || leaf >= tree.leafCount()) {
        finish(session, "leaf " + leaf + " outside the tree", out);
        return;
      }
      for (MerkleTree.KeyDigest mine : tree.keysIn(leaf)) {
        Long their = theirs.remove(mine.key());
        if (their == null || their != mine.entryHash()) {
          differing.add(mine.key());
        }
      }
    }
    differing.addAll(theirs.keySet()); // keys only the peer holds
    differing.sort(null);
    if (isAuthority(session)) {
      send(session, entries(session, digests.part(), digests.parts(), differing), out);
    } else {
      send(session, new EntriesWanted(session.dataset, session.id, digests.part(), digests.parts(), differing), out);
    }
  }

  private boolean isAuthority(Session session) {
    return datasets.authority(session.dataset).map(self::equals).orElse(false);
  }

  private RepairEntries entries(Session session, int part, int parts, List<Bytes> keys) {
    List<Optional<StoredValue>> states = new ArrayList<>(keys.size());
    for (Bytes key : keys) {
      states.add(store.get(session.dataset, key));
    }
    return new RepairEntries(session.dataset, session.id, part, parts, keys, states);
  }

  private void onRepairEntries(long nowMillis, Session session, RepairEntries entries, Output.Builder out) {
    if (isAuthority(session) || entries.keys().size() != entries.states().size()) {
      finish(session, isAuthority(session) ? "region " + self + " is the source of truth for dataset "
          + session.dataset + " and takes no repairs from " + session.peer : "malformed repair entries", out);
      return;
    }
    long head = store.lastSequence(session.dataset);
    for (int i = 0; i < entries.keys().size(); i++) {
      Bytes key = entries.keys().get(i);
      RepairRule.Decision decision = RepairRule.PRIMARY_WINS.resolve(store.get(session.dataset, key),
          entries.states().get(i), head);
      if (decision.change()) {
        store.repairKey(session.dataset, key, decision.state());
        session.keysRepaired++;
      }
    }
    session.partsApplied++;
    if (session.partsApplied >= entries.parts()) {
      if (session.initiator) {
        complete(nowMillis, session, "", out);
      } else {
        finish(session, "", out);
      }
    }
  }

  // Ends the session from this side: the initiator completes it, a responder tells the initiator.
  private void finish(Session session, String error, Output.Builder out) {
    if (session.initiator) {
      complete(session.lastHeardAtMillis, session, error, out);
    } else {
      out.send(session.peer, new RepairDone(session.dataset, session.id, session.keysRepaired, error));
      sessions.remove(session.id);
    }
  }

  private void complete(long nowMillis, Session session, String error, Output.Builder out) {
    sessions.remove(session.id);
    out.report(new ReplicationEvent.RepairFinished(session.dataset, session.peer, session.id, session.rangesCompared,
        session.keysRepaired, session.bytes, Math.max(0, nowMillis - session.startedAtMillis), error));
  }

  private void send(Session session, PeerMessage message, Output.Builder out) {
    if (session.initiator) {
      session.bytes += sizeBytes(message);
      if (message instanceof TreeCompare compare) {
        session.rangesCompared += compare.hashes().size();
      }
    }
    out.send(session.peer, message);
  }

  void onTick(long nowMillis, Output.Builder out) {
    Iterator<Session> it = sessions.values().iterator();
    List<Session> expired = new ArrayList<>();
    while (it.hasNext()) {
      Session session = it.next();
      if (nowMillis - session.lastHeardAtMillis >= settings.sessionTimeoutMillis()) {
        expired.add(session);
        it.remove();
      }
    }
    for (Session session : expired) {
      if (session.initiator) {
        out.report(new ReplicationEvent.RepairFinished(session.dataset, session.peer, session.id,
            session.rangesCompared, session.keysRepaired, session.bytes, nowMillis - session.startedAtMillis,
            "region " + session.peer + " did not answer for " + settings.sessionTimeoutMillis()
                + " ms (link down or messages lost); the next repair starts afresh."));
      }
    }
    lastTickMillis = nowMillis;
    if (settings.intervalMillis() > 0) {
      for (Map.Entry<String, Long> due : nextPeriodicAtMillis.entrySet()) {
        if (nowMillis >= due.getValue()) {
          due.setValue(nowMillis + settings.intervalMillis());
          String dataset = due.getKey();
          // Only the source of truth starts periodic sessions, so each pair is compared once.
          if (datasets.authority(dataset).map(self::equals).orElse(false)) {
            for (String peer : datasets.partners(dataset)) {
              if (!running(dataset, peer)) {
                // Give up a round before the next one is due, so rounds never pile up.
                deferredUntilMillis.put(List.of(dataset, peer), nowMillis + settings.intervalMillis() - 1);
              }
            }
          }
        }
      }
      startPeriodicSessionsOfCaughtUpReplicas(nowMillis, out);
    }
  }

  // A periodic session starts only once its replica has applied (nearly) the whole log: what a
  // merely lagging replica misses is the log's business (ADR 0022). It waits at most one interval.
  private void startPeriodicSessionsOfCaughtUpReplicas(long nowMillis, Output.Builder out) {
    Iterator<Map.Entry<List<String>, Long>> it = deferredUntilMillis.entrySet().iterator();
    List<List<String>> ready = new ArrayList<>();
    while (it.hasNext()) {
      Map.Entry<List<String>, Long> entry = it.next();
      String dataset = entry.getKey().get(0);
      String peer = entry.getKey().get(1);
      if (!datasets.authority(dataset).map(self::equals).orElse(false) || !datasets.partners(dataset).contains(peer)
          || running(dataset, peer)) {
        it.remove(); // roles changed, or a session with the peer is already running
        continue;
      }
      long backlog = datasets.backlog(dataset, peer);
      if (backlog >= 0 && backlog <= BACKLOG_TOLERATED_CHANGES) {
        it.remove();
        ready.add(entry.getKey());
      } else if (nowMillis >= entry.getValue()) {
        it.remove(); // still lagging after a whole interval: this round skips the replica
      }
    }
    for (List<String> pair : ready) {
      start(nowMillis, pair.get(0), List.of(pair.get(1)), out);
    }
  }

  long nextDeadlineMillis() {
    long due = Long.MAX_VALUE;
    for (Session session : sessions.values()) {
      due = Math.min(due, session.lastHeardAtMillis + settings.sessionTimeoutMillis());
    }
    for (long periodic : nextPeriodicAtMillis.values()) {
      due = Math.min(due, periodic);
    }
    if (!deferredUntilMillis.isEmpty()) {
      due = Math.min(due, lastTickMillis + DEFERRED_RETRY_MILLIS);
    }
    return due;
  }

  private static String sessionOf(PeerMessage message) {
    if (message instanceof TreeCompare m) {
      return m.session();
    } else if (message instanceof KeyDigests m) {
      return m.session();
    } else if (message instanceof EntriesWanted m) {
      return m.session();
    } else if (message instanceof RepairEntries m) {
      return m.session();
    } else if (message instanceof RepairDone m) {
      return m.session();
    }
    throw new IllegalArgumentException("not an anti-entropy message: " + message);
  }

  /** Estimated encoded size of an anti-entropy message, for the session's figures and metrics. */
  static long sizeBytes(PeerMessage message) {
    long size = 16 + message.dataset().length() + sessionOf(message).length();
    if (message instanceof TreeCompare m) {
      size += 4L * m.parents().size() + 8L * m.hashes().size();
    } else if (message instanceof KeyDigests m) {
      size += 4L * m.leaves().size();
      for (Bytes key : m.keys()) {
        size += key.size() + 10;
      }
    } else if (message instanceof EntriesWanted m) {
      for (Bytes key : m.keys()) {
        size += key.size() + 2;
      }
    } else if (message instanceof RepairEntries m) {
      for (int i = 0; i < m.keys().size(); i++) {
        size += m.keys().get(i).size() + 2
            + m.states().get(i).map(s -> (long) Change.OVERHEAD_BYTES + s.value().size()).orElse(2L);
      }
    } else if (message instanceof RepairDone m) {
      size += 8 + m.error().length();
    }
    return size;
  }
}

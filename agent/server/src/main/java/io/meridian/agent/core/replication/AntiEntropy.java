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
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Anti-entropy sessions of one region (ADR 0014). A session compares one dataset between two
 * regions: the initiator sends its root; each side answers a {@link TreeCompare} with its hashes
 * one level deeper, only under the nodes that differed; at the leaves each sends the key digests of
 * the differing leaves; the replica then gets the source's state of exactly the differing keys and
 * applies them by the dataset's {@link RepairRule}; in a leaderless (quorum) dataset both sides
 * merge the other's differing keys by the dataset's conflict rule instead (ADR 0035). Messages
 * travel on the dataset's replication stream (quorum: the stream the initiator opened). Lost
 * messages make a session time out, and a stream that closes ends its sessions at once (what was in
 * flight on it is lost); the next one starts afresh. Deterministic: time comes in as arguments.
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

    /**
     * Whether {@code dataset} is leaderless (quorum): no region's state is the truth, every pair of
     * replicas compares, and each side merges the other's differing keys by the dataset's conflict
     * rule (ADR 0035).
     */
    default boolean leaderless(String dataset) {
      return false;
    }

    /**
     * Leaderless datasets whose conflict rule keeps the state with the newest version timestamp
     * (last-writer-wins): their key digests carry each state's timestamp, so the side comparing them
     * fetches only the peer's newer states and pushes only its own newer ones, and each divergent
     * entry crosses once (ADR 0044). Version-vector states are joined, not ordered: false.
     */
    default boolean newestWins(String dataset) {
      return false;
    }

    /**
     * Leaderless datasets that collect tombstones against a floor learned from anti-entropy rounds
     * (version-vector quorum, ADR 0044).
     */
    default boolean collectsTombstones(String dataset) {
      return false;
    }

    /** The dataset's tombstone-collection floor as known here (region to sequence). */
    default java.util.SortedMap<String, Long> collectionFloor(String dataset) {
      return new TreeMap<>();
    }

    /** Raises the dataset's floor to at least {@code floor} and collects the tombstones it covers. */
    default void raiseCollectionFloor(String dataset, Map<String, Long> floor, Output.Builder out) {}

    /** The partners this region starts periodic sessions with (a primary: its replicas). */
    default List<String> initiates(String dataset) {
      return authority(dataset).map(primary -> primary.equals(self()) ? partners(dataset) : List.<String>of())
          .orElse(List.of());
    }

    /** This region. */
    String self();

    /**
     * The stream a session of {@code dataset} started by {@code initiator} with {@code responder}
     * travels on: the dataset's replication stream, or for a quorum dataset the stream the
     * initiator opens to the responder.
     */
    default String stream(String dataset, String initiator, String responder) {
      return dataset;
    }

    /** The dataset whose session messages travel on {@code stream}. */
    default String datasetOf(String stream) {
      return stream;
    }

    /**
     * Leaderless datasets: merges a peer's state of {@code key} into this replica by the dataset's
     * conflict rule (the same merge as writes, read repairs and hints); returns whether the key
     * changed and what it holds afterwards (including changes not yet flushed to the store).
     */
    default RepairRule.Decision merge(long nowMillis, String dataset, Bytes key, Optional<StoredValue> remote) {
      throw new UnsupportedOperationException("dataset " + dataset + " has a primary; its replicas do not merge");
    }
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
  private final Map<String, FloorRound> floorRounds = new TreeMap<>();

  /**
   * How an initiator learns a tombstone-collection floor (ADR 0044). A session that completes
   * without error leaves each side holding at least the other's state at its start. Pass 1: a
   * completed session with every partner P, whose responder reported its log head {@code s_P};
   * when the last completes, this region notes its own head. Pass 2: a completed session with
   * every partner, each started after that. Then every replica holds this region's state at the
   * mark, which held every P's state at its pass-1 session, which held every write P coordinated
   * up to {@code s_P}: the floor {P: s_P, self: own head} is a fact.
   */
  private static final class FloorRound {
    final Map<String, Long> firstPass = new TreeMap<>();
    final Map<String, Long> secondPass = new TreeMap<>();
    // Sessions numbered above this started after pass 1 completed; -1 while pass 1 runs.
    long markSession = -1;
    long ownHeadAtMark;
  }

  private static final class Session {
    final String id;
    final String dataset;
    final String peer;
    final boolean initiator;
    /** The stream this session's messages travel on (the dataset's, or a quorum pair's). */
    final String stream;
    final long startedAtMillis;
    // The initiator's number of this session; at a responder, its own log head at the start
    // (reported in RepairDone, ADR 0044).
    long number;
    long headAtStart;
    long lastHeardAtMillis;
    long rangesCompared;
    long keysRepaired;
    long bytes;
    int partsApplied;
    // Leaderless sessions, at the side that received the key digests: the differing keys of each
    // part, and how many parts it has pushed its newer states for.
    final Map<Integer, List<Bytes>> differingByPart = new HashMap<>();
    int partsPushed;

    Session(String id, String dataset, String peer, boolean initiator, String stream, long nowMillis) {
      this.id = id;
      this.dataset = dataset;
      this.peer = peer;
      this.initiator = initiator;
      this.stream = stream;
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
            + (datasets.leaderless(dataset) ? " (its other replicas)." : " (a replica repairs against its primary).")));
        continue;
      }
      if (running(dataset, peer)) {
        out.report(new ReplicationEvent.RepairFinished(dataset, peer, "", 0, 0, 0, 0, "a repair of dataset "
            + dataset + " with " + peer + " is already running in region " + self + "; wait for it to finish."));
        continue;
      }
      String id = sessionPrefix + (++sessionsStarted);
      Session session = new Session(id, dataset, peer, true, datasets.stream(dataset, self, peer), nowMillis);
      session.number = sessionsStarted;
      sessions.put(id, session);
      out.report(new ReplicationEvent.RepairStarted(dataset, peer, id));
      MerkleTree tree = store.tree(dataset).orElseThrow();
      java.util.SortedMap<String, Long> floor = datasets.collectsTombstones(dataset)
          ? datasets.collectionFloor(dataset) : new TreeMap<>();
      send(session, new TreeCompare(session.stream, id, tree.depth(), 0, List.of(), List.of(tree.root()), floor), out);
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
      String dataset = datasets.datasetOf(message.dataset());
      Optional<String> refusal = refusal(from, dataset, compare);
      if (refusal.isPresent()) {
        out.send(from, new RepairDone(message.dataset(), id, 0, refusal.get()));
        return;
      }
      session = new Session(id, dataset, from, false, message.dataset(), nowMillis);
      session.headAtStart = store.lastSequence(dataset);
      sessions.put(id, session);
      if (!compare.floor().isEmpty() && datasets.collectsTombstones(dataset)) {
        // A floor the initiator learned (ADR 0044): collect before comparing, as it did.
        datasets.raiseCollectionFloor(dataset, compare.floor(), out);
      }
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
    } else if (message instanceof RepairEntries entries && datasets.leaderless(session.dataset)) {
      onLeaderlessEntries(nowMillis, session, entries, out);
    } else if (message instanceof RepairEntries entries) {
      onRepairEntries(nowMillis, session, entries, out);
    } else if (message instanceof RepairDone done) {
      session.keysRepaired += done.keysRepaired();
      if (session.initiator) {
        if (done.error().isEmpty() && datasets.collectsTombstones(session.dataset)) {
          onCompletedForFloor(session, done.logSequence(), out);
        }
        complete(nowMillis, session, done.error(), out);
      } else {
        sessions.remove(session.id);
      }
    }
  }

  private Optional<String> refusal(String from, String dataset, TreeCompare compare) {
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
      send(session, new TreeCompare(session.stream, session.id, tree.depth(), level + 1, differing, hashes), out);
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
    boolean versioned = datasets.leaderless(session.dataset) && datasets.newestWins(session.dataset);
    for (int part = 0; part < parts; part++) {
      List<Bytes> keys = new ArrayList<>();
      List<Long> hashes = new ArrayList<>();
      List<Long> versions = new ArrayList<>();
      for (MerkleTree.KeyDigest digest : partKeys.get(part)) {
        keys.add(digest.key());
        hashes.add(digest.entryHash());
        if (versioned) {
          Optional<StoredValue> state = store.get(session.dataset, digest.key());
          if (state.isEmpty()) {
            versioned = false; // the tree and the store disagree: send hashes only, the peer fetches
          } else {
            versions.add(state.get().version().timestamp().pack());
          }
        }
      }
      send(session, new KeyDigests(session.stream, session.id, part, parts, partLeaves.get(part), keys, hashes,
          versioned ? versions : List.of()), out);
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
    List<Bytes> onlyTheirs = new ArrayList<>(theirs.keySet());
    differing.addAll(onlyTheirs); // keys only the peer holds
    differing.sort(null);
    if (datasets.leaderless(session.dataset)) {
      // Ask for the peer's state of the differing keys it holds, unless its digest shows this side
      // holds the newer version (ADR 0044); once they are merged here, push back what the peer
      // lacks or holds older (onLeaderlessEntries). With versions in the digests a differing key
      // crosses once; without (version vectors, equal timestamps) it may cross twice.
      session.differingByPart.put(digests.part(), differing);
      List<Bytes> wanted = new ArrayList<>();
      Map<Bytes, Long> theirVersions = new HashMap<>();
      if (datasets.newestWins(session.dataset) && digests.versions().size() == digests.keys().size()) {
        for (int i = 0; i < digests.keys().size(); i++) {
          theirVersions.put(digests.keys().get(i), digests.versions().get(i));
        }
      }
      Set<Bytes> listed = new HashSet<>(digests.keys());
      for (Bytes key : differing) {
        if (!listed.contains(key)) {
          continue; // only this side holds it: pushed
        }
        Long their = theirVersions.get(key);
        if (their != null) {
          Optional<StoredValue> mine = store.get(session.dataset, key);
          if (mine.isPresent() && mine.get().version().timestamp().pack() > their) {
            continue; // this side's version is newer: pushed, not fetched
          }
        }
        wanted.add(key);
      }
      send(session, new EntriesWanted(session.stream, session.id, digests.part(), digests.parts(), wanted), out);
    } else if (isAuthority(session)) {
      send(session, entries(session, digests.part(), digests.parts(), differing), out);
    } else {
      send(session, new EntriesWanted(session.stream, session.id, digests.part(), digests.parts(), differing), out);
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
    return new RepairEntries(session.stream, session.id, part, parts, keys, states);
  }

  // Leaderless sessions. At the side that received the digests, entries answer its EntriesWanted:
  // it merges them, then pushes its state of every differing key where that is not what the peer
  // sent. At the other side, entries are those pushes: it merges them. Each side's responder says
  // RepairDone (with its count) when its part is done; the initiator completes on it.
  private void onLeaderlessEntries(long nowMillis, Session session, RepairEntries entries, Output.Builder out) {
    if (entries.keys().size() != entries.states().size() || entries.parts() < 1) {
      finish(session, "malformed repair entries", out);
      return;
    }
    List<Bytes> differing = session.differingByPart.remove(entries.part());
    Map<Bytes, Optional<StoredValue>> theirs = new HashMap<>();
    for (int i = 0; i < entries.keys().size(); i++) {
      Bytes key = entries.keys().get(i);
      theirs.put(key, entries.states().get(i));
      RepairRule.Decision merged = datasets.merge(nowMillis, session.dataset, key, entries.states().get(i));
      if (merged.change()) {
        session.keysRepaired++;
      }
    }
    if (differing == null) {
      // Pushes from the side that received our digests.
      session.partsApplied++;
      if (session.partsApplied >= entries.parts() && !session.initiator) {
        finish(session, "", out);
      }
      return;
    }
    List<Bytes> pushKeys = new ArrayList<>();
    List<Optional<StoredValue>> pushStates = new ArrayList<>();
    for (Bytes key : differing) {
      Optional<StoredValue> mine = datasets.merge(nowMillis, session.dataset, key, Optional.empty()).state();
      Optional<StoredValue> sent = theirs.getOrDefault(key, Optional.empty());
      if (mine.isPresent() && !mine.map(MerkleTrackingStore::canonical).equals(sent.map(MerkleTrackingStore::canonical))) {
        pushKeys.add(key);
        pushStates.add(mine);
      }
    }
    send(session, new RepairEntries(session.stream, session.id, entries.part(), entries.parts(), pushKeys, pushStates),
        out);
    session.partsPushed++;
    if (session.partsPushed >= entries.parts() && !session.initiator) {
      finish(session, "", out);
    }
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

  // Tombstone-collection floor rounds (ADR 0044, FloorRound).
  private void onCompletedForFloor(Session session, long peerHead, Output.Builder out) {
    FloorRound round = floorRounds.computeIfAbsent(session.dataset, d -> new FloorRound());
    List<String> partners = datasets.partners(session.dataset);
    if (round.markSession < 0) {
      round.firstPass.put(session.peer, peerHead);
      if (round.firstPass.keySet().containsAll(partners)) {
        round.markSession = sessionsStarted;
        round.ownHeadAtMark = store.lastSequence(session.dataset);
      }
    } else if (session.number > round.markSession) {
      round.secondPass.put(session.peer, peerHead);
      if (round.secondPass.keySet().containsAll(partners)) {
        Map<String, Long> floor = new TreeMap<>();
        for (String partner : partners) {
          floor.put(partner, round.firstPass.get(partner));
        }
        floor.put(self, round.ownHeadAtMark);
        datasets.raiseCollectionFloor(session.dataset, floor, out);
        // The second pass is the next floor's first.
        round.firstPass.clear();
        round.firstPass.putAll(round.secondPass);
        round.secondPass.clear();
        round.markSession = sessionsStarted;
        round.ownHeadAtMark = store.lastSequence(session.dataset);
      }
    }
  }

  // Ends the session from this side: the initiator completes it, a responder tells the initiator.
  private void finish(Session session, String error, Output.Builder out) {
    if (session.initiator) {
      complete(session.lastHeardAtMillis, session, error, out);
    } else {
      out.send(session.peer, new RepairDone(session.stream, session.id, session.keysRepaired, error,
          session.headAtStart));
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

  /**
   * The stream {@code stream} with {@code peer} closed: whatever a session on it sent or was about
   * to receive is lost with it (and a message sent before it reopens is dropped), so its sessions
   * end now, an initiator's with an error saying so, instead of waiting out the session timeout.
   * A responder's session ends silently: its initiator sees the same stream close.
   */
  void onStreamClosed(long nowMillis, String peer, String stream, String reason, Output.Builder out) {
    List<Session> ended = new ArrayList<>();
    for (Session session : sessions.values()) {
      if (session.peer.equals(peer) && session.stream.equals(stream)) {
        ended.add(session);
      }
    }
    for (Session session : ended) {
      if (session.initiator) {
        complete(nowMillis, session, "the stream to region " + peer + " closed during the repair (" + reason
            + "); what was in flight on it is lost. " + STARTS_AFRESH, out);
      } else {
        sessions.remove(session.id);
      }
    }
  }

  /** How the errors of a session that may succeed when run again end: a user runs the repair again. */
  static final String STARTS_AFRESH = "the next repair starts afresh.";

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
                + " ms (link down or messages lost); " + STARTS_AFRESH));
      }
    }
    lastTickMillis = nowMillis;
    if (settings.intervalMillis() > 0) {
      for (Map.Entry<String, Long> due : nextPeriodicAtMillis.entrySet()) {
        if (nowMillis >= due.getValue()) {
          due.setValue(nowMillis + settings.intervalMillis());
          String dataset = due.getKey();
          // Only the source of truth starts periodic sessions (in a leaderless dataset, the lower
          // region of each pair), so each pair is compared once.
          for (String peer : datasets.initiates(dataset)) {
            if (!running(dataset, peer)) {
              // Give up a round before the next one is due, so rounds never pile up.
              deferredUntilMillis.put(List.of(dataset, peer), nowMillis + settings.intervalMillis() - 1);
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
      if (!datasets.initiates(dataset).contains(peer) || running(dataset, peer)) {
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
      size += 2L * m.parents().size() + 8L * m.hashes().size();
    } else if (message instanceof KeyDigests m) {
      size += 2L * m.leaves().size() + 6L * m.versions().size();
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

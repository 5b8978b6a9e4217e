package io.meridian.agent.core.replication;

import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.MultiPrimaryBounds;
import io.meridian.agent.config.QuorumPolicy;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.Invariants;
import io.meridian.agent.core.clock.HlcTimestamp;
import io.meridian.agent.core.clock.HybridLogicalClock;
import io.meridian.agent.core.conflict.ConflictDetail;
import io.meridian.agent.core.conflict.Dot;
import io.meridian.agent.core.conflict.Operation;
import io.meridian.agent.core.conflict.Siblings;
import io.meridian.agent.core.conflict.VersionVector;
import io.meridian.agent.core.conflict.Stamp;
import io.meridian.agent.core.replication.ClientOperation.Delete;
import io.meridian.agent.core.replication.ClientOperation.Get;
import io.meridian.agent.core.replication.ClientOperation.Put;
import io.meridian.agent.core.replication.RequestOptions.ReadLevel;
import io.meridian.agent.core.replication.RequestOptions.ReplicaCount;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.ChangeKind;
import io.meridian.agent.core.storage.ReplicaStore;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.storage.Version;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One {@code quorum} dataset in one region (ADR 0013): leaderless, Dynamo/Cassandra style. The
 * region a client reaches coordinates its request: a write is stamped on the hybrid clock, held
 * here and sent to every other replica, and answered once W replicas (this one included) hold it;
 * a read asks every reachable replica, answers with the newest version once R have answered, and
 * repairs the stale replicas it heard from. A replica that cannot be reached gets a durable hint
 * (through {@link ReplicaStore#saveHint}) delivered when its stream opens again.
 *
 * <p>Versions are ordered last-writer-wins: hybrid clock timestamp, then the coordinating region.
 * A replica holds a write only if it is newer than what it has, which makes every delivery
 * (retry, read repair, hint) idempotent. Each replica appends what it holds to its own log, with
 * its own sequence numbers; a version's sequence is therefore the serving replica's.
 *
 * <p>Streams: region A sends its requests to B on the stream {@code dataset@B}, which A opens;
 * B answers on the same stream. So each pair of replicas has two streams, one per coordinator.
 */
final class QuorumReplication implements DatasetEngine {
  /** Most hint deliveries in flight to one replica; more wait for acknowledgements. */
  static final int HINT_DELIVERIES_IN_FLIGHT_MAX = 256;
  /**
   * Admission control (ADR 0028): a new write is refused while the oldest write still waiting for
   * its W acknowledgements has waited at least the quorum timeout divided by this. Past that point
   * the replicas are behind the offered load; writes admitted now would only queue behind it and
   * time out, so they are shed at once, unwritten, and the backlog drains at the replicas' pace.
   */
  static final int ADMISSION_WAIT_TIMEOUT_DIVISOR = 4;

  private static final Comparator<Change> NEWEST_LAST = Comparator
      .comparing((Change change) -> change.version().timestamp())
      .thenComparing(change -> change.version().committedBy());

  private final String self;
  private final DatasetConfig config;
  private final String name;
  private final QuorumPolicy policy;
  private final ReplicationBounds bounds;
  private final ReplicaStore store;
  private final HybridLogicalClock clock;
  private final List<String> others;
  private final Set<String> reachable = new TreeSet<>();
  private final List<Change> staged = new ArrayList<>();
  private final Map<Bytes, Change> stagedByKey = new HashMap<>();
  // Operation ids are unique across restarts (the incarnation is the high half), so a late answer
  // to an operation of an earlier run can never be taken for one of this run.
  private long nextOperationId;
  private final Map<Long, PendingWrite> writes = new LinkedHashMap<>();
  // Writes not yet answered, oldest first; answered ones are skipped lazily at the head. Admission
  // looks at how long the oldest has waited. Holds at most the writes admitted while the oldest
  // waited less than the admission bound.
  private final ArrayDeque<PendingWrite> unanswered = new ArrayDeque<>();
  private final Map<Long, PendingRead> reads = new LinkedHashMap<>();
  private final Map<Long, HintInFlight> deliveries = new HashMap<>();
  private final Map<String, TreeMap<Long, Change>> hints = new TreeMap<>();
  private final Map<String, Integer> hintsInFlight = new HashMap<>();
  // Per target, the highest hint id sent on the current stream; hints are sent in id order.
  private final Map<String, Long> hintsSentUpTo = new HashMap<>();
  private final Map<String, long[]> hintCounts = new TreeMap<>();
  private long nextHintId;
  // Writes (operation id, change) and acknowledgements to send, per region, gathered and sent as
  // one message each: a client's batch of puts costs one frame per replica, not one per put.
  private final Map<String, List<Long>> outgoingIds = new TreeMap<>();
  private final Map<String, List<Change>> outgoingChanges = new TreeMap<>();
  private final Map<String, List<Long>> outgoingAcks = new TreeMap<>();
  // When the oldest unsent write was gathered; Long.MAX_VALUE when none. Writes wait up to the
  // batch delay (as async batches do) so that many small client batches share a frame, unless a
  // batch is full.
  private long outgoingSinceMillis = Long.MAX_VALUE;
  private int outgoingCount;
  private long lastNowMillis;
  // The last admission refusal and what it describes; reused while they are unchanged.
  private ClientResult.Failed refusal;
  private long refusalAtMillis;
  private PendingWrite refusalOldest;
  private int refusalBacklog;
  // Version-vector datasets (ADR 0034): keys hold sibling sets, joined rather than overwritten.
  private final boolean versioned;
  private final int siblingsMax = MultiPrimaryBounds.DEFAULTS.siblingsMax();
  // Conflicts found while holding (joining) states, reported at the end of the step.
  private final List<ReplicationEvent> heldConflicts = new ArrayList<>();
  // Version-vector datasets: the tombstone-collection floor (ADR 0044). Every replica has
  // incorporated every write region X coordinated up to sequence floor[X], so an incoming sibling
  // the floor covers and this replica lacks was superseded here, and a tombstone whose context the
  // floor covers can go. Durable (the store's frontier of the dataset), only ever raised.
  private VersionVector collectionFloor = VersionVector.EMPTY;
  // Last-writer-wins datasets: the newest version of recently held keys (ADR 0057); null for
  // version-vector datasets, whose holds join whole sibling sets and so read the stored state.
  private final LatestVersions latestVersions;

  private static final class PendingWrite {
    final long requestId;
    final Change change;
    final boolean existedBefore;
    final int required;
    final long startedMillis;
    final long deadlineMillis;
    final Set<String> awaited = new TreeSet<>();
    int acknowledged = 1;
    boolean answered;

    PendingWrite(long requestId, Change change, boolean existedBefore, int required, long startedMillis,
        long deadlineMillis) {
      this.requestId = requestId;
      this.change = change;
      this.existedBefore = existedBefore;
      this.required = required;
      this.startedMillis = startedMillis;
      this.deadlineMillis = deadlineMillis;
    }
  }

  private static final class PendingRead {
    final long requestId;
    final Bytes key;
    final int required;
    final long deadlineMillis;
    final Set<String> awaited = new TreeSet<>();
    // Replica to the state it answered with (null: never held the key).
    final Map<String, Change> answers = new TreeMap<>();
    boolean answered;

    PendingRead(long requestId, Bytes key, int required, long deadlineMillis) {
      this.requestId = requestId;
      this.key = key;
      this.required = required;
      this.deadlineMillis = deadlineMillis;
    }
  }

  private record HintInFlight(String target, long hintId) {}

  QuorumReplication(String self, DatasetConfig config, ReplicationBounds bounds, ReplicaStore store,
      HybridLogicalClock clock) {
    this(self, config, bounds, store, clock, ReplicationNode.QUORUM_CACHED_KEYS_MAX);
  }

  /** As above, keeping the newest version of at most {@code cachedKeysMax} keys in memory (ADR 0057). */
  QuorumReplication(String self, DatasetConfig config, ReplicationBounds bounds, ReplicaStore store,
      HybridLogicalClock clock, int cachedKeysMax) {
    Invariants.check(config.mode() == ReplicationMode.QUORUM, "dataset %s is not a quorum dataset", config.name());
    Invariants.check(config.replicas().contains(self), "region %s is not a replica of %s", self, config.name());
    this.self = self;
    this.config = config;
    this.name = config.name();
    this.policy = config.quorum();
    this.bounds = bounds;
    this.store = store;
    this.clock = clock;
    this.versioned = config.conflictResolution() == ConflictResolution.VERSION_VECTOR;
    this.latestVersions = versioned ? null : new LatestVersions(cachedKeysMax, config.replicas());
    if (versioned) {
      collectionFloor = store.mergedFrontier(config.name()).map(VersionVector::fromBytes).orElse(VersionVector.EMPTY);
    }
    List<String> peers = new ArrayList<>(new TreeSet<>(config.replicas()));
    peers.remove(self);
    this.others = List.copyOf(peers);
    this.nextOperationId = store.nextIncarnation(name) << 32;
    long highestHint = 0;
    for (Map.Entry<String, SortedMap<Long, Change>> kept : store.hints(name).entrySet()) {
      hints.put(kept.getKey(), new TreeMap<>(kept.getValue()));
      highestHint = Math.max(highestHint, kept.getValue().lastKey());
    }
    this.nextHintId = highestHint + 1;
    for (String peer : others) {
      hints.computeIfAbsent(peer, p -> new TreeMap<>());
      hintCounts.put(peer, new long[3]);
    }
  }

  /** The stream on which {@code coordinator} sends its requests to {@code replica}. */
  static String streamName(String dataset, String replica) {
    return dataset + MultiPrimaryReplication.LOG_SEPARATOR + replica;
  }

  /** Every stream name of the dataset (one per replica). */
  List<String> streamNames() {
    List<String> result = new ArrayList<>();
    for (String replica : new TreeSet<>(config.replicas())) {
      result.add(streamName(name, replica));
    }
    return result;
  }

  @Override
  public Role role() {
    return Role.PRIMARY;
  }

  // ---------------------------------------------------------------- levels

  /** How many replicas a request at {@code count} waits for, or why it cannot be served. */
  private int replicasFor(ReplicaCount count, boolean write, ClientResult.Failed[] refusal) {
    int n = config.replicas().size();
    switch (count) {
      case ONE:
        return 1;
      case QUORUM:
        return n / 2 + 1;
      case ALL:
        return n;
      case LOCAL_QUORUM:
        refusal[0] = new ClientResult.Failed(Failure.FAILED_PRECONDITION, "dataset " + name + " holds one replica"
            + " per region (the topology places each replica in its own region), so local-quorum has no local"
            + " majority to wait for; use one (this region's replica), quorum (" + (n / 2 + 1) + " of " + n
            + ") or all.");
        return -1;
      default:
        return write ? policy.writeAcks() : policy.readReplies();
    }
  }

  /**
   * How many replicas a session read carrying {@code position} asks: N − W + 1 for the smallest W
   * among the session's writes, which overlaps each of them (the dataset's W when the token does not
   * say), at least 1 and at most N.
   */
  static int sessionReadReplicas(int replicas, QuorumPolicy policy, SessionToken.Position position) {
    int writeReplicas = position instanceof SessionToken.ClockPosition clock && clock.writeReplicasMin() > 0
        ? clock.writeReplicasMin() : policy.writeAcks();
    return Math.min(replicas, Math.max(1, replicas - writeReplicas + 1));
  }

  // ---------------------------------------------------------------- client requests

  @Override
  public void onClientRequest(long nowMillis, long requestId, ClientOperation operation, Output.Builder out) {
    lastNowMillis = nowMillis;
    RequestOptions options = RequestOptions.DEFAULTS;
    if (operation instanceof ClientOperation.Tuned) {
      options = ((ClientOperation.Tuned) operation).options();
      operation = ((ClientOperation.Tuned) operation).operation();
    }
    if (operation instanceof Get) {
      read(nowMillis, requestId, operation.key(), options, out);
    } else if (versioned && operation instanceof ClientOperation.ContextualWrite contextual
        && contextual.context().get(self) >= nextLocalSequence()) {
      // A context naming a write this region has not made yet would hide that future write.
      out.respond(requestId, new ClientResult.Failed(Failure.INVALID_ARGUMENT, "dataset " + name + ": the causal"
          + " context names write " + self + ":" + contextual.context().get(self) + ", which region " + self
          + " has not made; pass the causal context a get of this dataset returned, unchanged."));
    } else if (operation instanceof Put || operation instanceof Delete
        || (versioned && operation instanceof ClientOperation.ContextualWrite)) {
      write(nowMillis, requestId, operation, options, out);
    } else if (operation.isMultiPrimaryOnly()) {
      out.respond(requestId, new ClientResult.Failed(Failure.FAILED_PRECONDITION, "dataset " + name
          + " is a quorum dataset resolving conflicts by " + config.conflictResolution().policyName() + ": "
          + (versioned ? "conflict-free data type operations need a multi-primary dataset with a crdt rule; use put"
              + " (with the causal context from a get to resolve siblings), get or delete."
              : "writes with a causal context and conflict-free data type operations need conflictResolution:"
              + " version-vector (quorum) or a multi-primary dataset; use put, get or delete.")));
    } else {
      out.respond(requestId, new ClientResult.Failed(Failure.FAILED_PRECONDITION, "dataset " + name
          + " is leaderless (quorum mode): nothing serialises writes to a key, so compare-and-set cannot be"
          + " honoured. Use put, get or delete here, or a consensus (or async/sync) dataset for compare-and-set."));
    }
  }

  private void write(long nowMillis, long requestId, ClientOperation operation, RequestOptions options,
      Output.Builder out) {
    if (options.consistency() != ReadLevel.DEFAULT) {
      out.respond(requestId, new ClientResult.Failed(Failure.INVALID_ARGUMENT, "a read consistency level was given"
          + " with a write; writes take a replica count (one, quorum, all)."));
      return;
    }
    ClientResult.Failed[] refusal = new ClientResult.Failed[1];
    int required = replicasFor(options.replicas(), true, refusal);
    if (required < 0) {
      out.respond(requestId, refusal[0]);
      return;
    }
    int reachableCount = 1 + reachable.size();
    if (reachableCount < required) {
      out.respond(requestId, new ClientResult.Failed(Failure.UNAVAILABLE, "dataset " + name + ": the write needs "
          + required + " of " + config.replicas().size() + " replicas but only " + reachableCount + " are reachable"
          + " from region " + self + " (" + unreachable() + " unreachable). Nothing was written; retry later or"
          + " write with a smaller replica count."));
      return;
    }
    if (writes.size() >= bounds.pendingSyncWritesMax()) {
      out.respond(requestId, new ClientResult.Failed(Failure.RESOURCE_EXHAUSTED, "dataset " + name + ": "
          + writes.size() + " quorum writes are waiting for acknowledgements at region " + self
          + " (the bound); nothing was written, retry later."));
      return;
    }
    PendingWrite oldest = oldestUnanswered();
    long admissionWaitMillisMax = admissionWaitMillisMax();
    if (oldest != null && nowMillis - oldest.startedMillis >= admissionWaitMillisMax) {
      out.respond(requestId, overloaded(nowMillis, oldest, admissionWaitMillisMax));
      return;
    }
    // One look-up per write: the state before is both the client's "existed before" and what the
    // hold compares against (ADR 0036); for LWW its newest version, mostly from memory (ADR 0057).
    boolean existedBefore;
    Change change;
    if (versioned) {
      Siblings local = QuorumSiblings.stateOf(current(operation.key()));
      existedBefore = !local.entries().isEmpty();
      change = holdVersionedWrite(nowMillis, operation, local, out);
    } else {
      LatestVersions.Latest before = latest(operation.key());
      existedBefore = before != null && before.live();
      HlcTimestamp stamp = clock.now(nowMillis);
      ChangeKind kind = operation instanceof Put ? ChangeKind.PUT : ChangeKind.DELETE;
      Bytes value = operation instanceof Put ? ((Put) operation).value() : Bytes.EMPTY;
      Change fresh = new Change(kind, operation.key(), value, new Version(stamp, self, nextLocalSequence(), self, 1));
      // The clock has observed every version this replica holds, so a fresh stamp is newer; should
      // it not be, the key keeps its state and the client is told of that version, as before.
      change = before != null && before.compareTo(fresh.version()) >= 0 ? current(operation.key()).orElseThrow()
          : stage(fresh);
    }
    long operationId = nextOperationId++;
    PendingWrite pending = new PendingWrite(requestId, change, existedBefore, required, nowMillis,
        nowMillis + policy.timeoutMillis());
    for (String peer : others) {
      if (reachable.contains(peer)) {
        pending.awaited.add(peer);
        sendWrite(peer, operationId, change);
      } else {
        keepHint(peer, change, out);
      }
    }
    if (!answerWrite(pending, out)) {
      unanswered.addLast(pending);
    }
    if (!pending.answered || !pending.awaited.isEmpty()) {
      writes.put(operationId, pending);
    }
  }

  /**
   * The refusal of a write shed by admission control. Every write refused in one step gets the
   * same answer (same time, same oldest write, same backlog), so it is built once per step and
   * shared: under overload most writes are refused, and building, encoding and sending a fresh
   * message for each was a large part of what shedding cost (ADR 0036).
   */
  private ClientResult.Failed overloaded(long nowMillis, PendingWrite oldest, long admissionWaitMillisMax) {
    if (refusal == null || refusalAtMillis != nowMillis || refusalOldest != oldest
        || refusalBacklog != unanswered.size()) {
      refusalAtMillis = nowMillis;
      refusalOldest = oldest;
      refusalBacklog = unanswered.size();
      refusal = new ClientResult.Failed(Failure.RESOURCE_EXHAUSTED, "dataset " + name + " is"
          + " overloaded at coordinator " + self + ": the oldest of " + unanswered.size() + " writes waiting for"
          + " acknowledgements has waited " + (nowMillis - oldest.startedMillis) + " ms, past the admission bound"
          + " of " + admissionWaitMillisMax + " ms (a quarter of the " + policy.timeoutMillis() + " ms quorum"
          + " timeout), so the replicas are behind the offered load. Nothing was written; retry after a back-off"
          + " of about " + admissionWaitMillisMax + " ms, lower the write rate, or spread writes over more"
          + " coordinators.");
    }
    return refusal;
  }

  /** How long the oldest unanswered write may have waited for a new write to be admitted. */
  private long admissionWaitMillisMax() {
    return policy.admissionWaitMillisMax(); // timeout / ADMISSION_WAIT_TIMEOUT_DIVISOR, as in front of the core
  }

  private PendingWrite oldestUnanswered() {
    while (!unanswered.isEmpty() && unanswered.peekFirst().answered) {
      unanswered.pollFirst();
    }
    return unanswered.peekFirst();
  }

  // Answers the client once W replicas hold the write; true if answered.
  private boolean answerWrite(PendingWrite pending, Output.Builder out) {
    if (!pending.answered && pending.acknowledged >= pending.required) {
      pending.answered = true;
      out.respond(pending.requestId, new ClientResult.Committed(pending.change.version(), pending.existedBefore));
    }
    return pending.answered;
  }

  private void read(long nowMillis, long requestId, Bytes key, RequestOptions options, Output.Builder out) {
    int required;
    switch (options.consistency()) {
      case EVENTUAL:
        required = 1;
        break;
      case QUORUM:
        required = config.replicas().size() / 2 + 1;
        break;
      case STRONG:
        // Linearizable reads need every replica's answer here (R = N, which overlaps any W): a
        // quorum dataset has no leader to ask. Refused below when a replica is unreachable.
        required = config.replicas().size();
        break;
      case SESSION:
        // Read-your-writes (ADR 0021, 0030): a read of N-W+1 replicas overlaps every write acknowledged by
        // W replicas. The token carries the smallest W among the session's writes (a write with replica
        // count one makes it 1, so the read asks all N); a token without it assumes the dataset's W.
        // Without a token the session wrote nothing yet: the local copy will do.
        required = options.session().isEmpty() ? 1 : sessionReadReplicas(config.replicas().size(), policy,
            options.session().get().position());
        break;
      case BOUNDED_STALENESS:
        out.respond(requestId, new ClientResult.Failed(Failure.FAILED_PRECONDITION, "dataset " + name
            + " cannot serve bounded-staleness reads: " + ReadLevelRules.whyNot(io.meridian.agent.config
            .ReplicationMode.QUORUM, options.consistency())));
        return;
      default: {
        ClientResult.Failed[] refusal = new ClientResult.Failed[1];
        required = replicasFor(options.replicas(), false, refusal);
        if (required < 0) {
          out.respond(requestId, refusal[0]);
          return;
        }
      }
    }
    int reachableCount = 1 + reachable.size();
    if (reachableCount < required) {
      String why = options.consistency() == ReadLevel.STRONG ? " (strong reads of a quorum dataset ask every replica;"
          + " quorum reads need " + (config.replicas().size() / 2 + 1) + ")" : "";
      out.respond(requestId, new ClientResult.Failed(Failure.UNAVAILABLE, "dataset " + name + ": the read needs "
          + required + " of " + config.replicas().size() + " replicas but only " + reachableCount + " are reachable"
          + " from region " + self + " (" + unreachable() + " unreachable)" + why + "; retry later or read at a"
          + " lower level."));
      return;
    }
    Optional<Change> local = current(key);
    if (required == 1) {
      out.respond(requestId, readResult(local));
      return;
    }
    if (reads.size() >= bounds.pendingSyncWritesMax()) {
      out.respond(requestId, new ClientResult.Failed(Failure.RESOURCE_EXHAUSTED, "dataset " + name + ": "
          + reads.size() + " quorum reads are waiting at region " + self + " (the bound); retry later."));
      return;
    }
    long operationId = nextOperationId++;
    PendingRead pending = new PendingRead(requestId, key, required, nowMillis + policy.timeoutMillis());
    pending.answers.put(self, local.orElse(null));
    for (String peer : reachable) {
      pending.awaited.add(peer);
      out.send(peer, new PeerMessage.QuorumRead(streamName(name, peer), operationId, key));
    }
    reads.put(operationId, pending);
  }

  private ClientResult readResult(Optional<Change> state) {
    if (versioned) {
      return QuorumSiblings.read(self, QuorumSiblings.stateOf(state));
    }
    if (state.isEmpty() || state.get().kind() == ChangeKind.DELETE) {
      return new ClientResult.Read(Optional.empty(), self);
    }
    return new ClientResult.Read(Optional.of(StoredValue.of(state.get())), self);
  }

  private Optional<Change> newest(PendingRead pending) {
    Change newest = null;
    for (Change change : pending.answers.values()) {
      if (change != null && (newest == null || NEWEST_LAST.compare(change, newest) > 0)) {
        newest = change;
      }
    }
    return Optional.ofNullable(newest);
  }

  // Answers once R replicas answered; repairs every replica that answered with an older state.
  private void progressRead(long operationId, PendingRead pending, Output.Builder out) {
    if (versioned) {
      progressVersionedRead(operationId, pending, out);
      return;
    }
    Optional<Change> newest = newest(pending);
    if (!pending.answered && pending.answers.size() >= pending.required) {
      pending.answered = true;
      out.respond(pending.requestId, readResult(newest));
    }
    if (pending.answered && newest.isPresent()) {
      for (Map.Entry<String, Change> answer : pending.answers.entrySet()) {
        Change seen = answer.getValue();
        if (seen == null || NEWEST_LAST.compare(seen, newest.get()) < 0) {
          if (answer.getKey().equals(self)) {
            hold(newest.get());
          } else {
            sendWrite(answer.getKey(), 0, newest.get());
          }
          answer.setValue(newest.get());
        }
      }
    }
    if (pending.answered && pending.awaited.isEmpty()) {
      reads.remove(operationId);
    }
  }

  // ---------------------------------------------------------------- holding writes

  private Optional<Change> current(Bytes key) {
    Change stagedChange = stagedByKey.get(key);
    if (stagedChange != null) {
      return Optional.of(stagedChange);
    }
    Optional<StoredValue> stored = store.get(name, key);
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    if (latestVersions != null) {
      latestVersions.read(key, stored.get());
    }
    return Optional.of(Change.of(key, stored.get()));
  }

  /**
   * The newest version an LWW key holds: staged in this step, else cached, else read from the store
   * (and cached); null when the key holds nothing.
   */
  private LatestVersions.Latest latest(Bytes key) {
    Change stagedChange = stagedByKey.get(key);
    if (stagedChange != null) {
      return LatestVersions.Latest.of(stagedChange);
    }
    LatestVersions.Latest cached = latestVersions.get(key);
    if (cached != null) {
      return cached;
    }
    Optional<StoredValue> stored = store.get(name, key);
    if (stored.isEmpty()) {
      return null;
    }
    latestVersions.read(key, stored.get());
    return latestVersions.get(key);
  }

  private long nextLocalSequence() {
    return store.lastSequence(name) + staged.size() + 1;
  }

  /**
   * Holds {@code change} here unless the key is already at a newer or equal version; returns what
   * the key holds afterwards (the change re-sequenced into this replica's log, or the newer state).
   */
  private void hold(Change change) {
    if (versioned) {
      holdVersioned(change);
      return;
    }
    LatestVersions.Latest existing = latest(change.key());
    if (existing == null || existing.compareTo(change.version()) < 0) {
      stage(change);
    }
  }

  /** Stages {@code change} as the key's new LWW state, at the next position of this replica's log. */
  private Change stage(Change change) {
    Version version = change.version();
    Change local = version.sequence() == nextLocalSequence() && version.epoch() == 1 ? change
        : new Change(change.kind(), change.key(), change.value(), new Version(version.timestamp(),
            version.originRegion(), nextLocalSequence(), version.committedBy(), 1));
    staged.add(local);
    stagedByKey.put(local.key(), local);
    return local;
  }

  private void sendWrite(String replica, long operationId, Change change) {
    outgoingIds.computeIfAbsent(replica, r -> new ArrayList<>()).add(operationId);
    outgoingChanges.computeIfAbsent(replica, r -> new ArrayList<>()).add(change);
    gathered();
  }

  private void gathered() {
    outgoingCount++;
    outgoingSinceMillis = Math.min(outgoingSinceMillis, lastNowMillis);
  }

  @Override
  public void flushStaged(Output.Builder out) {
    reportHeldConflicts(out);
    if (!staged.isEmpty()) {
      store.append(name, List.copyOf(staged));
      if (latestVersions != null) {
        // After the append: the cache never knows of a state the store does not hold.
        for (Change held : stagedByKey.values()) {
          latestVersions.held(held);
        }
      }
      staged.clear();
      stagedByKey.clear();
      if (config.fsync() == FsyncPolicy.PER_COMMIT) {
        out.requireSync();
      }
    }
    flushOutgoing(out);
  }

  // Acknowledgements leave at the end of every step, after the append above (and its sync, which
  // the driver does first): one frame answers one incoming frame, so waiting would save nothing.
  private void flushOutgoing(Output.Builder out) {
    for (Map.Entry<String, List<Long>> acks : outgoingAcks.entrySet()) {
      // Answers travel on the coordinator's stream to this replica.
      out.send(acks.getKey(), new PeerMessage.QuorumWriteAck(streamName(name, self), acks.getValue()));
    }
    outgoingAcks.clear();
    if (outgoingCount == 0) {
      return;
    }
    // Writes leave at the end of the step that gathered them, as sync writes do: their clients
    // wait for the replicas' answers, so holding them for the batch delay and the next tick only
    // added that delay to every write (ADR 0028 addendum). Under load a step gathers many writes,
    // and they still travel as one frame per replica.
    outgoingCount = 0;
    outgoingSinceMillis = Long.MAX_VALUE;
    for (Map.Entry<String, List<Long>> ids : outgoingIds.entrySet()) {
      out.send(ids.getKey(), new PeerMessage.QuorumWrite(streamName(name, ids.getKey()), ids.getValue(),
          outgoingChanges.get(ids.getKey())));
    }
    outgoingIds.clear();
    outgoingChanges.clear();
  }

  // ---------------------------------------------------------------- hints

  private void keepHint(String target, Change change, Output.Builder out) {
    TreeMap<Long, Change> kept = hints.get(target);
    long[] counts = hintCounts.get(target);
    if (kept.size() >= policy.hintsPerReplicaMax()) {
      counts[2]++;
      return;
    }
    long hintId = nextHintId++;
    store.saveHint(name, target, hintId, change);
    kept.put(hintId, change);
    counts[0]++;
    // A target that is reachable but did not answer in time gets the hint on the open stream.
    deliverHints(target, out);
  }

  // Sends kept hints to a reachable target, at most HINT_DELIVERIES_IN_FLIGHT_MAX unanswered.
  private void deliverHints(String target, Output.Builder out) {
    if (!reachable.contains(target)) {
      return;
    }
    int inFlight = hintsInFlight.getOrDefault(target, 0);
    long sentUpTo = hintsSentUpTo.getOrDefault(target, 0L);
    Iterator<Map.Entry<Long, Change>> next = hints.get(target).tailMap(sentUpTo, false).entrySet().iterator();
    while (inFlight < HINT_DELIVERIES_IN_FLIGHT_MAX && next.hasNext()) {
      Map.Entry<Long, Change> hint = next.next();
      long operationId = nextOperationId++;
      deliveries.put(operationId, new HintInFlight(target, hint.getKey()));
      sendWrite(target, operationId, hint.getValue());
      sentUpTo = hint.getKey();
      inFlight++;
    }
    hintsInFlight.put(target, inFlight);
    hintsSentUpTo.put(target, sentUpTo);
  }

  // ---------------------------------------------------------------- anti-entropy (ADR 0035)

  /**
   * Merges a peer's state of {@code key}, found by anti-entropy, into this replica through the same
   * {@link #hold} as writes, read repairs and hints: the dataset's conflict rule decides (LWW: the
   * newer version stays). The merged state enters this replica's log (and so its tree) like any held
   * write. With no {@code remote} state, only reports what the key holds.
   *
   * @return whether the key changed, and what it holds afterwards (staged changes included)
   */
  io.meridian.agent.core.antientropy.RepairRule.Decision repair(long nowMillis, Bytes key,
      Optional<StoredValue> remote) {
    lastNowMillis = nowMillis;
    Optional<Change> before = current(key);
    if (remote.isEmpty()) {
      return new io.meridian.agent.core.antientropy.RepairRule.Decision(false, before.map(StoredValue::of));
    }
    StoredValue state = remote.get();
    clock.observe(state.version().timestamp(), nowMillis);
    hold(new Change(state.tombstone() ? ChangeKind.DELETE : ChangeKind.PUT, key, state.value(), state.version()));
    // What the key holds now: a version-vector replica may hold nothing when the state was a
    // tombstone it had collected (ADR 0044).
    Optional<Change> after = current(key);
    return new io.meridian.agent.core.antientropy.RepairRule.Decision(!before.equals(after),
        after.map(StoredValue::of));
  }

  // ---------------------------------------------------------------- tombstone collection (ADR 0044)

  /** The tombstone-collection floor (version-vector datasets; empty otherwise). */
  java.util.SortedMap<String, Long> collectionFloor() {
    return collectionFloor.entries();
  }

  /**
   * Raises the tombstone-collection floor to at least {@code floor} (a fact learned by anti-entropy
   * rounds, ADR 0044), stores it, then removes every tombstone (no siblings) whose context it covers.
   * Scans the dataset's keys once per raise; staged keys are left for the next raise.
   *
   * @return the keys collected
   */
  int raiseCollectionFloor(java.util.Map<String, Long> floor, Output.Builder out) {
    if (!versioned) {
      return 0;
    }
    VersionVector raised = collectionFloor.merge(VersionVector.of(floor));
    if (raised.equals(collectionFloor)) {
      return 0;
    }
    collectionFloor = raised;
    // The floor is stored before any tombstone goes: a replica that kept the removals but lost the
    // floor could take back a sibling the removed tombstone used to absorb.
    store.writeMergedState(name, Map.of(), raised.toBytes());
    // Only version-vector datasets collect, and they keep no latest-version cache (ADR 0057), so the
    // removals below need not be told to one.
    List<Bytes> collectable = new ArrayList<>();
    store.forEachKey(name, (key, state) -> {
      if (!stagedByKey.containsKey(key)) {
        Siblings siblings = QuorumSiblings.stateOf(new Change(ChangeKind.PUT, key, state.value(), state.version()));
        if (siblings.entries().isEmpty() && raised.dominates(siblings.readContext())) {
          collectable.add(key);
        }
      }
    });
    for (Bytes key : collectable) {
      store.repairKey(name, key, Optional.empty());
    }
    out.requireSync();
    return collectable.size();
  }

  /**
   * How far {@code peer} is known to be behind, for periodic anti-entropy: the hints kept for it
   * (they will bring those keys), or -1 while this coordinator's stream to it is closed.
   */
  long repairBacklog(String peer) {
    return reachable.contains(peer) ? hints.getOrDefault(peer, new TreeMap<>()).size() : -1;
  }

  /** Hint counts per target replica, for metrics. */
  List<HintCounts> hintCounts() {
    List<HintCounts> result = new ArrayList<>();
    hintCounts.forEach((target, counts) -> result.add(
        new HintCounts(name, target, counts[0], counts[1], counts[2], hints.get(target).size())));
    return result;
  }

  // ---------------------------------------------------------------- peers

  @Override
  public void onPeerMessage(long nowMillis, String from, PeerMessage message, Output.Builder out) {
    lastNowMillis = nowMillis;
    if (message instanceof PeerMessage.QuorumWrite) {
      PeerMessage.QuorumWrite write = (PeerMessage.QuorumWrite) message;
      for (int i = 0; i < write.changes().size(); i++) {
        Change change = write.changes().get(i);
        clock.observe(change.version().timestamp(), nowMillis);
        hold(change);
        if (write.operationIds().get(i) != 0) {
          outgoingAcks.computeIfAbsent(from, f -> new ArrayList<>()).add(write.operationIds().get(i));
        }
      }
    } else if (message instanceof PeerMessage.QuorumRead) {
      PeerMessage.QuorumRead read = (PeerMessage.QuorumRead) message;
      out.send(from, new PeerMessage.QuorumReadReply(read.dataset(), read.operationId(), current(read.key())));
    } else if (message instanceof PeerMessage.QuorumWriteAck) {
      for (long operationId : ((PeerMessage.QuorumWriteAck) message).operationIds()) {
        onWriteAck(from, operationId, out);
      }
    } else if (message instanceof PeerMessage.QuorumReadReply) {
      PeerMessage.QuorumReadReply reply = (PeerMessage.QuorumReadReply) message;
      PendingRead pending = reads.get(reply.operationId());
      if (pending != null && pending.awaited.remove(from)) {
        if (reply.state().isPresent()) {
          clock.observe(reply.state().get().version().timestamp(), nowMillis);
        }
        pending.answers.put(from, reply.state().orElse(null));
        progressRead(reply.operationId(), pending, out);
      }
    } else if (!(message instanceof PeerMessage.Hello)) {
      out.disconnect(from, message.dataset(), "dataset " + name + " is a quorum dataset; "
          + message.getClass().getSimpleName() + " belongs to another replication mode");
    }
  }

  private void onWriteAck(String from, long operationId, Output.Builder out) {
    HintInFlight delivery = deliveries.remove(operationId);
    if (delivery != null) {
      if (hints.get(delivery.target()).remove(delivery.hintId()) != null) {
        store.removeHint(name, delivery.target(), delivery.hintId());
        hintCounts.get(delivery.target())[1]++;
      }
      hintsInFlight.merge(delivery.target(), -1, Integer::sum);
      deliverHints(delivery.target(), out);
      return;
    }
    PendingWrite pending = writes.get(operationId);
    if (pending != null && pending.awaited.remove(from)) {
      pending.acknowledged++;
      answerWrite(pending, out);
      if (pending.answered && pending.awaited.isEmpty()) {
        writes.remove(operationId);
      }
    }
  }

  /** A stream opened: ours to {@code peer} (say hello, deliver its hints), or its to us. */
  void onConnected(String peer, String stream, Output.Builder out) {
    if (!stream.equals(streamName(name, peer)) || !others.contains(peer)) {
      return;
    }
    out.send(peer, new PeerMessage.Hello(stream, 1, 1));
    reachable.add(peer);
    deliverHints(peer, out);
  }

  /** A stream closed: if ours to {@code peer}, it is unreachable until it reopens. */
  void onDisconnected(String peer, String stream, Output.Builder out) {
    if (!stream.equals(streamName(name, peer)) || !reachable.remove(peer)) {
      return;
    }
    // What was in flight may be lost: hints go back to waiting, writes it owed become hints, and a
    // request that can no longer reach its count fails now rather than at its deadline.
    deliveries.values().removeIf(delivery -> delivery.target().equals(peer));
    hintsInFlight.put(peer, 0);
    hintsSentUpTo.put(peer, 0L);
    for (Iterator<Map.Entry<Long, PendingWrite>> it = writes.entrySet().iterator(); it.hasNext(); ) {
      PendingWrite pending = it.next().getValue();
      if (pending.awaited.remove(peer)) {
        keepHint(peer, pending.change, out);
        failWriteIfHopeless(pending, "the stream to " + peer + " closed", out);
        if (pending.answered && pending.awaited.isEmpty()) {
          it.remove();
        }
      }
    }
    for (Iterator<Map.Entry<Long, PendingRead>> it = reads.entrySet().iterator(); it.hasNext(); ) {
      PendingRead pending = it.next().getValue();
      if (pending.awaited.remove(peer)) {
        if (!pending.answered && pending.answers.size() + pending.awaited.size() < pending.required) {
          pending.answered = true;
          out.respond(pending.requestId, readFailure(pending, "the stream to " + peer + " closed"));
        }
        if (pending.answered && pending.awaited.isEmpty()) {
          it.remove();
        }
      }
    }
  }

  private void failWriteIfHopeless(PendingWrite pending, String why, Output.Builder out) {
    if (!pending.answered && pending.acknowledged + pending.awaited.size() < pending.required) {
      pending.answered = true;
      out.respond(pending.requestId, writeFailure(pending, why));
    }
  }

  private ClientResult.Failed writeFailure(PendingWrite pending, String why) {
    // The coordinator's own copy (and maybe others) holds the write: it was not rolled back, and
    // hints and read repair may still spread it. Its outcome is unknown to the client.
    return new ClientResult.Failed(Failure.OUTCOME_UNKNOWN, "dataset " + name + ": " + pending.acknowledged + " of "
        + pending.required + " required replicas acknowledged the write (" + why + "); it is held by those and"
        + " may still spread, so its outcome is unknown. Retry it (writes are idempotent by value) or read at"
        + " quorum.");
  }

  private ClientResult.Failed readFailure(PendingRead pending, String why) {
    return new ClientResult.Failed(Failure.UNAVAILABLE, "dataset " + name + ": " + pending.answers.size() + " of "
        + pending.required + " required replicas answered the read (" + why + "); retry later or read at a lower"
        + " level.");
  }

  // ---------------------------------------------------------------- time

  @Override
  public void onTick(long nowMillis, Output.Builder out) {
    lastNowMillis = nowMillis;
    for (Iterator<Map.Entry<Long, PendingWrite>> it = writes.entrySet().iterator(); it.hasNext(); ) {
      PendingWrite pending = it.next().getValue();
      if (pending.deadlineMillis > nowMillis) {
        break; // Deadlines follow insertion order: one timeout for every request.
      }
      if (!pending.answered) {
        pending.answered = true;
        out.respond(pending.requestId, writeFailure(pending, "no answer within " + policy.timeoutMillis() + " ms"));
      }
      for (String peer : pending.awaited) {
        keepHint(peer, pending.change, out);
      }
      it.remove();
    }
    for (Iterator<Map.Entry<Long, PendingRead>> it = reads.entrySet().iterator(); it.hasNext(); ) {
      PendingRead pending = it.next().getValue();
      if (pending.deadlineMillis > nowMillis) {
        break;
      }
      if (!pending.answered) {
        pending.answered = true;
        out.respond(pending.requestId, readFailure(pending, "no answer within " + policy.timeoutMillis() + " ms"));
      }
      it.remove();
    }
    // A tick is not followed by flushStaged: what waited out the batch delay leaves now.
    reportHeldConflicts(out);
    flushOutgoing(out);
  }

  @Override
  public long nextDeadlineMillis(long nowMillis) {
    long due = outgoingCount == 0 ? Long.MAX_VALUE : outgoingSinceMillis + bounds.batchDelayMillis();
    if (!writes.isEmpty()) {
      // The earlier of the two: a pending write must not hold gathered writes past their batch delay.
      due = Math.min(due, writes.values().iterator().next().deadlineMillis);
    }
    if (!reads.isEmpty()) {
      due = Math.min(due, reads.values().iterator().next().deadlineMillis);
    }
    return due;
  }

  private String unreachable() {
    List<String> result = new ArrayList<>(others);
    result.removeAll(reachable);
    return String.join(", ", result);
  }

  // ---------------------------------------------------------------- version vectors (ADR 0034)

  /**
   * Stamps a client write on a version-vector key and holds the resulting sibling set: the dot is
   * this region and the local log sequence the held state gets, unique and growing per region, so
   * a context covering it covers every earlier write this region coordinated on the key.
   */
  private Change holdVersionedWrite(long nowMillis, ClientOperation operation, Siblings local, Output.Builder out) {
    Bytes key = operation.key();
    int[] truncated = new int[1];
    Operation.VersionedWrite write = QuorumSiblings.writeFor(operation, local, siblingsMax, truncated)
        .orElseThrow(() -> new IllegalStateException("not a version-vector write: " + operation));
    if (truncated[0] > 0) {
      out.report(new ReplicationEvent.SiblingsTruncated(name, key, truncated[0], siblingsMax));
    }
    HlcTimestamp stamp = clock.now(nowMillis);
    long sequence = nextLocalSequence();
    Siblings state = local.copy();
    Optional<ConflictDetail> conflict = state.apply(write, new Stamp(new Dot(self, sequence), stamp));
    conflict.ifPresent(detail -> out.report(QuorumSiblings.conflict(name, key, detail)));
    Change held = holdVersioned(QuorumSiblings.changeOf(key, state, new Version(stamp, self, sequence, self, 1)));
    Invariants.check(held.sequence() == sequence, "dataset %s: the write's dot %s:%d must be its log sequence,"
        + " held at %d", name, self, sequence, held.sequence());
    return held;
  }

  /**
   * Joins the sibling set {@code change} carries into the key's; stages the join unless it changes
   * nothing (so writes, hints and repairs are idempotent). Returns what the key holds afterwards.
   */
  private Change holdVersioned(Change change) {
    Optional<Change> existing = current(change.key());
    Siblings incoming = QuorumSiblings.stateOf(change);
    if (!collectionFloor.isEmpty()) {
      // Siblings the floor covers that this replica lacks were superseded here (ADR 0044): a late
      // hint or a stale replica's state must not bring them back, even where the tombstone that
      // absorbed them was collected.
      Siblings mine = existing.isPresent() ? QuorumSiblings.stateOf(existing.get()) : new Siblings();
      incoming = incoming.without(dot -> collectionFloor.covers(dot) && !mine.entries().containsKey(dot));
      if (existing.isEmpty() && incoming.entries().isEmpty() && collectionFloor.dominates(incoming.readContext())) {
        return change; // a tombstone this replica collected (or never needed): nothing to hold
      }
    }
    Siblings joined = incoming;
    Version version = change.version();
    if (existing.isPresent()) {
      QuorumSiblings.Joined join = QuorumSiblings.join(QuorumSiblings.stateOf(existing.get()), incoming);
      if (Arrays.equals(join.state().toBytes(), existing.get().value().toByteArray())) {
        return existing.get();
      }
      join.conflict().ifPresent(detail -> heldConflicts.add(QuorumSiblings.conflict(name, change.key(), detail)));
      joined = join.state();
      version = QuorumSiblings.newer(existing.get().version(), version);
    }
    Change local = QuorumSiblings.changeOf(change.key(), joined, new Version(version.timestamp(),
        version.originRegion(), nextLocalSequence(), version.committedBy(), 1));
    staged.add(local);
    stagedByKey.put(local.key(), local);
    return local;
  }

  private void reportHeldConflicts(Output.Builder out) {
    for (ReplicationEvent event : heldConflicts) {
      out.report(event);
    }
    heldConflicts.clear();
  }

  // Answers once R replicas answered with the join of their sibling sets; repairs every replica
  // whose set differs from the join (itself included) by sending it the join.
  private void progressVersionedRead(long operationId, PendingRead pending, Output.Builder out) {
    Siblings merged = new Siblings();
    Version newest = null;
    for (Change answer : pending.answers.values()) {
      if (answer != null) {
        merged = QuorumSiblings.join(merged, QuorumSiblings.stateOf(answer)).state();
        newest = newest == null ? answer.version() : QuorumSiblings.newer(newest, answer.version());
      }
    }
    if (!pending.answered && pending.answers.size() >= pending.required) {
      pending.answered = true;
      out.respond(pending.requestId, QuorumSiblings.read(self, merged));
    }
    if (pending.answered && newest != null) {
      Change repair = QuorumSiblings.changeOf(pending.key, merged, newest);
      for (Map.Entry<String, Change> answer : pending.answers.entrySet()) {
        Change seen = answer.getValue();
        if (seen == null || !seen.value().equals(repair.value())) {
          if (answer.getKey().equals(self)) {
            hold(repair);
          } else {
            sendWrite(answer.getKey(), 0, repair);
          }
          answer.setValue(repair);
        }
      }
    }
    if (pending.answered && pending.awaited.isEmpty()) {
      reads.remove(operationId);
    }
  }

  // ---------------------------------------------------------------- status

  @Override
  public DatasetStatus status(long nowMillis) {
    List<PeerLinkStatus> peers = new ArrayList<>();
    for (String peer : others) {
      long kept = hints.get(peer).size();
      // Lag of a leaderless dataset toward a replica: the writes it is known to miss (its hints).
      peers.add(new PeerLinkStatus(peer, name, reachable.contains(peer), kept == 0 ? 0 : -1, kept, kept, 0,
          hintCounts.get(peer)[1], 0, 0));
    }
    return new DatasetStatus(name, ReplicationMode.QUORUM, Role.PRIMARY, 1, self,
        store.lastSequence(name) + staged.size(), peers);
  }
}

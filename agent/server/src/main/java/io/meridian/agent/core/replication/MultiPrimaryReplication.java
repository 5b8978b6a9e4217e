package io.meridian.agent.core.replication;

import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.MultiPrimaryBounds;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.Invariants;
import io.meridian.agent.core.clock.HybridLogicalClock;
import io.meridian.agent.core.conflict.ConflictDetail;
import io.meridian.agent.core.conflict.Counter;
import io.meridian.agent.core.conflict.Dot;
import io.meridian.agent.core.conflict.Frontier;
import io.meridian.agent.core.conflict.KeyState;
import io.meridian.agent.core.conflict.KeyStateCodec;
import io.meridian.agent.core.conflict.LwwMap;
import io.meridian.agent.core.conflict.LwwValue;
import io.meridian.agent.core.conflict.MvRegister;
import io.meridian.agent.core.conflict.Operation;
import io.meridian.agent.core.conflict.OrSet;
import io.meridian.agent.core.conflict.Siblings;
import io.meridian.agent.core.conflict.Stamp;
import io.meridian.agent.core.conflict.VersionVector;
import io.meridian.agent.core.replication.ClientOperation.AddElement;
import io.meridian.agent.core.replication.ClientOperation.CompareAndSet;
import io.meridian.agent.core.replication.ClientOperation.ContextualWrite;
import io.meridian.agent.core.replication.ClientOperation.Delete;
import io.meridian.agent.core.replication.ClientOperation.Get;
import io.meridian.agent.core.replication.ClientOperation.Increment;
import io.meridian.agent.core.replication.ClientOperation.Put;
import io.meridian.agent.core.replication.ClientOperation.PutEntry;
import io.meridian.agent.core.replication.ClientOperation.RemoveElement;
import io.meridian.agent.core.replication.ClientOperation.RemoveEntry;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.ReplicaStore;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.storage.Version;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One multi-primary dataset in one region (ADR 0008). Every region commits writes to its own log
 * of the dataset ({@code dataset@region}), and each log is replicated to every other replica by an
 * unchanged {@link DatasetReplication} with that region as primary: exactly once, in order,
 * resumable, batched, flow-controlled. This class turns client operations into {@link Operation}s
 * stamped with their dot and timestamp, and folds every log's entries into a merged per-key
 * {@link KeyState}, which converges whatever the order the logs arrive in.
 *
 * <p>The merged state lives in the store (ADR 0033), with the frontier it reflects; a bounded
 * cache keeps hot keys decoded. Changed keys are written back at the end of a step (after the
 * logs' appends, so the state is never ahead of its logs) once enough of them changed or some
 * time passed; a restart replays each log only from the stored frontier on. A store that keeps
 * no merged state gets the old behaviour: everything in memory, rebuilt from the logs.
 */
final class MultiPrimaryReplication implements DatasetEngine {
  /** Separates a dataset's name from the region whose log it is, in store and stream names. */
  static final String LOG_SEPARATOR = "@";

  private final String self;
  private final DatasetConfig config;
  private final MultiPrimaryBounds limits;
  private final String name;
  private final ConflictResolution rule;
  private final Map<String, DatasetReplication> logs = new LinkedHashMap<>();
  private final Map<String, String> originOfLog = new TreeMap<>();
  private final ReplicaStore store;
  // By hash, not ordered: every write looks its key up here, and an ordered map compared keys
  // byte by byte (keys often share long prefixes) for about a seventh of an agent's CPU under load.
  // With a store that keeps merged state, a cache in access order bounded by cachedKeysMax
  // (evicted at the end of a step, clean keys only); otherwise the whole state.
  private final LinkedHashMap<Bytes, KeyState> state = new LinkedHashMap<>(16, 0.75f, true);
  // Keys changed since the last write-back; a dirty key absent from the cache was removed.
  private final java.util.HashSet<Bytes> dirty = new java.util.HashSet<>();
  private final boolean durable;
  private long writtenBackAtMillis = Long.MIN_VALUE;
  private boolean writeBackDue;
  private long mergedStatesWritten;
  private long mergedStatesRead;
  private Bytes collectCursor;
  private final Frontier frontier;
  private final Map<String, Long> skewReportedAtMillis = new TreeMap<>();
  // The keys the current collection pass walks (taken when a pass starts) and the next index.
  private Bytes[] collectKeys = new Bytes[0];
  private int collectIndex;
  private long collectedAtMillis = Long.MIN_VALUE;
  // Pushback in time (ADR 0040): peers that kept up since they connected, and the last judgement.
  private final java.util.Set<String> peersKeepingUp = new java.util.HashSet<>();
  private long laggingCheckedAtMillis = Long.MIN_VALUE;
  private String laggingPeer;
  private long laggingAgeMillis;
  // The refusals of the last judgement, shared by every write refused while it holds (ADR 0052).
  private ClientResult.Failed laggingRefusal;
  private ClientResult.Failed backlogRefusal;
  private long backlogRefusalChanges;

  MultiPrimaryReplication(String self, DatasetConfig config, ReplicationBounds bounds, MultiPrimaryBounds limits,
      ReplicaStore store, HybridLogicalClock clock, long nowMillis) {
    Invariants.check(config.mode() == ReplicationMode.MULTI_PRIMARY, "dataset %s is not multi-primary", config.name());
    this.self = self;
    this.config = config;
    this.limits = limits;
    this.name = config.name();
    this.rule = config.conflictResolution();
    this.store = store;
    this.frontier = new Frontier(config.replicas());
    for (String origin : config.replicas()) {
      String log = logName(name, origin);
      DatasetConfig logConfig = new DatasetConfig(log, ReplicationMode.ASYNC, config.replicas(), origin, 0,
          config.fsync(), 1);
      DatasetReplication replication = new DatasetReplication(self, logConfig, bounds, store, clock, nowMillis);
      // Only the merged state is read, never a log's per-key state: the store keeps the logs alone
      // (ADR 0052), one RocksDB put per change instead of two.
      replication.keepLogOnly();
      logs.put(origin, replication);
      originOfLog.put(log, origin);
    }
    this.durable = store.keepsMergedState();
    Optional<byte[]> storedFrontier = durable ? store.mergedFrontier(name) : Optional.empty();
    if (storedFrontier.isPresent()) {
      KeyStateCodec.restore(frontier, storedFrontier.get());
    }
    for (String origin : config.replicas()) {
      // From the stored frontier on; everything (a data directory from before ADR 0033, or no
      // write-back yet) when none was stored.
      long from = frontier.sequence(origin) + 1;
      long truncated = store.truncatedThrough(logName(name, origin));
      Invariants.check(from > truncated, "dataset %s: the merged state reflects %s's log through %d but the"
          + " log was truncated through %d; the data directory is inconsistent", name, origin, from - 1, truncated);
      replay(origin, from, store.lastSequence(logName(name, origin)), nowMillis, null);
    }
    if (durable) {
      writeBack();
    }
  }

  /**
   * The merged state of {@code key}: from the cache, else from the store (then cached); null when
   * the key has none.
   */
  private KeyState stateOf(Bytes key) {
    KeyState cached = state.get(key);
    if (cached != null || !durable || dirty.contains(key)) {
      return cached;
    }
    Optional<byte[]> stored = store.mergedState(name, key);
    if (stored.isEmpty()) {
      return null;
    }
    mergedStatesRead++;
    KeyState decoded = decodeStored(key, stored.get());
    state.put(key, decoded);
    return decoded;
  }

  private KeyState decodeStored(Bytes key, byte[] stored) {
    try {
      return KeyStateCodec.fromBytes(rule, stored);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("dataset " + name + ": the stored merged state of key " + key
          + " cannot be read (" + e.getMessage() + "); the data directory is corrupt or was written for"
          + " another conflict resolution. Restore it from a backup or wipe it so the agent catches up from its peers.", e);
    }
  }

  /**
   * Writes every changed key and the frontier, together, then evicts the least recently used
   * clean keys beyond the cache bound. Called only at the end of a step, after the logs appended.
   */
  private void writeBack() {
    if (!dirty.isEmpty() || writtenBackAtMillis == Long.MIN_VALUE) {
      HashMap<Bytes, byte[]> changed = new HashMap<>(dirty.size() * 2);
      for (Bytes key : dirty) {
        KeyState value = state.get(key);
        changed.put(key, value == null ? new byte[0] : KeyStateCodec.toBytes(value));
      }
      store.writeMergedState(name, changed, KeyStateCodec.toBytes(frontier));
      mergedStatesWritten += changed.size();
      dirty.clear();
      writtenBackAtMillis = Math.max(writtenBackAtMillis, 0);
    }
    writeBackDue = false;
    int excess = state.size() - limits.cachedKeysMax();
    if (excess > 0) {
      java.util.Iterator<Bytes> eldest = state.keySet().iterator();
      for (int i = 0; i < excess && eldest.hasNext(); i++) {
        eldest.next();
        eldest.remove();
      }
    }
  }

  /**
   * The connected peer whose oldest unacknowledged change committed here is older than {@code
   * backlogLagMillisMax}, if any; null otherwise (ADR 0040). Judged once per millisecond, not per
   * write. A peer counts only once its backlog has been under half the bound since it connected, so
   * one catching up after a partition (its backlog is log on disk) does not stop this region's
   * writes; it starts counting when it has caught up.
   */
  private String laggingPeer(long nowMillis) {
    if (limits.backlogLagMillisMax() == MultiPrimaryBounds.BACKLOG_LAG_UNBOUNDED) {
      return null; // Off (the default): no log read per millisecond.
    }
    if (nowMillis == laggingCheckedAtMillis) {
      return laggingPeer;
    }
    laggingCheckedAtMillis = nowMillis;
    laggingPeer = null;
    laggingAgeMillis = 0;
    DatasetReplication own = logs.get(self);
    for (String peer : logs.keySet()) {
      if (peer.equals(self)) {
        continue;
      }
      long oldest = own.connectedBacklogOldestCommitMillis(peer);
      long age = oldest < 0 ? 0 : Math.max(0, nowMillis - oldest);
      if (!peersKeepingUp.contains(peer)) {
        if (age <= limits.backlogLagMillisMax() / 2 && (oldest >= 0 || own.isConnected(peer))) {
          peersKeepingUp.add(peer);
        }
      } else if (age > limits.backlogLagMillisMax() && age > laggingAgeMillis) {
        laggingPeer = peer;
        laggingAgeMillis = age;
      }
    }
    laggingRefusal = laggingPeer == null ? null : new ClientResult.Failed(Failure.RESOURCE_EXHAUSTED, "dataset "
        + name + ": region " + laggingPeer + " has not acknowledged changes region " + self + " committed "
        + laggingAgeMillis + " ms ago (limit " + limits.backlogLagMillisMax() + " ms, backlogLagMillisMax): the peers"
        + " cannot keep up with this write rate; nothing was written. Back off and retry, lower the write rate, or"
        + " spread writes over more regions.");
    return laggingPeer;
  }

  /** Keys whose merged state is decoded in memory now. */
  int cachedKeys() {
    return state.size();
  }

  /** Merged states written to the store, and read back from it, since start. */
  long[] mergedStateTraffic() {
    return new long[] {mergedStatesWritten, mergedStatesRead};
  }

  /** The store and stream name of {@code origin}'s log of {@code dataset}. */
  static String logName(String dataset, String origin) {
    return dataset + LOG_SEPARATOR + origin;
  }

  /**
   * Why this region cannot serve a session read with {@code position} yet, if it cannot: some
   * origin's log is applied here less far than the token says (ADR 0021). A region not among the
   * dataset's replicas in the token is an error in the token.
   */
  Optional<ClientResult.Failed> sessionShortfall(SessionToken.OriginSequences position) {
    for (Map.Entry<String, Long> entry : position.sequences().entrySet()) {
      String origin = entry.getKey();
      if (!logs.containsKey(origin)) {
        return Optional.of(new ClientResult.Failed(Failure.INVALID_ARGUMENT, "the session token names region "
            + origin + ", which holds no replica of dataset " + name + " " + config.replicas()
            + "; pass a token a write to " + name + " returned."));
      }
      long applied = store.lastSequence(logName(name, origin));
      if (applied < entry.getValue()) {
        return Optional.of(new ClientResult.Failed(Failure.UNAVAILABLE, "dataset " + name + ": region " + self
            + " has applied " + origin + "'s writes through " + applied + " but the session token needs "
            + entry.getValue() + " (a multi-primary dataset has no primary to forward to). Retry shortly, or"
            + " read at " + origin + ", where the write was made."));
      }
    }
    return Optional.empty();
  }

  /** Most session reads waiting here for this region to catch up; beyond it they are refused at once. */
  static final int SESSION_READS_PENDING_MAX = 10_000;

  private record PendingSessionRead(long requestId, Bytes key, SessionToken.OriginSequences position,
      long deadlineMillis) {}

  // Deadlines grow with arrival (one wait, monotonic time), so the first is the earliest.
  private final java.util.ArrayDeque<PendingSessionRead> pendingSessionReads = new java.util.ArrayDeque<>();

  /**
   * A session read (ADR 0021): answered from the merged state once this region applied every
   * origin's log as far as the token says; until then it waits up to the dataset's session wait,
   * answered by the step that applies the missing writes, and is refused {@code UNAVAILABLE} (naming
   * the origin to read at) when the wait runs out. There is no primary to forward it to.
   */
  void sessionRead(long nowMillis, long requestId, Bytes key, SessionToken.OriginSequences position,
      Output.Builder out) {
    Optional<ClientResult.Failed> shortfall = sessionShortfall(position);
    if (shortfall.isEmpty()) {
      out.respond(requestId, read(stateOf(key)));
    } else if (shortfall.get().failure() != Failure.UNAVAILABLE
        || pendingSessionReads.size() >= SESSION_READS_PENDING_MAX || config.reads().sessionWaitMillis() == 0) {
      out.respond(requestId, shortfall.get());
    } else {
      pendingSessionReads.addLast(new PendingSessionRead(requestId, key, position,
          nowMillis + config.reads().sessionWaitMillis()));
    }
  }

  private void progressSessionReads(long nowMillis, Output.Builder out) {
    if (pendingSessionReads.isEmpty()) {
      return;
    }
    List<PendingSessionRead> still = new ArrayList<>(pendingSessionReads.size());
    for (PendingSessionRead pending : pendingSessionReads) {
      Optional<ClientResult.Failed> shortfall = sessionShortfall(pending.position());
      if (shortfall.isEmpty()) {
        out.respond(pending.requestId(), read(stateOf(pending.key())));
      } else if (pending.deadlineMillis() <= nowMillis) {
        out.respond(pending.requestId(), shortfall.get());
      } else {
        still.add(pending);
      }
    }
    pendingSessionReads.clear();
    pendingSessionReads.addAll(still);
  }

  /** The names of this dataset's logs, which are also its stream names. */
  List<String> logNames() {
    return List.copyOf(originOfLog.keySet());
  }

  @Override
  public Role role() {
    return Role.PRIMARY;
  }

  // ---------------------------------------------------------------- client requests

  @Override
  public void onClientRequest(long nowMillis, long requestId, ClientOperation operation, Output.Builder out) {
    Bytes key = operation.key();
    if (operation instanceof Get) {
      out.respond(requestId, read(stateOf(key)));
      return;
    }
    // Refusals first, before the key's state is read (a store read when it is not cached), and
    // shared: the writes refused while nothing changed get one result object, which the transport
    // encodes once (ADR 0036, 0052).
    long backlog = logs.get(self).connectedBacklogChangesMax();
    if (backlog > limits.backlogChangesMax()) {
      if (backlogRefusal == null || backlogRefusalChanges != backlog) {
        backlogRefusalChanges = backlog;
        backlogRefusal = new ClientResult.Failed(Failure.RESOURCE_EXHAUSTED, "dataset " + name + ": region "
            + self + " has " + backlog + " committed changes a connected peer has not acknowledged yet (limit "
            + limits.backlogChangesMax() + ", backlogChangesMax): the peers cannot keep up with this write rate;"
            + " nothing was written. Back off and retry, lower the write rate, or spread writes over more regions.");
      }
      out.respond(requestId, backlogRefusal);
      return;
    }
    if (laggingPeer(nowMillis) != null) {
      out.respond(requestId, laggingRefusal);
      return;
    }
    KeyState current = stateOf(key);
    Operation logged;
    try {
      logged = toOperation(key, operation, current, out);
    } catch (IllegalArgumentException e) {
      out.respond(requestId, new ClientResult.Failed(Failure.FAILED_PRECONDITION, "dataset " + name
          + " resolves conflicts by " + rule.policyName() + ": " + e.getMessage()));
      return;
    }
    ClientResult before = read(current);
    boolean existed = before instanceof ClientResult.Read
        ? ((ClientResult.Read) before).value().isPresent() : ((ClientResult.MergedRead) before).found();
    Output.Builder inner = new Output.Builder();
    logs.get(self).onClientRequest(nowMillis, requestId, new Put(key, logged.encode()), inner);
    Output written = inner.build();
    out.includeAllButResponses(written);
    for (ClientResponse response : written.responses()) {
      ClientResult result = response.result();
      if (result instanceof ClientResult.Committed) {
        Version version = ((ClientResult.Committed) result).version();
        applyTo(key, logged, new Stamp(new Dot(self, version.sequence()), version.timestamp()), out);
        result = new ClientResult.Committed(version, existed);
      }
      out.respond(response.requestId(), result);
    }
  }

  /** What {@code operation} logs, given what this region has seen of the key. */
  private Operation toOperation(Bytes key, ClientOperation operation, KeyState current, Output.Builder out) {
    switch (rule) {
      case LWW:
      case CRDT_LWW_REGISTER: {
        // Everything applied here, not just this key's history: it stays exact after tombstones
        // are collected, and is at most one entry per region.
        VersionVector seen = frontier.toVersionVector();
        if (operation instanceof Put) {
          return new Operation.Write(((Put) operation).value(), false, seen);
        }
        if (operation instanceof Delete) {
          return new Operation.Write(Bytes.EMPTY, true, seen);
        }
        break;
      }
      case VERSION_VECTOR: {
        Siblings siblings = current == null ? new Siblings() : (Siblings) current;
        Optional<Bytes> value;
        VersionVector context;
        if (operation instanceof Put) {
          value = Optional.of(((Put) operation).value());
          context = VersionVector.EMPTY;
        } else if (operation instanceof Delete) {
          // A delete without a context removes what this region sees.
          value = Optional.empty();
          context = siblings.readContext();
        } else if (operation instanceof ContextualWrite) {
          value = ((ContextualWrite) operation).value();
          context = ((ContextualWrite) operation).context();
        } else {
          break;
        }
        int remaining = 0;
        for (Dot dot : siblings.entries().keySet()) {
          remaining += context.covers(dot) ? 0 : 1;
        }
        if (value.isPresent() && remaining >= limits.siblingsMax()) {
          List<Dot> oldest = siblings.oldestBeyond(limits.siblingsMax() - 1);
          for (Dot dot : oldest) {
            context = context.with(dot);
          }
          out.report(new ReplicationEvent.SiblingsTruncated(name, key, oldest.size(), limits.siblingsMax()));
        }
        return new Operation.VersionedWrite(value.orElse(Bytes.EMPTY), value.isEmpty(), context);
      }
      case CRDT_COUNTER:
      case CRDT_PN_COUNTER:
        if (operation instanceof Increment) {
          long delta = ((Increment) operation).delta();
          if (delta < 0 && rule == ConflictResolution.CRDT_COUNTER) {
            throw new IllegalArgumentException("a grow-only counter cannot be decremented (by "
                + -delta + "); use crdt:pn-counter for a counter that goes down.");
          }
          return (current == null ? new Counter() : (Counter) current).add(self, delta);
        }
        break;
      case CRDT_OR_SET: {
        OrSet set = current == null ? new OrSet() : (OrSet) current;
        if (operation instanceof AddElement) {
          Bytes element = ((AddElement) operation).element();
          return new Operation.AddElement(element, set.tagsOf(element));
        }
        if (operation instanceof RemoveElement) {
          Bytes element = ((RemoveElement) operation).element();
          return new Operation.RemoveElement(element, set.tagsOf(element));
        }
        break;
      }
      case CRDT_MV_REGISTER:
        if (operation instanceof Put) {
          MvRegister register = current == null ? new MvRegister() : (MvRegister) current;
          return new Operation.SetValue(((Put) operation).value(), register.observed());
        }
        break;
      case CRDT_LWW_MAP:
        if (operation instanceof PutEntry) {
          PutEntry entry = (PutEntry) operation;
          return new Operation.MapEntry(entry.field(), entry.value(), false);
        }
        if (operation instanceof RemoveEntry) {
          return new Operation.MapEntry(((RemoveEntry) operation).field(), Bytes.EMPTY, true);
        }
        break;
      default:
        break;
    }
    throw new IllegalArgumentException(describe(operation) + " does not apply; " + accepted());
  }

  private static String describe(ClientOperation operation) {
    if (operation instanceof CompareAndSet) {
      return "compare-and-set needs a single primary and";
    }
    return operation.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase();
  }

  private String accepted() {
    switch (rule) {
      case LWW:
      case CRDT_LWW_REGISTER:
        return "use put, get or delete.";
      case VERSION_VECTOR:
        return "use put (with the causal context from a get to resolve siblings), get or delete.";
      case CRDT_COUNTER:
        return "use increment or get.";
      case CRDT_PN_COUNTER:
        return "use increment, decrement or get.";
      case CRDT_OR_SET:
        return "use add, remove or get.";
      case CRDT_MV_REGISTER:
        return "use put (set) or get.";
      default:
        return "use put-entry, remove-entry or get.";
    }
  }

  private ClientResult read(KeyState current) {
    switch (rule) {
      case LWW:
      case CRDT_LWW_REGISTER: {
        if (current == null) {
          return new ClientResult.Read(Optional.empty(), self);
        }
        LwwValue value = (LwwValue) current;
        Optional<StoredValue> stored = value.value().map(bytes -> new StoredValue(bytes, version(value.stamp().get()), false));
        return new ClientResult.Read(stored, self);
      }
      case VERSION_VECTOR: {
        Siblings siblings = current == null ? new Siblings() : (Siblings) current;
        List<StoredValue> values = new ArrayList<>();
        siblings.entries().values().forEach(s -> values.add(new StoredValue(s.value(), version(s.stamp()), false)));
        return merged(values, siblings.readContext(), 0, List.of(), new TreeMap<>());
      }
      case CRDT_COUNTER:
      case CRDT_PN_COUNTER:
        return merged(List.of(), VersionVector.EMPTY, current == null ? 0 : ((Counter) current).value(), List.of(),
            new TreeMap<>());
      case CRDT_OR_SET:
        return merged(List.of(), VersionVector.EMPTY, 0,
            current == null ? List.of() : new ArrayList<>(((OrSet) current).elements()), new TreeMap<>());
      case CRDT_MV_REGISTER: {
        List<StoredValue> values = new ArrayList<>();
        VersionVector context = VersionVector.EMPTY;
        if (current != null) {
          for (Map.Entry<Dot, Bytes> entry : ((MvRegister) current).values().entrySet()) {
            values.add(new StoredValue(entry.getValue(),
                version(((MvRegister) current).stampOf(entry.getKey())), false));
            context = context.with(entry.getKey());
          }
        }
        return merged(values, context, 0, List.of(), new TreeMap<>());
      }
      default:
        return merged(List.of(), VersionVector.EMPTY, 0, List.of(),
            current == null ? new TreeMap<>() : ((LwwMap) current).entries());
    }
  }

  private ClientResult.MergedRead merged(List<StoredValue> values, VersionVector context, long counter,
      List<Bytes> elements, NavigableMap<Bytes, Bytes> entries) {
    return new ClientResult.MergedRead(self, values, context, counter, elements, entries);
  }

  private static Version version(Stamp stamp) {
    return new Version(stamp.timestamp(), stamp.region(), stamp.dot().counter(), stamp.region(), 1);
  }

  // ---------------------------------------------------------------- merging logs

  private void applyTo(Bytes key, Operation operation, Stamp stamp, Output.Builder out) {
    KeyState current = stateOf(key);
    if (current == null) {
      current = KeyState.empty(rule);
      state.put(key, current);
    }
    Optional<ConflictDetail> conflict = current.apply(operation, stamp);
    if (durable) {
      dirty.add(key);
    }
    frontier.advance(stamp);
    if (conflict.isPresent() && out != null) {
      out.report(new ReplicationEvent.Conflict(name, key, rule, conflict.get()));
    }
  }

  /** Folds {@code origin}'s log entries {@code [from, to]} into the merged state. */
  private void replay(String origin, long from, long to, long nowMillis, Output.Builder out) {
    String log = logName(name, origin);
    long next = from;
    while (next <= to) {
      List<Change> changes = store.readLog(log, next, (int) Math.min(limits.replayChangesPerRead(), to - next + 1),
          Long.MAX_VALUE);
      Invariants.check(!changes.isEmpty() && changes.get(0).sequence() == next,
          "dataset %s: log %s must hold sequence %d", name, log, next);
      for (Change change : changes) {
        applyLogged(origin, change, out);
      }
      next = changes.get(changes.size() - 1).sequence() + 1;
      if (out == null && durable && state.size() > limits.cachedKeysMax()) {
        writeBack(); // At start only: every replayed entry is in its log, so the state may be written now.
      }
    }
  }

  /** Folds one entry of {@code origin}'s log into the merged state. */
  private void applyLogged(String origin, Change change, Output.Builder out) {
    Stamp stamp = new Stamp(new Dot(origin, change.sequence()), change.version().timestamp());
    try {
      applyTo(change.key(), Operation.decode(change.value()), stamp, out);
    } catch (IllegalArgumentException e) {
      // A peer configured with another rule, or a corrupt entry: the log keeps it, the merged
      // state cannot use it. Report it rather than stop serving.
      frontier.advance(stamp);
      if (out != null) {
        out.report(new ReplicationEvent.ProtocolViolation(origin, name, "entry " + change.sequence()
            + " of " + logName(name, origin) + " for key " + change.key() + " is not a " + rule.policyName()
            + " operation: " + e.getMessage()));
      }
    }
  }

  /**
   * Reports a peer whose wall clock, as it stamps its batches and heartbeats, is further ahead of
   * this region's than the tolerance. The raw wall clock is used, not hybrid timestamps, so a
   * region whose hybrid clock was merely pulled forward by a fast peer is not blamed. Network
   * delay only makes a peer look behind, never ahead.
   */
  private void checkSkew(String origin, long peerWallMillis, long nowMillis, Output.Builder out) {
    long ahead = peerWallMillis - nowMillis;
    if (ahead <= limits.clockSkewToleranceMillis()) {
      return;
    }
    Long reported = skewReportedAtMillis.get(origin);
    if (reported == null || nowMillis - reported >= limits.clockSkewReportIntervalMillis()) {
      skewReportedAtMillis.put(origin, nowMillis);
      out.report(new ReplicationEvent.ClockSkew(origin, name, ahead, limits.clockSkewToleranceMillis()));
    }
  }

  // ---------------------------------------------------------------- routing to the logs

  /** The stream of {@code log} with {@code peer} opened. */
  void onConnected(long nowMillis, String peer, String log, Output.Builder out) {
    DatasetReplication replication = logs.get(originOfLog.get(log));
    if (replication != null) {
      replication.onConnected(nowMillis, peer, out);
    }
  }

  /** The stream of {@code log} with {@code peer} closed. */
  void onDisconnected(String peer, String log, String reason, Output.Builder out) {
    if (log.equals(logName(name, self))) {
      peersKeepingUp.remove(peer); // Counts again once it has caught up after reconnecting.
      laggingCheckedAtMillis = Long.MIN_VALUE;
    }
    DatasetReplication replication = logs.get(originOfLog.get(log));
    if (replication != null) {
      replication.onDisconnected(peer, reason, out);
    }
  }

  @Override
  public void onPeerMessage(long nowMillis, String from, PeerMessage message, Output.Builder out) {
    String origin = originOfLog.get(message.dataset());
    Invariants.check(origin != null, "%s is not a log of dataset %s", message.dataset(), name);
    if (from.equals(origin) && message instanceof PeerMessage.ChangeBatch) {
      checkSkew(from, ((PeerMessage.ChangeBatch) message).sentAtMillis(), nowMillis, out);
    } else if (from.equals(origin) && message instanceof PeerMessage.Heartbeat) {
      checkSkew(from, ((PeerMessage.Heartbeat) message).sentAtMillis(), nowMillis, out);
    }
    long before = store.lastSequence(message.dataset());
    logs.get(origin).onPeerMessage(nowMillis, from, message, out);
    long after = store.lastSequence(message.dataset());
    if (after > before) {
      if (!(message instanceof PeerMessage.ChangeBatch)
          || !applyFromBatch(origin, (PeerMessage.ChangeBatch) message, before + 1, after, out)) {
        replay(origin, before + 1, after, nowMillis, out);
      }
      progressSessionReads(nowMillis, out);
    }
  }

  /**
   * Folds the entries {@code [from, to]} that the log just appended from {@code batch} into the
   * merged state straight from the batch, instead of reading them back from the store (a RocksDB
   * iterator and a decode per entry: about a tenth of an agent's CPU under multi-primary load).
   * The log appends exactly the batch's entries with those sequences; when the batch does not
   * hold every one of them (not expected, but the log decides), nothing is applied and the caller
   * reads the store.
   *
   * @return whether the entries were applied
   */
  private boolean applyFromBatch(String origin, PeerMessage.ChangeBatch batch, long from, long to, Output.Builder out) {
    List<Change> changes = batch.changes();
    if (changes.isEmpty()) {
      return false;
    }
    int first = (int) (from - changes.get(0).sequence());
    int last = (int) (to - changes.get(0).sequence());
    if (first < 0 || last >= changes.size() || changes.get(first).sequence() != from
        || changes.get(last).sequence() != to) {
      return false;
    }
    for (int i = first; i <= last; i++) {
      Invariants.check(changes.get(i).sequence() == from + (i - first),
          "dataset %s: batch of %s holds sequence %d where %d was expected", name, origin,
          changes.get(i).sequence(), from + (i - first));
    }
    for (int i = first; i <= last; i++) {
      applyLogged(origin, changes.get(i), out);
    }
    return true;
  }

  @Override
  public void onTick(long nowMillis, Output.Builder out) {
    for (DatasetReplication replication : logs.values()) {
      replication.onTick(nowMillis, out);
    }
    progressSessionReads(nowMillis, out);
    if (collectedAtMillis == Long.MIN_VALUE || nowMillis - collectedAtMillis >= limits.collectIntervalMillis()) {
      collectedAtMillis = nowMillis;
      collect(limits.collectKeysPerTick());
    }
    if (durable && (writtenBackAtMillis == Long.MIN_VALUE || nowMillis - writtenBackAtMillis >= limits.flushIntervalMillis())) {
      writtenBackAtMillis = nowMillis;
      writeBackDue = true;
      // Between steps this region's own log has appended every write applied here, so the state
      // can go now rather than wait for the next step (an idle agent has none).
      if (frontier.sequence(self) <= store.lastSequence(logName(name, self))) {
        writeBack();
      }
    }
  }

  @Override
  public void flushStaged(Output.Builder out) {
    for (DatasetReplication replication : logs.values()) {
      replication.flushStaged(out);
    }
    // After the logs' appends: the stored state never reflects an entry its log does not hold.
    if (durable && (writeBackDue || dirty.size() >= limits.dirtyKeysMax()
        || state.size() > limits.cachedKeysMax())) {
      writeBack();
    }
  }

  @Override
  public long nextDeadlineMillis(long nowMillis) {
    long due = collectedAtMillis == Long.MIN_VALUE ? nowMillis
        : collectedAtMillis + limits.collectIntervalMillis();
    for (DatasetReplication replication : logs.values()) {
      due = Math.min(due, replication.nextDeadlineMillis(nowMillis));
    }
    if (!pendingSessionReads.isEmpty()) {
      due = Math.min(due, pendingSessionReads.peekFirst().deadlineMillis());
    }
    return due;
  }

  /**
   * Drops collectable tombstones and context from up to {@code keysMax} keys, round robin: a pass
   * walks the keys present when it started (keys written since wait for the next pass; keys
   * removed since are skipped).
   */
  private void collect(int keysMax) {
    if (durable) {
      collectStored(keysMax);
      return;
    }
    for (int i = 0; i < keysMax && !state.isEmpty(); i++) {
      if (collectIndex >= collectKeys.length) {
        collectKeys = state.keySet().toArray(new Bytes[0]);
        collectIndex = 0;
      }
      Bytes key = collectKeys[collectIndex];
      collectKeys[collectIndex++] = null;
      KeyState value = state.get(key);
      if (value != null && value.collect(frontier)) {
        state.remove(key);
      }
    }
  }

  /**
   * Collection over the stored keys, in key order from a cursor: a key whose state is emptied is
   * removed (written back as a removal), one that lost only context is written back changed.
   * Keys not yet written back wait for a later pass. The walk reads keys and states in one pass,
   * and a clean key is judged from its stored bytes (which equal its cached state's), decoded only
   * when collection could change it (ADR 0040).
   */
  private void collectStored(int keysMax) {
    List<Map.Entry<Bytes, byte[]>> entries = store.mergedEntries(name, collectCursor, keysMax);
    collectCursor = entries.size() < keysMax ? null : entries.get(entries.size() - 1).getKey();
    for (Map.Entry<Bytes, byte[]> entry : entries) {
      Bytes key = entry.getKey();
      if (dirty.contains(key)) {
        KeyState cached = state.get(key);
        // Absent: removed since, the removal not written back yet. Present: written back later anyway.
        if (cached != null && cached.collect(frontier)) {
          state.remove(key);
        }
        continue;
      }
      byte[] stored = entry.getValue();
      if (!KeyStateCodec.mayChange(rule, stored, frontier)) {
        continue;
      }
      KeyState value = decodeStored(key, stored);
      if (value.collect(frontier)) {
        state.remove(key);
        dirty.add(key);
      } else if (!java.util.Arrays.equals(stored, KeyStateCodec.toBytes(value))) {
        state.put(key, value); // Replaces a cached copy: the same state, collected.
        dirty.add(key);
      }
    }
  }

  /**
   * The merged state, every key collected and canonically encoded: replicas that applied the same
   * writes give equal maps.
   */
  NavigableMap<Bytes, byte[]> canonicalState() {
    TreeMap<Bytes, byte[]> result = new TreeMap<>();
    if (durable) {
      Bytes after = null;
      for (List<Bytes> keys = store.mergedKeys(name, null, 1024); !keys.isEmpty();
          keys = store.mergedKeys(name, after, 1024)) {
        for (Bytes key : keys) {
          if (!dirty.contains(key) && !state.containsKey(key)) {
            KeyState value = decodeStored(key, store.mergedState(name, key).orElseThrow());
            if (!value.collect(frontier)) {
              result.put(key, value.toBytes());
            }
          }
        }
        after = keys.get(keys.size() - 1);
      }
    }
    for (Map.Entry<Bytes, KeyState> entry : new ArrayList<>(state.entrySet())) {
      if (entry.getValue().collect(frontier)) {
        state.remove(entry.getKey());
        if (durable) {
          dirty.add(entry.getKey());
        }
      } else {
        result.put(entry.getKey(), entry.getValue().toBytes());
      }
    }
    return result;
  }

  // ---------------------------------------------------------------- status

  @Override
  public DatasetStatus status(long nowMillis) {
    DatasetStatus own = logs.get(self).status(nowMillis);
    List<PeerLinkStatus> peers = new ArrayList<>();
    for (PeerLinkStatus out : own.peers()) {
      PeerLinkStatus in = logs.get(out.peer()).status(nowMillis).peers().get(0);
      peers.add(new PeerLinkStatus(out.peer(), name, out.connected() && in.connected(), out.lagMillis(),
          out.lagVersions(), out.pendingChanges(), in.changesIn(), out.changesOut(), in.bytesIn(), out.bytesOut()));
    }
    return new DatasetStatus(name, ReplicationMode.MULTI_PRIMARY, Role.PRIMARY, own.epoch(), self,
        own.lastSequence(), peers);
  }

  /** Regions the replicas of this dataset are, other than this one. */
  List<String> peers() {
    List<String> result = new ArrayList<>(new TreeSet<>(config.replicas()));
    result.remove(self);
    return result;
  }
}

package io.meridian.agent.core.replication;

import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LogRetention;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.Invariants;
import io.meridian.agent.core.clock.HybridLogicalClock;
import io.meridian.agent.core.clock.HlcTimestamp;
import io.meridian.agent.core.replication.ClientOperation.CompareAndSet;
import io.meridian.agent.core.replication.ClientOperation.Delete;
import io.meridian.agent.core.replication.ClientOperation.Put;
import io.meridian.agent.core.replication.PeerMessage.Ack;
import io.meridian.agent.core.replication.PeerMessage.ChangeBatch;
import io.meridian.agent.core.replication.PeerMessage.EpochRejected;
import io.meridian.agent.core.replication.PeerMessage.ForwardRequest;
import io.meridian.agent.core.replication.PeerMessage.ForwardResponse;
import io.meridian.agent.core.replication.PeerMessage.Heartbeat;
import io.meridian.agent.core.replication.PeerMessage.HeartbeatReply;
import io.meridian.agent.core.replication.PeerMessage.Hello;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.ChangeKind;
import io.meridian.agent.core.storage.ReplicaStore;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.storage.Version;
import java.util.ArrayList;
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
 * One dataset's replication in one region, as primary or replica. Package-private: {@link
 * ReplicationNode} routes inputs to it and shares the hybrid logical clock.
 *
 * <p>Failover (ADR 0009): the role, the primary and the epoch change only through committed
 * decisions ({@link Input.EpochDecided}), applied in epoch order. Streams work only between
 * regions at the same epoch: an older epoch is refused with {@link EpochRejected}, a newer one
 * is ignored until its decision arrives. With automatic failover the primary holds a write lease
 * renewed by {@link HeartbeatReply}s from a majority.
 */
final class DatasetReplication {
  private static final long NONE = -1;
  /** After a start, how much longer than the lease plus margin a replica waits before releasing a primary it has not heard. */
  static final long START_RELEASE_GRACE_MILLIS = 10_000;
  /**
   * How many resubscription intervals a connected replica that is behind may go without applying
   * anything before it calls its stream stalled: it reports so in its status (the flow's health is
   * degraded) and closes the stream, so that the transport opens a fresh one and the replica resumes
   * from what it applied. A hello every interval already asks the primary to resend; when several
   * in a row bring nothing, the stream itself has stopped carrying data (issue 4: a healed replica
   * stayed connected and frozen for minutes) and only a new stream can help.
   */
  static final int STALL_RESUBSCRIBES_MAX = 5;

  private final String self;
  private final DatasetConfig config;
  private final ReplicationBounds bounds;
  private final ReplicaStore store;
  private final HybridLogicalClock clock;
  private final FailoverPolicy policy;
  private final String name;
  private final LogRetention retention;
  /** What the log's front was truncated through (the store's, cached). */
  private long truncatedThrough;
  /** At a replica: the sequence of the snapshot being installed, or NONE. */
  private long installingSnapshot = NONE;
  /** At a replica: the last key of the snapshot installed so far; null before the first entry. */
  private Bytes installedThroughKey;
  private Role role;
  private String primary;
  private long epoch;
  // Forward ids: this start's incarnation in the high half, a counter in the low half.
  private final long forwardIdBase;
  private long forwardsIssued;
  /**
   * False after a restart into an epoch later than the configured one, until that epoch's
   * decision is fed again: the configuration no longer says who the primary is.
   */
  private boolean primaryKnown;
  private long lastSequence;
  /** When this primary's log reached which sequence, for the backlog bound in time (ADR 0041). */
  private final HeadHistory headHistory = new HeadHistory();
  /** The last backlog check's answer and what it depended on (ADR 0041); NOT_REFUSED when none. */
  private ClientResult.Failed backlogRefused;
  private long backlogRefusedAtMillis = NONE;
  private long backlogRefusedHead = NONE;
  private long backlogRefusedAcks = NONE;
  /**
   * Inputs that can change a backlog check's answer (an acknowledgement that advanced, a heartbeat
   * reply, a connection change), counted so the check reruns after one.
   */
  private long backlogInputs;
  private static final ClientResult.Failed NOT_REFUSED = new ClientResult.Failed(Failure.RESOURCE_EXHAUSTED, "");
  private final Set<String> connectedPeers = new TreeSet<>();

  // Primary state.
  private final Map<String, Follower> followers = new TreeMap<>();
  private final TreeMap<Long, List<PendingWrite>> pendingSyncWrites = new TreeMap<>();
  private int pendingSyncWriteCount;
  private final LinkedHashMap<String, Boolean> recentForwards = new LinkedHashMap<>();
  // keepLogOnly (ADR 0052): the store keeps this log without its per-key state.
  private boolean logOnly;
  // Writes committed in the current step and not yet appended: one store append, one batch per
  // follower and one sync for all of them when the step ends (see flushStaged).
  private final List<Change> staged = new ArrayList<>();
  private final Map<Bytes, Change> stagedByKey = new java.util.HashMap<>();
  private long stagedSinceMillis = NONE;
  private boolean leaseHeld;
  /** Writes wait until then: a new primary waiting out its predecessor's lease. */
  private long writableFromMillis;
  /** Whether the wait above starts once the lease is first held in this epoch. */
  private boolean fenceWaitPending;
  /** A newer epoch some replica reported: this primary is deposed and must not write. */
  private long deposedByEpoch = NONE;
  private Switchover switchover;

  // Replica state.
  private boolean primaryConnected;
  private boolean heardSinceConnect;
  private long knownHeadSequence;
  private long freshAsOfMillis = NONE;
  private long lastProgressMillis;
  /**
   * When this replica last applied something from its primary, was caught up, or opened its
   * stream: what a stall is measured from (hellos do not count as progress here, unlike
   * {@link #lastProgressMillis}).
   */
  private long appliedProgressMillis;
  /** Hellos sent since this replica last applied something or was caught up (see {@link #STALL_RESUBSCRIBES_MAX}). */
  private int hellosSinceProgress;
  /** Whether this replica closes a stalled stream and reports the stall (see {@link #detectStalledStreams}). */
  private boolean stallDetection;
  /** When this replica last applied something or was caught up; what the reported stall counts from. */
  private long stalledSinceMillis;
  private long stallReconnects;
  /** Whether the last stream to the primary was closed by this replica as stalled. */
  private boolean closedAsStalled;
  private long resendRequestedAtSequence = NONE;
  private long resendRequestedAtMillis;
  private long changesIn;
  private long bytesIn;
  /** When this replica last granted the primary's lease, or began waiting for a primary. */
  private long lastGrantMillis;
  /** The epoch whose primary this replica released (reported so): it grants that primary no lease. */
  private long releasedEpoch = NONE;
  /** How many times this replica released the primary of {@link #releasedEpoch}'s epoch (ADR 0019). */
  private long releaseGeneration;
  /** Whether the released primary was heard again: this replica wants its release retracted. */
  private boolean heardSinceRelease;
  /** The epoch {@link #releaseGeneration} counts releases of. */
  private long generationEpoch = NONE;
  private final LinkedHashMap<Long, PendingForward> pendingForwards = new LinkedHashMap<>();

  /** Where a write's answer goes: a local client or a replica that forwarded it. */
  private sealed interface Requester {}

  private record LocalClient(long requestId) implements Requester {}

  private record ForwardingReplica(String region, long forwardId) implements Requester {}

  private record PendingWrite(Requester requester, ClientResult.Committed result, long deadlineMillis) {}

  private record PendingForward(long requestId, long deadlineMillis, boolean read) {}

  /** A session read waiting for this replica to reach its token (ADR 0021). */
  private record PendingSessionRead(long requestId, ClientOperation.Tuned read, SessionToken.LogPosition position,
      long deadlineMillis) {}

  /** Most session reads waiting here for this replica to catch up; beyond it they are forwarded at once. */
  static final int SESSION_READS_PENDING_MAX = 10_000;
  // Deadlines grow with arrival (one wait, monotonic time), so the first is the earliest.
  private final java.util.ArrayDeque<PendingSessionRead> pendingSessionReads = new java.util.ArrayDeque<>();

  /** A planned handover in progress at the primary. */
  private record Switchover(String target, long deadlineMillis, boolean ready) {}

  /** What the primary knows about one replica. */
  private static final class Follower {
    final String region;
    boolean connected;
    boolean subscribed;
    long ackedSequence;
    long nextSequence = 1;
    long inFlightSinceMillis = NONE;
    long unsentSinceMillis = NONE;
    long lastSentMillis = NONE;
    long changesOut;
    long bytesOut;
    /** Batches sent and not yet acknowledged, oldest first: {last sequence, bytes} (ADR 0019). */
    final java.util.ArrayDeque<long[]> inFlightBatches = new java.util.ArrayDeque<>();
    long inFlightBytes;

    /**
     * Bytes sent to this replica and not yet acknowledged: batches acknowledged, or forgotten by a
     * resend from an earlier sequence, no longer count.
     */
    long inFlightBytes() {
      while (!inFlightBatches.isEmpty() && inFlightBatches.peekFirst()[0] <= ackedSequence) {
        inFlightBytes -= inFlightBatches.pollFirst()[1];
      }
      while (!inFlightBatches.isEmpty() && inFlightBatches.peekLast()[0] >= nextSequence) {
        inFlightBytes -= inFlightBatches.pollLast()[1];
      }
      return inFlightBytes;
    }
    /** Send time (this primary's clock) of the newest heartbeat the replica answered. */
    long leaseGrantMillis = NONE;
    long lastHeartbeatMillis = NONE;
    /** The sequence of the snapshot this replica is being sent, or NONE (ADR 0017). */
    long snapshotSequence = NONE;
    /** Last key of the snapshot the replica acknowledged; null before the first. */
    Bytes snapshotCursor;
    long snapshotSentAtMillis = NONE;
    long snapshotsSent;
    /**
     * The replica's last change as its hello gave it, while the snapshot replaces a log that differs
     * from this primary's (ADR 0029); empty otherwise.
     */
    Optional<Version> snapshotReplaces = Optional.empty();

    /** A witness (ADR 0020): heartbeated for its lease grant, never sent data. */
    final boolean witness;

    /**
     * Whether this replica has kept within the backlog bound since it connected (ADR 0037): only
     * such a replica makes the primary refuse writes when it falls behind, so a replica returning
     * from an outage with a large backlog catches up without stopping the primary's writes.
     */
    boolean keepingUp;

    /**
     * Round trip of the newest heartbeat the replica answered, on this primary's clock, or NONE:
     * what a replica's lag in time may exceed without the replica falling behind (ADR 0041).
     */
    long roundTripMillis = NONE;
    /**
     * When this primary last heard the replica (an acknowledgement or a heartbeat reply), or NONE:
     * its lag is judged as of then, so a primary that was itself paused does not count its own
     * pause against its replicas (ADR 0041).
     */
    long heardAtMillis = NONE;

    Follower(String region, boolean witness) {
      this.region = region;
      this.witness = witness;
    }
  }

  DatasetReplication(
      String self, DatasetConfig config, ReplicationBounds bounds, ReplicaStore store,
      HybridLogicalClock clock, long nowMillis) {
    this(self, config, bounds, LogRetention.KEEP_ALL, store, clock, nowMillis);
  }

  DatasetReplication(
      String self, DatasetConfig config, ReplicationBounds bounds, LogRetention retention, ReplicaStore store,
      HybridLogicalClock clock, long nowMillis) {
    this.self = self;
    this.retention = retention;
    this.config = config;
    this.bounds = bounds;
    this.store = store;
    this.clock = clock;
    this.name = config.name();
    this.policy = config.failover();
    this.primary = config.primary();
    this.role = primary.equals(self) ? Role.PRIMARY : Role.REPLICA;
    this.lastSequence = store.lastSequence(name);
    this.truncatedThrough = store.truncatedThrough(name);
    this.forwardIdBase = store.nextIncarnation(name) << 32;
    long storedEpoch = store.epoch(name);
    this.epoch = Math.max(storedEpoch, config.initialEpoch());
    if (storedEpoch < epoch) {
      store.saveEpoch(name, epoch);
    }
    Optional<String> decided = store.decidedPrimary(name);
    this.primaryKnown = epoch == config.initialEpoch() || decided.isPresent();
    if (decided.isPresent() && config.replicas().contains(decided.get())) {
      primary = decided.get();
      role = primary.equals(self) ? Role.PRIMARY : Role.REPLICA;
    } else if (!primaryKnown) {
      role = Role.REPLICA;
    }
    if (config.isWitness(self)) {
      role = Role.WITNESS; // A witness holds no data, so it is never primary (ADR 0020).
    }
    if (role == Role.PRIMARY) {
      createFollowers();
    }
    this.lastProgressMillis = nowMillis;
    this.appliedProgressMillis = nowMillis;
    this.stalledSinceMillis = nowMillis;
    // A region that just started gives the primary a grace period before releasing it: agents of
    // a deployment start one after another (slowly on a loaded machine), and a replica that has not
    // heard its primary yet because that primary is still starting must not fail it over.
    this.lastGrantMillis = nowMillis + START_RELEASE_GRACE_MILLIS;
    // A restarted replica keeps the pledge it made in this epoch (ADR 0019): a release the group
    // may have counted stands until the group commits its retraction.
    Optional<io.meridian.agent.core.storage.Pledge> pledge = policy.automatic() ? store.pledge(name) : Optional.empty();
    if (pledge.isPresent() && pledge.get().epoch() == epoch) {
      releaseGeneration = pledge.get().generation();
      generationEpoch = epoch;
      if (pledge.get().released()) {
        releasedEpoch = epoch;
      }
    }
  }

  private void createFollowers() {
    followers.clear();
    headHistory.clear(); // A new term as primary: times are known from now on.
    backlogInputs++;
    // Witnesses are followers too: heartbeated, their answers counted toward the lease, never
    // sent data (their hello only opens the stream and never subscribes them).
    for (String replica : config.voters()) {
      if (!replica.equals(self)) {
        Follower follower = new Follower(replica, config.isWitness(replica));
        follower.connected = connectedPeers.contains(replica);
        followers.put(replica, follower);
      }
    }
  }

  long epoch() {
    return epoch;
  }

  String primary() {
    return primary;
  }

  Role role() {
    return role;
  }

  // ---------------------------------------------------------------- client requests

  void onClientRequest(long nowMillis, long requestId, ClientOperation operation, Output.Builder out) {
    if (role == Role.WITNESS) {
      out.respond(requestId, new ClientResult.Failed(Failure.UNAVAILABLE, "dataset " + name + ": region "
          + self + " is a witness: it votes on failover but holds no data; nothing was read or written,"
          + " use a replica (" + config.replicas() + ")."));
      return;
    }
    if (!operation.isWrite()) {
      serveRead(nowMillis, new LocalClient(requestId), operation, out);
      return;
    }
    if (role == Role.PRIMARY) {
      write(nowMillis, new LocalClient(requestId), self, operation, out);
      return;
    }
    forward(nowMillis, requestId, operation, false, out);
  }

  /** Sends a client's request to the primary; the answer comes back as a {@link ForwardResponse}. */
  private void forward(long nowMillis, long requestId, ClientOperation operation, boolean read, Output.Builder out) {
    String nothing = read ? "the read was not served" : "nothing was written";
    if (!primaryKnown) {
      out.respond(requestId, new ClientResult.Failed(Failure.UNAVAILABLE, "dataset " + name + ": region "
          + self + " restarted in epoch " + epoch + " and waits for that epoch's failover decision to know"
          + " the primary; " + nothing + ", retry shortly."));
      return;
    }
    if (!primaryConnected) {
      out.respond(requestId, new ClientResult.Failed(Failure.UNAVAILABLE, "dataset " + name
          + ": the primary region " + primary + " is unreachable from " + self
          + "; " + nothing + ". Retry later or " + (read ? "read" : "write") + " at " + primary + "."));
      return;
    }
    if (pendingForwards.size() >= bounds.pendingForwardsMax()) {
      out.respond(requestId, new ClientResult.Failed(Failure.RESOURCE_EXHAUSTED, "dataset " + name
          + ": " + pendingForwards.size() + " requests are already waiting for the primary "
          + primary + " (limit pendingForwardsMax); " + nothing + ", retry later."));
      return;
    }
    // Unique across restarts (the incarnation is counted durably at start), so a late answer to a
    // forward sent before a crash can never be taken for the answer to a newer one.
    long forwardId = forwardIdBase | (++forwardsIssued & 0xFFFF_FFFFL);
    pendingForwards.put(forwardId, new PendingForward(requestId, nowMillis + bounds.forwardTimeoutMillis(), read));
    out.send(primary, new ForwardRequest(name, forwardId, operation));
  }

  // ---------------------------------------------------------------- reads (ADR 0021)

  /**
   * Serves a read at its level: eventual from the local copy; session once this replica reached
   * the token (else it waits, then forwards); bounded-staleness while the local lag is under the
   * dataset's bound (else forwards or refuses); strong only at a primary holding its write lease
   * (a replica forwards). The node has already refused the levels this mode cannot serve.
   */
  private void serveRead(long nowMillis, Requester requester, ClientOperation operation, Output.Builder out) {
    if (!(operation instanceof ClientOperation.Tuned tuned)) {
      answer(requester, localRead(operation.key()), out);
      return;
    }
    RequestOptions options = tuned.options();
    switch (options.consistency()) {
      case SESSION -> {
        Optional<SessionToken.LogPosition> position = options.session()
            .map(token -> (SessionToken.LogPosition) token.position());
        if (position.isEmpty() || reached(position.get())) {
          answer(requester, localRead(operation.key()), out);
        } else if (role == Role.PRIMARY || requester instanceof ForwardingReplica) {
          answer(requester, new ClientResult.Failed(Failure.UNAVAILABLE, "dataset " + name + ": region " + self
              + (role == Role.PRIMARY ? " (the primary" : " (not the primary") + " in epoch " + epoch
              + ") holds the log through sequence " + lastSequence + " but the session token needs epoch "
              + position.get().epoch() + " sequence " + position.get().sequence() + "; the write may have been lost"
              + " in a forced failover, or a newer primary exists. Retry, or read at the current primary."), out);
        } else if (pendingSessionReads.size() >= SESSION_READS_PENDING_MAX) {
          forward(nowMillis, ((LocalClient) requester).requestId(), tuned, true, out);
        } else {
          pendingSessionReads.addLast(new PendingSessionRead(((LocalClient) requester).requestId(), tuned,
              position.get(), nowMillis + config.reads().sessionWaitMillis()));
        }
      }
      case BOUNDED_STALENESS -> {
        if (!config.reads().hasStalenessBound()) {
          answer(requester, new ClientResult.Failed(Failure.FAILED_PRECONDITION, "dataset " + name
              + " has no staleness bound, so bounded-staleness reads cannot be served; give its policy a"
              + " staleness bound (staleness: {maxLagMs, maxLagVersions}) and redeploy, or read at session"
              + " or eventual."), out);
          return;
        }
        Optional<String> over = stalenessExcess(nowMillis);
        if (over.isEmpty()) {
          answer(requester, localRead(operation.key()), out);
        } else if (config.reads().refuseWhenStale() || requester instanceof ForwardingReplica) {
          answer(requester, new ClientResult.Failed(Failure.UNAVAILABLE, "dataset " + name + ": region " + self
              + " " + over.get() + "; the bounded-staleness read was not served. Read at the primary " + primary
              + " or at eventual."), out);
        } else {
          forward(nowMillis, ((LocalClient) requester).requestId(), tuned, true, out);
        }
      }
      case STRONG -> {
        if (role != Role.PRIMARY) {
          if (requester instanceof ForwardingReplica) {
            answer(requester, new ClientResult.Failed(Failure.UNAVAILABLE, "dataset " + name + ": " + self
                + " is not the primary in epoch " + epoch + " (" + primary + " is); the strong read was not"
                + " served, retry."), out);
          } else {
            forward(nowMillis, ((LocalClient) requester).requestId(), tuned, true, out);
          }
          return;
        }
        if (ReadLevelRules.needsWriteLease(config.mode(), RequestOptions.ReadLevel.STRONG) && !policy.automatic()) {
          answer(requester, new ClientResult.Failed(Failure.FAILED_PRECONDITION, "dataset " + name
              + " fails over by operator command only, so its primary " + self + " holds no write lease and"
              + " cannot promise that no other region became primary: strong reads are not served. Enable"
              + " automatic failover in its policy for leased strong reads, or read at session (read-your-writes)."),
              out);
          return;
        }
        // The lease for this read's own time, not the last tick's: a primary resuming from a pause
        // must not serve a read its lease no longer covers (ADR 0020).
        updateLease(nowMillis, out);
        Optional<String> refusal = writeRefusal(nowMillis);
        if (refusal.isPresent()) {
          answer(requester, new ClientResult.Failed(Failure.UNAVAILABLE, refusal.get()
              .replace("Nothing was written", "The strong read was not served")
              .replace("nothing was written", "the strong read was not served")), out);
          return;
        }
        answer(requester, localRead(operation.key()), out);
      }
      default -> answer(requester, localRead(operation.key()), out);
    }
  }

  private ClientResult.Read localRead(Bytes key) {
    return new ClientResult.Read(read(key).filter(StoredValue::live), self);
  }

  /** Whether this region holds every write up to {@code position}. */
  private boolean reached(SessionToken.LogPosition position) {
    long held = role == Role.PRIMARY ? lastSequence + staged.size() : lastSequence;
    return installingSnapshot == NONE && epoch >= position.epoch() && held >= position.sequence();
  }

  /** How this region's lag exceeds the dataset's staleness bound, if it does (a primary never lags). */
  private Optional<String> stalenessExcess(long nowMillis) {
    if (role == Role.PRIMARY) {
      return Optional.empty();
    }
    if (freshAsOfMillis == NONE || installingSnapshot != NONE) {
      return Optional.of("has not yet heard how far the primary " + primary + " is");
    }
    long lagMillis = Math.max(0, nowMillis - freshAsOfMillis);
    long lagVersions = Math.max(0, knownHeadSequence - lastSequence);
    if (lagMillis > config.reads().stalenessMillisMax()) {
      return Optional.of("lags " + lagMillis + " ms behind the primary " + primary + " (bound "
          + config.reads().stalenessMillisMax() + " ms)");
    }
    if (config.reads().stalenessVersionsMax() > 0 && lagVersions > config.reads().stalenessVersionsMax()) {
      return Optional.of("lags " + lagVersions + " versions behind the primary " + primary + " (bound "
          + config.reads().stalenessVersionsMax() + " versions)");
    }
    return Optional.empty();
  }

  /** Answers the waiting session reads this region has now reached, and forwards those out of time. */
  private void progressSessionReads(long nowMillis, Output.Builder out) {
    if (pendingSessionReads.isEmpty()) {
      return;
    }
    List<PendingSessionRead> still = new ArrayList<>(pendingSessionReads.size());
    for (PendingSessionRead pending : pendingSessionReads) {
      if (reached(pending.position())) {
        out.respond(pending.requestId(), localRead(pending.read().key()));
      } else if (pending.deadlineMillis() <= nowMillis) {
        if (role == Role.PRIMARY) {
          serveRead(nowMillis, new LocalClient(pending.requestId()), pending.read(), out);
        } else {
          forward(nowMillis, pending.requestId(), pending.read(), true, out);
        }
      } else {
        still.add(pending);
      }
    }
    pendingSessionReads.clear();
    pendingSessionReads.addAll(still);
  }

  /** Why this primary must not accept a write now, if it must not. */
  private Optional<String> writeRefusal(long nowMillis) {
    if (deposedByEpoch != NONE) {
      return Optional.of("dataset " + name + ": region " + self + " was the primary in epoch " + epoch
          + " but a replica reports epoch " + deposedByEpoch + "; another region is primary now. Nothing"
          + " was written; retry at the new primary.");
    }
    if (switchover != null) {
      return Optional.of("dataset " + name + ": switchover from " + self + " to " + switchover.target()
          + " in progress; writes pause until it completes. Nothing was written; retry in a moment.");
    }
    if (policy.automatic() && !leaseHeld) {
      return Optional.of("dataset " + name + ": primary " + self + " has heard from " + leaseGrants(nowMillis)
          + " of the " + config.majority() + " regions it needs (of " + config.voters().size() + ") within "
          + policy.detectionTimeoutMillis() + " ms, so it accepts no writes (another region may be taking"
          + " over). Nothing was written; retry shortly.");
    }
    if (fenceWaitPending || nowMillis < writableFromMillis) {
      return Optional.of("dataset " + name + ": " + self + " became primary in epoch " + epoch
          + " and waits for the previous primary's lease to run out before writing. Nothing was"
          + " written; retry shortly.");
    }
    return Optional.empty();
  }

  /** How many voting regions (this one included) renewed this primary's lease in time. */
  private int leaseGrants(long nowMillis) {
    int grants = 1;
    for (Follower follower : followers.values()) {
      if (follower.leaseGrantMillis != NONE && nowMillis - follower.leaseGrantMillis < policy.detectionTimeoutMillis()) {
        grants++;
      }
    }
    return grants;
  }

  /** Recomputes the lease; reports changes and starts a new primary's fence wait. */
  private void updateLease(long nowMillis, Output.Builder out) {
    if (role != Role.PRIMARY || !policy.automatic()) {
      return;
    }
    int grants = leaseGrants(nowMillis);
    boolean held = grants >= config.majority();
    if (held != leaseHeld) {
      leaseHeld = held;
      out.report(new ReplicationEvent.LeaseChanged(name, epoch, held, grants + " of "
          + config.voters().size() + " regions answered within " + policy.detectionTimeoutMillis() + " ms"));
    }
    if (held && fenceWaitPending) {
      // A majority now refuses the previous primary, so its lease can no longer be renewed; the
      // longest it can still run is one lease plus the drift margin from now.
      fenceWaitPending = false;
      writableFromMillis = nowMillis + policy.releaseAfterMillis();
    }
  }

  private void write(long nowMillis, Requester requester, String origin, ClientOperation operation,
      Output.Builder out) {
    Invariants.check(role == Role.PRIMARY, "only the primary commits writes");
    // The lease is recomputed for this very moment, not taken from the last tick: a primary that
    // was paused (GC, SIGSTOP, an overloaded host) handles the writes queued during the pause
    // before its next tick, and its lease may have run out meanwhile (issue 7, Simulation
    // PAUSED_PRIMARY).
    updateLease(nowMillis, out);
    Optional<String> refusal = writeRefusal(nowMillis);
    if (refusal.isPresent()) {
      answer(requester, new ClientResult.Failed(Failure.UNAVAILABLE, refusal.get()), out);
      return;
    }
    int requiredAcks = config.requiredAcks();
    if (requiredAcks > 0 && pendingSyncWriteCount >= bounds.pendingSyncWritesMax()) {
      answer(requester, new ClientResult.Failed(Failure.RESOURCE_EXHAUSTED, "dataset " + name + ": "
          + pendingSyncWriteCount + " sync writes are waiting for acknowledgements (limit "
          + "pendingSyncWritesMax); nothing was written, retry later."), out);
      return;
    }
    long head = lastSequence + staged.size();
    if (backlogRefused == null || backlogRefusedAtMillis != nowMillis || backlogRefusedHead != head
        || backlogRefusedAcks != backlogInputs) {
      // Rechecked only when time, the log or a follower's state moved: the writes of a shed client
      // batch share one refusal, which the transport then encodes once (ADR 0036, ADR 0041).
      backlogRefusedAtMillis = nowMillis;
      backlogRefusedHead = head;
      backlogRefusedAcks = backlogInputs;
      backlogRefused = backlogRefusal(nowMillis)
          .map(message -> new ClientResult.Failed(Failure.RESOURCE_EXHAUSTED, message)).orElse(NOT_REFUSED);
    }
    if (backlogRefused != NOT_REFUSED) {
      answer(requester, backlogRefused, out);
      return;
    }
    Bytes key = operation.key();
    // A plain put needs no read of the key: its answer does not say whether the key held a value
    // (ADR 0050), and the read was a store look-up per write on the primary's logical thread. A log
    // kept alone (a multi-primary origin's log, ADR 0052) has no per-key state to read at all; its
    // engine answers whether the key existed from its merged state, and never logs a compare-and-set.
    Optional<StoredValue> current = operation instanceof Put || (logOnly && !(operation instanceof CompareAndSet))
        ? Optional.empty() : read(key).filter(StoredValue::live);
    ChangeKind kind;
    Bytes value;
    if (operation instanceof Put) {
      kind = ChangeKind.PUT;
      value = ((Put) operation).value();
    } else if (operation instanceof Delete) {
      kind = ChangeKind.DELETE;
      value = Bytes.EMPTY;
    } else if (operation instanceof CompareAndSet) {
      CompareAndSet compareAndSet = (CompareAndSet) operation;
      boolean matches = compareAndSet.expected()
          .map(expected -> current.map(stored -> stored.value().equals(expected)).orElse(false))
          .orElse(current.isEmpty());
      if (!matches) {
        answer(requester, new ClientResult.CompareFailed(current), out);
        return;
      }
      kind = ChangeKind.PUT;
      value = compareAndSet.newValue();
    } else {
      throw new IllegalArgumentException("not a write: " + operation);
    }
    HlcTimestamp timestamp = clock.now(nowMillis);
    Version version = new Version(timestamp, origin, lastSequence + 1 + staged.size(), self, epoch);
    Change change = new Change(kind, key, value, version);
    staged.add(change);
    stagedByKey.put(key, change);
    if (stagedSinceMillis == NONE) {
      stagedSinceMillis = nowMillis;
    }
    if (staged.size() >= bounds.batchChangesMax()) {
      flushStaged(out); // Bounded: a huge client batch is appended a full replication batch at a time.
    }
    ClientResult.Committed result = new ClientResult.Committed(version, current.isPresent());
    if (requiredAcks == 0) {
      answer(requester, result, out);
    } else {
      pendingSyncWrites.computeIfAbsent(version.sequence(), sequence -> new ArrayList<>())
          .add(new PendingWrite(requester, result, nowMillis + bounds.syncAckTimeoutMillis()));
      pendingSyncWriteCount++;
    }
  }

  /**
   * Why this primary refuses a write because a replica that was keeping up, and still answers
   * heartbeats, fell too far behind (ADR 0037), if one did: the backlog stays bounded and the client is told to slow down,
   * instead of the replica's lag growing for as long as the load lasts.
   */
  private Optional<String> backlogRefusal(long nowMillis) {
    long head = lastSequence + staged.size();
    long backlogMax = bounds.backlogChangesMax();
    for (Follower follower : followers.values()) {
      // Only a replica that still answers heartbeats (they travel ahead of data) is waited for: a
      // hung one, whose connection has not closed yet, must not stop an async primary's writes.
      boolean answering = follower.leaseGrantMillis != NONE
          && nowMillis - follower.leaseGrantMillis < policy.detectionTimeoutMillis();
      if (follower.keepingUp && follower.connected && answering && head - follower.ackedSequence >= backlogMax) {
        return Optional.of("dataset " + name + ": replica " + follower.region + " has not yet applied "
            + (head - follower.ackedSequence) + " changes (limit " + backlogMax + ", backlogChangesMax);"
            + " nothing was written. Slow down and retry: the primary accepts writes again as the replica"
            + " catches up.");
      }
      // Async: the same in time (ADR 0041), so the lag a user is promised and the pushback agree.
      if (lagBoundInTime() && follower.keepingUp && follower.connected && answering) {
        long lagMillis = lagBeyondRoundTripMillis(follower, nowMillis);
        if (lagMillis >= bounds.backlogMillisMax()) {
          return Optional.of("dataset " + name + ": replica " + follower.region + " is " + lagMillis
              + " ms behind beyond its " + follower.roundTripMillis + " ms round trip (limit "
              + bounds.backlogMillisMax() + " ms, backlogMillisMax; " + (head - follower.ackedSequence)
              + " changes not yet applied); nothing was written. Slow down and retry: the primary accepts"
              + " writes again as the replica catches up.");
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Whether the backlog bound in time applies (ADR 0041): to an async single-primary dataset only,
   * not to sync ones (their clients wait for acknowledgements) nor to the per-origin logs of a
   * multi-primary dataset (named {@code dataset@origin}; their pushback is ADR 0033's).
   */
  private boolean lagBoundInTime() {
    return config.requiredAcks() == 0 && !name.contains(MultiPrimaryReplication.LOG_SEPARATOR);
  }

  /**
   * How far {@code follower} lags, in time on this primary's clock, beyond its heartbeat round
   * trip (ADR 0041): how long before this primary last heard it its oldest unacknowledged change
   * was committed, at least, minus the round trip its acknowledgement needs anyway. 0 while it has
   * acknowledged everything.
   */
  private long lagBeyondRoundTripMillis(Follower follower, long nowMillis) {
    if (follower.ackedSequence >= lastSequence || follower.heardAtMillis == NONE) {
      return 0;
    }
    long age = headHistory.ageMillisAtLeast(follower.ackedSequence + 1, Math.min(nowMillis, follower.heardAtMillis));
    return Math.max(0, age - Math.max(0, follower.roundTripMillis));
  }

  /**
   * Makes this a log kept without its per-key state (ADR 0052): a multi-primary origin's log,
   * whose engine keeps the merged state itself and never reads this log's state. Called before the
   * first append; the store then skips the state write of every appended change.
   */
  void keepLogOnly() {
    Invariants.check(config.requiredAcks() == 0, "dataset %s: only an async log can be"
        + " kept without its state", name);
    logOnly = true;
    store.keepLogOnly(name);
  }

  /** The key's state as of this step: a write staged earlier in the step wins over the store. */
  private Optional<StoredValue> read(Bytes key) {
    Change stagedChange = stagedByKey.get(key);
    return stagedChange != null ? Optional.of(StoredValue.of(stagedChange)) : store.get(name, key);
  }

  /**
   * Appends the writes committed during this step in one store append, asks for one sync and
   * offers them to every follower. The node calls this at the end of every step, before its
   * output leaves, so an answer never precedes the append (and sync) of its write.
   */
  void flushStaged(Output.Builder out) {
    if (staged.isEmpty()) {
      return;
    }
    long nowMillis = stagedSinceMillis;
    store.append(name, List.copyOf(staged));
    lastSequence += staged.size();
    if (role == Role.PRIMARY) {
      headHistory.record(nowMillis, lastSequence);
    }
    staged.clear();
    stagedByKey.clear();
    stagedSinceMillis = NONE;
    Invariants.check(store.lastSequence(name) == lastSequence,
        "dataset %s: store ends at %d after appending up to %d", name, store.lastSequence(name), lastSequence);
    requireDurability(out);
    truncateLog();
    for (Follower follower : followers.values()) {
      if (follower.unsentSinceMillis == NONE) {
        follower.unsentSinceMillis = nowMillis;
      }
      // A sync write's client waits for the replicas: its batch leaves now, not after the batch delay.
      sendChanges(nowMillis, follower, config.requiredAcks() > 0, out);
    }
  }

  private void answer(Requester requester, ClientResult result, Output.Builder out) {
    if (requester instanceof LocalClient) {
      out.respond(((LocalClient) requester).requestId(), result);
    } else {
      ForwardingReplica replica = (ForwardingReplica) requester;
      out.send(replica.region(), new ForwardResponse(name, replica.forwardId(), result));
    }
  }

  /**
   * Whether this primary's change batches leave before its own sync (ADR 0029): in a sync dataset
   * that syncs every commit, where the client waits for the replicas anyway. Its answers still
   * follow both the local sync (the driver finishes a step's sync before the next step, and
   * acknowledgements arrive in later steps) and the acknowledgements.
   */
  private boolean shipsBeforeSync() {
    return role == Role.PRIMARY && config.requiredAcks() > 0 && config.fsync() == FsyncPolicy.PER_COMMIT;
  }

  private void requireDurability(Output.Builder out) {
    if (config.fsync() == FsyncPolicy.PER_COMMIT) {
      out.requireSync();
    }
  }

  // ---------------------------------------------------------------- connections

  void onConnected(long nowMillis, String peer, Output.Builder out) {
    connectedPeers.add(peer);
    backlogInputs++;
    if (role == Role.PRIMARY) {
      Follower follower = followers.get(peer);
      if (follower == null) {
        return;
      }
      follower.connected = true;
      follower.subscribed = false;
      follower.snapshotSequence = NONE;
      follower.snapshotReplaces = Optional.empty();
      out.report(new ReplicationEvent.PeerUp(peer, name));
    } else if (peer.equals(primary) && primaryKnown) {
      primaryConnected = true;
      heardSinceConnect = false;
      appliedProgressMillis = nowMillis; // A fresh stream gets the whole stall bound to deliver.
      hellosSinceProgress = 0;
      if (!closedAsStalled) {
        stalledSinceMillis = nowMillis; // Still stalled on a stream reopened for that; else a fresh start.
      }
      closedAsStalled = false;
      out.report(new ReplicationEvent.PeerUp(peer, name));
      sayHello(nowMillis, out);
    }
  }

  void onDisconnected(String peer, String reason, Output.Builder out) {
    connectedPeers.remove(peer);
    backlogInputs++;
    if (role == Role.PRIMARY) {
      Follower follower = followers.get(peer);
      if (follower == null || !follower.connected) {
        return;
      }
      follower.connected = false;
      follower.subscribed = false;
      follower.keepingUp = false;
      follower.inFlightSinceMillis = NONE;
      follower.snapshotSequence = NONE;
      out.report(new ReplicationEvent.PeerDown(peer, name, reason));
    } else if (peer.equals(primary) && primaryConnected) {
      primaryConnected = false;
      out.report(new ReplicationEvent.PeerDown(peer, name, reason));
      failPendingForwards("the connection to the primary " + primary + " closed before it answered; the"
          + " write may or may not have committed (" + reason + ").", out);
    }
  }

  private void failPendingForwards(String why, Output.Builder out) {
    for (PendingForward pending : pendingForwards.values()) {
      out.respond(pending.requestId(), pending.read()
          ? new ClientResult.Failed(Failure.UNAVAILABLE, "dataset " + name + ": a read forwarded to the primary "
              + primary + " was not answered (" + why.replace("; the write may or may not have committed.", "")
              + "); retry.")
          : new ClientResult.Failed(Failure.OUTCOME_UNKNOWN, "dataset " + name + ": " + why));
    }
    pendingForwards.clear();
  }

  private void sayHello(long nowMillis, Output.Builder out) {
    if (installingSnapshot != NONE) {
      // A hello starts over from what this replica holds, and a half-installed snapshot is not a
      // log: drop it, so that the primary's answer (its log from the start, or a fresh snapshot)
      // lands on an empty dataset rather than being ignored as belonging to an old snapshot.
      store.beginSnapshot(name);
      installingSnapshot = NONE;
      installedThroughKey = null;
    }
    // The head is learnt again from the answers: a primary that lost its unsynced tail in a power
    // loss (ADR 0029) announced a head it no longer has, and waiting for it would never end.
    knownHeadSequence = Math.min(knownHeadSequence, lastSequence);
    out.send(primary, new Hello(name, epoch, lastSequence + 1, lastAppliedVersion()));
    lastProgressMillis = nowMillis;
    hellosSinceProgress++;
  }

  // ---------------------------------------------------------------- peer messages

  void onPeerMessage(long nowMillis, String from, PeerMessage message, Output.Builder out) {
    if (message instanceof EpochRejected) {
      EpochRejected rejected = (EpochRejected) message;
      out.report(new ReplicationEvent.StaleEpochRejected(from, name, epoch, rejected.currentEpoch()));
      if (role == Role.PRIMARY && rejected.currentEpoch() > epoch && deposedByEpoch == NONE) {
        // A replica has moved on: a newer epoch was decided. Stop writing at once rather than wait
        // for the lease or the decision to arrive here.
        deposedByEpoch = rejected.currentEpoch();
      }
      return;
    }
    if (message instanceof ForwardResponse) {
      // The answer is authoritative whoever sends it: it says whether the write committed there.
      onForwardResponse(nowMillis, (ForwardResponse) message, out);
      return;
    }
    long messageEpoch = epochOf(message);
    if (!primaryKnown && !(message instanceof ForwardRequest)) {
      return;
    }
    if (messageEpoch != NONE && messageEpoch > epoch) {
      // A decision this region has not received yet; it arrives on its own, until then ignore.
      return;
    }
    if (role == Role.PRIMARY) {
      Follower follower = followers.get(from);
      if (follower == null) {
        out.disconnect(from, name, from + " is not a replica of dataset " + name);
      } else if (follower.witness && message instanceof Hello) {
        // A witness says hello only to open its stream (the transport's first frame); it asks for
        // no data, so it is never subscribed and only heartbeated.
        if (((Hello) message).epoch() < epoch) {
          rejectStaleEpoch(from, ((Hello) message).epoch(), out);
        }
      } else if (follower.witness && !(message instanceof HeartbeatReply)) {
        out.disconnect(from, name, "the primary of " + name + " received a " + message.getClass().getSimpleName()
            + " from " + from + ", a witness, which only answers heartbeats");
      } else if (message instanceof ForwardRequest) {
        onForwardRequest(nowMillis, from, (ForwardRequest) message, out);
      } else if (messageEpoch < epoch && (message instanceof Hello || message instanceof Ack
          || message instanceof HeartbeatReply || message instanceof PeerMessage.SnapshotAck)) {
        rejectStaleEpoch(from, messageEpoch, out);
      } else if (message instanceof Hello) {
        onHello(nowMillis, follower, (Hello) message, out);
      } else if (message instanceof Ack) {
        onAck(nowMillis, follower, (Ack) message, out);
      } else if (message instanceof HeartbeatReply) {
        onHeartbeatReply(nowMillis, follower, (HeartbeatReply) message, out);
      } else if (message instanceof PeerMessage.SnapshotAck) {
        onSnapshotAck(nowMillis, follower, (PeerMessage.SnapshotAck) message, out);
      } else if (messageEpoch < epoch) {
        rejectStaleEpoch(from, messageEpoch, out);
      } else {
        out.disconnect(from, name, "the primary of " + name + " received a "
            + message.getClass().getSimpleName() + " from " + from);
      }
      return;
    }
    if (message instanceof ForwardRequest) {
      // The sender still takes this region for the primary; it learns otherwise by decision.
      ForwardRequest request = (ForwardRequest) message;
      out.send(from, new ForwardResponse(name, request.forwardId(), new ClientResult.Failed(
          Failure.UNAVAILABLE, "dataset " + name + ": " + self + " is not the primary in epoch " + epoch
          + " (" + primary + " is); " + (request.operation().isWrite() ? "nothing was written" : "the read was not"
          + " served") + ", retry.")));
    } else if (messageEpoch < epoch) {
      rejectStaleEpoch(from, messageEpoch, out);
    } else if (role == Role.WITNESS && from.equals(primary) && message instanceof Heartbeat) {
      onHeartbeat(nowMillis, from, (Heartbeat) message, out);
    } else if (!from.equals(primary) || role != Role.REPLICA) {
      out.disconnect(from, name, from + " is not the primary of dataset " + name + " ("
          + primary + " is)");
    } else if (message instanceof ChangeBatch) {
      onChangeBatch(nowMillis, from, (ChangeBatch) message, out);
    } else if (message instanceof Heartbeat) {
      onHeartbeat(nowMillis, from, (Heartbeat) message, out);
    } else if (message instanceof PeerMessage.SnapshotChunk) {
      onSnapshotChunk(nowMillis, from, (PeerMessage.SnapshotChunk) message, out);
    } else {
      out.disconnect(from, name, "a replica of " + name + " received a "
          + message.getClass().getSimpleName() + " from " + from);
    }
  }

  private static long epochOf(PeerMessage message) {
    if (message instanceof Hello) {
      return ((Hello) message).epoch();
    } else if (message instanceof Ack) {
      return ((Ack) message).epoch();
    } else if (message instanceof ChangeBatch) {
      return ((ChangeBatch) message).epoch();
    } else if (message instanceof Heartbeat) {
      return ((Heartbeat) message).epoch();
    } else if (message instanceof HeartbeatReply) {
      return ((HeartbeatReply) message).epoch();
    } else if (message instanceof PeerMessage.SnapshotChunk) {
      return ((PeerMessage.SnapshotChunk) message).epoch();
    } else if (message instanceof PeerMessage.SnapshotAck) {
      return ((PeerMessage.SnapshotAck) message).epoch();
    }
    return NONE;
  }

  private void onHeartbeatReply(long nowMillis, Follower follower, HeartbeatReply reply, Output.Builder out) {
    if (reply.heartbeatSentAtMillis() > nowMillis) {
      out.disconnect(follower.region, name, "replica " + follower.region + " answered a heartbeat sent at "
          + reply.heartbeatSentAtMillis() + ", after this primary's now " + nowMillis);
      return;
    }
    backlogInputs++;
    follower.heardAtMillis = Math.max(follower.heardAtMillis, nowMillis);
    if (follower.leaseGrantMillis != NONE
        && reply.heartbeatSentAtMillis() - follower.leaseGrantMillis >= policy.detectionTimeoutMillis()) {
      // It stopped answering for a detection timeout (a cut link that kept the stream open, a
      // pause): like a replica that reconnects, it catches up without pushing back on this
      // primary's writes until it has kept up again (ADR 0037, 0041).
      follower.keepingUp = false;
    }
    if (reply.heartbeatSentAtMillis() >= follower.leaseGrantMillis) {
      follower.roundTripMillis = nowMillis - reply.heartbeatSentAtMillis();
    }
    follower.leaseGrantMillis = Math.max(follower.leaseGrantMillis, reply.heartbeatSentAtMillis());
    updateLease(nowMillis, out);
  }

  private void onHello(long nowMillis, Follower follower, Hello hello, Output.Builder out) {
    long replicaLast = hello.resumeFromSequence() - 1;
    if (hello.lastApplied().isPresent() && replicaLast > truncatedThrough
        && !logHolds(replicaLast, hello.lastApplied().get())) {
      // The replica holds changes this primary does not: shipped before this primary's own sync,
      // then lost here in a power loss (ADR 0029). None was acknowledged to a client (an answer
      // waits for this primary's sync too), so the primary's state replaces the replica's.
      follower.subscribed = true;
      follower.ackedSequence = 0;
      follower.inFlightSinceMillis = NONE;
      follower.snapshotReplaces = hello.lastApplied();
      startSnapshot(nowMillis, follower, out);
      return;
    }
    if (hello.resumeFromSequence() < 1 || hello.resumeFromSequence() > lastSequence + 1) {
      out.disconnect(follower.region, name, "replica " + follower.region + " asked to resume from "
          + hello.resumeFromSequence() + " but the log ends at " + lastSequence);
      return;
    }
    // Trust the replica's own account, even below what it acknowledged before: a duplicate hello
    // only costs a resend, and a replica that lost unsynced data must get it again.
    follower.subscribed = true;
    follower.ackedSequence = hello.resumeFromSequence() - 1;
    follower.nextSequence = hello.resumeFromSequence();
    follower.inFlightSinceMillis = NONE;
    follower.snapshotSequence = NONE;
    follower.snapshotReplaces = Optional.empty();
    if (follower.nextSequence <= truncatedThrough) {
      startSnapshot(nowMillis, follower, out);
      return;
    }
    follower.unsentSinceMillis = follower.nextSequence <= lastSequence ? nowMillis : NONE;
    sendChanges(nowMillis, follower, true, out);
  }

  private void onAck(long nowMillis, Follower follower, Ack ack, Output.Builder out) {
    if (ack.appliedSequence() > lastSequence && follower.snapshotReplaces.isPresent()) {
      return; // The replica's log that the snapshot replaces still speaks (ADR 0029).
    }
    if (ack.appliedSequence() > lastSequence || ack.appliedSequence() < 0) {
      out.disconnect(follower.region, name, "replica " + follower.region + " acknowledged sequence "
          + ack.appliedSequence() + " but the log ends at " + lastSequence);
      return;
    }
    if (follower.snapshotSequence != NONE) {
      if (ack.appliedSequence() < follower.snapshotSequence) {
        return; // About batches sent before the snapshot began; the snapshot's own answers follow.
      }
      // The replica installed the whole snapshot: the log follows from its sequence.
      out.report(new ReplicationEvent.SnapshotSent(follower.region, name, follower.snapshotSequence));
      follower.snapshotSequence = NONE;
      follower.snapshotReplaces = Optional.empty();
      follower.snapshotCursor = null;
      follower.snapshotSentAtMillis = NONE;
      follower.nextSequence = ack.appliedSequence() + 1;
      follower.inFlightSinceMillis = NONE;
      follower.unsentSinceMillis = follower.nextSequence <= lastSequence ? nowMillis : NONE;
    }
    follower.heardAtMillis = Math.max(follower.heardAtMillis, nowMillis);
    if (ack.appliedSequence() > follower.ackedSequence) {
      follower.ackedSequence = ack.appliedSequence();
      backlogInputs++;
      if (!follower.keepingUp && lastSequence - follower.ackedSequence < bounds.backlogChangesMax() / 2
          && (!lagBoundInTime() || lagBeyondRoundTripMillis(follower, nowMillis) < bounds.backlogMillisMax() / 2)) {
        follower.keepingUp = true; // From now on its backlog bounds this primary's writes.
      }
      truncateLog();
      follower.inFlightSinceMillis = follower.nextSequence - 1 > follower.ackedSequence ? nowMillis : NONE;
      releaseSyncWrites(out);
      tickSwitchover(nowMillis, out);
    }
    if (follower.nextSequence <= follower.ackedSequence) {
      follower.nextSequence = follower.ackedSequence + 1;
    }
    if (!follower.subscribed) {
      return;
    }
    if (ack.resendRequested() && ack.appliedSequence() == follower.ackedSequence) {
      goBack(nowMillis, follower);
      sendChanges(nowMillis, follower, true, out);
    } else {
      sendChanges(nowMillis, follower, false, out);
    }
  }

  private void goBack(long nowMillis, Follower follower) {
    follower.nextSequence = follower.ackedSequence + 1;
    follower.inFlightSinceMillis = NONE;
    follower.unsentSinceMillis = follower.nextSequence <= lastSequence ? nowMillis : NONE;
  }

  private void onForwardRequest(long nowMillis, String from, ForwardRequest request, Output.Builder out) {
    String key = from + "/" + request.forwardId();
    if (recentForwards.containsKey(key)) {
      return;
    }
    recentForwards.put(key, Boolean.TRUE);
    if (recentForwards.size() > bounds.forwardDedupEntriesMax()) {
      Iterator<String> eldest = recentForwards.keySet().iterator();
      eldest.next();
      eldest.remove();
    }
    Optional<ClientResult.Failed> invalid = ReplicationNode.validate(bounds, request.operation());
    if (invalid.isPresent()) {
      answer(new ForwardingReplica(from, request.forwardId()), invalid.get(), out);
      return;
    }
    if (!request.operation().isWrite()) {
      serveRead(nowMillis, new ForwardingReplica(from, request.forwardId()), request.operation(), out);
      return;
    }
    write(nowMillis, new ForwardingReplica(from, request.forwardId()), from, request.operation(), out);
  }

  private void onChangeBatch(long nowMillis, String from, ChangeBatch batch, Output.Builder out) {
    String problem = shapeProblem(batch);
    if (problem != null) {
      out.disconnect(from, name, "impossible change batch from " + from + ": " + problem);
      return;
    }
    Invariants.check(batch.epoch() == epoch, "dataset %s: batch of epoch %d reached a replica at %d",
        name, batch.epoch(), epoch);
    heardSinceConnect = true;
    knownHeadSequence = Math.max(knownHeadSequence, batch.headSequence());
    if (installingSnapshot != NONE) {
      return; // Sent before the snapshot began; the log resumes after the snapshot.
    }
    if (batch.firstSequence() > lastSequence + 1) {
      // A gap: an earlier batch was lost or overtaken. Ask once per gap, not once per batch, so
      // reordering does not multiply resends.
      boolean ask = resendRequestedAtSequence != lastSequence
          || nowMillis - resendRequestedAtMillis >= bounds.retransmitTimeoutMillis();
      if (ask) {
        resendRequestedAtSequence = lastSequence;
        resendRequestedAtMillis = nowMillis;
      }
      out.send(from, new Ack(name, epoch, lastSequence, ask));
      return;
    }
    if (batch.lastSequence() <= lastSequence) {
      out.send(from, new Ack(name, epoch, lastSequence, false));
      return;
    }
    List<Change> fresh = batch.changes().subList(
        (int) (lastSequence + 1 - batch.firstSequence()), batch.changes().size());
    store.append(name, fresh);
    lastSequence = batch.lastSequence();
    Invariants.check(store.lastSequence(name) == lastSequence,
        "dataset %s: store ends at %d after applying up to %d", name, store.lastSequence(name), lastSequence);
    Change newest = fresh.get(fresh.size() - 1);
    clock.observe(newest.version().timestamp(), nowMillis);
    changesIn += fresh.size();
    bytesIn += fresh.stream().mapToLong(Change::sizeBytes).sum();
    lastProgressMillis = nowMillis;
    appliedProgressMillis = nowMillis;
    stalledSinceMillis = nowMillis;
    hellosSinceProgress = 0;
    long freshAsOf = lastSequence >= knownHeadSequence
        ? batch.sentAtMillis() : newest.version().timestamp().physicalMillis();
    freshAsOfMillis = Math.max(freshAsOfMillis, freshAsOf);
    requireDurability(out);
    out.send(from, new Ack(name, epoch, lastSequence, false));
    truncateLog();
    progressSessionReads(nowMillis, out);
  }

  /**
   * Whether {@code chunk} begins a snapshot that replaces this replica's log because it differs from
   * the primary's (ADR 0029): the chunk names this replica's last change as its hello reported it,
   * and the log still ends with that change. A late copy arriving after the replacement (or after
   * any later progress) names a change the log no longer ends with, and is ignored.
   */
  private boolean replacesThisLog(PeerMessage.SnapshotChunk chunk) {
    return chunk.replaces().isPresent() && chunk.replaces().equals(lastAppliedVersion());
  }

  /** The version of this region's newest change, when its log still holds it. */
  private Optional<Version> lastAppliedVersion() {
    if (lastSequence <= truncatedThrough) {
      return Optional.empty();
    }
    List<Change> last = store.readLog(name, lastSequence, 1, Long.MAX_VALUE);
    return last.isEmpty() ? Optional.empty() : Optional.of(last.get(0).version());
  }

  /** Whether this region's log holds a change at {@code sequence} with {@code version}. */
  private boolean logHolds(long sequence, Version version) {
    if (sequence > lastSequence || sequence <= truncatedThrough) {
      return false;
    }
    List<Change> held = store.readLog(name, sequence, 1, Long.MAX_VALUE);
    return !held.isEmpty() && held.get(0).version().equals(version);
  }

  private String shapeProblem(ChangeBatch batch) {
    List<Change> changes = batch.changes();
    if (changes.isEmpty()) {
      return "no changes";
    }
    if (batch.firstSequence() < 1 || batch.lastSequence() - batch.firstSequence() + 1 != changes.size()) {
      return "sequences " + batch.firstSequence() + ".." + batch.lastSequence() + " do not match "
          + changes.size() + " changes";
    }
    if (batch.headSequence() < batch.lastSequence()) {
      return "head sequence " + batch.headSequence() + " is before the batch's last " + batch.lastSequence();
    }
    for (int i = 0; i < changes.size(); i++) {
      Version version = changes.get(i).version();
      if (version.sequence() != batch.firstSequence() + i) {
        return "change " + i + " has sequence " + version.sequence() + ", expected "
            + (batch.firstSequence() + i);
      }
      if (version.epoch() > batch.epoch()) {
        return "change " + version.sequence() + " has epoch " + version.epoch()
            + ", newer than its batch's " + batch.epoch();
      }
    }
    return null;
  }

  private void onHeartbeat(long nowMillis, String from, Heartbeat heartbeat, Output.Builder out) {
    heardSinceConnect = true;
    // Every heartbeat is answered, so the primary hears from its replicas while idle. With a lease,
    // the answer renews it, except once this replica has released the primary: from then on it
    // keeps its pledge and never renews that primary's lease in this epoch (ADR 0016), so a
    // decider that counted its release can rely on the old lease running out.
    if (!pledgeRelease(nowMillis)) {
      out.send(from, new HeartbeatReply(name, epoch, heartbeat.sentAtMillis(), lastSequence));
      lastGrantMillis = nowMillis;
    } else {
      // The released primary is alive after all: ask the group to retract the release (ADR 0019);
      // until the retraction is committed, the pledge holds.
      heardSinceRelease = true;
    }
    if (lastSequence >= heartbeat.headSequence()) {
      // Caught up with the primary as of this heartbeat: a stall can only start from here. (Not the
      // known head: a hello lowers that until the next answer, ADR 0029.)
      appliedProgressMillis = Math.max(appliedProgressMillis, nowMillis);
      stalledSinceMillis = nowMillis;
      hellosSinceProgress = 0;
    }
    knownHeadSequence = Math.max(knownHeadSequence, heartbeat.headSequence());
    if (lastSequence >= heartbeat.headSequence()) {
      freshAsOfMillis = Math.max(freshAsOfMillis, heartbeat.sentAtMillis());
    }
    if (heartbeat.helloRequested() && role == Role.REPLICA) {
      // Without a hello the primary neither ships changes nor knows what this replica has.
      sayHello(nowMillis, out);
    }
  }

  private void onForwardResponse(long nowMillis, ForwardResponse response, Output.Builder out) {
    PendingForward pending = pendingForwards.remove(response.forwardId());
    if (pending == null) {
      return;
    }
    if (response.result() instanceof ClientResult.Committed) {
      clock.observe(((ClientResult.Committed) response.result()).version().timestamp(), nowMillis);
    }
    out.respond(pending.requestId(), response.result());
  }

  private void rejectStaleEpoch(String from, long receivedEpoch, Output.Builder out) {
    out.report(new ReplicationEvent.StaleEpochRejected(from, name, receivedEpoch, epoch));
    out.send(from, new EpochRejected(name, epoch, "epoch " + receivedEpoch + " is older than "
        + epoch + " in region " + self));
  }


  // ---------------------------------------------------------------- time

  void onTick(long nowMillis, Output.Builder out) {
    truncateLog();
    progressSessionReads(nowMillis, out);
    if (role == Role.PRIMARY) {
      for (Follower follower : followers.values()) {
        tickFollower(nowMillis, follower, out);
      }
      expireSyncWrites(nowMillis, out);
      updateLease(nowMillis, out);
      tickSwitchover(nowMillis, out);
    } else if (role == Role.WITNESS) {
      pledgeRelease(nowMillis); // A witness forwards nothing and catches up on nothing.
    } else {
      tickReplica(nowMillis, out);
    }
  }

  private void tickFollower(long nowMillis, Follower follower, Output.Builder out) {
    if (!follower.connected) {
      return;
    }
    if (follower.snapshotSequence != NONE && follower.snapshotSentAtMillis != NONE
        && nowMillis - follower.snapshotSentAtMillis >= bounds.retransmitTimeoutMillis()) {
      sendSnapshotChunk(nowMillis, follower, out); // Again from the acknowledged key.
    }
    if (follower.subscribed && follower.inFlightSinceMillis != NONE
        && nowMillis - follower.inFlightSinceMillis >= bounds.retransmitTimeoutMillis()) {
      goBack(nowMillis, follower);
      sendChanges(nowMillis, follower, true, out);
    }
    if (follower.nextSequence <= lastSequence && follower.unsentSinceMillis == NONE) {
      follower.unsentSinceMillis = nowMillis;
    }
    sendChanges(nowMillis, follower, false, out);
    // Heartbeats flow every interval even while batches do, lease or not: their answers renew the
    // lease and keep every region's failure detector fed, so an idle or a busy primary alike
    // knows which replicas are alive (issue 7).
    long quietSinceMillis = follower.lastHeartbeatMillis;
    if (quietSinceMillis == NONE || nowMillis - quietSinceMillis >= bounds.heartbeatIntervalMillis()) {
      out.send(follower.region,
          new Heartbeat(name, epoch, lastSequence, nowMillis, !follower.subscribed && !follower.witness));
      follower.lastSentMillis = nowMillis;
      follower.lastHeartbeatMillis = nowMillis;
    }
  }

  /**
   * With a lease, whether this replica has released the primary of the current epoch: once it has
   * heard nothing from it for the lease plus the drift margin, it says so in its {@link
   * FailoverView} and keeps that pledge — it renews the primary's lease no more in this epoch, so
   * a decider that counted its release can rely on the old lease running out.
   */
  private boolean pledgeRelease(long nowMillis) {
    if (!policy.automatic() || role == Role.PRIMARY) {
      return false;
    }
    if (releasedEpoch != epoch && nowMillis - lastGrantMillis >= policy.releaseAfterMillis()) {
      if (generationEpoch != epoch) {
        generationEpoch = epoch;
        releaseGeneration = 0; // The first release of this epoch.
      }
      releasedEpoch = epoch;
      releaseGeneration++;
      heardSinceRelease = false;
      // Durable before anyone can see the release (the view that reports it is computed after).
      store.savePledge(name, new io.meridian.agent.core.storage.Pledge(epoch, releaseGeneration, true));
    }
    return releasedEpoch == epoch;
  }

  /**
   * The group committed the retraction of release {@code generation} before any decision of the
   * epoch: the release will never count, so this replica grants the primary's lease again from
   * the next heartbeat (ADR 0019). A retraction of another epoch or of an older release changes
   * nothing.
   */
  void onReleaseRetracted(long nowMillis, Input.ReleaseRetracted retracted) {
    if (role == Role.PRIMARY || retracted.epoch() != epoch || releasedEpoch != epoch
        || retracted.generation() != releaseGeneration) {
      return;
    }
    releasedEpoch = NONE;
    heardSinceRelease = false;
    lastGrantMillis = nowMillis;
    store.savePledge(name, new io.meridian.agent.core.storage.Pledge(epoch, releaseGeneration, false));
  }

  private void tickReplica(long nowMillis, Output.Builder out) {
    pledgeRelease(nowMillis);
    Iterator<PendingForward> pending = pendingForwards.values().iterator();
    while (pending.hasNext()) {
      PendingForward forward = pending.next();
      if (forward.deadlineMillis() > nowMillis) {
        break;
      }
      pending.remove();
      out.respond(forward.requestId(), forward.read()
          ? new ClientResult.Failed(Failure.UNAVAILABLE, "dataset " + name + ": the primary " + primary
              + " did not answer the forwarded read within " + bounds.forwardTimeoutMillis() + " ms; retry.")
          : new ClientResult.Failed(Failure.OUTCOME_UNKNOWN, "dataset "
          + name + ": the primary " + primary + " did not answer within "
          + bounds.forwardTimeoutMillis() + " ms; the write may or may not have committed."));
    }
    boolean waiting = !heardSinceConnect || lastSequence < knownHeadSequence;
    // Progress is an applied batch or chunk, or a heartbeat that finds this replica caught up (one
    // arrives every heartbeat interval, lane or not); hellos are not progress. Counting hellos
    // rather than time since progress keeps a replica that was itself paused (GC, SIGSTOP) from
    // blaming the stream for its own pause: it says hello again first.
    if (stallDetection && stalled(nowMillis)) {
      stallReconnects++;
      out.disconnect(primary, name, "replica " + self + " of " + name + " applied nothing from its primary "
          + primary + " for " + (nowMillis - appliedProgressMillis) + " ms while connected and "
          + Math.max(0, knownHeadSequence - lastSequence) + " changes behind (applied through " + lastSequence
          + ", " + hellosSinceProgress + " hellos unanswered); closing the stream so that a new one resumes"
          + " from " + (lastSequence + 1));
      appliedProgressMillis = nowMillis;
      hellosSinceProgress = 0;
      closedAsStalled = true;
      return;
    }
    if (primaryConnected && waiting && nowMillis - lastProgressMillis >= bounds.resubscribeAfterMillis()) {
      sayHello(nowMillis, out);
    }
  }

  /**
   * Whether the stream to the primary is stalled: at least {@link #STALL_RESUBSCRIBES_MAX} hellos
   * and as many resubscription intervals since this replica last applied something or was caught up.
   */
  private boolean stalled(long nowMillis) {
    return primaryConnected && hellosSinceProgress >= STALL_RESUBSCRIBES_MAX
        && nowMillis - appliedProgressMillis >= STALL_RESUBSCRIBES_MAX * bounds.resubscribeAfterMillis();
  }

  /**
   * Turns on closing stalled streams; single-primary datasets only. A multi-primary region's
   * per-origin logs (ADR 0033) may be legitimately sent nothing (residency) while heartbeats name
   * a head they will never reach.
   */
  void detectStalledStreams() {
    stallDetection = true;
  }

  /**
   * At a replica connected to its primary and behind it: how long it has applied nothing, once that
   * is at least one resubscription interval (a hello went unanswered); 0 otherwise.
   */
  private long stalledForMillis(long nowMillis) {
    if (!stallDetection || role != Role.REPLICA || !primaryConnected) {
      return 0;
    }
    long stalled = nowMillis - stalledSinceMillis;
    return stalled >= 2 * bounds.resubscribeAfterMillis() ? stalled : 0;
  }

  /** How many times this replica closed a stalled stream to its primary (see {@link #STALL_RESUBSCRIBES_MAX}). */
  long stallReconnects() {
    return stallReconnects;
  }

  /**
   * Sends batches to one follower while the in-flight window has room. Without {@code force}, a
   * partial batch waits until it is full or its oldest change has waited {@code batchDelayMillis}.
   */
  private void sendChanges(long nowMillis, Follower follower, boolean force, Output.Builder out) {
    if (!follower.connected || !follower.subscribed || follower.snapshotSequence != NONE) {
      return;
    }
    if (follower.nextSequence <= truncatedThrough) {
      // The retention bound truncated what this replica still needs: it catches up by snapshot.
      startSnapshot(nowMillis, follower, out);
      return;
    }
    while (follower.nextSequence <= lastSequence) {
      long inFlight = follower.nextSequence - 1 - follower.ackedSequence;
      Invariants.check(inFlight >= 0, "dataset %s: next sequence %d for %s is behind its ack %d",
          name, follower.nextSequence, follower.region, follower.ackedSequence);
      long room = bounds.inFlightChangesMax() - inFlight;
      // The window is bounded in bytes too, so a slow replica's backlog stays in the log (pending
      // changes) rather than in the transport's buffers (ADR 0019).
      if (room <= 0 || follower.inFlightBytes() >= bounds.inFlightBytesMax()) {
        break;
      }
      long unsent = lastSequence - follower.nextSequence + 1;
      boolean full = unsent >= bounds.batchChangesMax();
      boolean waited = follower.unsentSinceMillis != NONE
          && nowMillis - follower.unsentSinceMillis >= bounds.batchDelayMillis();
      if (!force && !full && !waited) {
        break;
      }
      int count = (int) Math.min(Math.min(unsent, room), bounds.batchChangesMax());
      List<Change> changes = store.readLog(name, follower.nextSequence, count, bounds.batchBytesMax());
      Invariants.check(!changes.isEmpty() && changes.get(0).sequence() == follower.nextSequence,
          "dataset %s: the log must hold sequence %d (it ends at %d)", name, follower.nextSequence, lastSequence);
      long last = changes.get(changes.size() - 1).sequence();
      ChangeBatch batch = new ChangeBatch(
          name, epoch, follower.nextSequence, last, changes, lastSequence, nowMillis);
      if (shipsBeforeSync()) {
        // The replica's copy and acknowledgement travel while this primary syncs its own (ADR 0029).
        out.sendBeforeSync(follower.region, batch);
      } else {
        out.send(follower.region, batch);
      }
      if (inFlight == 0) {
        follower.inFlightSinceMillis = nowMillis;
      }
      follower.nextSequence = last + 1;
      follower.lastSentMillis = nowMillis;
      follower.changesOut += changes.size();
      follower.bytesOut += batch.sizeBytes();
      follower.inFlightBatches.addLast(new long[] {last, batch.sizeBytes()});
      follower.inFlightBytes += batch.sizeBytes();
    }
    if (follower.nextSequence > lastSequence) {
      follower.unsentSinceMillis = NONE;
    }
  }

  // ---------------------------------------------------------------- truncation and snapshots (ADR 0017)

  /**
   * Truncates the log's front: at a primary below what every replica acknowledged (or is being
   * sent a snapshot of), at any region to at most {@code retainedChangesMax} changes; never the
   * newest change (a restart takes its clock floor from it), and only in steps of at least
   * {@code truncateStepChanges} so the store deletes in ranges.
   */
  private void truncateLog() {
    if (!retention.truncates()) {
      return;
    }
    long through = lastSequence - retention.retainedChangesMax();
    if (role == Role.PRIMARY) {
      long acknowledgedByAll = lastSequence;
      for (Follower follower : followers.values()) {
        long needed = follower.snapshotSequence != NONE ? follower.snapshotSequence : follower.ackedSequence;
        acknowledgedByAll = Math.min(acknowledgedByAll, needed);
      }
      through = Math.max(through, acknowledgedByAll);
    }
    through = Math.min(through, lastSequence - 1);
    if (through - truncatedThrough < retention.truncateStepChanges()) {
      return;
    }
    store.truncateThrough(name, through);
    truncatedThrough = through;
  }

  private void startSnapshot(long nowMillis, Follower follower, Output.Builder out) {
    follower.snapshotSequence = lastSequence;
    follower.snapshotCursor = null;
    follower.snapshotsSent++;
    follower.inFlightSinceMillis = NONE;
    follower.unsentSinceMillis = NONE;
    follower.nextSequence = lastSequence + 1;
    out.report(new ReplicationEvent.SnapshotStarted(follower.region, name, lastSequence, truncatedThrough,
        follower.ackedSequence));
    sendSnapshotChunk(nowMillis, follower, out);
  }

  /** Sends the chunk after the acknowledged key; one chunk is in flight at a time. */
  private void sendSnapshotChunk(long nowMillis, Follower follower, Output.Builder out) {
    if (!follower.connected) {
      return;
    }
    List<Change> entries = store.readState(name, follower.snapshotCursor, retention.snapshotChunkChangesMax(),
        bounds.batchBytesMax());
    PeerMessage.SnapshotChunk chunk = new PeerMessage.SnapshotChunk(name, epoch, follower.snapshotSequence,
        follower.snapshotCursor == null ? Bytes.EMPTY : follower.snapshotCursor, entries, entries.isEmpty(),
        lastSequence, nowMillis, follower.snapshotReplaces);
    out.send(follower.region, chunk);
    follower.snapshotSentAtMillis = nowMillis;
    follower.lastSentMillis = nowMillis;
    follower.changesOut += entries.size();
    follower.bytesOut += chunk.sizeBytes();
  }

  private void onSnapshotAck(long nowMillis, Follower follower, PeerMessage.SnapshotAck ack, Output.Builder out) {
    if (follower.snapshotSequence == NONE || ack.snapshotSequence() != follower.snapshotSequence) {
      return; // About an abandoned snapshot.
    }
    // The replica says how far it got; the next chunk starts after that key (or from the start
    // when it lost track, e.g. a duplicated first chunk restarted its install).
    follower.snapshotCursor = ack.throughKey().isEmpty() ? null : ack.throughKey();
    sendSnapshotChunk(nowMillis, follower, out);
  }

  private void onSnapshotChunk(long nowMillis, String from, PeerMessage.SnapshotChunk chunk, Output.Builder out) {
    Invariants.check(chunk.epoch() == epoch, "dataset %s: snapshot of epoch %d reached a replica at %d",
        name, chunk.epoch(), epoch);
    heardSinceConnect = true;
    knownHeadSequence = Math.max(knownHeadSequence, chunk.headSequence());
    if (chunk.headSequence() < chunk.snapshotSequence()) {
      out.disconnect(from, name, "impossible snapshot chunk from " + from + ": head " + chunk.headSequence()
          + " before the snapshot's sequence " + chunk.snapshotSequence());
      return;
    }
    boolean first = chunk.afterKey().isEmpty();
    if (installingSnapshot == NONE && lastSequence >= chunk.snapshotSequence() && !(first && replacesThisLog(chunk))) {
      // A late copy of a snapshot already installed (a primary snapshots only replicas behind it).
      out.send(from, new Ack(name, epoch, lastSequence, false));
      return;
    }
    if (first) {
      flushStaged(out);
      store.beginSnapshot(name);
      lastSequence = 0;
      truncatedThrough = 0;
      installingSnapshot = chunk.snapshotSequence();
      installedThroughKey = null;
      out.report(new ReplicationEvent.SnapshotInstalling(from, name, chunk.snapshotSequence()));
    } else if (installingSnapshot != chunk.snapshotSequence() || !chunk.afterKey().equals(installedThroughKey)) {
      // Out of step (a duplicate, or a snapshot this replica is not installing): say where it is.
      boolean same = installingSnapshot == chunk.snapshotSequence() && installedThroughKey != null;
      out.send(from, new PeerMessage.SnapshotAck(name, epoch, chunk.snapshotSequence(),
          same ? installedThroughKey : Bytes.EMPTY));
      return;
    }
    for (int i = 1; i < chunk.entries().size(); i++) {
      if (chunk.entries().get(i - 1).key().compareTo(chunk.entries().get(i).key()) >= 0) {
        out.disconnect(from, name, "impossible snapshot chunk from " + from + ": keys out of order");
        return;
      }
    }
    store.putSnapshotEntries(name, chunk.entries());
    lastProgressMillis = nowMillis;
    appliedProgressMillis = nowMillis;
    stalledSinceMillis = nowMillis;
    hellosSinceProgress = 0;
    changesIn += chunk.entries().size();
    bytesIn += chunk.sizeBytes();
    if (!chunk.entries().isEmpty()) {
      installedThroughKey = chunk.entries().get(chunk.entries().size() - 1).key();
      for (Change entry : chunk.entries()) {
        clock.observe(entry.version().timestamp(), nowMillis);
      }
    }
    if (!chunk.last()) {
      out.send(from, new PeerMessage.SnapshotAck(name, epoch, chunk.snapshotSequence(),
          installedThroughKey == null ? Bytes.EMPTY : installedThroughKey));
      return;
    }
    store.finishSnapshot(name, chunk.snapshotSequence());
    lastSequence = chunk.snapshotSequence();
    truncatedThrough = lastSequence;
    installingSnapshot = NONE;
    installedThroughKey = null;
    out.requireSync(); // The snapshot replaced the log: make it durable before saying so.
    out.report(new ReplicationEvent.SnapshotInstalled(from, name, lastSequence));
    out.send(from, new Ack(name, epoch, lastSequence, false));
    progressSessionReads(nowMillis, out);
  }

  // ---------------------------------------------------------------- failover

  /** Applies a committed failover decision (ADR 0009). */
  void onEpochDecided(long nowMillis, Input.EpochDecided decision, Output.Builder out) {
    if (decision.epoch() < epoch) {
      return;
    }
    flushStaged(out); // Writes staged earlier in this step belong to the log the decision judges.
    Invariants.check(config.replicas().contains(decision.primary()), "dataset %s: decided primary %s is"
        + " not one of its replicas %s", name, decision.primary(), config.replicas());
    if (decision.epoch() == epoch && primaryKnown && decision.primary().equals(primary)
        && deposedByEpoch == NONE) {
      return;
    }
    long lackingKnown = Math.max(0, knownHeadSequence - lastSequence);
    quarantineDivergentSuffix(decision, out);
    epoch = decision.epoch();
    store.saveDecision(name, epoch, decision.primary());
    out.requireSync();
    Role before = role;
    if (before == Role.PRIMARY) {
      String why = "the primary changed to " + decision.primary() + " in epoch " + epoch
          + " before enough replicas acknowledged the write; it may have been quarantined.";
      for (List<PendingWrite> writes : pendingSyncWrites.values()) {
        for (PendingWrite write : writes) {
          answer(write.requester(), new ClientResult.Failed(Failure.OUTCOME_UNKNOWN, "dataset " + name
              + ": " + why), out);
        }
      }
      pendingSyncWrites.clear();
      pendingSyncWriteCount = 0;
    } else if (!decision.primary().equals(primary)) {
      failPendingForwards("the primary changed from " + primary + " to " + decision.primary()
          + " before it answered; the write may or may not have committed.", out);
    }
    primary = decision.primary();
    primaryKnown = true;
    switchover = null;
    deposedByEpoch = NONE;
    leaseHeld = false;
    knownHeadSequence = lastSequence;
    lastGrantMillis = nowMillis;
    if (role == Role.WITNESS) {
      // It follows the new primary's heartbeats and nothing else; its hello only opens the stream.
      primaryConnected = connectedPeers.contains(primary);
      if (primaryConnected) {
        sayHello(nowMillis, out);
      }
    } else if (primary.equals(self)) {
      role = Role.PRIMARY;
      createFollowers();
      recentForwards.clear();
      boolean waitForOldLease = policy.automatic() && !decision.previousPrimaryStopped();
      fenceWaitPending = waitForOldLease;
      writableFromMillis = 0;
    } else {
      role = Role.REPLICA;
      followers.clear();
      primaryConnected = connectedPeers.contains(primary);
      heardSinceConnect = false;
      freshAsOfMillis = NONE;
      if (primaryConnected) {
        sayHello(nowMillis, out);
      }
    }
    out.report(new ReplicationEvent.PrimaryChanged(name, epoch, primary, decision.startSequence(), role,
        role == Role.PRIMARY ? lackingKnown : 0));
    updateLease(nowMillis, out);
  }

  /**
   * Moves the log entries after the decision's start sequence into the quarantine: they were
   * written in an older epoch and the new primary does not have them. Epochs never decrease along
   * a log, and a region appends entries of the new epoch only after this, so every entry after the
   * start that is older than the decided epoch is divergent.
   */
  private void quarantineDivergentSuffix(Input.EpochDecided decision, Output.Builder out) {
    long start = decision.startSequence();
    if (lastSequence <= start) {
      return;
    }
    if (truncatedThrough > 0) {
      resetDivergentTruncatedLog(decision, out);
      return;
    }
    Change first = store.readLog(name, start + 1, 1, Long.MAX_VALUE).get(0);
    if (first.version().epoch() >= decision.epoch()) {
      return;
    }
    List<Change> suffix = store.readLog(name, start + 1, (int) (lastSequence - start), Long.MAX_VALUE);
    Invariants.check(suffix.size() == lastSequence - start, "dataset %s: log after %d holds %d of %d entries",
        name, start, suffix.size(), lastSequence - start);
    for (Change change : suffix) {
      Invariants.check(change.version().epoch() < decision.epoch(), "dataset %s: entry %d of epoch %d"
          + " follows older ones after the start of epoch %d", name, change.sequence(),
          change.version().epoch(), decision.epoch());
    }
    store.quarantine(name, decision.epoch(), suffix);
    List<Change> removed = store.truncateAfter(name, start);
    Invariants.check(removed.equals(suffix), "dataset %s: truncation removed other entries than quarantined",
        name);
    lastSequence = start;
    Invariants.check(store.lastSequence(name) == start, "dataset %s: store ends at %d after truncating to %d",
        name, store.lastSequence(name), start);
    out.report(new ReplicationEvent.WritesQuarantined(name, decision.epoch(), start + 1,
        start + suffix.size(), suffix.size(), suffix.get(0).version().timestamp().physicalMillis(),
        suffix.get(suffix.size() - 1).version().timestamp().physicalMillis()));
  }

  /**
   * The divergent suffix of a truncated log cannot be rolled back key by key (the keys' earlier
   * states may lie in the truncated part), so the region keeps what its log still holds of it in
   * the quarantine, empties the dataset and catches up from the new primary by snapshot (ADR 0017).
   */
  private void resetDivergentTruncatedLog(Input.EpochDecided decision, Output.Builder out) {
    long start = decision.startSequence();
    long heldFrom = Math.max(start, truncatedThrough) + 1;
    List<Change> held = heldFrom > lastSequence ? List.of()
        : store.readLog(name, heldFrom, (int) (lastSequence - heldFrom + 1), Long.MAX_VALUE);
    if (!held.isEmpty() && held.get(0).version().epoch() >= decision.epoch()) {
      return;
    }
    if (!held.isEmpty()) {
      store.quarantine(name, decision.epoch(), held);
      out.report(new ReplicationEvent.WritesQuarantined(name, decision.epoch(), heldFrom,
          heldFrom + held.size() - 1, held.size(), held.get(0).version().timestamp().physicalMillis(),
          held.get(held.size() - 1).version().timestamp().physicalMillis()));
    }
    store.beginSnapshot(name);
    lastSequence = 0;
    truncatedThrough = 0;
  }

  /** Starts a planned handover to {@code target} (ADR 0009). */
  void onSwitchoverRequested(long nowMillis, Input.SwitchoverRequested request, Output.Builder out) {
    flushStaged(out); // The target must catch up with every write committed before the request.
    String target = request.target();
    String problem = null;
    if (role != Role.PRIMARY) {
      problem = self + " is not the primary of " + name + " (" + primary + " is); ask the primary";
    } else if (target.equals(self)) {
      problem = target + " is already the primary";
    } else if (!followers.containsKey(target)) {
      problem = target + " is not a replica of " + name + " (replicas: " + config.replicas() + ")";
    } else if (switchover != null) {
      problem = "a switchover to " + switchover.target() + " is already in progress";
    } else if (deposedByEpoch != NONE) {
      problem = "epoch " + deposedByEpoch + " has begun elsewhere; this region is no longer primary";
    }
    if (problem != null) {
      out.report(new ReplicationEvent.SwitchoverFailed(name, target, problem + "; nothing changed."));
      return;
    }
    if (request.stopNow()) {
      // A forced failover: the target may lack writes (they are quarantined here when the decision
      // is applied), so nothing to wait for. From here on this region commits no new write until
      // the decision arrives or the decider aborts.
      switchover = new Switchover(target, nowMillis + request.timeoutMillis(), true);
      out.report(new ReplicationEvent.SwitchoverReady(name, target, epoch + 1, lastSequence));
      return;
    }
    switchover = new Switchover(target, nowMillis + request.timeoutMillis(), false);
    Follower follower = followers.get(target);
    sendChanges(nowMillis, follower, true, out);
    tickSwitchover(nowMillis, out);
  }

  /** The driver could not commit the decision a ready switchover asked for: resume writes. */
  void onSwitchoverAborted(Input.SwitchoverAborted abort, Output.Builder out) {
    if (switchover == null) {
      return;
    }
    out.report(new ReplicationEvent.SwitchoverFailed(name, switchover.target(), "the decision could not"
        + " be committed (" + abort.reason() + "); nothing changed and " + self + " takes writes again."));
    switchover = null;
  }

  private void tickSwitchover(long nowMillis, Output.Builder out) {
    if (switchover == null || switchover.ready()) {
      return;
    }
    Follower target = followers.get(switchover.target());
    if (target.ackedSequence >= lastSequence && pendingSyncWrites.isEmpty()) {
      // Writes stay stopped from here on: the driver commits the decision and this region applies
      // it. Resuming now could acknowledge a write the target would never have.
      switchover = new Switchover(switchover.target(), switchover.deadlineMillis(), true);
      out.report(new ReplicationEvent.SwitchoverReady(name, target.region, epoch + 1, lastSequence));
    } else if (nowMillis >= switchover.deadlineMillis()) {
      out.report(new ReplicationEvent.SwitchoverFailed(name, target.region, "the target " + target.region
          + (target.connected ? "" : " (not connected)") + " acknowledged " + target.ackedSequence + " of "
          + lastSequence + " changes" + (pendingSyncWrites.isEmpty() ? "" : " and " + pendingSyncWriteCount
          + " sync writes were still waiting") + " when the timeout ran out; nothing changed and "
          + self + " takes writes again."));
      switchover = null;
    }
  }

  /** What a failover decider needs to know about this region's view of the dataset. */
  FailoverView failoverView(long nowMillis) {
    long lastEpochInLog = 0;
    if (lastSequence > truncatedThrough) {
      lastEpochInLog = store.readLog(name, lastSequence, 1, Long.MAX_VALUE).get(0).version().epoch();
    } else if (lastSequence > 0) {
      // The log was emptied by a snapshot install (ADR 0017): its newest entry is not at hand, and
      // this region's epoch bounds it from above (the snapshot came from this epoch's primary).
      lastEpochInLog = epoch;
    }
    // The pledge is taken (and persisted) before the view reports a release.
    boolean releases = role != Role.PRIMARY && pledgeRelease(nowMillis);
    if (role == Role.REPLICA && !policy.automatic()) {
      releases = nowMillis - lastGrantMillis >= policy.releaseAfterMillis();
    }
    return new FailoverView(name, epoch, primary, role, lastSequence, lastEpochInLog,
        role == Role.REPLICA ? Math.max(0, knownHeadSequence - lastSequence) : 0,
        role == Role.PRIMARY && writeRefusal(nowMillis).isEmpty(), releases, releases ? releaseGeneration : 0,
        releases && heardSinceRelease);
  }

  /** The quarantined changes of this dataset in this region. */
  SortedMap<Long, List<Change>> quarantined() {
    return store.quarantined(name);
  }

  private int acknowledgedCount(long sequence) {
    int count = 0;
    for (Follower follower : followers.values()) {
      if (follower.ackedSequence >= sequence) {
        count++;
      }
    }
    return count;
  }

  private void releaseSyncWrites(Output.Builder out) {
    int required = config.requiredAcks();
    // Acknowledgement counts only fall as sequences grow, so stop at the first write still short.
    while (!pendingSyncWrites.isEmpty() && acknowledgedCount(pendingSyncWrites.firstKey()) >= required) {
      for (PendingWrite write : pendingSyncWrites.pollFirstEntry().getValue()) {
        answer(write.requester(), write.result(), out);
        pendingSyncWriteCount--;
      }
    }
  }

  private void expireSyncWrites(long nowMillis, Output.Builder out) {
    Iterator<Map.Entry<Long, List<PendingWrite>>> entries = pendingSyncWrites.entrySet().iterator();
    while (entries.hasNext()) {
      Map.Entry<Long, List<PendingWrite>> entry = entries.next();
      Iterator<PendingWrite> writes = entry.getValue().iterator();
      while (writes.hasNext()) {
        PendingWrite write = writes.next();
        if (write.deadlineMillis() > nowMillis) {
          continue;
        }
        writes.remove();
        pendingSyncWriteCount--;
        int acknowledged = acknowledgedCount(entry.getKey());
        out.report(new ReplicationEvent.SyncAckTimeout(name, entry.getKey(), acknowledged, config.requiredAcks()));
        answer(write.requester(), new ClientResult.Failed(Failure.OUTCOME_UNKNOWN, "dataset " + name
            + ": write " + entry.getKey() + " committed at the primary " + self + " but only "
            + acknowledged + " of the required " + config.requiredAcks() + " replicas acknowledged it within "
            + bounds.syncAckTimeoutMillis() + " ms; it may still replicate."), out);
      }
      if (entry.getValue().isEmpty()) {
        entries.remove();
      }
    }
  }

  /**
   * The earliest time at which {@link #onTick} has something to do (a partial batch's delay, a
   * retransmission or sync-write timeout, a heartbeat, a forward timeout, a resubscription), or
   * {@link Long#MAX_VALUE} if nothing is waiting for time; never in the past of what is due.
   */
  long nextDeadlineMillis(long nowMillis) {
    long due = Long.MAX_VALUE;
    if (!pendingSessionReads.isEmpty()) {
      due = Math.min(due, pendingSessionReads.peekFirst().deadlineMillis());
    }
    if (role == Role.PRIMARY) {
      for (Follower follower : followers.values()) {
        if (!follower.connected) {
          continue;
        }
        // Heartbeats flow every interval, even while batches do (see tickFollower).
        long quietSinceMillis = follower.lastHeartbeatMillis;
        due = Math.min(due, quietSinceMillis == NONE ? nowMillis
            : quietSinceMillis + bounds.heartbeatIntervalMillis());
        if (follower.subscribed && follower.inFlightSinceMillis != NONE) {
          due = Math.min(due, follower.inFlightSinceMillis + bounds.retransmitTimeoutMillis());
        }
        if (follower.snapshotSequence != NONE && follower.snapshotSentAtMillis != NONE) {
          due = Math.min(due, follower.snapshotSentAtMillis + bounds.retransmitTimeoutMillis());
        }
        boolean windowOpen = follower.nextSequence - 1 - follower.ackedSequence < bounds.inFlightChangesMax();
        if (follower.subscribed && follower.snapshotSequence == NONE && follower.nextSequence <= lastSequence
            && windowOpen) {
          due = Math.min(due, follower.unsentSinceMillis == NONE ? nowMillis
              : follower.unsentSinceMillis + bounds.batchDelayMillis());
        }
      }
      if (policy.automatic()) {
        // The lease lapses when a grant gets older than the detection timeout: notice it on time.
        for (Follower follower : followers.values()) {
          if (follower.leaseGrantMillis != NONE) {
            long lapse = follower.leaseGrantMillis + policy.detectionTimeoutMillis();
            due = Math.min(due, lapse > nowMillis ? lapse : due);
          }
        }
        if (writableFromMillis > nowMillis) {
          due = Math.min(due, writableFromMillis);
        }
      }
      if (switchover != null && !switchover.ready()) {
        // Readiness follows the target's acknowledgements: check every millisecond until then.
        due = Math.min(due, Math.min(switchover.deadlineMillis(), nowMillis + 1));
      }
      // Deadlines grow with commit order (same timeout, monotonic time), so the oldest is first.
      if (!pendingSyncWrites.isEmpty()) {
        for (PendingWrite write : pendingSyncWrites.firstEntry().getValue()) {
          due = Math.min(due, write.deadlineMillis());
        }
      }
    } else {
      if (!pendingForwards.isEmpty()) {
        due = Math.min(due, pendingForwards.values().iterator().next().deadlineMillis());
      }
      boolean waiting = !heardSinceConnect || lastSequence < knownHeadSequence;
      if (primaryConnected && waiting) {
        due = Math.min(due, lastProgressMillis + bounds.resubscribeAfterMillis());
      }
      if (stallDetection && primaryConnected && hellosSinceProgress >= STALL_RESUBSCRIBES_MAX) {
        due = Math.min(due, appliedProgressMillis + STALL_RESUBSCRIBES_MAX * bounds.resubscribeAfterMillis());
      }
    }
    return due;
  }

  /**
   * At a primary: how many changes of its log {@code replica} has not acknowledged, or -1 when it
   * is not a connected replica of this primary (anti-entropy skips such pairs, ADR 0014/0022).
   */
  long replicaBacklog(String replica) {
    Follower follower = role == Role.PRIMARY ? followers.get(replica) : null;
    if (follower == null || !follower.connected || follower.snapshotSequence != NONE) {
      return -1;
    }
    return Math.max(0, lastSequence - follower.ackedSequence);
  }

  // ---------------------------------------------------------------- status

  DatasetStatus status(long nowMillis) {
    List<PeerLinkStatus> peers = new ArrayList<>();
    if (role == Role.PRIMARY) {
      for (Follower follower : followers.values()) {
        long lagVersions = lastSequence - follower.ackedSequence;
        long lagMillis = 0;
        if (lagVersions > 0) {
          // Beyond the truncated part, the oldest entry still held gives a lower bound.
          List<Change> oldest = store.readLog(name,
              Math.max(follower.ackedSequence, truncatedThrough) + 1, 1, Long.MAX_VALUE);
          lagMillis = Math.max(0, nowMillis - oldest.get(0).version().timestamp().physicalMillis());
        }
        peers.add(new PeerLinkStatus(follower.region, name, follower.connected, lagMillis, lagVersions,
            Math.max(0, lastSequence - follower.nextSequence + 1), 0, follower.changesOut, 0,
            follower.bytesOut));
      }
    } else {
      long lagVersions = Math.max(0, knownHeadSequence - lastSequence);
      long lagMillis = freshAsOfMillis == NONE ? NONE : Math.max(0, nowMillis - freshAsOfMillis);
      peers.add(new PeerLinkStatus(primary, name, primaryConnected, lagMillis, lagVersions,
          lagVersions, changesIn, 0, bytesIn, 0, stalledForMillis(nowMillis)));
    }
    return new DatasetStatus(name, config.mode(), role, epoch, primary, lastSequence, peers);
  }

  /**
   * At a primary: the most changes committed here (appended or staged) that one connected
   * follower has not acknowledged; 0 at a replica or with no follower connected. Multi-primary
   * pushback (ADR 0033) refuses local writes beyond a bound on it.
   */
  long connectedBacklogChangesMax() {
    long newest = lastSequence + staged.size();
    long result = 0;
    for (Follower follower : followers.values()) {
      if (follower.connected) {
        result = Math.max(result, newest - follower.ackedSequence);
      }
    }
    return result;
  }

  /**
   * The commit time (hybrid clock, physical part) of the oldest change of this log that {@code
   * peer} has not acknowledged while connected; negative when it has every change or is not
   * connected. Multi-primary pushback bounds the age of this backlog (ADR 0040).
   */
  long connectedBacklogOldestCommitMillis(String peer) {
    Follower follower = followers.get(peer);
    if (follower == null || !follower.connected || follower.ackedSequence >= lastSequence) {
      return NONE;
    }
    List<Change> oldest = store.readLog(name, Math.max(follower.ackedSequence, truncatedThrough) + 1, 1, Long.MAX_VALUE);
    return oldest.isEmpty() ? NONE : oldest.get(0).version().timestamp().physicalMillis();
  }

  /** Whether {@code peer} follows this log over a connected stream now. */
  boolean isConnected(String peer) {
    Follower follower = followers.get(peer);
    return follower != null && follower.connected;
  }
}

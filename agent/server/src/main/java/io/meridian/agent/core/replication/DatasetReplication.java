package io.meridian.agent.core.replication;

import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
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
import java.util.TreeMap;

/**
 * One dataset's replication in one region, as primary or replica. Package-private: {@link
 * ReplicationNode} routes inputs to it and shares the hybrid logical clock.
 */
final class DatasetReplication {
  private static final long NONE = -1;

  private final String self;
  private final DatasetConfig config;
  private final ReplicationBounds bounds;
  private final ReplicaStore store;
  private final HybridLogicalClock clock;
  private final Role role;
  private final String name;
  private long epoch;
  private long lastSequence;

  // Primary state.
  private final Map<String, Follower> followers = new TreeMap<>();
  private final TreeMap<Long, List<PendingWrite>> pendingSyncWrites = new TreeMap<>();
  private int pendingSyncWriteCount;
  private final LinkedHashMap<String, Boolean> recentForwards = new LinkedHashMap<>();
  // Writes committed in the current step and not yet appended: one store append, one batch per
  // follower and one sync for all of them when the step ends (see flushStaged).
  private final List<Change> staged = new ArrayList<>();
  private final Map<Bytes, Change> stagedByKey = new java.util.HashMap<>();
  private long stagedSinceMillis = NONE;

  // Replica state.
  private boolean primaryConnected;
  private boolean heardSinceConnect;
  private long knownHeadSequence;
  private long freshAsOfMillis = NONE;
  private long lastProgressMillis;
  private long resendRequestedAtSequence = NONE;
  private long resendRequestedAtMillis;
  private long changesIn;
  private long bytesIn;
  private final LinkedHashMap<Long, PendingForward> pendingForwards = new LinkedHashMap<>();

  /** Where a write's answer goes: a local client or a replica that forwarded it. */
  private sealed interface Requester {}

  private record LocalClient(long requestId) implements Requester {}

  private record ForwardingReplica(String region, long forwardId) implements Requester {}

  private record PendingWrite(Requester requester, ClientResult.Committed result, long deadlineMillis) {}

  private record PendingForward(long requestId, long deadlineMillis) {}

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

    Follower(String region) {
      this.region = region;
    }
  }

  DatasetReplication(
      String self, DatasetConfig config, ReplicationBounds bounds, ReplicaStore store,
      HybridLogicalClock clock, long nowMillis) {
    this.self = self;
    this.config = config;
    this.bounds = bounds;
    this.store = store;
    this.clock = clock;
    this.name = config.name();
    this.role = config.primary().equals(self) ? Role.PRIMARY : Role.REPLICA;
    this.lastSequence = store.lastSequence(name);
    long storedEpoch = store.epoch(name);
    this.epoch = Math.max(storedEpoch, config.initialEpoch());
    if (storedEpoch < epoch) {
      store.saveEpoch(name, epoch);
    }
    if (role == Role.PRIMARY) {
      for (String replica : config.replicas()) {
        if (!replica.equals(self)) {
          followers.put(replica, new Follower(replica));
        }
      }
    }
    this.lastProgressMillis = nowMillis;
  }

  Role role() {
    return role;
  }

  // ---------------------------------------------------------------- client requests

  void onClientRequest(long nowMillis, long requestId, ClientOperation operation, Output.Builder out) {
    if (!operation.isWrite()) {
      Optional<StoredValue> value = read(operation.key()).filter(StoredValue::live);
      out.respond(requestId, new ClientResult.Read(value, self));
      return;
    }
    if (role == Role.PRIMARY) {
      write(nowMillis, new LocalClient(requestId), self, operation, out);
      return;
    }
    if (!primaryConnected) {
      out.respond(requestId, new ClientResult.Failed(Failure.UNAVAILABLE, "dataset " + name
          + ": the primary region " + config.primary() + " is unreachable from " + self
          + "; nothing was written. Retry later or write at " + config.primary() + "."));
      return;
    }
    if (pendingForwards.size() >= bounds.pendingForwardsMax()) {
      out.respond(requestId, new ClientResult.Failed(Failure.RESOURCE_EXHAUSTED, "dataset " + name
          + ": " + pendingForwards.size() + " writes are already waiting for the primary "
          + config.primary() + " (limit pendingForwardsMax); nothing was written, retry later."));
      return;
    }
    // Hybrid clock readings are unique and grow across restarts, so they make forward ids that a
    // restarted replica cannot reuse.
    long forwardId = clock.now(nowMillis).pack();
    pendingForwards.put(forwardId, new PendingForward(requestId, nowMillis + bounds.forwardTimeoutMillis()));
    out.send(config.primary(), new ForwardRequest(name, forwardId, operation));
  }

  private void write(long nowMillis, Requester requester, String origin, ClientOperation operation,
      Output.Builder out) {
    Invariants.check(role == Role.PRIMARY, "only the primary commits writes");
    int requiredAcks = config.requiredAcks();
    if (requiredAcks > 0 && pendingSyncWriteCount >= bounds.pendingSyncWritesMax()) {
      answer(requester, new ClientResult.Failed(Failure.RESOURCE_EXHAUSTED, "dataset " + name + ": "
          + pendingSyncWriteCount + " sync writes are waiting for acknowledgements (limit "
          + "pendingSyncWritesMax); nothing was written, retry later."), out);
      return;
    }
    Bytes key = operation.key();
    Optional<StoredValue> current = read(key).filter(StoredValue::live);
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
    staged.clear();
    stagedByKey.clear();
    stagedSinceMillis = NONE;
    Invariants.check(store.lastSequence(name) == lastSequence,
        "dataset %s: store ends at %d after appending up to %d", name, store.lastSequence(name), lastSequence);
    requireDurability(out);
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

  private void requireDurability(Output.Builder out) {
    if (config.fsync() == FsyncPolicy.PER_COMMIT) {
      out.requireSync();
    }
  }

  // ---------------------------------------------------------------- connections

  void onConnected(long nowMillis, String peer, Output.Builder out) {
    if (role == Role.PRIMARY) {
      Follower follower = followers.get(peer);
      if (follower == null) {
        return;
      }
      follower.connected = true;
      follower.subscribed = false;
      out.report(new ReplicationEvent.PeerUp(peer, name));
    } else if (peer.equals(config.primary())) {
      primaryConnected = true;
      heardSinceConnect = false;
      out.report(new ReplicationEvent.PeerUp(peer, name));
      sayHello(nowMillis, out);
    }
  }

  void onDisconnected(String peer, String reason, Output.Builder out) {
    if (role == Role.PRIMARY) {
      Follower follower = followers.get(peer);
      if (follower == null || !follower.connected) {
        return;
      }
      follower.connected = false;
      follower.subscribed = false;
      follower.inFlightSinceMillis = NONE;
      out.report(new ReplicationEvent.PeerDown(peer, name, reason));
    } else if (peer.equals(config.primary()) && primaryConnected) {
      primaryConnected = false;
      out.report(new ReplicationEvent.PeerDown(peer, name, reason));
      for (PendingForward pending : pendingForwards.values()) {
        out.respond(pending.requestId(), new ClientResult.Failed(Failure.OUTCOME_UNKNOWN, "dataset "
            + name + ": the connection to the primary " + config.primary()
            + " closed before it answered; the write may or may not have committed (" + reason + ")."));
      }
      pendingForwards.clear();
    }
  }

  private void sayHello(long nowMillis, Output.Builder out) {
    out.send(config.primary(), new Hello(name, epoch, lastSequence + 1));
    lastProgressMillis = nowMillis;
  }

  // ---------------------------------------------------------------- peer messages

  void onPeerMessage(long nowMillis, String from, PeerMessage message, Output.Builder out) {
    if (message instanceof EpochRejected) {
      EpochRejected rejected = (EpochRejected) message;
      out.report(new ReplicationEvent.StaleEpochRejected(from, name, epoch, rejected.currentEpoch()));
      return;
    }
    if (role == Role.PRIMARY) {
      Follower follower = followers.get(from);
      if (follower == null) {
        out.disconnect(from, name, from + " is not a replica of dataset " + name);
      } else if (message instanceof Hello) {
        onHello(nowMillis, follower, (Hello) message, out);
      } else if (message instanceof Ack) {
        onAck(nowMillis, follower, (Ack) message, out);
      } else if (message instanceof ForwardRequest) {
        onForwardRequest(nowMillis, from, (ForwardRequest) message, out);
      } else {
        out.disconnect(from, name, "the primary of " + name + " received a "
            + message.getClass().getSimpleName() + " from " + from);
      }
      return;
    }
    if (!from.equals(config.primary())) {
      out.disconnect(from, name, from + " is not the primary of dataset " + name + " ("
          + config.primary() + " is)");
    } else if (message instanceof ChangeBatch) {
      onChangeBatch(nowMillis, from, (ChangeBatch) message, out);
    } else if (message instanceof Heartbeat) {
      onHeartbeat(nowMillis, from, (Heartbeat) message, out);
    } else if (message instanceof ForwardResponse) {
      onForwardResponse(nowMillis, (ForwardResponse) message, out);
    } else {
      out.disconnect(from, name, "a replica of " + name + " received a "
          + message.getClass().getSimpleName() + " from " + from);
    }
  }

  private void onHello(long nowMillis, Follower follower, Hello hello, Output.Builder out) {
    if (hello.epoch() > epoch) {
      out.disconnect(follower.region, name, "replica " + follower.region + " is at epoch "
          + hello.epoch() + ", ahead of this primary's epoch " + epoch);
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
    follower.unsentSinceMillis = follower.nextSequence <= lastSequence ? nowMillis : NONE;
    sendChanges(nowMillis, follower, true, out);
  }

  private void onAck(long nowMillis, Follower follower, Ack ack, Output.Builder out) {
    if (ack.epoch() > epoch) {
      out.disconnect(follower.region, name, "replica " + follower.region + " acknowledged at epoch "
          + ack.epoch() + ", ahead of this primary's epoch " + epoch);
      return;
    }
    if (ack.appliedSequence() > lastSequence || ack.appliedSequence() < 0) {
      out.disconnect(follower.region, name, "replica " + follower.region + " acknowledged sequence "
          + ack.appliedSequence() + " but the log ends at " + lastSequence);
      return;
    }
    if (ack.appliedSequence() > follower.ackedSequence) {
      follower.ackedSequence = ack.appliedSequence();
      follower.inFlightSinceMillis = follower.nextSequence - 1 > follower.ackedSequence ? nowMillis : NONE;
      releaseSyncWrites(out);
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
    clock.observe(HlcTimestamp.unpack(request.forwardId()), nowMillis);
    Optional<ClientResult.Failed> invalid = ReplicationNode.validate(bounds, request.operation());
    if (invalid.isPresent()) {
      answer(new ForwardingReplica(from, request.forwardId()), invalid.get(), out);
      return;
    }
    write(nowMillis, new ForwardingReplica(from, request.forwardId()), from, request.operation(), out);
  }

  private void onChangeBatch(long nowMillis, String from, ChangeBatch batch, Output.Builder out) {
    if (batch.epoch() < epoch) {
      rejectStaleEpoch(from, batch.epoch(), out);
      return;
    }
    String problem = shapeProblem(batch);
    if (problem != null) {
      out.disconnect(from, name, "impossible change batch from " + from + ": " + problem);
      return;
    }
    adoptEpoch(batch.epoch());
    heardSinceConnect = true;
    knownHeadSequence = Math.max(knownHeadSequence, batch.headSequence());
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
    long freshAsOf = lastSequence >= knownHeadSequence
        ? batch.sentAtMillis() : newest.version().timestamp().physicalMillis();
    freshAsOfMillis = Math.max(freshAsOfMillis, freshAsOf);
    requireDurability(out);
    out.send(from, new Ack(name, epoch, lastSequence, false));
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
    if (heartbeat.epoch() < epoch) {
      rejectStaleEpoch(from, heartbeat.epoch(), out);
      return;
    }
    adoptEpoch(heartbeat.epoch());
    heardSinceConnect = true;
    knownHeadSequence = Math.max(knownHeadSequence, heartbeat.headSequence());
    if (lastSequence >= heartbeat.headSequence()) {
      freshAsOfMillis = Math.max(freshAsOfMillis, heartbeat.sentAtMillis());
    }
    if (heartbeat.helloRequested()) {
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

  private void adoptEpoch(long newer) {
    if (newer > epoch) {
      epoch = newer;
      store.saveEpoch(name, epoch);
    }
  }

  // ---------------------------------------------------------------- time

  void onTick(long nowMillis, Output.Builder out) {
    if (role == Role.PRIMARY) {
      for (Follower follower : followers.values()) {
        tickFollower(nowMillis, follower, out);
      }
      expireSyncWrites(nowMillis, out);
    } else {
      tickReplica(nowMillis, out);
    }
  }

  private void tickFollower(long nowMillis, Follower follower, Output.Builder out) {
    if (!follower.connected) {
      return;
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
    if (follower.lastSentMillis == NONE
        || nowMillis - follower.lastSentMillis >= bounds.heartbeatIntervalMillis()) {
      out.send(follower.region,
          new Heartbeat(name, epoch, lastSequence, nowMillis, !follower.subscribed));
      follower.lastSentMillis = nowMillis;
    }
  }

  private void tickReplica(long nowMillis, Output.Builder out) {
    Iterator<PendingForward> pending = pendingForwards.values().iterator();
    while (pending.hasNext()) {
      PendingForward forward = pending.next();
      if (forward.deadlineMillis() > nowMillis) {
        break;
      }
      pending.remove();
      out.respond(forward.requestId(), new ClientResult.Failed(Failure.OUTCOME_UNKNOWN, "dataset "
          + name + ": the primary " + config.primary() + " did not answer within "
          + bounds.forwardTimeoutMillis() + " ms; the write may or may not have committed."));
    }
    boolean waiting = !heardSinceConnect || lastSequence < knownHeadSequence;
    if (primaryConnected && waiting && nowMillis - lastProgressMillis >= bounds.resubscribeAfterMillis()) {
      sayHello(nowMillis, out);
    }
  }

  /**
   * Sends batches to one follower while the in-flight window has room. Without {@code force}, a
   * partial batch waits until it is full or its oldest change has waited {@code batchDelayMillis}.
   */
  private void sendChanges(long nowMillis, Follower follower, boolean force, Output.Builder out) {
    if (!follower.connected || !follower.subscribed) {
      return;
    }
    while (follower.nextSequence <= lastSequence) {
      long inFlight = follower.nextSequence - 1 - follower.ackedSequence;
      Invariants.check(inFlight >= 0, "dataset %s: next sequence %d for %s is behind its ack %d",
          name, follower.nextSequence, follower.region, follower.ackedSequence);
      long room = bounds.inFlightChangesMax() - inFlight;
      if (room <= 0) {
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
      out.send(follower.region, batch);
      if (inFlight == 0) {
        follower.inFlightSinceMillis = nowMillis;
      }
      follower.nextSequence = last + 1;
      follower.lastSentMillis = nowMillis;
      follower.changesOut += changes.size();
      follower.bytesOut += batch.sizeBytes();
    }
    if (follower.nextSequence > lastSequence) {
      follower.unsentSinceMillis = NONE;
    }
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
    if (role == Role.PRIMARY) {
      for (Follower follower : followers.values()) {
        if (!follower.connected) {
          continue;
        }
        due = Math.min(due, follower.lastSentMillis == NONE ? nowMillis
            : follower.lastSentMillis + bounds.heartbeatIntervalMillis());
        if (follower.subscribed && follower.inFlightSinceMillis != NONE) {
          due = Math.min(due, follower.inFlightSinceMillis + bounds.retransmitTimeoutMillis());
        }
        boolean windowOpen = follower.nextSequence - 1 - follower.ackedSequence < bounds.inFlightChangesMax();
        if (follower.subscribed && follower.nextSequence <= lastSequence && windowOpen) {
          due = Math.min(due, follower.unsentSinceMillis == NONE ? nowMillis
              : follower.unsentSinceMillis + bounds.batchDelayMillis());
        }
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
    }
    return due;
  }

  // ---------------------------------------------------------------- status

  DatasetStatus status(long nowMillis) {
    List<PeerLinkStatus> peers = new ArrayList<>();
    if (role == Role.PRIMARY) {
      for (Follower follower : followers.values()) {
        long lagVersions = lastSequence - follower.ackedSequence;
        long lagMillis = 0;
        if (lagVersions > 0) {
          List<Change> oldest = store.readLog(name, follower.ackedSequence + 1, 1, Long.MAX_VALUE);
          lagMillis = Math.max(0, nowMillis - oldest.get(0).version().timestamp().physicalMillis());
        }
        peers.add(new PeerLinkStatus(follower.region, name, follower.connected, lagMillis, lagVersions,
            Math.max(0, lastSequence - follower.nextSequence + 1), 0, follower.changesOut, 0,
            follower.bytesOut));
      }
    } else {
      long lagVersions = Math.max(0, knownHeadSequence - lastSequence);
      long lagMillis = freshAsOfMillis == NONE ? NONE : Math.max(0, nowMillis - freshAsOfMillis);
      peers.add(new PeerLinkStatus(config.primary(), name, primaryConnected, lagMillis, lagVersions,
          lagVersions, changesIn, 0, bytesIn, 0));
    }
    return new DatasetStatus(name, config.mode(), role, epoch, config.primary(), lastSequence, peers);
  }
}

package io.meridian.agent.wire;

import com.google.protobuf.ByteString;
import io.meridian.agent.api.v1.Ack;
import io.meridian.agent.api.v1.ChangeBatch;
import io.meridian.agent.api.v1.CompareAndSetRequest;
import io.meridian.agent.api.v1.CompareAndSetResponse;
import io.meridian.agent.api.v1.DeleteRequest;
import io.meridian.agent.api.v1.DeleteResponse;
import io.meridian.agent.api.v1.EpochRejected;
import io.meridian.agent.api.v1.ForwardRequest;
import io.meridian.agent.api.v1.ForwardResponse;
import io.meridian.agent.api.v1.Heartbeat;
import io.meridian.agent.api.v1.HeartbeatReply;
import io.meridian.agent.api.v1.Hello;
import io.meridian.agent.api.v1.PeerFrame;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.PutResponse;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.InvariantViolation;
import io.meridian.agent.core.clock.HlcTimestamp;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.RequestOptions;
import io.meridian.agent.core.replication.SessionToken;
import io.meridian.agent.core.replication.Failure;
import io.meridian.agent.core.replication.PeerMessage;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.ChangeKind;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.core.storage.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Static translations between core values and {@code meridian.v1} protobuf messages. */
public final class WireMapping {
  /** Version of the peer protocol this agent speaks, sent in every hello. */
  public static final int PROTOCOL_VERSION = 1;

  private WireMapping() {}

  // ---------------------------------------------------------------- values

  /** The protobuf form of a timestamp. */
  public static io.meridian.agent.api.v1.HlcTimestamp toProto(HlcTimestamp timestamp) {
    return io.meridian.agent.api.v1.HlcTimestamp.newBuilder()
        .setPhysicalMillis(timestamp.physicalMillis()).setLogical(timestamp.logical()).build();
  }

  /** The protobuf form of a version. */
  public static io.meridian.agent.api.v1.Version toProto(Version version) {
    return io.meridian.agent.api.v1.Version.newBuilder()
        .setTimestamp(toProto(version.timestamp()))
        .setOriginRegion(version.originRegion())
        .setSequence(version.sequence())
        .setCommittedByRegion(version.committedBy())
        .setEpoch(version.epoch())
        .build();
  }

  /** The protobuf form of a change. */
  public static io.meridian.agent.api.v1.Change toProto(Change change) {
    return io.meridian.agent.api.v1.Change.newBuilder()
        .setKind(change.kind() == ChangeKind.PUT
            ? io.meridian.agent.api.v1.ChangeKind.CHANGE_KIND_PUT
            : io.meridian.agent.api.v1.ChangeKind.CHANGE_KIND_DELETE)
        .setKey(bytes(change.key()))
        .setValue(bytes(change.value()))
        .setVersion(toProto(change.version()))
        .build();
  }

  /** The core form of a change; throws {@link MalformedMessageException} if it is not one. */
  public static Change fromProto(io.meridian.agent.api.v1.Change change) {
    return guarded("change", () -> {
      ChangeKind kind;
      switch (change.getKind()) {
        case CHANGE_KIND_PUT:
          kind = ChangeKind.PUT;
          break;
        case CHANGE_KIND_DELETE:
          kind = ChangeKind.DELETE;
          break;
        default:
          throw new MalformedMessageException("change of unknown kind " + change.getKindValue());
      }
      require(change.hasVersion(), "change without a version");
      return new Change(kind, bytes(change.getKey()), bytes(change.getValue()), fromProto(change.getVersion()));
    });
  }

  /** The core form of a version. */
  public static Version fromProto(io.meridian.agent.api.v1.Version version) {
    return guarded("version", () -> {
      require(version.hasTimestamp(), "version without a timestamp");
      return new Version(fromProto(version.getTimestamp()), version.getOriginRegion(),
          version.getSequence(), version.getCommittedByRegion(), version.getEpoch());
    });
  }

  /** The core form of a timestamp. */
  public static HlcTimestamp fromProto(io.meridian.agent.api.v1.HlcTimestamp timestamp) {
    return guarded("timestamp", () -> new HlcTimestamp(timestamp.getPhysicalMillis(), timestamp.getLogical()));
  }

  /** A stored value as the change that produced it, for storage. */
  public static io.meridian.agent.api.v1.Change toProto(Bytes key, StoredValue value) {
    return toProto(new Change(value.tombstone() ? ChangeKind.DELETE : ChangeKind.PUT, key, value.value(),
        value.version()));
  }

  /** Protobuf bytes for core bytes. */
  public static ByteString bytes(Bytes bytes) {
    // Both sides are immutable, so the protobuf form shares the array instead of copying it.
    return com.google.protobuf.UnsafeByteOperations.unsafeWrap(bytes.sharedArray());
  }

  /** Core bytes for protobuf bytes. */
  public static Bytes bytes(ByteString bytes) {
    return Bytes.wrapOwned(bytes.toByteArray()); // toByteArray made a fresh copy already.
  }

  // ---------------------------------------------------------------- client operations and results

  /** The core operation for a put request. */
  public static ClientOperation fromProto(PutRequest request) {
    return new ClientOperation.Put(bytes(request.getKey()), bytes(request.getValue()));
  }

  /** The core operation for a delete request. */
  public static ClientOperation fromProto(DeleteRequest request) {
    return new ClientOperation.Delete(bytes(request.getKey()));
  }

  /** The core operation for a compare-and-set request. */
  public static ClientOperation fromProto(CompareAndSetRequest request) {
    Optional<Bytes> expected = request.getExpectedCase() == CompareAndSetRequest.ExpectedCase.EXPECTED_VALUE
        ? Optional.of(bytes(request.getExpectedValue())) : Optional.empty();
    return new ClientOperation.CompareAndSet(bytes(request.getKey()), expected, bytes(request.getNewValue()));
  }

  /** A put response for a committed write. */
  public static PutResponse putResponse(ClientResult.Committed committed) {
    return PutResponse.newBuilder().setVersion(toProto(committed.version())).build();
  }

  /** A delete response for a committed delete. */
  public static DeleteResponse deleteResponse(ClientResult.Committed committed) {
    return DeleteResponse.newBuilder().setVersion(toProto(committed.version()))
        .setExisted(committed.existedBefore()).build();
  }

  /** A compare-and-set response for a committed write or a failed comparison. */
  public static CompareAndSetResponse compareAndSetResponse(ClientResult result) {
    CompareAndSetResponse.Builder response = CompareAndSetResponse.newBuilder();
    if (result instanceof ClientResult.Committed) {
      response.setSwapped(true).setVersion(toProto(((ClientResult.Committed) result).version()));
    } else {
      Optional<StoredValue> current = ((ClientResult.CompareFailed) result).current();
      response.setSwapped(false).setCurrentFound(current.isPresent());
      current.ifPresent(value -> response.setVersion(toProto(value.version())).setCurrentValue(bytes(value.value())));
    }
    return response.build();
  }

  // ---------------------------------------------------------------- peer frames

  /** The frame for a core peer message sent by {@code fromRegion}. */
  public static PeerFrame toFrame(String fromRegion, PeerMessage message) {
    return toFrame(fromRegion, message, WireMapping::toProto);
  }

  /**
   * The frame for a core peer message sent by {@code fromRegion}, the changes of a batch encoded
   * by {@code changeEncoder} (which may hand out a form it encoded before, see
   * {@link ChangeEncodingCache}).
   */
  public static PeerFrame toFrame(String fromRegion, PeerMessage message,
      java.util.function.Function<Change, io.meridian.agent.api.v1.Change> changeEncoder) {
    PeerFrame.Builder frame = PeerFrame.newBuilder();
    if (message instanceof PeerMessage.Hello) {
      PeerMessage.Hello hello = (PeerMessage.Hello) message;
      Hello.Builder proto = Hello.newBuilder().setProtocolVersion(PROTOCOL_VERSION).setFromRegion(fromRegion)
          .setDataset(hello.dataset()).setEpoch(hello.epoch()).setResumeFromSequence(hello.resumeFromSequence());
      hello.lastApplied().ifPresent(version -> proto.setLastAppliedVersion(toProto(version)));
      frame.setHello(proto);
    } else if (message instanceof PeerMessage.ChangeBatch) {
      PeerMessage.ChangeBatch batch = (PeerMessage.ChangeBatch) message;
      ChangeBatch.Builder proto = ChangeBatch.newBuilder().setEpoch(batch.epoch())
          .setFirstSequence(batch.firstSequence()).setLastSequence(batch.lastSequence())
          .setHeadSequence(batch.headSequence()).setSentAtMillis(batch.sentAtMillis());
      for (Change change : batch.changes()) {
        proto.addChanges(changeEncoder.apply(change));
      }
      frame.setBatch(proto);
    } else if (message instanceof PeerMessage.Ack) {
      PeerMessage.Ack ack = (PeerMessage.Ack) message;
      frame.setAck(Ack.newBuilder().setEpoch(ack.epoch()).setAppliedSequence(ack.appliedSequence())
          .setResendRequested(ack.resendRequested()));
    } else if (message instanceof PeerMessage.Heartbeat) {
      PeerMessage.Heartbeat heartbeat = (PeerMessage.Heartbeat) message;
      frame.setHeartbeat(Heartbeat.newBuilder().setEpoch(heartbeat.epoch())
          .setHeadSequence(heartbeat.headSequence()).setSentAtMillis(heartbeat.sentAtMillis())
          .setHelloRequested(heartbeat.helloRequested()));
    } else if (message instanceof PeerMessage.ForwardRequest) {
      PeerMessage.ForwardRequest forward = (PeerMessage.ForwardRequest) message;
      ForwardRequest.Builder proto = ForwardRequest.newBuilder().setForwardId(forward.forwardId())
          .setOriginRegion(fromRegion);
      ClientOperation operation = forward.operation();
      if (operation instanceof ClientOperation.Put) {
        ClientOperation.Put put = (ClientOperation.Put) operation;
        proto.setPut(PutRequest.newBuilder().setDataset(forward.dataset()).setKey(bytes(put.key()))
            .setValue(bytes(put.value())));
      } else if (operation instanceof ClientOperation.Delete) {
        proto.setDelete(DeleteRequest.newBuilder().setDataset(forward.dataset()).setKey(bytes(operation.key())));
      } else if (!operation.isWrite()) {
        proto.setGet(forwardedRead(forward.dataset(), operation));
      } else {
        ClientOperation.CompareAndSet cas = (ClientOperation.CompareAndSet) operation;
        CompareAndSetRequest.Builder request = CompareAndSetRequest.newBuilder().setDataset(forward.dataset())
            .setKey(bytes(cas.key())).setNewValue(bytes(cas.newValue()));
        if (cas.expected().isPresent()) {
          request.setExpectedValue(bytes(cas.expected().get()));
        } else {
          request.setExpectAbsent(true);
        }
        proto.setCompareAndSet(request);
      }
      frame.setForwardRequest(proto);
    } else if (message instanceof PeerMessage.ForwardResponse) {
      PeerMessage.ForwardResponse response = (PeerMessage.ForwardResponse) message;
      frame.setForwardResponse(forwardResponse(response));
    } else if (message instanceof PeerMessage.HeartbeatReply) {
      PeerMessage.HeartbeatReply reply = (PeerMessage.HeartbeatReply) message;
      frame.setHeartbeatReply(HeartbeatReply.newBuilder().setEpoch(reply.epoch())
          .setHeartbeatSentAtMillis(reply.heartbeatSentAtMillis()).setAppliedSequence(reply.appliedSequence()));
    } else if (message instanceof PeerMessage.SnapshotChunk) {
      PeerMessage.SnapshotChunk chunk = (PeerMessage.SnapshotChunk) message;
      io.meridian.agent.api.v1.SnapshotChunk.Builder proto = io.meridian.agent.api.v1.SnapshotChunk.newBuilder()
          .setEpoch(chunk.epoch()).setSnapshotSequence(chunk.snapshotSequence()).setAfterKey(bytes(chunk.afterKey()))
          .setLast(chunk.last()).setHeadSequence(chunk.headSequence()).setSentAtMillis(chunk.sentAtMillis());
      chunk.replaces().ifPresent(version -> proto.setReplacesVersion(toProto(version)));
      for (Change change : chunk.entries()) {
        proto.addEntries(toProto(change));
      }
      frame.setSnapshotChunk(proto);
    } else if (message instanceof PeerMessage.SnapshotAck) {
      PeerMessage.SnapshotAck ack = (PeerMessage.SnapshotAck) message;
      frame.setSnapshotAck(io.meridian.agent.api.v1.SnapshotAck.newBuilder().setEpoch(ack.epoch())
          .setSnapshotSequence(ack.snapshotSequence()).setThroughKey(bytes(ack.throughKey())));
    } else if (message instanceof PeerMessage.QuorumWrite) {
      PeerMessage.QuorumWrite write = (PeerMessage.QuorumWrite) message;
      io.meridian.agent.api.v1.QuorumWrite.Builder proto = io.meridian.agent.api.v1.QuorumWrite.newBuilder()
          .addAllOperationIds(write.operationIds());
      for (Change change : write.changes()) {
        proto.addChanges(changeEncoder.apply(change));
      }
      frame.setQuorumWrite(proto);
    } else if (message instanceof PeerMessage.QuorumWriteAck) {
      frame.setQuorumWriteAck(io.meridian.agent.api.v1.QuorumWriteAck.newBuilder()
          .addAllOperationIds(((PeerMessage.QuorumWriteAck) message).operationIds()));
    } else if (message instanceof PeerMessage.QuorumRead) {
      PeerMessage.QuorumRead read = (PeerMessage.QuorumRead) message;
      frame.setQuorumRead(io.meridian.agent.api.v1.QuorumRead.newBuilder().setOperationId(read.operationId())
          .setKey(bytes(read.key())));
    } else if (message instanceof PeerMessage.QuorumReadReply) {
      PeerMessage.QuorumReadReply reply = (PeerMessage.QuorumReadReply) message;
      io.meridian.agent.api.v1.QuorumReadReply.Builder proto = io.meridian.agent.api.v1.QuorumReadReply.newBuilder()
          .setOperationId(reply.operationId()).setFound(reply.state().isPresent());
      reply.state().ifPresent(state -> proto.setState(toProto(state)));
      frame.setQuorumReadReply(proto);
    } else if (message instanceof PeerMessage.TreeCompare m) {
      // Node indexes and versions travel as differences from the one before (ADR 0044).
      frame.setTreeCompare(io.meridian.agent.api.v1.TreeCompare.newBuilder().setSession(m.session())
          .setDepth(m.depth()).setLevel(m.level()).addAllParentDeltas(intDeltas(m.parents()))
          .addAllHashes(m.hashes()).addAllFloorRegions(m.floor().keySet()).addAllFloorSequences(m.floor().values()));
    } else if (message instanceof PeerMessage.KeyDigests m) {
      io.meridian.agent.api.v1.KeyDigests.Builder proto = io.meridian.agent.api.v1.KeyDigests.newBuilder()
          .setSession(m.session()).setPart(m.part()).setParts(m.parts()).addAllLeafDeltas(intDeltas(m.leaves()))
          .addAllEntryHashes(m.entryHashes()).addAllVersionDeltas(longDeltas(m.versions()));
      m.keys().forEach(key -> proto.addKeys(bytes(key)));
      frame.setKeyDigests(proto);
    } else if (message instanceof PeerMessage.EntriesWanted m) {
      io.meridian.agent.api.v1.EntriesWanted.Builder proto = io.meridian.agent.api.v1.EntriesWanted.newBuilder()
          .setSession(m.session()).setPart(m.part()).setParts(m.parts());
      m.keys().forEach(key -> proto.addKeys(bytes(key)));
      frame.setEntriesWanted(proto);
    } else if (message instanceof PeerMessage.RepairEntries m) {
      io.meridian.agent.api.v1.RepairEntries.Builder proto = io.meridian.agent.api.v1.RepairEntries.newBuilder()
          .setSession(m.session()).setPart(m.part()).setParts(m.parts());
      for (int i = 0; i < m.keys().size(); i++) {
        if (m.states().get(i).isPresent()) {
          proto.addPresent(toProto(m.keys().get(i), m.states().get(i).get()));
        } else {
          proto.addAbsent(bytes(m.keys().get(i)));
        }
      }
      frame.setRepairEntries(proto);
    } else if (message instanceof PeerMessage.RepairDone m) {
      frame.setRepairDone(io.meridian.agent.api.v1.RepairDone.newBuilder().setSession(m.session())
          .setKeysRepaired(m.keysRepaired()).setError(m.error()).setLogSequence(m.logSequence()));
    } else {
      PeerMessage.EpochRejected rejected = (PeerMessage.EpochRejected) message;
      frame.setEpochRejected(EpochRejected.newBuilder().setCurrentEpoch(rejected.currentEpoch())
          .setReason(rejected.reason()));
    }
    return frame.build();
  }

  private static ForwardResponse forwardResponse(PeerMessage.ForwardResponse response) {
    ForwardResponse.Builder proto = ForwardResponse.newBuilder().setForwardId(response.forwardId());
    ClientResult result = response.result();
    if (result instanceof ClientResult.Failed) {
      ClientResult.Failed failed = (ClientResult.Failed) result;
      proto.setErrorCode(failed.failure().ordinal() + 1).setErrorMessage(failed.message());
    } else if (result instanceof ClientResult.CompareFailed) {
      proto.setCompareAndSet(compareAndSetResponse(result));
    } else if (result instanceof ClientResult.Read read) {
      io.meridian.agent.api.v1.GetResponse.Builder get = io.meridian.agent.api.v1.GetResponse.newBuilder()
          .setServedByRegion(read.servedBy());
      read.value().ifPresent(value -> get.setFound(true).setValue(bytes(value.value()))
          .setVersion(toProto(value.version())));
      proto.setGet(get);
    } else {
      ClientResult.Committed committed = (ClientResult.Committed) result;
      // The kind of write is not needed to rebuild the result: a committed answer is the same for
      // every write, so the delete response carries it (it has the extra "existed" flag).
      proto.setDelete(deleteResponse(committed));
    }
    return proto.build();
  }

  /**
   * The core message in a frame, for {@code dataset} (the stream's dataset). Hello frames carry
   * their own dataset; every other frame belongs to the stream's.
   */
  public static PeerMessage fromFrame(String dataset, PeerFrame frame) {
    return fromFrame(dataset, frame, null);
  }

  /**
   * Like {@link #fromFrame(String, PeerFrame)}; a received batch's changes are also remembered in
   * {@code receivedEncodings} (when not null) with the protobuf form they came in, so the store
   * appends that encoding instead of building it again (ADR 0041).
   */
  public static PeerMessage fromFrame(String dataset, PeerFrame frame, ChangeEncodingCache receivedEncodings) {
    return guarded("peer frame", () -> {
      switch (frame.getFrameCase()) {
        case HELLO: {
          Hello hello = frame.getHello();
          return new PeerMessage.Hello(hello.getDataset(), hello.getEpoch(), hello.getResumeFromSequence(),
              hello.hasLastAppliedVersion() ? Optional.of(fromProto(hello.getLastAppliedVersion())) : Optional.empty());
        }
        case BATCH: {
          ChangeBatch batch = frame.getBatch();
          List<Change> changes = new ArrayList<>(batch.getChangesCount());
          for (io.meridian.agent.api.v1.Change change : batch.getChangesList()) {
            Change decoded = fromProto(change);
            changes.add(decoded);
            if (receivedEncodings != null) {
              receivedEncodings.remember(decoded, change);
            }
          }
          return new PeerMessage.ChangeBatch(dataset, batch.getEpoch(), batch.getFirstSequence(),
              batch.getLastSequence(), changes, batch.getHeadSequence(), batch.getSentAtMillis());
        }
        case ACK: {
          Ack ack = frame.getAck();
          return new PeerMessage.Ack(dataset, ack.getEpoch(), ack.getAppliedSequence(), ack.getResendRequested());
        }
        case HEARTBEAT: {
          Heartbeat heartbeat = frame.getHeartbeat();
          return new PeerMessage.Heartbeat(dataset, heartbeat.getEpoch(), heartbeat.getHeadSequence(),
              heartbeat.getSentAtMillis(), heartbeat.getHelloRequested());
        }
        case FORWARD_REQUEST: {
          ForwardRequest forward = frame.getForwardRequest();
          ClientOperation operation;
          switch (forward.getOperationCase()) {
            case PUT:
              operation = fromProto(forward.getPut());
              break;
            case DELETE:
              operation = fromProto(forward.getDelete());
              break;
            case COMPARE_AND_SET:
              operation = fromProto(forward.getCompareAndSet());
              break;
            case GET:
              operation = forwardedRead(forward.getGet());
              break;
            default:
              throw new MalformedMessageException("forward request without an operation");
          }
          return new PeerMessage.ForwardRequest(dataset, forward.getForwardId(), operation);
        }
        case FORWARD_RESPONSE:
          return new PeerMessage.ForwardResponse(dataset, frame.getForwardResponse().getForwardId(),
              fromProto(frame.getForwardResponse()));
        case EPOCH_REJECTED:
          return new PeerMessage.EpochRejected(dataset, frame.getEpochRejected().getCurrentEpoch(),
              frame.getEpochRejected().getReason());
        case HEARTBEAT_REPLY: {
          HeartbeatReply reply = frame.getHeartbeatReply();
          return new PeerMessage.HeartbeatReply(dataset, reply.getEpoch(), reply.getHeartbeatSentAtMillis(),
              reply.getAppliedSequence());
        }
        case SNAPSHOT_CHUNK: {
          io.meridian.agent.api.v1.SnapshotChunk chunk = frame.getSnapshotChunk();
          List<Change> entries = new ArrayList<>(chunk.getEntriesCount());
          for (io.meridian.agent.api.v1.Change change : chunk.getEntriesList()) {
            entries.add(fromProto(change));
          }
          return new PeerMessage.SnapshotChunk(dataset, chunk.getEpoch(), chunk.getSnapshotSequence(),
              bytes(chunk.getAfterKey()), entries, chunk.getLast(), chunk.getHeadSequence(), chunk.getSentAtMillis(),
              chunk.hasReplacesVersion() ? Optional.of(fromProto(chunk.getReplacesVersion())) : Optional.empty());
        }
        case SNAPSHOT_ACK: {
          io.meridian.agent.api.v1.SnapshotAck ack = frame.getSnapshotAck();
          return new PeerMessage.SnapshotAck(dataset, ack.getEpoch(), ack.getSnapshotSequence(), bytes(ack.getThroughKey()));
        }
        case QUORUM_WRITE: {
          io.meridian.agent.api.v1.QuorumWrite write = frame.getQuorumWrite();
          require(write.getChangesCount() == write.getOperationIdsCount(),
              "a quorum write needs one operation id per change");
          List<Change> changes = new ArrayList<>(write.getChangesCount());
          for (io.meridian.agent.api.v1.Change change : write.getChangesList()) {
            changes.add(fromProto(change));
          }
          return new PeerMessage.QuorumWrite(dataset, write.getOperationIdsList(), changes);
        }
        case QUORUM_WRITE_ACK:
          return new PeerMessage.QuorumWriteAck(dataset, frame.getQuorumWriteAck().getOperationIdsList());
        case QUORUM_READ:
          return new PeerMessage.QuorumRead(dataset, frame.getQuorumRead().getOperationId(),
              bytes(frame.getQuorumRead().getKey()));
        case QUORUM_READ_REPLY: {
          io.meridian.agent.api.v1.QuorumReadReply reply = frame.getQuorumReadReply();
          require(!reply.getFound() || reply.hasState(), "a quorum read reply that found the key carries no state");
          return new PeerMessage.QuorumReadReply(dataset, reply.getOperationId(),
              reply.getFound() ? Optional.of(fromProto(reply.getState())) : Optional.empty());
        }
        case TREE_COMPARE: {
          io.meridian.agent.api.v1.TreeCompare m = frame.getTreeCompare();
          return new PeerMessage.TreeCompare(dataset, m.getSession(), m.getDepth(), m.getLevel(),
              m.getParentDeltasCount() > 0 ? intSums(m.getParentDeltasList()) : m.getParentsList(), m.getHashesList(),
              floor(m.getFloorRegionsList(), m.getFloorSequencesList()));
        }
        case KEY_DIGESTS: {
          io.meridian.agent.api.v1.KeyDigests m = frame.getKeyDigests();
          return new PeerMessage.KeyDigests(dataset, m.getSession(), m.getPart(), m.getParts(),
              m.getLeafDeltasCount() > 0 ? intSums(m.getLeafDeltasList()) : m.getLeavesList(),
              m.getKeysList().stream().map(WireMapping::bytes).toList(), m.getEntryHashesList(),
              longSums(m.getVersionDeltasList()));
        }
        case ENTRIES_WANTED: {
          io.meridian.agent.api.v1.EntriesWanted m = frame.getEntriesWanted();
          return new PeerMessage.EntriesWanted(dataset, m.getSession(), m.getPart(), m.getParts(),
              m.getKeysList().stream().map(WireMapping::bytes).toList());
        }
        case REPAIR_ENTRIES: {
          io.meridian.agent.api.v1.RepairEntries m = frame.getRepairEntries();
          List<Bytes> keys = new ArrayList<>();
          List<Optional<StoredValue>> states = new ArrayList<>();
          for (io.meridian.agent.api.v1.Change change : m.getPresentList()) {
            Change decoded = fromProto(change);
            keys.add(decoded.key());
            states.add(Optional.of(StoredValue.of(decoded)));
          }
          for (com.google.protobuf.ByteString key : m.getAbsentList()) {
            keys.add(bytes(key));
            states.add(Optional.empty());
          }
          return new PeerMessage.RepairEntries(dataset, m.getSession(), m.getPart(), m.getParts(), keys, states);
        }
        case REPAIR_DONE: {
          io.meridian.agent.api.v1.RepairDone m = frame.getRepairDone();
          return new PeerMessage.RepairDone(dataset, m.getSession(), m.getKeysRepaired(), m.getError(),
              m.getLogSequence());
        }
        default:
          throw new MalformedMessageException("empty or unknown peer frame");
      }
    });
  }

  // A read a replica forwards to its primary (ADR 0021): the key, the level and the session token.
  private static io.meridian.agent.api.v1.GetRequest forwardedRead(String dataset, ClientOperation operation) {
    io.meridian.agent.api.v1.GetRequest.Builder get = io.meridian.agent.api.v1.GetRequest.newBuilder()
        .setDataset(dataset).setKey(bytes(operation.key()));
    if (operation instanceof ClientOperation.Tuned tuned) {
      RequestOptions options = tuned.options();
      get.setConsistencyValue(options.consistency().ordinal()); // DEFAULT..STRONG match the proto's numbers.
      options.session().ifPresent(token -> get.setSessionToken(ByteString.copyFrom(token.toBytes())));
    }
    return get.build();
  }

  private static ClientOperation forwardedRead(io.meridian.agent.api.v1.GetRequest get) {
    ClientOperation read = new ClientOperation.Get(bytes(get.getKey()));
    int level = get.getConsistencyValue();
    require(level >= 0 && level < RequestOptions.ReadLevel.values().length, "unknown read level " + level);
    if (level == 0 && get.getSessionToken().isEmpty()) {
      return read;
    }
    Optional<SessionToken> token = get.getSessionToken().isEmpty() ? Optional.empty()
        : Optional.of(SessionToken.fromBytes(get.getSessionToken().toByteArray()));
    return new ClientOperation.Tuned(read, RequestOptions.read(RequestOptions.ReadLevel.values()[level], token));
  }

  private static ClientResult fromProto(ForwardResponse response) {
    if (response.getErrorCode() != 0) {
      Failure[] failures = Failure.values();
      int index = response.getErrorCode() - 1;
      require(index >= 0 && index < failures.length, "unknown failure code " + response.getErrorCode());
      return new ClientResult.Failed(failures[index], response.getErrorMessage());
    }
    switch (response.getResultCase()) {
      case PUT:
        return new ClientResult.Committed(fromProto(response.getPut().getVersion()), false);
      case DELETE:
        return new ClientResult.Committed(fromProto(response.getDelete().getVersion()),
            response.getDelete().getExisted());
      case COMPARE_AND_SET: {
        CompareAndSetResponse cas = response.getCompareAndSet();
        if (cas.getSwapped()) {
          return new ClientResult.Committed(fromProto(cas.getVersion()), true);
        }
        Optional<StoredValue> current = cas.getCurrentFound()
            ? Optional.of(new StoredValue(bytes(cas.getCurrentValue()), fromProto(cas.getVersion()), false))
            : Optional.empty();
        return new ClientResult.CompareFailed(current);
      }
      case GET: {
        io.meridian.agent.api.v1.GetResponse get = response.getGet();
        require(!get.getServedByRegion().isEmpty(), "a forwarded read's answer names the region that served it");
        Optional<StoredValue> value = get.getFound()
            ? Optional.of(new StoredValue(bytes(get.getValue()), fromProto(get.getVersion()), false))
            : Optional.empty();
        return new ClientResult.Read(value, get.getServedByRegion());
      }
      default:
        throw new MalformedMessageException("forward response without a result");
    }
  }

  private interface Translation<T> {
    T run();
  }

  // Core constructors check their invariants; on data from outside those failures mean malformed
  // input, not a bug here.
  private static <T> T guarded(String what, Translation<T> translation) {
    try {
      return translation.run();
    } catch (InvariantViolation | IllegalArgumentException | NullPointerException e) {
      throw new MalformedMessageException("malformed " + what + ": " + e.getMessage(), e);
    }
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new MalformedMessageException(message);
    }
  }

  // Anti-entropy lists as differences from the element before (the first from 0): ascending node
  // indexes and nearby clock readings become short zigzag varints (ADR 0044).
  private static List<Integer> intDeltas(List<Integer> values) {
    List<Integer> result = new ArrayList<>(values.size());
    int previous = 0;
    for (int value : values) {
      result.add(value - previous);
      previous = value;
    }
    return result;
  }

  private static List<Integer> intSums(List<Integer> deltas) {
    List<Integer> result = new ArrayList<>(deltas.size());
    int value = 0;
    for (int delta : deltas) {
      value += delta;
      result.add(value);
    }
    return result;
  }

  private static List<Long> longDeltas(List<Long> values) {
    List<Long> result = new ArrayList<>(values.size());
    long previous = 0;
    for (long value : values) {
      result.add(value - previous);
      previous = value;
    }
    return result;
  }

  private static List<Long> longSums(List<Long> deltas) {
    List<Long> result = new ArrayList<>(deltas.size());
    long value = 0;
    for (long delta : deltas) {
      value += delta;
      result.add(value);
    }
    return result;
  }

  private static java.util.SortedMap<String, Long> floor(List<String> regions, List<Long> sequences) {
    require(regions.size() == sequences.size(), "a tree comparison's floor names " + regions.size()
        + " regions but " + sequences.size() + " sequences");
    java.util.SortedMap<String, Long> result = new java.util.TreeMap<>();
    for (int i = 0; i < regions.size(); i++) {
      result.put(regions.get(i), sequences.get(i));
    }
    return result;
  }
}

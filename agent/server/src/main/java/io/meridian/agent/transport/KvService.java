package io.meridian.agent.transport;

import com.google.protobuf.ByteString;
import io.meridian.agent.api.v1.CrdtValue;
import io.meridian.agent.api.v1.KeyValue;
import io.meridian.agent.api.v1.Sibling;
import io.meridian.agent.api.v1.UpdateRequest;
import io.meridian.agent.api.v1.UpdateResponse;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.conflict.VersionVector;
import java.util.Optional;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.meridian.agent.api.v1.BatchPutRequest;
import io.meridian.agent.api.v1.BatchPutResponse;
import io.meridian.agent.api.v1.CompareAndSetRequest;
import io.meridian.agent.api.v1.CompareAndSetResponse;
import io.meridian.agent.api.v1.DeleteRequest;
import io.meridian.agent.api.v1.DeleteResponse;
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.GetResponse;
import io.meridian.agent.api.v1.KeyValue;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.PutResponse;
import io.meridian.agent.api.v1.PutResult;
import io.meridian.agent.api.v1.ReadConsistency;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.RequestOptions;
import io.meridian.agent.core.replication.SessionToken;
import io.meridian.agent.api.v1.ReplicaCount;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.storage.StoredValue;
import io.meridian.agent.runtime.AgentRuntime;
import io.meridian.agent.runtime.HopTrace;
import io.meridian.agent.wire.WireMapping;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/** The client KV API on top of the runtime. Bad input is answered with a status, never a crash. */
public final class KvService extends KvGrpc.KvImplBase {
  /** Most puts in one {@code BatchPutRequest}. */
  public static final int BATCH_PUT_ENTRIES_MAX = 10_000;

  private final AgentRuntime runtime;
  private final RequestMetrics metrics;

  /** A KV service for {@code runtime} reporting each request to {@code metrics}. */
  public KvService(AgentRuntime runtime, RequestMetrics metrics) {
    this.runtime = runtime;
    this.metrics = metrics;
  }

  @Override
  public void put(PutRequest request, StreamObserver<PutResponse> responseObserver) {
    if (reservedKeyRefused(request.getKey(), responseObserver)) {
      return;
    }
    ClientOperation operation = WireMapping.fromProto(request);
    if (!request.getCausalContext().isEmpty()) {
      Optional<VersionVector> context = causalContext(request.getCausalContext(), responseObserver);
      if (context.isEmpty()) {
        return;
      }
      operation = new ClientOperation.ContextualWrite(WireMapping.bytes(request.getKey()),
          Optional.of(WireMapping.bytes(request.getValue())), context.get());
    }
    operation = tuned(operation, request.getReplicaCount(), ReadConsistency.READ_CONSISTENCY_UNSPECIFIED);
    runtime.submit(request.getDataset(), operation, measured("put", request.getDataset(),
        answer(responseObserver, result -> WireMapping.putResponse((ClientResult.Committed) result).toBuilder()
            .setSessionToken(token(request.getDataset(), result, request.getReplicaCount())).build())));
  }

  @Override
  public void delete(DeleteRequest request, StreamObserver<DeleteResponse> responseObserver) {
    if (reservedKeyRefused(request.getKey(), responseObserver)) {
      return;
    }
    ClientOperation operation = WireMapping.fromProto(request);
    if (!request.getCausalContext().isEmpty()) {
      Optional<VersionVector> context = causalContext(request.getCausalContext(), responseObserver);
      if (context.isEmpty()) {
        return;
      }
      operation = new ClientOperation.ContextualWrite(WireMapping.bytes(request.getKey()), Optional.empty(),
          context.get());
    }
    operation = tuned(operation, request.getReplicaCount(), ReadConsistency.READ_CONSISTENCY_UNSPECIFIED);
    runtime.submit(request.getDataset(), operation, measured("delete", request.getDataset(),
        answer(responseObserver, result -> WireMapping.deleteResponse((ClientResult.Committed) result).toBuilder()
            .setSessionToken(token(request.getDataset(), result, request.getReplicaCount())).build())));
  }

  @Override
  public void compareAndSet(CompareAndSetRequest request, StreamObserver<CompareAndSetResponse> responseObserver) {
    if (reservedKeyRefused(request.getKey(), responseObserver)) {
      return;
    }
    runtime.submit(request.getDataset(), WireMapping.fromProto(request), measured("compare_and_set",
        request.getDataset(), answer(responseObserver, result -> WireMapping.compareAndSetResponse(result)
            .toBuilder().setSessionToken(token(request.getDataset(), result)).build())));
  }

  @Override
  public void get(GetRequest request, StreamObserver<GetResponse> responseObserver) {
    if (reservedKeyRefused(request.getKey(), responseObserver)) {
      return;
    }
    if (request.getConsistencyValue() > ReadConsistency.READ_CONSISTENCY_STRONG_VALUE
        || request.getConsistencyValue() < 0) {
      responseObserver.onError(Status.INVALID_ARGUMENT.withDescription("unknown read consistency "
          + request.getConsistencyValue() + "; use eventual, session, bounded-staleness, quorum or strong.")
          .asRuntimeException());
      return;
    }
    ReadConsistency consistency = request.getConsistency();
    Optional<SessionToken> token = Optional.empty();
    if (!request.getSessionToken().isEmpty()) {
      if (consistency != ReadConsistency.READ_CONSISTENCY_SESSION) {
        responseObserver.onError(Status.INVALID_ARGUMENT.withDescription("a session token was given with "
            + consistency + "; tokens go with READ_CONSISTENCY_SESSION (meridian kv get --consistency session).")
            .asRuntimeException());
        return;
      }
      try {
        token = Optional.of(SessionToken.forDataset(request.getDataset(), request.getSessionToken().toByteArray()));
      } catch (IllegalArgumentException e) {
        responseObserver.onError(Status.INVALID_ARGUMENT.withDescription("dataset " + request.getDataset() + ": "
            + e.getMessage() + "; pass the session_token a write response returned, unchanged.").asRuntimeException());
        return;
      }
    }
    java.util.Optional<io.meridian.agent.runtime.ExternalDataset> external = runtime.external(request.getDataset());
    if (external.isPresent() && token.isPresent()
        && !(token.get().position() instanceof SessionToken.RaftIndex)) {
      responseObserver.onError(Status.INVALID_ARGUMENT.withDescription("dataset " + request.getDataset()
          + " is in consensus mode, but the session token was issued by a dataset of another mode; use the"
          + " session_token a write to " + request.getDataset() + " returned.").asRuntimeException());
      return;
    }
    if (external.isPresent() && consistency == ReadConsistency.READ_CONSISTENCY_SESSION) {
      // Consensus session reads (ADR 0030): local once this member applied the token's write (waiting
      // briefly), else forwarded as a linearizable read. Without a token the session wrote nothing:
      // the local copy will do, as in every mode (ADR 0021).
      long sequence = token.map(t -> ((SessionToken.RaftIndex) t.position()).index()).orElse(0L);
      external.get().sessionRead(WireMapping.bytes(request.getKey()), sequence,
          measured("get", request.getDataset(), answer(responseObserver, KvService::stampedReadResponse)));
      return;
    }
    if (external.isPresent()) {
      // Consensus (ADR 0015): eventual reads are local; the default and every stronger level get a
      // linearizable read (stronger than bounded staleness or quorum ask for, never weaker).
      boolean linearizable = consistency != ReadConsistency.READ_CONSISTENCY_EVENTUAL;
      external.get().read(WireMapping.bytes(request.getKey()), linearizable,
          measured("get", request.getDataset(), answer(responseObserver, KvService::stampedReadResponse)));
      return;
    }
    ClientOperation get = tuned(new ClientOperation.Get(WireMapping.bytes(request.getKey())),
        request.getReplicaCount(), request.getConsistency(), token);
    runtime.submit(request.getDataset(), get,
        measured("get", request.getDataset(), answer(responseObserver, result -> {
          if (result instanceof ClientResult.MergedRead) {
            return mergedResponse((ClientResult.MergedRead) result).toBuilder()
                .setServedAtUnixMicros(wallClockMicros()).build();
          }
          ClientResult.Read read = (ClientResult.Read) result;
          GetResponse.Builder response = GetResponse.newBuilder().setServedByRegion(read.servedBy())
              .setServedAtUnixMicros(wallClockMicros());
          if (read.value().isPresent()) {
            StoredValue value = read.value().get();
            response.setFound(true).setValue(WireMapping.bytes(value.value()))
                .setVersion(WireMapping.toProto(value.version()));
          }
          return response.build();
        })));
  }

  /**
   * The session token for a committed write (ADR 0021); empty for a compare-and-set that did not
   * swap, which wrote nothing.
   */
  private ByteString token(String dataset, ClientResult result) {
    return token(dataset, result, ReplicaCount.REPLICA_COUNT_UNSPECIFIED);
  }

  /** As above, for a write made at {@code count} (quorum tokens record it, ADR 0030). */
  private ByteString token(String dataset, ClientResult result, ReplicaCount count) {
    return sessionToken(dataset, result, count).map(token -> ByteString.copyFrom(token.toBytes()))
        .orElse(ByteString.EMPTY);
  }

  private Optional<SessionToken> sessionToken(String dataset, ClientResult result, ReplicaCount count) {
    if (!(result instanceof ClientResult.Committed committed)) {
      return Optional.empty();
    }
    if (runtime.external(dataset).isPresent()) {
      return Optional.of(SessionToken.forWrite(dataset, io.meridian.agent.config.ReplicationMode.CONSENSUS,
          committed.version()));
    }
    return runtime.config().dataset(dataset).map(config -> SessionToken.forWrite(dataset, config.mode(),
        committed.version(), config.mode() == io.meridian.agent.config.ReplicationMode.QUORUM
            ? io.meridian.agent.core.replication.ReadLevelRules.quorumWriteReplicas(config.replicas().size(),
                config.quorum(), replicaCount(count))
            : 0));
  }

  /** A consensus read's response, stamped with when this agent answered (GetResponse field 8). */
  private static GetResponse stampedReadResponse(ClientResult result) {
    return readResponse(result).toBuilder().setServedAtUnixMicros(wallClockMicros()).build();
  }

  /**
   * This agent's wall clock in microseconds since the epoch. Lag probes subtract the primary's
   * commit time from it (ADR 0038), so it is read when the answer leaves the runtime, not when
   * the client receives it.
   */
  private static long wallClockMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
  }

  private static GetResponse readResponse(ClientResult result) {
    ClientResult.Read read = (ClientResult.Read) result;
    GetResponse.Builder response = GetResponse.newBuilder().setServedByRegion(read.servedBy());
    read.value().ifPresent(value -> response.setFound(true).setValue(WireMapping.bytes(value.value()))
        .setVersion(WireMapping.toProto(value.version())));
    return response.build();
  }

  @Override
  public void update(UpdateRequest request, StreamObserver<UpdateResponse> responseObserver) {
    if (reservedKeyRefused(request.getKey(), responseObserver)) {
      return;
    }
    Bytes key = WireMapping.bytes(request.getKey());
    ClientOperation operation;
    String name;
    switch (request.getOperationCase()) {
      case INCREMENT:
        operation = new ClientOperation.Increment(key, request.getIncrement());
        name = "increment";
        break;
      case ADD_ELEMENT:
        operation = new ClientOperation.AddElement(key, WireMapping.bytes(request.getAddElement()));
        name = "add_element";
        break;
      case REMOVE_ELEMENT:
        operation = new ClientOperation.RemoveElement(key, WireMapping.bytes(request.getRemoveElement()));
        name = "remove_element";
        break;
      case PUT_ENTRY:
        operation = new ClientOperation.PutEntry(key, WireMapping.bytes(request.getPutEntry().getKey()),
            WireMapping.bytes(request.getPutEntry().getValue()));
        name = "put_entry";
        break;
      case REMOVE_ENTRY:
        operation = new ClientOperation.RemoveEntry(key, WireMapping.bytes(request.getRemoveEntry()));
        name = "remove_entry";
        break;
      default:
        responseObserver.onError(Status.INVALID_ARGUMENT.withDescription("the update names no operation; set one of"
            + " increment, add_element, remove_element, put_entry, remove_entry.").asRuntimeException());
        return;
    }
    runtime.submit(request.getDataset(), operation, measured(name, request.getDataset(), answer(responseObserver,
        result -> UpdateResponse.newBuilder()
            .setVersion(WireMapping.toProto(((ClientResult.Committed) result).version())).build())));
  }

  private static GetResponse mergedResponse(ClientResult.MergedRead read) {
    GetResponse.Builder response = GetResponse.newBuilder().setServedByRegion(read.servedBy())
        .setFound(read.found());
    for (StoredValue value : read.values()) {
      response.addSiblings(Sibling.newBuilder().setValue(WireMapping.bytes(value.value()))
          .setVersion(WireMapping.toProto(value.version())));
    }
    if (read.values().size() == 1) {
      response.setValue(WireMapping.bytes(read.values().get(0).value()))
          .setVersion(WireMapping.toProto(read.values().get(0).version()));
    }
    if (!read.context().isEmpty()) {
      response.setCausalContext(ByteString.copyFrom(read.context().toBytes()));
    }
    CrdtValue.Builder crdt = CrdtValue.newBuilder().setCounter(read.counter());
    read.elements().forEach(element -> crdt.addElements(WireMapping.bytes(element)));
    read.entries().forEach((field, value) -> crdt.addEntries(
        KeyValue.newBuilder().setKey(WireMapping.bytes(field)).setValue(WireMapping.bytes(value))));
    return response.setCrdt(crdt).build();
  }

  private static Optional<VersionVector> causalContext(ByteString bytes, StreamObserver<?> responseObserver) {
    try {
      return Optional.of(VersionVector.fromBytes(bytes.toByteArray()));
    } catch (IllegalArgumentException e) {
      responseObserver.onError(Status.INVALID_ARGUMENT.withDescription("the causal context is not one this agent"
          + " returned (" + e.getMessage() + "); pass the causal_context of a Get unchanged.").asRuntimeException());
      return Optional.empty();
    }
  }

  @Override
  public StreamObserver<BatchPutRequest> batchPut(StreamObserver<BatchPutResponse> responseObserver) {
    return new BatchPutStream(responseObserver);
  }

  /** The result of a committed put whose client asked for no version (one shared message). */
  private static final PutResult COMMITTED_WITHOUT_VERSION = PutResult.newBuilder().setCommitted(true).build();

  /** Answers batches in request order even when later ones complete first. */
  private final class BatchPutStream implements StreamObserver<BatchPutRequest> {
    private final StreamObserver<BatchPutResponse> responses;
    private final Deque<PendingBatch> inOrder = new ArrayDeque<>();
    private boolean inputDone;
    private boolean failed;
    // The last refusal answered and its encoded result (see putResult).
    private ClientResult lastFailed;
    private PutResult lastFailedResult;

    BatchPutStream(StreamObserver<BatchPutResponse> responses) {
      this.responses = responses;
    }

    @Override
    public void onNext(BatchPutRequest request) {
      if (request.getEntriesCount() > BATCH_PUT_ENTRIES_MAX) {
        fail(Status.INVALID_ARGUMENT.withDescription("a batch holds " + request.getEntriesCount()
            + " puts; the limit is " + BATCH_PUT_ENTRIES_MAX));
        return;
      }
      for (KeyValue entry : request.getEntriesList()) {
        if (io.meridian.agent.core.probe.ProbeKeys.isReserved(entry.getKey().toByteArray())) {
          fail(Status.INVALID_ARGUMENT.withDescription(reservedKeyMessage()));
          return;
        }
      }
      PendingBatch batch = new PendingBatch(request.getBatchId(), request.getEntriesCount());
      boolean omitVersions = request.getOmitVersions();
      String dataset = request.getDataset();
      ReplicaCount replicaCount = request.getReplicaCount();
      long startNanos = System.nanoTime();
      List<ClientOperation> operations = new ArrayList<>(request.getEntriesCount());
      List<Consumer<ClientResult>> callbacks = new ArrayList<>(request.getEntriesCount());
      for (int i = 0; i < request.getEntriesCount(); i++) {
        KeyValue entry = request.getEntries(i);
        operations.add(tuned(new ClientOperation.Put(WireMapping.bytes(entry.getKey()),
            WireMapping.bytes(entry.getValue())), request.getReplicaCount(),
            ReadConsistency.READ_CONSISTENCY_UNSPECIFIED));
        int index = i;
        // One small callback per put, no per-put wrapper: the results of a batch usually arrive
        // together, in one output of the runtime.
        callbacks.add(result -> {
          metrics.observe("batch_put", dataset, outcome(result), (System.nanoTime() - startNanos) / 1e9);
          if (HopTrace.ENABLED && result instanceof ClientResult.Committed committed) {
            HopTrace.record("client-answered", "", dataset, committed.version().sequence(), startNanos);
          }
          synchronized (this) {
            batch.results[index] = omitVersions && result instanceof ClientResult.Committed
                ? COMMITTED_WITHOUT_VERSION : putResult(result);
            if (result instanceof ClientResult.Committed) {
              batch.cover(dataset, (ClientResult.Committed) result, replicaCount);
            }
            batch.remaining--;
            if (batch.remaining == 0) {
              flush();
            }
          }
        });
      }
      synchronized (this) {
        inOrder.addLast(batch);
        if (batch.remaining == 0) {
          flush();
        }
      }
      runtime.submitAll(request.getDataset(), operations, callbacks);
    }

    private PutResult putResult(ClientResult result) {
      if (result instanceof ClientResult.Committed) {
        return PutResult.newBuilder()
            .setVersion(WireMapping.toProto(((ClientResult.Committed) result).version())).build();
      }
      // A core that sheds load answers every write it refuses in a step with the same Failed
      // (ADR 0036): build its PutResult once, with the message encoded to UTF-8 once, instead of
      // re-encoding a few hundred characters for every refused put. Guarded by this stream's lock.
      if (result == lastFailed) {
        return lastFailedResult;
      }
      Status status = Statuses.of(result);
      PutResult failed = PutResult.newBuilder().setErrorCode(status.getCode().value())
          .setErrorMessageBytes(ByteString.copyFromUtf8(String.valueOf(status.getDescription()))).build();
      lastFailed = result;
      lastFailedResult = failed;
      return failed;
    }

    private void flush() {
      try {
        while (!failed && !inOrder.isEmpty() && inOrder.peekFirst().remaining == 0) {
          PendingBatch done = inOrder.pollFirst();
          BatchPutResponse.Builder response = BatchPutResponse.newBuilder().setBatchId(done.batchId);
          for (PutResult result : done.results) {
            response.addResults(result);
          }
          if (done.token != null) {
            response.setSessionToken(ByteString.copyFrom(done.token.toBytes()));
          }
          responses.onNext(response.build());
        }
        if (!failed && inputDone && inOrder.isEmpty()) {
          failed = true;
          responses.onCompleted();
        }
      } catch (StatusRuntimeException | IllegalStateException clientGone) {
        // The client cancelled the stream before gRPC told us; stop answering it. This runs on
        // the runtime's logical thread, which must never see a client's hang-up as its fault.
        failed = true;
      }
    }

    private synchronized void fail(Status status) {
      if (!failed) {
        failed = true;
        responses.onError(status.asRuntimeException());
      }
    }

    @Override
    public void onError(Throwable error) {
      synchronized (this) {
        failed = true;
      }
    }

    @Override
    public synchronized void onCompleted() {
      inputDone = true;
      flush();
    }
  }

  private final class PendingBatch {
    final long batchId;
    final PutResult[] results;
    int remaining;
    /** The merge of the committed puts' session tokens (ADR 0030); null while none committed. */
    SessionToken token;

    /** Merges the token of one committed put of the batch. */
    void cover(String dataset, ClientResult.Committed committed, ReplicaCount count) {
      Optional<SessionToken> one = sessionToken(dataset, committed, count);
      if (one.isPresent()) {
        token = token == null ? one.get() : token.merge(one.get());
      }
    }

    PendingBatch(long batchId, int size) {
      this.batchId = batchId;
      this.results = new PutResult[size];
      this.remaining = size;
    }
  }

  /** The core's replica count for the wire's. */
  static RequestOptions.ReplicaCount replicaCount(ReplicaCount count) {
    RequestOptions.ReplicaCount replicas;
    switch (count) {
      case REPLICA_COUNT_ONE:
        replicas = RequestOptions.ReplicaCount.ONE;
        break;
      case REPLICA_COUNT_QUORUM:
        replicas = RequestOptions.ReplicaCount.QUORUM;
        break;
      case REPLICA_COUNT_ALL:
        replicas = RequestOptions.ReplicaCount.ALL;
        break;
      case REPLICA_COUNT_LOCAL_QUORUM:
        replicas = RequestOptions.ReplicaCount.LOCAL_QUORUM;
        break;
      default:
        replicas = RequestOptions.ReplicaCount.DEFAULT;
        break;
    }
    return replicas;
  }

  /** {@code operation} with the request's replica count and read level, or as it is when both are defaults. */
  static ClientOperation tuned(ClientOperation operation, ReplicaCount count, ReadConsistency consistency) {
    return tuned(operation, count, consistency, Optional.empty());
  }

  /** As above, with the session token of a session read. */
  static ClientOperation tuned(ClientOperation operation, ReplicaCount count, ReadConsistency consistency,
      Optional<SessionToken> token) {
    RequestOptions.ReplicaCount replicas = replicaCount(count);
    RequestOptions.ReadLevel level;
    switch (consistency) {
      case READ_CONSISTENCY_EVENTUAL:
        level = RequestOptions.ReadLevel.EVENTUAL;
        break;
      case READ_CONSISTENCY_SESSION:
        level = RequestOptions.ReadLevel.SESSION;
        break;
      case READ_CONSISTENCY_BOUNDED_STALENESS:
        level = RequestOptions.ReadLevel.BOUNDED_STALENESS;
        break;
      case READ_CONSISTENCY_QUORUM:
        level = RequestOptions.ReadLevel.QUORUM;
        break;
      case READ_CONSISTENCY_STRONG:
        level = RequestOptions.ReadLevel.STRONG;
        break;
      default:
        level = RequestOptions.ReadLevel.DEFAULT;
        break;
    }
    if (replicas == RequestOptions.ReplicaCount.DEFAULT && level == RequestOptions.ReadLevel.DEFAULT) {
      return operation;
    }
    return new ClientOperation.Tuned(operation, new RequestOptions(replicas, level, token));
  }

  // Keys of the consistency probes (ADR 0022) are theirs alone: clients neither see nor overwrite them.
  private static boolean reservedKeyRefused(ByteString key, StreamObserver<?> responseObserver) {
    if (ProbeCalls.current() || !io.meridian.agent.core.probe.ProbeKeys.isReserved(key.toByteArray())) {
      return false;
    }
    responseObserver.onError(Status.INVALID_ARGUMENT.withDescription(reservedKeyMessage()).asRuntimeException());
    return true;
  }

  private static String reservedKeyMessage() {
    return "keys starting with a zero byte and 'meridian-probe/' are reserved for the agents' consistency probes"
        + " (docs/adr/0022-consistency-probes.md); use a key that does not start with them.";
  }

  private Consumer<ClientResult> measured(String operation, String dataset, Consumer<ClientResult> callback) {
    if (ProbeCalls.current()) {
      return callback; // Probes are not client traffic: they stay out of the request metrics.
    }
    long startNanos = System.nanoTime();
    return result -> {
      metrics.observe(operation, dataset, outcome(result), (System.nanoTime() - startNanos) / 1e9);
      callback.accept(result);
    };
  }

  private static String outcome(ClientResult result) {
    if (result instanceof ClientResult.Failed) {
      return ((ClientResult.Failed) result).failure().name().toLowerCase(java.util.Locale.ROOT);
    }
    return result instanceof ClientResult.CompareFailed ? "compare_failed" : "ok";
  }

  private static <T> Consumer<ClientResult> answer(StreamObserver<T> observer, Function<ClientResult, T> success) {
    return result -> {
      if (observer instanceof ServerCallStreamObserver<?> call && call.isCancelled()) {
        return; // The client gave up (deadline, hang-up): there is nobody to answer.
      }
      try {
        if (result instanceof ClientResult.Failed) {
          observer.onError(Statuses.of(result).asRuntimeException());
        } else {
          observer.onNext(success.apply(result));
          observer.onCompleted();
        }
      } catch (StatusRuntimeException | IllegalStateException clientGone) {
        // The client hung up between the check and the answer. Answers run on the runtime's
        // logical thread, where an escaping exception would stop the agent: a client's
        // impatience must never do that.
      }
    };
  }
}

package io.meridian.agent.transport;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.CallStreamObserver;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.meridian.agent.api.v1.HeartbeatLaneHello;
import io.meridian.agent.api.v1.PeerFrame;
import io.meridian.agent.api.v1.PeerReplicationGrpc;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.PeerMessage;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.replication.ReplicationNode;
import io.meridian.agent.runtime.AgentRuntime;
import io.meridian.agent.runtime.HopTrace;
import io.meridian.agent.runtime.PeerSender;
import io.meridian.agent.wire.MalformedMessageException;
import io.meridian.agent.wire.WireMapping;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries peer messages over {@code PeerReplication.Replicate} streams. As a replica it opens one
 * stream per dataset to the dataset's primary and reopens it after {@code reconnectDelayMillis}
 * whenever it closes; as a primary it accepts them (see {@link #service()}). Stream bookkeeping
 * runs on the runtime's logical thread, so frames on a stream are never sent concurrently.
 *
 * <p>Streams are gzip-compressed. When a peer's {@link LinkEmulation} is enabled, every frame to
 * it is held back by a {@link LinkEmulator} (delay, jitter, bandwidth, loss as retransmission
 * delay); both agents do this for what they send, so the link is emulated in both directions.
 *
 * <p>Heartbeats and their replies travel on a <em>heartbeat lane</em> of their own (ADR 0019): a
 * second {@code Replicate} call per (peer, dataset), on a channel (so a TCP connection) of its
 * own, opened by the replica right after its data stream. Nothing else is sent on it, so a
 * heartbeat never waits behind data in gRPC's or the kernel's buffers. Until the lane is open
 * (or when it broke), they fall back to the data stream. Data streams honour gRPC flow control:
 * a frame is handed to gRPC only while the call {@code isReady()}; otherwise it waits in the
 * stream's own queue and goes out from the call's on-ready handler. The core's send window
 * (changes and bytes, {@code ReplicationBounds}) bounds that queue; the backlog beyond it stays
 * in the log, visible as pending changes.
 */
public final class PeerTransport implements PeerSender, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeerTransport.class);
  /** Smallest frame sent compressed; smaller ones (acknowledgements, heartbeats) travel as they are. */
  public static final int COMPRESSED_FRAME_BYTES_MIN = 1024;
  /**
   * Most bytes one stream may hold back while gRPC is not ready. The core's send window keeps it
   * far below this (a few MiB); reaching it means a peer stopped reading, and the stream is
   * closed so the peer reconnects and resumes from what it applied.
   */
  public static final long PENDING_FRAME_BYTES_MAX = 64L << 20;

  private final AgentRuntime runtime;
  private final String self;
  private final Function<String, ManagedChannel> channelFactory;
  private final ScheduledExecutorService scheduler;
  private final long reconnectDelayMillis;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Map<String, Stream> streams = new HashMap<>();
  /** Heartbeat lanes by (peer, dataset); touched only on the runtime's logical thread. */
  private final Map<String, Stream> lanes = new HashMap<>();
  /** Per peer, the channel of the heartbeat lanes: a connection apart from the data's. */
  private final Map<String, ManagedChannel> laneChannels = new ConcurrentHashMap<>();
  private final Set<String> cutPeers = ConcurrentHashMap.newKeySet();
  /** Per dataset, the primary this agent replicates from; absent while it is the primary. */
  private final Map<String, String> followedPrimaries = new ConcurrentHashMap<>();
  private final List<Consumer<LinkChange>> linkListeners = new CopyOnWriteArrayList<>();
  private final Map<String, EmulatedLink> links = new HashMap<>();
  // Each change shipped to several replicas is encoded once (send runs on the logical thread).
  // Shared with the store: a primary encodes each change once for its log and every replica (ADR 0037).
  private final io.meridian.agent.wire.ChangeEncodingCache changeEncodings = io.meridian.agent.wire.ChangeEncodingCache.shared();
  private volatile boolean closed;

  /** One open stream; identity tells a replaced stream's late close from the current one's. */
  private static final class Stream {
    final String peer;
    final String dataset;
    /** A heartbeat lane (heartbeats and replies only) rather than a data stream. */
    final boolean lane;
    // Set once, right after the call starts; read only on the runtime's logical thread, which
    // runs the callbacks of the call only after the task that started it.
    StreamObserver<PeerFrame> outbound;
    /** Frames waiting for gRPC to be ready, in send order; logical thread only. */
    final ArrayDeque<PeerFrame> pending = new ArrayDeque<>();
    long pendingBytes;
    /** Whether {@link #pending} holds frames: read by the on-ready handler on a gRPC thread. */
    volatile boolean backlogged;

    Stream(String peer, String dataset, StreamObserver<PeerFrame> outbound) {
      this(peer, dataset, outbound, false);
    }

    Stream(String peer, String dataset, StreamObserver<PeerFrame> outbound, boolean lane) {
      this.peer = peer;
      this.dataset = dataset;
      this.outbound = outbound;
      this.lane = lane;
    }
  }

  /** A frame held back by link emulation until its release time. */
  private record HeldFrame(Stream stream, PeerFrame frame, long releaseAtNanos) {}

  /** One emulated link: its timing and the frames it holds, in send order (release times never fall). */
  private static final class EmulatedLink {
    final LinkEmulator emulator;
    final ArrayDeque<HeldFrame> queue = new ArrayDeque<>();
    boolean drainScheduled;
    // Heartbeats and their replies (issue 7): they travel the one-way delay but not behind the
    // data backlog, as if on a link of their own; in send order among themselves.
    final ArrayDeque<HeldFrame> urgentQueue = new ArrayDeque<>();

    EmulatedLink(LinkEmulator emulator) {
      this.emulator = emulator;
    }
  }

  /**
   * A transport for {@code runtime}.
   *
   * @param channelFactory makes a channel to a peer's address (in-process in tests)
   * @param scheduler runs reconnection attempts
   * @param reconnectDelayMillis wait before reopening a closed stream
   */
  public PeerTransport(AgentRuntime runtime, Function<String, ManagedChannel> channelFactory,
      ScheduledExecutorService scheduler, long reconnectDelayMillis) {
    this.runtime = runtime;
    this.self = runtime.config().region();
    this.channelFactory = channelFactory;
    this.scheduler = scheduler;
    this.reconnectDelayMillis = reconnectDelayMillis;
    runtime.attach(this);
  }

  private static String key(String peer, String dataset) {
    return peer + "\u0000" + dataset;
  }

  /**
   * Opens the streams to every dataset's primary (the decided one after a failover), and follows
   * the primary when a failover decision changes it (ADR 0009).
   */
  public void start() {
    runtime.addListener(event -> {
      if (event instanceof ReplicationEvent.PrimaryChanged) {
        ReplicationEvent.PrimaryChanged changed = (ReplicationEvent.PrimaryChanged) event;
        follow(changed.dataset(), changed.primary());
      }
    });
    java.util.Set<String> singlePrimary = new java.util.HashSet<>();
    for (io.meridian.agent.config.DatasetConfig dataset : runtime.config().datasets()) {
      if (dataset.mode() != io.meridian.agent.config.ReplicationMode.MULTI_PRIMARY
          && dataset.mode() != io.meridian.agent.config.ReplicationMode.QUORUM) {
        singlePrimary.add(dataset.name());
      }
    }
    // A multi-primary dataset has one stream per other region's log, a quorum dataset one per other
    // replica; both are fixed by the configuration.
    for (ReplicationNode.Upstream upstream : ReplicationNode.upstreams(runtime.config())) {
      if (!singlePrimary.contains(upstream.stream())) {
        followedPrimaries.put(upstream.stream(), upstream.peer());
        connect(upstream.peer(), upstream.stream());
      }
    }
    // A single-primary dataset follows its primary: the decided one after a failover.
    for (io.meridian.agent.core.replication.DatasetStatus dataset : runtime.status()) {
      if (singlePrimary.contains(dataset.dataset())) {
        follow(dataset.dataset(), dataset.primary());
      }
    }
  }

  private void follow(String dataset, String primary) {
    if (primary.equals(self)) {
      followedPrimaries.remove(dataset);
      return;
    }
    followedPrimaries.put(dataset, primary);
    connect(primary, dataset);
  }

  /** Listens for link cuts and heals. */
  public void addLinkListener(Consumer<LinkChange> listener) {
    linkListeners.add(listener);
  }

  /** Removes a link listener. */
  public void removeLinkListener(Consumer<LinkChange> listener) {
    linkListeners.remove(listener);
  }

  /** Whether the link to {@code peer} is cut. */
  public boolean isCut(String peer) {
    return cutPeers.contains(peer);
  }

  /** Drops every stream with {@code peer} and refuses new ones until healed; false if already cut. */
  public boolean cut(String peer) {
    if (!cutPeers.add(peer)) {
      return false;
    }
    runtime.execute(() -> {
      for (Stream stream : List.copyOf(streams.values())) {
        if (stream.peer.equals(peer)) {
          close(stream, Status.UNAVAILABLE.withDescription("link to " + peer + " cut by an operator"));
        }
      }
      for (Stream lane : List.copyOf(lanes.values())) {
        if (lane.peer.equals(peer)) {
          close(lane, Status.UNAVAILABLE.withDescription("link to " + peer + " cut by an operator"));
        }
      }
    });
    linkListeners.forEach(listener -> listener.accept(new LinkChange(peer, true)));
    return true;
  }

  /** Allows streams with {@code peer} again and reopens this agent's; false if it was not cut. */
  public boolean heal(String peer) {
    if (!cutPeers.remove(peer)) {
      return false;
    }
    linkListeners.forEach(listener -> listener.accept(new LinkChange(peer, false)));
    for (Map.Entry<String, String> followed : followedPrimaries.entrySet()) {
      if (followed.getValue().equals(peer)) {
        connect(peer, followed.getKey());
      }
    }
    return true;
  }

  private void connect(String peer, String dataset) {
    if (closed || cutPeers.contains(peer)) {
      return;
    }
    String address = runtime.config().peer(peer).orElseThrow().address();
    ManagedChannel channel = channels.computeIfAbsent(peer, unused -> channelFactory.apply(address));
    runtime.execute(() -> {
      if (streams.containsKey(key(peer, dataset)) || closed || cutPeers.contains(peer)) {
        return;
      }
      // The call's callbacks may fire on a transport thread before replicate() returns, so they
      // must find the stream already made.
      Stream stream = new Stream(peer, dataset, null);
      // This task runs on whichever thread drains the logical thread: often one serving an RPC (the
      // heal that reopens the link, a client's put). A call started there inherits that RPC's gRPC
      // Context and is cancelled when that RPC ends ("io.grpc.Context was cancelled without error"),
      // so the new stream died at once and reopened only after the reconnect delay, while its
      // region reported it connected and anti-entropy sent on it. Peer streams belong to no RPC.
      Context outside = Context.ROOT.attach();
      try {
        stream.outbound = PeerReplicationGrpc.newStub(channel).withCompression("gzip")
            .replicate(new ClientResponseObserver<PeerFrame, PeerFrame>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<PeerFrame> requestStream) {
                requestStream.setOnReadyHandler(() -> onReady(stream));
              }

              @Override
              public void onNext(PeerFrame frame) {
                receive(stream, frame);
              }

              @Override
              public void onError(Throwable error) {
                closed(stream, Status.fromThrowable(error).toString(), true);
              }

              @Override
              public void onCompleted() {
                closed(stream, "closed by " + peer, true);
              }
            });
      } finally {
        Context.ROOT.detach(outside);
      }
      streams.put(key(peer, dataset), stream);
      runtime.deliver(new Input.PeerConnected(peer, dataset));
      openLane(peer, dataset, address);
    });
  }

  /**
   * Opens the heartbeat lane for the data stream with {@code peer} for {@code dataset}, on the
   * peer's lane channel; its first frame names it. Runs on the runtime's logical thread.
   */
  private void openLane(String peer, String dataset, String address) {
    if (lanes.containsKey(key(peer, dataset)) || closed || cutPeers.contains(peer)
        || !streams.containsKey(key(peer, dataset))) {
      return;
    }
    ManagedChannel channel = laneChannels.computeIfAbsent(peer, unused -> channelFactory.apply(address));
    Stream lane = new Stream(peer, dataset, null, true);
    Context outside = Context.ROOT.attach(); // as in connect: the lane belongs to no RPC
    try {
      lane.outbound = PeerReplicationGrpc.newStub(channel).replicate(new StreamObserver<>() {
        @Override
        public void onNext(PeerFrame frame) {
          receive(lane, frame);
        }

        @Override
        public void onError(Throwable error) {
          laneClosed(lane, address);
        }

        @Override
        public void onCompleted() {
          laneClosed(lane, address);
        }
      });
    } finally {
      Context.ROOT.detach(outside);
    }
    lanes.put(key(peer, dataset), lane);
    write(lane, PeerFrame.newBuilder().setHeartbeatLaneHello(HeartbeatLaneHello.newBuilder()
        .setProtocolVersion(WireMapping.PROTOCOL_VERSION).setFromRegion(self).setDataset(dataset)).build());
  }

  /** A lane this agent opened ended: reopened after the reconnect delay while its data stream lives. */
  private void laneClosed(Stream lane, String address) {
    runtime.execute(() -> lanes.remove(key(lane.peer, lane.dataset), lane));
    if (!closed) {
      scheduler.schedule(() -> runtime.execute(() -> openLane(lane.peer, lane.dataset, address)),
          reconnectDelayMillis, TimeUnit.MILLISECONDS);
    }
  }

  /** Whether the heartbeat lane with {@code peer} for {@code dataset} is open, read on the logical thread. */
  public boolean heartbeatLaneOpen(String peer, String dataset) {
    return runtime.ask("whether a heartbeat lane is open", true, () -> lanes.containsKey(key(peer, dataset)));
  }

  /** Bytes held for {@code peer}'s {@code dataset} stream while gRPC was not ready, read on the logical thread. */
  public long pendingFrameBytes(String peer, String dataset) {
    return runtime.ask("the bytes held for a stream", true, () -> {
      Stream stream = streams.get(key(peer, dataset));
      return stream == null ? 0L : stream.pendingBytes;
    });
  }

  /** The call of {@code stream} can take more: sends what waited, on the logical thread. */
  private void onReady(Stream stream) {
    if (stream.backlogged) {
      runtime.execute(() -> flush(stream));
    }
  }

  private void receive(Stream stream, PeerFrame frame) {
    if (stream.lane && frame.getFrameCase() != PeerFrame.FrameCase.HEARTBEAT
        && frame.getFrameCase() != PeerFrame.FrameCase.HEARTBEAT_REPLY) {
      String reason = "a heartbeat lane carries only heartbeats and their replies, not " + frame.getFrameCase();
      runtime.publish(new ReplicationEvent.ProtocolViolation(stream.peer, stream.dataset, reason));
      runtime.execute(() -> close(stream, Status.INVALID_ARGUMENT.withDescription(reason)));
      return;
    }
    PeerMessage message;
    try {
      message = WireMapping.fromFrame(stream.dataset, frame, changeEncodings); // ADR 0041
    } catch (MalformedMessageException e) {
      runtime.publish(new ReplicationEvent.ProtocolViolation(stream.peer, stream.dataset, e.getMessage()));
      runtime.execute(() -> close(stream, Status.INVALID_ARGUMENT.withDescription(e.getMessage())));
      return;
    }
    HopTrace.message("received", stream.peer, message);
    runtime.deliver(new Input.PeerMessageReceived(stream.peer, message));
  }

  private void closed(Stream stream, String reason, boolean reconnect) {
    runtime.execute(() -> {
      if (streams.remove(key(stream.peer, stream.dataset), stream)) {
        stream.pending.clear();
        runtime.deliver(new Input.PeerDisconnected(stream.peer, stream.dataset, reason));
        closeLane(stream.peer, stream.dataset, Status.UNAVAILABLE.withDescription("data stream closed: " + reason));
      }
    });
    // Only the stream to the primary this agent follows is reopened from here; a replica reopens
    // its own stream to this agent when it is the primary.
    if (reconnect && !closed && stream.peer.equals(followedPrimaries.get(stream.dataset))) {
      scheduler.schedule(() -> connect(stream.peer, stream.dataset), reconnectDelayMillis, TimeUnit.MILLISECONDS);
    }
  }

  // Runs on the runtime's logical thread.
  private void close(Stream stream, Status status) {
    if (registry(stream).remove(key(stream.peer, stream.dataset), stream)) {
      try {
        stream.outbound.onError(status.asRuntimeException());
      } catch (RuntimeException alreadyGone) {
        // The call ended on its own first (the peer hung up); there is nobody left to tell.
        log.debug("{}: stream with {} already closed: {}", self, stream.peer, alreadyGone.getMessage());
      }
      stream.pending.clear();
      if (!stream.lane) {
        runtime.deliver(new Input.PeerDisconnected(stream.peer, stream.dataset, status.getDescription()));
        closeLane(stream.peer, stream.dataset, status);
      }
    }
  }

  /** The lane lives and dies with its data stream. Runs on the runtime's logical thread. */
  private void closeLane(String peer, String dataset, Status status) {
    Stream lane = lanes.get(key(peer, dataset));
    if (lane != null) {
      close(lane, status);
    }
  }

  private Map<String, Stream> registry(Stream stream) {
    return stream.lane ? lanes : streams;
  }

  private static boolean ready(Stream stream) {
    return !(stream.outbound instanceof CallStreamObserver<?> call) || call.isReady();
  }

  /**
   * Sends one frame, or queues it while gRPC is not ready for more (flow control, ADR 0019): a
   * slow peer then holds frames here, bounded by the core's send window, rather than in gRPC's
   * buffers. Lanes skip the queue: their frames are few and small.
   */
  // Runs on the runtime's logical thread.
  private void emit(Stream stream, PeerFrame frame) {
    if (stream.lane || (stream.pending.isEmpty() && ready(stream))) {
      write(stream, frame);
      return;
    }
    int bytes = frame.getSerializedSize();
    if (stream.pendingBytes + bytes > PENDING_FRAME_BYTES_MAX) {
      close(stream, Status.RESOURCE_EXHAUSTED.withDescription(stream.peer + " read nothing while " + self
          + " held " + stream.pendingBytes + " bytes for it (limit PENDING_FRAME_BYTES_MAX); the stream is"
          + " reopened and resumes from what " + stream.peer + " applied"));
      return;
    }
    stream.pending.addLast(frame);
    stream.pendingBytes += bytes;
    stream.backlogged = true;
    // gRPC calls the on-ready handler only when readiness turns true; if it did so between the
    // check above and the flag, the handler saw no backlog, so look again now.
    if (ready(stream)) {
      flush(stream);
    }
  }

  /** Sends queued frames while gRPC is ready. Runs on the runtime's logical thread. */
  private void flush(Stream stream) {
    while (!stream.pending.isEmpty() && ready(stream)
        && registry(stream).get(key(stream.peer, stream.dataset)) == stream) {
      PeerFrame frame = stream.pending.pollFirst();
      stream.pendingBytes -= frame.getSerializedSize();
      write(stream, frame);
    }
    stream.backlogged = !stream.pending.isEmpty();
  }

  /**
   * Sends one frame. A stream whose call has ended under us (the peer was killed, the network
   * dropped it) throws from {@code onNext}; that is a disconnect, not a fault of the replication
   * core, so it is reported as one instead of escaping into the runtime.
   */
  // Runs on the runtime's logical thread.
  private void write(Stream stream, PeerFrame frame) {
    try {
      if (stream.outbound instanceof CallStreamObserver<?> call) {
        // Acknowledgements, heartbeats and small batches gain nothing from gzip, and each
        // compressed message costs a fresh compressor; only sizeable frames are compressed.
        call.setMessageCompression(frame.getSerializedSize() >= COMPRESSED_FRAME_BYTES_MIN);
      }
      stream.outbound.onNext(frame);
    } catch (RuntimeException gone) {
      if (registry(stream).remove(key(stream.peer, stream.dataset), stream)) {
        stream.pending.clear();
        if (!stream.lane) {
          runtime.deliver(new Input.PeerDisconnected(stream.peer, stream.dataset,
              "stream ended while sending: " + Status.fromThrowable(gone).getCode()));
          closeLane(stream.peer, stream.dataset, Status.UNAVAILABLE.withDescription("data stream ended"));
        }
      }
    }
  }

  // A batch or acknowledgement leaving for the network after its emulated delay; "since" is the
  // release time the emulator set, so the difference is the scheduling's lateness (ADR 0051).
  private static void traceWire(HeldFrame held) {
    PeerFrame frame = held.frame;
    if (frame.hasBatch()) {
      HopTrace.record("wire-batch", held.stream.peer, held.stream.dataset,
          frame.getBatch().getLastSequence(), held.releaseAtNanos);
    } else if (frame.hasAck()) {
      HopTrace.record("wire-ack", held.stream.peer, held.stream.dataset,
          frame.getAck().getAppliedSequence(), held.releaseAtNanos);
    }
  }

  @Override
  public void send(String peer, PeerMessage message) {
    Stream stream = streams.get(key(peer, message.dataset()));
    if (stream == null) {
      return;
    }
    PeerFrame frame = WireMapping.toFrame(self, message, changeEncodings::encode);
    HopTrace.message("sent", peer, message);
    boolean urgent = isUrgent(message);
    if (urgent) {
      // On the lane when it is open, so they never queue behind data; on the data stream before.
      stream = lanes.getOrDefault(key(peer, message.dataset()), stream);
    }
    LinkEmulation emulation = runtime.config().peer(peer).map(PeerConfig::emulation).orElse(LinkEmulation.NONE);
    if (!emulation.enabled()) {
      emit(stream, frame);
      return;
    }
    // One emulated link per peer: all datasets share it, as they would share a WAN path.
    EmulatedLink link = links.computeIfAbsent(peer,
        p -> new EmulatedLink(new LinkEmulator(emulation, (self + p).hashCode())));
    long now = System.nanoTime();
    if (urgent) {
      long release = link.emulator.urgentReleaseAtNanos(now);
      link.urgentQueue.addLast(new HeldFrame(stream, frame, release));
      scheduler.schedule(() -> runtime.executeUrgent(() -> drainUrgent(link)), release - now, TimeUnit.NANOSECONDS);
      return;
    }
    long release = link.emulator.releaseAtNanos(now, frame.getSerializedSize());
    link.queue.addLast(new HeldFrame(stream, frame, release));
    if (!link.drainScheduled) {
      link.drainScheduled = true;
      scheduler.schedule(() -> runtime.executeUrgent(() -> drain(link)), release - now, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Emits, in the order they were sent, every held frame of {@code link} whose release time has
   * come, then schedules itself for the next one. One drain per link at a time, so two frames
   * due together can never overtake each other on the scheduler's threads (a replica would see
   * the later batch first as a gap and ask for a resend, costing a round trip).
   *
   * <p>Drains take the runtime's urgent lane (ADR 0038): a frame whose emulated delay has passed
   * has already spent its time on the wire, so it must not also wait behind the client writes and
   * incoming batches queued for the logical thread. Emitting is cheap (no store or core work) and
   * the lane keeps the thread confinement and the send order.
   */
  // Runs on the runtime's logical thread.
  private void drain(EmulatedLink link) {
    long now = System.nanoTime();
    while (!link.queue.isEmpty() && link.queue.peekFirst().releaseAtNanos <= now) {
      HeldFrame held = link.queue.pollFirst();
      if (registry(held.stream).get(key(held.stream.peer, held.stream.dataset)) == held.stream) {
        if (HopTrace.ENABLED) {
          traceWire(held);
        }
        emit(held.stream, held.frame);
      }
    }
    if (link.queue.isEmpty() || closed) {
      link.drainScheduled = false;
      link.queue.clear();
      return;
    }
    scheduler.schedule(() -> runtime.executeUrgent(() -> drain(link)), link.queue.peekFirst().releaseAtNanos - now,
        TimeUnit.NANOSECONDS);
  }

  /** Whether {@code message} skips the data backlog of its link: a heartbeat or a reply to one. */
  static boolean isUrgent(PeerMessage message) {
    return message instanceof PeerMessage.Heartbeat || message instanceof PeerMessage.HeartbeatReply;
  }

  /**
   * Emits every urgent frame of {@code link} whose release time has come, in send order. One
   * drain is scheduled per urgent frame; a drain that finds its frame already sent does nothing.
   */
  // Runs on the runtime's logical thread.
  private void drainUrgent(EmulatedLink link) {
    long now = System.nanoTime();
    while (!link.urgentQueue.isEmpty() && link.urgentQueue.peekFirst().releaseAtNanos <= now) {
      HeldFrame held = link.urgentQueue.pollFirst();
      if (!closed && registry(held.stream).get(key(held.stream.peer, held.stream.dataset)) == held.stream) {
        emit(held.stream, held.frame);
      }
    }
  }

  @Override
  public void disconnect(String peer, String dataset, String reason) {
    Stream stream = streams.get(key(peer, dataset));
    if (stream != null) {
      close(stream, Status.INVALID_ARGUMENT.withDescription(reason));
    }
  }

  /** The server side: accepts streams opened by replicas. */
  public PeerReplicationGrpc.PeerReplicationImplBase service() {
    return new PeerReplicationGrpc.PeerReplicationImplBase() {
      @Override
      public StreamObserver<PeerFrame> replicate(StreamObserver<PeerFrame> responseObserver) {
        ServerCallStreamObserver<PeerFrame> call = (ServerCallStreamObserver<PeerFrame>) responseObserver;
        call.setCompression("gzip");
        Stream[] accepted = new Stream[1];
        call.setOnReadyHandler(() -> {
          Stream stream = accepted[0];
          if (stream != null) {
            onReady(stream);
          }
        });
        StreamObserver<PeerFrame> inbound = new StreamObserver<>() {
          private volatile Stream stream;

          @Override
          public void onNext(PeerFrame frame) {
            if (stream != null) {
              receive(stream, frame);
              return;
            }
            if (frame.getFrameCase() == PeerFrame.FrameCase.HEARTBEAT_LANE_HELLO) {
              stream = acceptLane(frame.getHeartbeatLaneHello(), responseObserver);
              return;
            }
            if (frame.getFrameCase() != PeerFrame.FrameCase.HELLO) {
              responseObserver.onError(Status.INVALID_ARGUMENT
                  .withDescription("the first frame on a replication stream must be a hello").asRuntimeException());
              return;
            }
            if (frame.getHello().getProtocolVersion() != WireMapping.PROTOCOL_VERSION) {
              responseObserver.onError(Status.FAILED_PRECONDITION.withDescription("peer protocol version "
                  + frame.getHello().getProtocolVersion() + " is not supported by " + self + ", which speaks "
                  + WireMapping.PROTOCOL_VERSION + "; upgrade the agents to the same release").asRuntimeException());
              return;
            }
            String peer = frame.getHello().getFromRegion();
            String dataset = frame.getHello().getDataset();
            if (runtime.config().peer(peer).isEmpty()) {
              responseObserver.onError(Status.PERMISSION_DENIED
                  .withDescription(peer + " is not a configured peer of " + self).asRuntimeException());
              return;
            }
            if (cutPeers.contains(peer)) {
              responseObserver.onError(Status.UNAVAILABLE
                  .withDescription("link from " + peer + " to " + self + " is cut").asRuntimeException());
              return;
            }
            Stream opened = new Stream(peer, dataset, responseObserver);
            stream = opened;
            accepted[0] = opened;
            runtime.execute(() -> {
              Stream previous = streams.put(key(peer, dataset), opened);
              if (previous != null) {
                try {
                  previous.outbound.onError(Status.ABORTED.withDescription("replaced by a newer stream")
                      .asRuntimeException());
                } catch (RuntimeException alreadyGone) {
                  log.debug("{}: replaced stream with {} had already ended", self, peer);
                }
                runtime.deliver(new Input.PeerDisconnected(peer, dataset, "replaced by a newer stream"));
              }
              runtime.deliver(new Input.PeerConnected(peer, dataset));
            });
            receive(opened, frame);
          }

          @Override
          public void onError(Throwable error) {
            if (stream != null && stream.lane) {
              Stream lane = stream;
              runtime.execute(() -> lanes.remove(key(lane.peer, lane.dataset), lane));
            } else if (stream != null) {
              closed(stream, Status.fromThrowable(error).toString(), true);
            }
          }

          @Override
          public void onCompleted() {
            if (stream != null && stream.lane) {
              Stream lane = stream;
              runtime.execute(() -> lanes.remove(key(lane.peer, lane.dataset), lane));
            } else if (stream != null) {
              closed(stream, "closed by " + stream.peer, true);
            }
            // Frames to this stream are sent on the runtime's logical thread; finish there too.
            runtime.execute(responseObserver::onCompleted);
          }
        };
        // With a cancel handler set, gRPC turns sends on a cancelled call into no-ops instead of
        // throwing; the handler reports the peer as gone.
        call.setOnCancelHandler(() -> inbound.onError(
            Status.CANCELLED.withDescription("peer hung up").asRuntimeException()));
        return inbound;
      }
    };
  }

  /**
   * Accepts a heartbeat lane a replica opened, replacing an older one for the same (peer,
   * dataset); null (and the call refused with the reason) when the peer may not open one.
   */
  private Stream acceptLane(HeartbeatLaneHello hello, StreamObserver<PeerFrame> responseObserver) {
    String peer = hello.getFromRegion();
    String dataset = hello.getDataset();
    if (hello.getProtocolVersion() != WireMapping.PROTOCOL_VERSION || runtime.config().peer(peer).isEmpty()
        || cutPeers.contains(peer)) {
      responseObserver.onError(Status.FAILED_PRECONDITION.withDescription("heartbeat lane from " + peer
          + " refused by " + self + ": not a configured peer, link cut, or protocol version "
          + hello.getProtocolVersion() + " (this agent speaks " + WireMapping.PROTOCOL_VERSION + ")")
          .asRuntimeException());
      return null;
    }
    Stream lane = new Stream(peer, dataset, responseObserver, true);
    runtime.execute(() -> {
      Stream previous = lanes.put(key(peer, dataset), lane);
      if (previous != null) {
        try {
          previous.outbound.onError(Status.ABORTED.withDescription("replaced by a newer lane").asRuntimeException());
        } catch (RuntimeException alreadyGone) {
          log.debug("{}: replaced heartbeat lane with {} had already ended", self, peer);
        }
      }
    });
    return lane;
  }

  @Override
  public void close() {
    closed = true;
    runtime.execute(() -> {
      for (Stream stream : List.copyOf(streams.values())) {
        close(stream, Status.UNAVAILABLE.withDescription(self + " is shutting down"));
      }
      for (Stream lane : List.copyOf(lanes.values())) {
        close(lane, Status.UNAVAILABLE.withDescription(self + " is shutting down"));
      }
    });
    channels.values().forEach(ManagedChannel::shutdownNow);
    laneChannels.values().forEach(ManagedChannel::shutdownNow);
  }
}

package io.meridian.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.core.replication.DatasetStatus;
import io.meridian.agent.core.replication.PeerLinkStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves that a replica whose data stream to its primary stops carrying frames in both directions
// while staying open (heartbeats still arrive on their own lane, so it looks connected: the live
// view's "connected, 0 changes/s, health OK" freeze after a heal, issue 4) reports itself stalled
// and catches up on a stream it reopens, with real gRPC streams on loopback. The freeze is made by
// an interceptor on the replica's data channel that, once told to, swallows what that call sends
// and receives (so gRPC flow control stops the primary's side too); calls opened later are normal.
class FrozenStreamTransportTest {
  private static final String ORDERS = LoopbackAgents.ORDERS;

  @TempDir
  Path dataDirectory;

  private LoopbackAgents agents;
  /** The replica's data channel to the primary: the first channel it makes to that address. */
  private final Set<String> dataChannelMade = ConcurrentHashMap.newKeySet();
  private final List<AtomicBoolean> dataCalls = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopAgents() {
    if (agents != null) {
      agents.close();
    }
  }

  /** Swallows everything a call sends and receives once its flag is set. */
  private final class Freezer implements ClientInterceptor {
    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      AtomicBoolean frozen = new AtomicBoolean();
      dataCalls.add(frozen);
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
            @Override
            public void onMessage(R message) {
              if (!frozen.get()) {
                super.onMessage(message);
              }
            }
          }, headers);
        }

        @Override
        public void sendMessage(Q message) {
          if (!frozen.get()) {
            super.sendMessage(message);
          }
        }
      };
    }
  }

  /** b's first channel to an address is its data channel, which the test can freeze; others are left alone. */
  private ManagedChannel freezable(String region, String address, ManagedChannel channel) {
    if (!region.equals("b") || !dataChannelMade.add(address)) {
      return channel;
    }
    return new InterceptedChannel(channel, new Freezer());
  }

  /** Puts {@code count} values from {@code from} on, each retried while the primary pushes back. */
  private static void put(KvGrpc.KvBlockingStub kv, int from, int count) {
    LoopbackAgents.putRetryingPushback(kv, from, count, i -> { });
  }

  private PeerLinkStatus replicaLink() {
    DatasetStatus status = agents.agent("b").runtime().status().get(0);
    return status.peers().get(0);
  }

  @Test
  void replicaOnAStreamThatStoppedCarryingDataReportsTheStallAndCatchesUpOnANewStream() throws Exception {
    agents = new LoopbackAgents(dataDirectory, List.of("a", "b"));
    agents.start(LinkEmulation.NONE, this::freezable);
    KvGrpc.KvBlockingStub kv = KvGrpc.newBlockingStub(agents.channel("a"));
    put(kv, 0, 200);
    long first = agents.store("a").lastSequence(ORDERS);
    await("b caught up before the freeze").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(agents.store("b").lastSequence(ORDERS)).isEqualTo(first));

    // Freeze every data call b has open; the streams stay open and heartbeats keep arriving.
    dataCalls.forEach(call -> call.set(true));
    // Written alongside: while b is frozen the primary may refuse writes (it still answers heartbeats).
    java.util.concurrent.CompletableFuture<Void> writes =
        java.util.concurrent.CompletableFuture.runAsync(() -> put(kv, 200, 300));

    // Within the stall bound (five hellos, 5 s by default) b says it is stalled: connected, behind.
    await("b reporting itself stalled while connected").atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
          PeerLinkStatus link = replicaLink();
          assertThat(link.stalledMillis()).as("stalled for, in %s", link).isPositive();
          assertThat(link.connected()).as("connected, in %s", link).isTrue();
        });
    // Then it closes the frozen stream and catches up on a new one.
    writes.get(90, java.util.concurrent.TimeUnit.SECONDS);
    long head = agents.store("a").lastSequence(ORDERS);
    await("b caught up after reopening its stream").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(agents.store("b").lastSequence(ORDERS)).as("b's log (a's ends at %d)", head).isEqualTo(head));
    await("b no longer stalled").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(replicaLink().stalledMillis()).isZero());
  }

  /** A managed channel whose calls go through an interceptor; shutting it down shuts the real one. */
  private static final class InterceptedChannel extends ManagedChannel {
    private final ManagedChannel delegate;
    private final Channel intercepted;

    InterceptedChannel(ManagedChannel delegate, ClientInterceptor interceptor) {
      this.delegate = delegate;
      this.intercepted = ClientInterceptors.intercept(delegate, interceptor);
    }

    @Override
    public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
      return intercepted.newCall(method, options);
    }

    @Override
    public String authority() {
      return delegate.authority();
    }

    @Override
    public ManagedChannel shutdown() {
      delegate.shutdown();
      return this;
    }

    @Override
    public boolean isShutdown() {
      return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return delegate.isTerminated();
    }

    @Override
    public ManagedChannel shutdownNow() {
      delegate.shutdownNow();
      return this;
    }

    @Override
    public boolean awaitTermination(long timeout, java.util.concurrent.TimeUnit unit) throws InterruptedException {
      return delegate.awaitTermination(timeout, unit);
    }
  }
}

package io.meridian.app.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.GetResponse;
import io.meridian.agent.api.v1.HlcTimestamp;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.PutResponse;
import io.meridian.agent.api.v1.ReadConsistency;
import io.meridian.agent.api.v1.Version;
import io.meridian.agent.core.replication.SessionToken;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Proves that `meridian load` times a lag probe by the replica's own stamp of when it answered the
 * read that found the write, not by when the answer reached the (possibly busy) load generator:
 * the scripted replica stamps every probe exactly 40 ms after its commit while the commit times
 * lie seconds in the past, so any client-side timing would show seconds. Probes whose token lets
 * the replica wait are read at session consistency with that token, and an answer the replica
 * forwarded elsewhere is not counted; quorum probes are polled at eventual. The agents are real
 * gRPC servers on 127.0.0.1 whose answers the test scripts.
 */
class LagProbeTest {
  /** How far in the past the scripted primary dates its commits. */
  private static final long COMMITTED_AGO_MILLIS = 5_000;
  /** The visibility delay the scripted replica stamps on its answers. */
  private static final long VISIBLE_AFTER_MICROS = 40_000;

  private final List<Server> servers = new ArrayList<>();
  private final Map<String, AgentClient> clients = new LinkedHashMap<>();
  private final Map<ByteString, Long> committedMillis = new ConcurrentHashMap<>();
  private final List<GetRequest> replicaReads = new CopyOnWriteArrayList<>();
  private final AtomicLong sequence = new AtomicLong();

  @AfterEach
  void stop() throws InterruptedException {
    clients.values().forEach(AgentClient::close);
    for (Server server : servers) {
      server.shutdownNow().awaitTermination();
    }
  }

  private void agent(String region, KvGrpc.KvImplBase service) throws Exception {
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(service).build().start();
    servers.add(server);
    clients.put(region, new AgentClient(region, "127.0.0.1:" + server.getPort()));
  }

  /** A primary whose puts commit {@link #COMMITTED_AGO_MILLIS} ago with the token {@code token} makes. */
  private void primary(LongFunction<SessionToken.Position> token) throws Exception {
    agent("us-east", new KvGrpc.KvImplBase() {
      @Override
      public void put(PutRequest request, StreamObserver<PutResponse> response) {
        long committed = System.currentTimeMillis() - COMMITTED_AGO_MILLIS;
        long number = sequence.incrementAndGet();
        committedMillis.put(request.getKey(), committed);
        response.onNext(PutResponse.newBuilder()
            .setVersion(Version.newBuilder().setSequence(number).setEpoch(1).setOriginRegion("us-east")
                .setCommittedByRegion("us-east")
                .setTimestamp(HlcTimestamp.newBuilder().setPhysicalMillis(committed)))
            .setSessionToken(ByteString.copyFrom(
                new SessionToken(request.getDataset(), token.apply(number)).toBytes()))
            .build());
        response.onCompleted();
      }

      @Override
      public void get(GetRequest request, StreamObserver<GetResponse> response) {
        response.onNext(GetResponse.newBuilder().setServedByRegion("us-east").build());
        response.onCompleted();
      }
    });
  }

  /**
   * A replica that answers the first read of each probe as forwarded to the primary (stamped 1 ms
   * after the commit, which must not count) and every later one itself, stamped {@link
   * #VISIBLE_AFTER_MICROS} after the commit.
   */
  private void replica() throws Exception {
    Set<ByteString> askedOnce = ConcurrentHashMap.newKeySet();
    agent("eu-central", new KvGrpc.KvImplBase() {
      @Override
      public void get(GetRequest request, StreamObserver<GetResponse> response) {
        replicaReads.add(request);
        Long committed = committedMillis.get(request.getKey());
        GetResponse.Builder answer = GetResponse.newBuilder().setServedByRegion("eu-central");
        if (committed != null) {
          answer.setFound(true).setValue(ByteString.copyFromUtf8("probe"));
          if (askedOnce.add(request.getKey())) {
            answer.setServedByRegion("us-east").setServedAtUnixMicros(committed * 1000 + 1_000);
          } else {
            answer.setServedAtUnixMicros(committed * 1000 + VISIBLE_AFTER_MICROS);
          }
        }
        response.onNext(answer.build());
        response.onCompleted();
      }
    });
  }

  private LoadResult runProbes() throws InterruptedException {
    // One call to each fake agent first: connecting is slow on a loaded machine, and the run's
    // probes have bounded time (LoadGenerator.PROBE_TIMEOUT, DRAIN_TIMEOUT) to be answered.
    for (AgentClient client : clients.values()) {
      client.kv().withDeadlineAfter(60, TimeUnit.SECONDS)
          .get(GetRequest.newBuilder().setDataset("orders").setKey(ByteString.copyFromUtf8("warm-up")).build());
    }
    replicaReads.clear();
    LoadOptions options = new LoadOptions("orders", 20, Duration.ofSeconds(1), 10, 1.0,
        List.of("us-east"), "us-east", List.of("eu-central"), 100, 10, 20);
    return new LoadGenerator(clients, options, progress -> { }).run();
  }

  @Test
  void lagIsTheReplicasStampOfVisibilityNotTheAnswersArrival() throws Exception {
    primary(number -> new SessionToken.LogPosition(1, number));
    replica();

    LoadResult result = runProbes();

    LoadResult.Percentiles lag = result.lagByRegion().get("eu-central");
    assertThat(result.probesSent()).isPositive();
    assertThat(result.probesNotVisible()).isZero();
    assertThat(lag.count()).isEqualTo(result.probesSent());
    assertThat(lag.p50Millis()).isBetween(39.9, 40.1);
    assertThat(lag.maxMillis()).as("a forwarded answer (1 ms) or the client's clock (5 s) leaked in")
        .isBetween(39.9, 40.1);
    assertThat(replicaReads).allSatisfy(read -> {
      assertThat(read.getConsistency()).isEqualTo(ReadConsistency.READ_CONSISTENCY_SESSION);
      assertThat(read.getSessionToken()).isNotEmpty();
    });
  }

  @Test
  void quorumProbesArePolledAtEventualBecauseASessionReadWouldAskOtherReplicas() throws Exception {
    primary(number -> new SessionToken.ClockPosition(System.currentTimeMillis(), 0, 2));
    replica();

    LoadResult result = runProbes();

    assertThat(result.probesSent()).isPositive();
    assertThat(result.lagByRegion().get("eu-central").count()).isEqualTo(result.probesSent());
    assertThat(replicaReads).allSatisfy(read -> {
      assertThat(read.getConsistency()).isEqualTo(ReadConsistency.READ_CONSISTENCY_EVENTUAL);
      assertThat(read.getSessionToken()).isEmpty();
    });
  }
}

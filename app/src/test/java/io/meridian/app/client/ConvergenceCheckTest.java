package io.meridian.app.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.GetResponse;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.api.v1.Version;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Proves the load's convergence check waits until every replica answers the same for the
 * compared keys (ignoring which region served the read and when), reports how many rounds that took, and
 * reports a replica that never catches up as not converged, naming the key and both answers.
 * The replicas are real gRPC servers on 127.0.0.1 whose answers the test scripts.
 */
class ConvergenceCheckTest {
  private final List<Server> servers = new ArrayList<>();
  private final Map<String, AgentClient> clients = new LinkedHashMap<>();

  @AfterEach
  void stop() throws InterruptedException {
    clients.values().forEach(AgentClient::close);
    for (Server server : servers) {
      server.shutdownNow().awaitTermination();
    }
  }

  /** A replica answering the n-th read (from 0) with {@code answer.apply(n)}. */
  private void replica(String region, IntFunction<GetResponse> answer) throws Exception {
    AtomicInteger reads = new AtomicInteger();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new KvGrpc.KvImplBase() {
          @Override
          public void get(GetRequest request, StreamObserver<GetResponse> response) {
            // Each answer names its region and is stamped when served, as an agent's are: replicas
            // that agree still differ there.
            response.onNext(answer.apply(reads.getAndIncrement()).toBuilder().setServedByRegion(region)
                .setServedAtUnixMicros(System.nanoTime() / 1000).build());
            response.onCompleted();
          }
        }).build().start();
    servers.add(server);
    clients.put(region, new AgentClient(region, "127.0.0.1:" + server.getPort()));
  }

  /** One read at each replica first, so that connecting (slow on a loaded machine) is not timed. */
  private void connect() {
    clients.values().forEach(client -> client.kv().withDeadlineAfter(60, TimeUnit.SECONDS)
        .get(GetRequest.newBuilder().setDataset("profiles").setKey(ByteString.copyFromUtf8("warm-up")).build()));
  }

  private static GetResponse value(String value, String region, long sequence) {
    return GetResponse.newBuilder().setFound(true).setValue(ByteString.copyFromUtf8(value))
        .setVersion(Version.newBuilder().setOriginRegion(region).setCommittedByRegion(region).setSequence(sequence))
        .build();
  }

  @Test
  void convergesOnceTheLaggingReplicaAnswersLikeTheOthers() throws Exception {
    replica("virginia", n -> value("winner", "iowa", 7));
    replica("iowa", n -> value("winner", "iowa", 7));
    // Montréal has not applied Iowa's write for its first four reads (the first is connect's).
    replica("montreal", n -> n < 4 ? value("loser", "montreal", 3) : value("winner", "iowa", 7));
    connect();
    long lastAck = System.nanoTime();

    ConvergenceCheck.Result result = new ConvergenceCheck(clients, "profiles",
        List.of(ByteString.copyFromUtf8("load-shared-0"))).await(lastAck, lastAck);

    assertThat(result.converged()).isTrue();
    assertThat(result.rounds()).isEqualTo(4);
    assertThat(result.replicas()).isEqualTo(3);
    assertThat(result.millisAfterLastAck()).isPositive();
    assertThat(result.line()).startsWith("converged after ");
  }

  @Test
  void aReplicaThatNeverCatchesUpIsReportedWithTheKeyAndBothAnswers() throws Exception {
    replica("virginia", n -> value("winner", "iowa", 7));
    replica("montreal", n -> GetResponse.newBuilder().setFound(false).build());
    connect();
    long lastAck = System.nanoTime();

    ConvergenceCheck.Result result = new ConvergenceCheck(clients, "profiles",
        List.of(ByteString.copyFromUtf8("load-iowa-42")), Duration.ofMillis(1500)).await(lastAck, lastAck);

    assertThat(result.converged()).isFalse();
    assertThat(result.millisAfterLastAck()).isGreaterThanOrEqualTo(1500); // it kept reading until the timeout
    assertThat(result.difference()).contains("load-iowa-42").contains("virginia has version")
        .contains("montreal has nothing");
    assertThat(result.line()).startsWith("NOT converged");
  }
}

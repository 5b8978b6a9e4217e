package io.meridian.app.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.meridian.agent.api.v1.BatchPutRequest;
import io.meridian.agent.api.v1.BatchPutResponse;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.api.v1.PutResult;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Proves that `meridian load` behaves as the refusal asks when a primary sheds writes with
 * RESOURCE_EXHAUSTED (its backlog bound, ADR 0037 and ADR 0041): it counts every refused put
 * exactly once, under its message, and backs off from that region for a moment instead of
 * answering each refusal with more writes, counting what it did not send as shed. The primary is
 * a real gRPC server on 127.0.0.1 that refuses every put.
 */
class LoadPushbackTest {
  private static final String REFUSAL = "dataset orders: replica eu-central is 120 ms behind; slow down";

  private Server server;
  private AgentClient client;

  @AfterEach
  void stop() throws InterruptedException {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination();
    }
  }

  @Test
  void refusedPutsAreCountedOnceEachAndTheRegionIsGivenABreak() throws Exception {
    AtomicLong refused = new AtomicLong();
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new KvGrpc.KvImplBase() {
          @Override
          public StreamObserver<BatchPutRequest> batchPut(StreamObserver<BatchPutResponse> responses) {
            return new StreamObserver<>() {
              @Override
              public void onNext(BatchPutRequest request) {
                BatchPutResponse.Builder answer = BatchPutResponse.newBuilder().setBatchId(request.getBatchId());
                for (int i = 0; i < request.getEntriesCount(); i++) {
                  answer.addResults(PutResult.newBuilder()
                      .setErrorCode(Status.Code.RESOURCE_EXHAUSTED.value()).setErrorMessage(REFUSAL));
                }
                refused.addAndGet(request.getEntriesCount());
                synchronized (responses) {
                  responses.onNext(answer.build());
                }
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {
                responses.onCompleted();
              }
            };
          }
        }).build().start();
    client = new AgentClient("us-east", "127.0.0.1:" + server.getPort());
    // 2,000 writes/s for 2 s, no probes; an in-flight bound nothing can reach, so all shedding
    // comes from backing off.
    LoadOptions options = new LoadOptions("orders", 2_000, Duration.ofSeconds(2), 10, 0.0,
        List.of("us-east"), "us-east", List.of(), 1_000_000, 100, 0);

    LoadResult result = new LoadGenerator(Map.of("us-east", client), options, progress -> { }).run();

    assertThat(result.writes()).isZero();
    assertThat(result.errors()).as("every refused put counted once").isEqualTo(refused.get()).isPositive();
    assertThat(result.errorSamples()).containsExactly(refused.get() + " x RESOURCE_EXHAUSTED: " + REFUSAL);
    assertThat(result.shed()).as("puts not sent while backing off").isPositive();
    assertThat(result.errors() + result.shed()).as("every put due either refused or shed").isEqualTo(4_000);
  }
}

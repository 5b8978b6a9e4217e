package io.meridian.app.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.meridian.agent.api.v1.BatchPutRequest;
import io.meridian.agent.api.v1.BatchPutResponse;
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.GetResponse;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.api.v1.ReadConsistency;
import io.meridian.app.client.AgentClient;
import io.meridian.app.client.LoadGenerator;
import io.meridian.app.client.LoadOptions;
import io.meridian.app.client.LoadResult;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves that the load panel's read consistency choice reaches the agents in every Get request,
 * and that reads an agent refuses at that level come back as errors with the agent's reason.
 * The agent is a real gRPC server on 127.0.0.1 that refuses strong reads, as an async dataset's
 * agent does.
 */
class LoadPanelConsistencyTest {
  private static final String REFUSAL =
      "dataset orders is async: strong reads need consensus mode";

  private final Set<ReadConsistency> levelsSeen = ConcurrentHashMap.newKeySet();
  private Server server;
  private AgentClient client;

  @BeforeEach
  void startAgent() throws Exception {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new KvGrpc.KvImplBase() {
          @Override
          public void get(GetRequest request, StreamObserver<GetResponse> response) {
            levelsSeen.add(request.getConsistency());
            if (request.getConsistency() == ReadConsistency.READ_CONSISTENCY_STRONG) {
              response.onError(Status.FAILED_PRECONDITION.withDescription(REFUSAL)
                  .asRuntimeException());
              return;
            }
            response.onNext(GetResponse.newBuilder().setFound(false).build());
            response.onCompleted();
          }

          @Override
          public StreamObserver<BatchPutRequest> batchPut(
              StreamObserver<BatchPutResponse> response) {
            return new StreamObserver<>() {
              @Override
              public void onNext(BatchPutRequest request) {}

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {
                response.onCompleted();
              }
            };
          }
        })
        .build().start();
    client = new AgentClient("us-east", "127.0.0.1:" + server.getPort());
  }

  @AfterEach
  void stopAgent() throws Exception {
    client.close();
    server.shutdownNow().awaitTermination();
  }

  private LoadResult readOnlyLoad(String choice) throws InterruptedException {
    LoadOptions options = new LoadOptions("orders", 200, Duration.ofMillis(500), 16, 1.0,
        List.of("us-east"), "us-east", List.of(), 100, 100, 0,
        LiveViewModel.loadReadLevel(choice));
    return new LoadGenerator(Map.of("us-east", client), options, progress -> { }).run();
  }

  @Test
  void theChosenLevelIsSentWithEveryRead() throws Exception {
    LoadResult result = readOnlyLoad("quorum");

    assertThat(result.reads()).isGreaterThan(0);
    assertThat(result.errors()).isZero();
    assertThat(levelsSeen).containsExactly(ReadConsistency.READ_CONSISTENCY_QUORUM);
    assertThat(LiveViewModel.loadOutcome(result)).endsWith("0 errors");
  }

  @Test
  void theDatasetDefaultSendsNoLevel() throws Exception {
    readOnlyLoad("dataset default");

    assertThat(levelsSeen).containsExactly(ReadConsistency.READ_CONSISTENCY_UNSPECIFIED);
  }

  @Test
  void refusedReadsAreErrorsThatCarryTheAgentsReason() throws Exception {
    LoadResult result = readOnlyLoad("strong");

    assertThat(result.reads()).isZero();
    assertThat(result.errors()).isGreaterThan(0);
    assertThat(LiveViewModel.loadOutcome(result))
        .contains(result.errors() + " errors")
        .contains("FAILED_PRECONDITION")
        .contains(REFUSAL);
  }

  @Test
  void anUnknownLevelNamesTheLevelsThereAre() {
    assertThatThrownBy(() -> LiveViewModel.loadReadLevel("linearizable"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'linearizable'")
        .hasMessageContaining("eventual, session, bounded-staleness, quorum, strong");
  }
}

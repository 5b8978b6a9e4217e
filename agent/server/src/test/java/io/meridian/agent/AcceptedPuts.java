package io.meridian.agent;

import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.PutResponse;
import java.util.concurrent.atomic.AtomicReference;
import java.time.Duration;

/**
 * Puts for tests that write through a primary while its replicas may fall behind: a connected
 * replica that was keeping up and falls behind makes the primary refuse writes RESOURCE_EXHAUSTED
 * (ADR 0037, 0041) until it catches up. On a loaded machine that is the product working, so such a
 * put is retried until accepted; any other refusal fails the test.
 */
public final class AcceptedPuts {
  private AcceptedPuts() {}

  /** Puts through {@code kv}, retried while it is pushed back; the answer of the accepted put. */
  public static PutResponse put(KvGrpc.KvBlockingStub kv, PutRequest put) {
    return put(() -> kv, put);
  }

  /** As {@link #put(KvGrpc.KvBlockingStub, PutRequest)}, with a new stub per attempt (for deadlines). */
  public static PutResponse put(java.util.function.Supplier<KvGrpc.KvBlockingStub> kv, PutRequest put) {
    AtomicReference<PutResponse> accepted = new AtomicReference<>();
    await("put of " + put.getKey().toStringUtf8() + " accepted").atMost(Duration.ofSeconds(60))
        .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).until(() -> {
          try {
            accepted.set(kv.get().put(put));
            return true;
          } catch (StatusRuntimeException refused) {
            if (refused.getStatus().getCode() != Status.Code.RESOURCE_EXHAUSTED) {
              throw refused;
            }
            return false;
          }
        });
    return accepted.get();
  }
}

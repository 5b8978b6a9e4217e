package io.meridian.app.client;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meridian.agent.api.v1.ControlGrpc;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.api.v1.StatusRequest;
import io.meridian.agent.api.v1.StatusResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A plaintext gRPC channel to one agent and its stubs. Close it when done.
 */
public final class AgentClient implements AutoCloseable {
  /** Deadline of one request from the command line. */
  public static final Duration REQUEST_DEADLINE = Duration.ofSeconds(10);
  /** How long closing waits for calls in flight. */
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  /** Largest response accepted: a value may be up to 1 MiB, plus metadata. */
  private static final int INBOUND_MESSAGE_BYTES_MAX = 8 << 20;

  private final String region;
  private final String address;
  private final ManagedChannel channel;

  /**
   * Opens a channel (lazily: nothing connects until the first call).
   *
   * @param region the agent's region, for messages
   * @param address {@code host:port} of its gRPC endpoint
   */
  public AgentClient(String region, String address) {
    this.region = region;
    this.address = address;
    this.channel = Grpc.newChannelBuilder(address, InsecureChannelCredentials.create())
        .maxInboundMessageSize(INBOUND_MESSAGE_BYTES_MAX)
        .build();
  }

  /** The region this client talks to. */
  public String region() {
    return region;
  }

  /** The agent's address. */
  public String address() {
    return address;
  }

  /** The channel, for stubs not offered here. */
  public ManagedChannel channel() {
    return channel;
  }

  /** A blocking KV stub with the command-line deadline. */
  public KvGrpc.KvBlockingStub kv() {
    return KvGrpc.newBlockingStub(channel)
        .withDeadlineAfter(REQUEST_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** An asynchronous KV stub without deadline; callers set their own. */
  public KvGrpc.KvStub kvAsync() {
    return KvGrpc.newStub(channel);
  }

  /** A future KV stub without deadline; callers set their own. */
  public KvGrpc.KvFutureStub kvFuture() {
    return KvGrpc.newFutureStub(channel);
  }

  /** The agent's status, waiting at most {@code deadline}. */
  public StatusResponse status(Duration deadline) {
    return ControlGrpc.newBlockingStub(channel)
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .status(StatusRequest.getDefaultInstance());
  }

  /** What the agent's consistency probes measured (ADR 0022), waiting at most {@code deadline}. */
  public io.meridian.agent.api.v1.ProbesResponse probes(Duration deadline) {
    return ControlGrpc.newBlockingStub(channel)
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .probes(io.meridian.agent.api.v1.ProbesRequest.getDefaultInstance());
  }

  /**
   * Turns a failed call into a sentence for a person: what went wrong, at which region, and
   * what to do about an unreachable agent.
   */
  public String describe(StatusRuntimeException e) {
    Status.Code code = e.getStatus().getCode();
    String detail = e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription();
    return switch (code) {
      case UNAVAILABLE -> "the agent of region " + region + " at " + address
          + " is unreachable (" + detail + "); is the deployment running? see 'meridian status'";
      case DEADLINE_EXCEEDED -> "region " + region + " did not answer in time (" + detail
          + "); the outcome of a write is unknown";
      case NOT_FOUND -> "region " + region + ": " + detail;
      case INVALID_ARGUMENT -> "region " + region + " refused the request: " + detail;
      case FAILED_PRECONDITION -> "region " + region + " cannot do that: " + detail;
      default -> "region " + region + ": " + code + (detail.isEmpty() ? "" : ": " + detail);
    };
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package io.meridian.agent.transport;

import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.stub.MetadataUtils;

/**
 * Marks the KV calls of consistency probes (ADR 0022) with a header, so the KV service lets them
 * use the reserved probe keys and keeps them out of the client request metrics. Anyone can send the
 * header; it only opens keys no client data lives in.
 */
public final class ProbeCalls {
  /** The header a probe's calls carry. */
  public static final Metadata.Key<String> HEADER = Metadata.Key.of("meridian-probe", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<Boolean> PROBE = Context.key("meridian-probe");

  private ProbeCalls() {}

  /** Server side: records whether a call carries the header. */
  public static ServerInterceptor serverInterceptor() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        if (!headers.containsKey(HEADER)) {
          return next.startCall(call, headers);
        }
        return Contexts.interceptCall(Context.current().withValue(PROBE, true), call, headers, next);
      }
    };
  }

  /** Client side: adds the header to every call. */
  public static ClientInterceptor clientInterceptor(String sourceRegion) {
    Metadata headers = new Metadata();
    headers.put(HEADER, sourceRegion);
    return MetadataUtils.newAttachHeadersInterceptor(headers);
  }

  /** Whether the current call is a probe's. */
  static boolean current() {
    return Boolean.TRUE.equals(PROBE.get());
  }
}

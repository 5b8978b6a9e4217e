package io.meridian.agent;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Gives every unary call a test makes without a deadline one of {@link #DEADLINE}: a blocking
 * call to an agent that never answers then fails the test with {@code DEADLINE_EXCEEDED} instead
 * of hanging the build. Streams keep no deadline (they live as long as their test).
 */
public final class UnaryDeadlines implements ClientInterceptor {
  /** Far longer than any unary call of an agent takes, however loaded the machine. */
  public static final Duration DEADLINE = Duration.ofSeconds(60);

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
      CallOptions callOptions, Channel next) {
    CallOptions bounded = method.getType() == MethodDescriptor.MethodType.UNARY && callOptions.getDeadline() == null
        ? callOptions.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS) : callOptions;
    return next.newCall(method, bounded);
  }
}

package io.meridian.agent.transport;

import io.grpc.Status;
import io.meridian.agent.core.replication.ClientResult;

/** gRPC statuses for failed client results. */
final class Statuses {
  private Statuses() {}

  /** The status for {@code result}, which must be a {@link ClientResult.Failed}. */
  static Status of(ClientResult result) {
    ClientResult.Failed failed = (ClientResult.Failed) result;
    Status status;
    switch (failed.failure()) {
      case INVALID_ARGUMENT:
        status = Status.INVALID_ARGUMENT;
        break;
      case NOT_FOUND:
        status = Status.NOT_FOUND;
        break;
      case FAILED_PRECONDITION:
        status = Status.FAILED_PRECONDITION;
        break;
      case UNAVAILABLE:
        status = Status.UNAVAILABLE;
        break;
      case RESOURCE_EXHAUSTED:
        status = Status.RESOURCE_EXHAUSTED;
        break;
      default:
        status = Status.DEADLINE_EXCEEDED;
        break;
    }
    return status.withDescription(failed.message());
  }
}

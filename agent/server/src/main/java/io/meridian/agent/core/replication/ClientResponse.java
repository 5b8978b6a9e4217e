package io.meridian.agent.core.replication;

import java.util.Objects;

/**
 * The answer to the client request the driver numbered {@code requestId}.
 *
 * @param requestId the id given with the request
 * @param result what happened
 */
public record ClientResponse(long requestId, ClientResult result) {
  /** Validates presence. */
  public ClientResponse {
    Objects.requireNonNull(result, "result");
  }
}

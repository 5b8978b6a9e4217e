package io.meridian.app.live;

import java.util.Objects;

/**
 * An agent to watch: its region and the gRPC address of its watch, control and KV services.
 *
 * @param region the agent's region
 * @param address {@code host:port} of its gRPC endpoint
 */
public record AgentEndpoint(String region, String address) {
  /** Checks the fields. */
  public AgentEndpoint {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(address, "address");
  }
}

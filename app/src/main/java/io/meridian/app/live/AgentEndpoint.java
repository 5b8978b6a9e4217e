package io.meridian.app.live;

import java.util.Objects;

/**
 * An agent to watch: its region and gRPC address, and for local deployments the state that lets
 * the studio kill and restart it.
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

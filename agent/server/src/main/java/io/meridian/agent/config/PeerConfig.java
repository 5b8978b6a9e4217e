package io.meridian.agent.config;

import java.util.Objects;

/**
 * Another agent this one replicates with.
 *
 * @param region the peer's region id
 * @param address host:port of the peer's gRPC endpoint
 * @param emulation link behaviour imposed on traffic to this peer
 */
public record PeerConfig(String region, String address, LinkEmulation emulation) {

  /** Validates that region and address are present. */
  public PeerConfig {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(emulation, "emulation");
    if (region.isBlank()) {
      throw new IllegalArgumentException("peer region must not be blank");
    }
  }
}

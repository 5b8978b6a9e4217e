package io.meridian.agent.config;

import java.util.Objects;

/**
 * Another agent this one replicates with.
 *
 * @param region the peer's region id
 * @param address host:port of the peer's gRPC endpoint
 * @param emulation link behaviour imposed on traffic to this peer
 * @param jurisdiction the peer region's jurisdiction (e.g. {@code EU}); null when unknown, and
 *     then no dataset with a residency rule is ever sent to it
 */
public record PeerConfig(String region, String address, LinkEmulation emulation, String jurisdiction) {

  /** Validates that region and address are present. */
  public PeerConfig {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(emulation, "emulation");
    if (region.isBlank()) {
      throw new IllegalArgumentException("peer region must not be blank");
    }
  }

  /** A peer of unknown jurisdiction. */
  public PeerConfig(String region, String address, LinkEmulation emulation) {
    this(region, address, emulation, null);
  }
}

package io.meridian.agent.consensus;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The state of this agent's links as Raft traffic sees it: which peers are cut off
 * ({@code meridian fault cut}) and how long a peer's Raft messages take to arrive (link
 * emulation). Fed by the agent's peer transport; read by {@link LinkAwareGrpcFactory}.
 */
public final class RaftLinks {
  private final Map<String, Boolean> cut = new ConcurrentHashMap<>();
  private final Map<String, Long> delayMillis = new ConcurrentHashMap<>();

  /**
   * A Ratis client id for the agent of {@code region}: its first eight bytes name the region (so
   * the servers know where a client request comes from and apply that link), the rest is random
   * (so a restarted agent's calls never match replies cached for the previous run).
   */
  public static org.apache.ratis.protocol.ClientId clientId(String region) {
    return org.apache.ratis.protocol.ClientId.valueOf(new java.util.UUID(regionTag(region),
        java.util.concurrent.ThreadLocalRandom.current().nextLong()));
  }

  /** The region whose agent uses {@code clientId}, among {@code regions}, or null. */
  static String regionOfClient(org.apache.ratis.protocol.ClientId clientId, java.util.Collection<String> regions) {
    long tag = clientId.getUuid().getMostSignificantBits();
    for (String region : regions) {
      if (regionTag(region) == tag) {
        return region;
      }
    }
    return null;
  }

  private static long regionTag(String region) {
    java.util.UUID uuid = java.util.UUID.nameUUIDFromBytes(("meridian-raft-client/" + region)
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return uuid.getMostSignificantBits();
  }

  /** Regions this agent has a link state for. */
  java.util.Set<String> knownRegions() {
    java.util.Set<String> regions = new java.util.HashSet<>(cut.keySet());
    regions.addAll(delayMillis.keySet());
    return regions;
  }

  /** Cuts or heals the link to {@code peer}. */
  public void setCut(String peer, boolean isCut) {
    cut.put(peer, isCut);
  }

  /** Whether Raft messages from {@code peer} are dropped. */
  public boolean isCut(String peer) {
    return cut.getOrDefault(peer, false);
  }

  /**
   * Delays Raft messages from {@code peer} by {@code millis}: the link's round trip, since the
   * answer goes back undelayed.
   */
  public void setDelayMillis(String peer, long millis) {
    delayMillis.put(peer, Math.max(0, millis));
  }

  /** How long Raft messages from {@code peer} are held before they are handled. */
  public long delayMillis(String peer) {
    return delayMillis.getOrDefault(peer, 0L);
  }
}

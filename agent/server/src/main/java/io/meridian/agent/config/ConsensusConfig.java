package io.meridian.agent.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where this agent's Raft server listens and which Raft groups it hosts (ADR 0015). Present when
 * the agent replicates a {@link ReplicationMode#CONSENSUS} dataset or is a witness of one.
 *
 * @param port the Raft server's port (0: any free port, for tests)
 * @param addresses every group member's Raft address ({@code host:port}) by region, this one's included
 * @param groups the Raft groups this region is a member of, one per consensus dataset
 * @param electionTimeoutMillisMin the least election timeout; the largest is twice it. Larger
 *     than the worst round trip between members, or leaders come and go under load
 */
public record ConsensusConfig(int port, Map<String, String> addresses, List<ConsensusGroup> groups,
    long electionTimeoutMillisMin) {

  /** The election timeout when none is configured. */
  public static final long ELECTION_TIMEOUT_MILLIS_DEFAULT = 1_000;

  /** Validates that every member of every group has an address. */
  public ConsensusConfig {
    addresses = Map.copyOf(Objects.requireNonNull(addresses, "addresses"));
    groups = List.copyOf(Objects.requireNonNull(groups, "groups"));
    electionTimeoutMillisMin = electionTimeoutMillisMin <= 0 ? ELECTION_TIMEOUT_MILLIS_DEFAULT
        : electionTimeoutMillisMin;
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("consensus port " + port + " is not a TCP port (0 to 65535)");
    }
    for (ConsensusGroup group : groups) {
      for (String member : group.members()) {
        if (!addresses.containsKey(member)) {
          throw new IllegalArgumentException("consensus dataset " + group.dataset() + ": member " + member
              + " has no Raft address; add it to consensus.addresses");
        }
      }
    }
  }

  /** The group of {@code dataset}, if this agent hosts one. */
  public java.util.Optional<ConsensusGroup> group(String dataset) {
    return groups.stream().filter(g -> g.dataset().equals(dataset)).findFirst();
  }

  /**
   * One consensus dataset's Raft group.
   *
   * @param dataset the dataset
   * @param replicas the regions holding and serving its data; they vote
   * @param witnesses regions that vote but serve no data (they never lead while a replica can)
   */
  public record ConsensusGroup(String dataset, List<String> replicas, List<String> witnesses) {
    /** Validates the membership. */
    public ConsensusGroup {
      Objects.requireNonNull(dataset, "dataset");
      replicas = List.copyOf(replicas);
      witnesses = witnesses == null ? List.of() : List.copyOf(witnesses);
      if (replicas.isEmpty()) {
        throw new IllegalArgumentException("consensus dataset " + dataset + " has no replica region");
      }
      if (witnesses.stream().anyMatch(replicas::contains)) {
        throw new IllegalArgumentException("consensus dataset " + dataset + ": a region is both replica and witness");
      }
    }

    /** Replicas, then witnesses. */
    public List<String> members() {
      List<String> all = new java.util.ArrayList<>(replicas);
      all.addAll(witnesses);
      return all;
    }
  }
}

package io.meridian.agent.config;

import java.util.List;
import java.util.Objects;

/**
 * One dataset as this agent sees it.
 *
 * @param name dataset id, unique in the deployment
 * @param mode replication mode
 * @param replicas every region holding a copy, the primary included
 * @param primary the region that accepts writes
 * @param syncAckCount in {@link ReplicationMode#SYNC}, how many replicas other than the primary
 *     must acknowledge a write before the client is answered; ignored in async mode
 * @param fsync when the log is forced to disk
 * @param initialEpoch the primary epoch to start from; failover increments it
 * @param failover how the primary is watched and replaced; {@link FailoverPolicy#MANUAL} when
 *     absent
 */
public record DatasetConfig(
    String name,
    ReplicationMode mode,
    List<String> replicas,
    String primary,
    int syncAckCount,
    FsyncPolicy fsync,
    long initialEpoch,
    FailoverPolicy failover) {

  /** Validates the placement and the acknowledgement count. */
  public DatasetConfig {
    Objects.requireNonNull(name, "name");
    failover = failover == null ? FailoverPolicy.MANUAL : failover;
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(primary, "primary");
    Objects.requireNonNull(fsync, "fsync");
    replicas = List.copyOf(replicas);
    if (name.isBlank()) {
      throw new IllegalArgumentException("dataset name must not be blank");
    }
    if (!replicas.contains(primary)) {
      throw new IllegalArgumentException(
          "dataset " + name + ": primary " + primary + " is not one of its replicas " + replicas);
    }
    if (replicas.stream().distinct().count() != replicas.size()) {
      throw new IllegalArgumentException("dataset " + name + ": replicas listed twice in " + replicas);
    }
    if (syncAckCount < 0 || syncAckCount > replicas.size() - 1) {
      throw new IllegalArgumentException("dataset " + name + ": sync acknowledgement count "
          + syncAckCount + " must be between 0 and " + (replicas.size() - 1));
    }
    if (initialEpoch < 1) {
      throw new IllegalArgumentException("dataset " + name + ": epochs start at 1");
    }
  }

  /** A dataset with manual failover. */
  public DatasetConfig(String name, ReplicationMode mode, List<String> replicas, String primary,
      int syncAckCount, FsyncPolicy fsync, long initialEpoch) {
    this(name, mode, replicas, primary, syncAckCount, fsync, initialEpoch, FailoverPolicy.MANUAL);
  }

  /** How many regions make a majority of the dataset's voting regions (its replicas). */
  public int majority() {
    return replicas.size() / 2 + 1;
  }

  /** A dataset whose sync writes wait for every other replica. */
  public static DatasetConfig allReplicas(
      String name, ReplicationMode mode, List<String> replicas, String primary, FsyncPolicy fsync) {
    return new DatasetConfig(name, mode, replicas, primary, replicas.size() - 1, fsync, 1);
  }

  /** How many acknowledgements a write needs before its client is answered. */
  public int requiredAcks() {
    return mode == ReplicationMode.SYNC ? syncAckCount : 0;
  }
}

package io.meridian.agent.core.replication;

import java.util.Objects;
import java.util.Optional;

/**
 * Per-request coordination settings.
 *
 * @param replicas how many replicas a quorum-mode write or read waits for; {@link
 *     ReplicaCount#DEFAULT} takes the dataset's W or R
 * @param consistency the read consistency level; {@link ReadLevel#DEFAULT} takes the mode's own
 * @param session with {@link ReadLevel#SESSION}, the token of the session's newest write (ADR 0021);
 *     empty when the session wrote nothing yet
 */
public record RequestOptions(ReplicaCount replicas, ReadLevel consistency, Optional<SessionToken> session) {
  /** The dataset's defaults. */
  public static final RequestOptions DEFAULTS = new RequestOptions(ReplicaCount.DEFAULT, ReadLevel.DEFAULT);

  /** Validates presence. */
  public RequestOptions {
    Objects.requireNonNull(replicas, "replicas");
    Objects.requireNonNull(consistency, "consistency");
    Objects.requireNonNull(session, "session");
  }

  /** Options without a session token. */
  public RequestOptions(ReplicaCount replicas, ReadLevel consistency) {
    this(replicas, consistency, Optional.empty());
  }

  /** A read at {@code level} (with {@code token} for session reads). */
  public static RequestOptions read(ReadLevel level, Optional<SessionToken> token) {
    return new RequestOptions(ReplicaCount.DEFAULT, level, token);
  }

  /** How many replicas a quorum-mode request waits for (Cassandra's consistency levels). */
  public enum ReplicaCount {
    /** The dataset's W for writes, R for reads. */
    DEFAULT,
    /** One replica: the coordinator's own copy. */
    ONE,
    /** A majority of the N replicas. */
    QUORUM,
    /** All N replicas. */
    ALL,
    /** A majority of the replicas in the coordinator's region. */
    LOCAL_QUORUM
  }

  /** Per-request read consistency (the levels of {@code ReadConsistency} in {@code common.proto}). */
  public enum ReadLevel {
    /** The mode's own default: eventual for async, sync and multi-primary, R replicas for quorum. */
    DEFAULT,
    /** The local replica, whatever its lag. */
    EVENTUAL,
    /** Never older than the writes behind a session token. */
    SESSION,
    /** Local while lag is under the dataset's bound. */
    BOUNDED_STALENESS,
    /** A majority of replicas, newest version wins. */
    QUORUM,
    /** Linearizable. */
    STRONG
  }
}

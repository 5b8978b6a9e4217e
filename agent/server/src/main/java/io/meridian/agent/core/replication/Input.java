package io.meridian.agent.core.replication;

import java.util.Objects;

/** Everything that can happen to a {@link ReplicationNode} besides time passing. */
public sealed interface Input {

  /** A local client's request, numbered by the driver so the response can be matched. */
  record ClientRequest(long requestId, String dataset, ClientOperation operation) implements Input {
    /** Validates presence. */
    public ClientRequest {
      Objects.requireNonNull(dataset, "dataset");
      Objects.requireNonNull(operation, "operation");
    }
  }

  /** A message arrived from {@code fromRegion}. */
  record PeerMessageReceived(String fromRegion, PeerMessage message) implements Input {
    /** Validates presence. */
    public PeerMessageReceived {
      Objects.requireNonNull(fromRegion, "fromRegion");
      Objects.requireNonNull(message, "message");
    }
  }

  /** The replication stream with {@code peer} for {@code dataset} is open. */
  record PeerConnected(String peer, String dataset) implements Input {}

  /** The replication stream with {@code peer} for {@code dataset} closed. */
  record PeerDisconnected(String peer, String dataset, String reason) implements Input {}

  /**
   * A failover decision committed by the deployment (through consensus, or by an operator's
   * command reaching every region): from {@code epoch} on, {@code primary} is the dataset's
   * primary, and its log up to {@code startSequence} is where the epoch begins. Regions apply
   * decisions in epoch order; redelivering the current one (after a restart) is harmless.
   *
   * @param previousPrimaryStopped whether the previous primary is known to accept no more writes
   *     (a planned switchover it completed, or a majority that stopped hearing from it for longer
   *     than its lease); otherwise the new primary waits out the old lease before writing
   */
  record EpochDecided(String dataset, long epoch, String primary, long startSequence,
      boolean previousPrimaryStopped) implements Input {
    /** Validates presence and range. */
    public EpochDecided {
      Objects.requireNonNull(dataset, "dataset");
      Objects.requireNonNull(primary, "primary");
      if (epoch < 1 || startSequence < 0) {
        throw new IllegalArgumentException("epoch " + epoch + " and start sequence " + startSequence
            + " must be positive");
      }
    }
  }

  /**
   * To the primary: hand the dataset over to {@code target} without losing an acknowledged write.
   * The primary stops taking writes, waits until the target has everything, and reports {@link
   * ReplicationEvent.SwitchoverReady}; the driver then commits the decision. If the target has
   * not caught up after {@code timeoutMillis}, writes resume and {@link
   * ReplicationEvent.SwitchoverFailed} says why. With {@code stopNow} (a forced failover whose
   * primary is reachable) it does not wait: it stops taking writes and reports ready at once with
   * its last sequence, so the decision can say the previous primary stopped and the new one need
   * not wait out its lease. Either way, once ready it resumes only on {@link SwitchoverAborted}.
   */
  record SwitchoverRequested(String dataset, String target, long timeoutMillis, boolean stopNow)
      implements Input {
    /** Validates presence and range. */
    public SwitchoverRequested {
      Objects.requireNonNull(dataset, "dataset");
      Objects.requireNonNull(target, "target");
      if (timeoutMillis < 1) {
        throw new IllegalArgumentException("switchover timeout must be positive: " + timeoutMillis);
      }
    }

    /** A planned switchover: waits until the target has every change. */
    public SwitchoverRequested(String dataset, String target, long timeoutMillis) {
      this(dataset, target, timeoutMillis, false);
    }
  }

  /**
   * To the primary after {@link ReplicationEvent.SwitchoverReady}: the decision could not be
   * committed (no majority, or another decision won), so it resumes taking writes.
   */
  record SwitchoverAborted(String dataset, String reason) implements Input {
    /** Validates presence. */
    public SwitchoverAborted {
      Objects.requireNonNull(dataset, "dataset");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The failover group committed this region's retraction of release {@code generation} of the
   * primary of {@code epoch} before any decision of that epoch (ADR 0019): the group will never
   * count that release (nor an earlier one), so the replica may grant the primary's lease again.
   * Fed only by the group's state machine, in log order.
   */
  record ReleaseRetracted(String dataset, long epoch, long generation) implements Input {
    /** Validates presence and range. */
    public ReleaseRetracted {
      Objects.requireNonNull(dataset, "dataset");
      if (epoch < 1 || generation < 1) {
        throw new IllegalArgumentException("retraction of release " + generation + " in epoch " + epoch
            + " is out of range");
      }
    }
  }

  /**
   * Anti-entropy on demand (ADR 0014): compare {@code dataset} with each of {@code peers} (empty:
   * every peer this region exchanges the dataset with) and repair what differs.
   */
  record RepairRequested(String dataset, java.util.List<String> peers) implements Input {
    /** Validates presence. */
    public RepairRequested {
      Objects.requireNonNull(dataset, "dataset");
      peers = java.util.List.copyOf(peers);
    }
  }
}

package io.meridian.agent.transport;

import io.meridian.agent.api.v1.DatasetStatus;
import io.meridian.agent.api.v1.PeerLinkStatus;
import io.meridian.agent.api.v1.ReplicationMode;
import io.meridian.agent.api.v1.Role;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Turns core status into protobuf status, deriving per-second rates from the cumulative counters
 * since the previous call on the same mapper.
 */
public final class StatusMapper {
  private final LongSupplier wallClockMillis;
  private final PeerTransport transport;
  private final Map<String, long[]> previousCounters = new HashMap<>();
  private long previousMillis = -1;

  /** A mapper reading link state from {@code transport}. */
  public StatusMapper(LongSupplier wallClockMillis, PeerTransport transport) {
    this.wallClockMillis = wallClockMillis;
    this.transport = transport;
  }

  /** The protobuf form of {@code statuses}. */
  public synchronized List<DatasetStatus> datasets(List<io.meridian.agent.core.replication.DatasetStatus> statuses) {
    long now = wallClockMillis.getAsLong();
    double seconds = previousMillis < 0 ? 0 : Math.max(0.001, (now - previousMillis) / 1000.0);
    previousMillis = now;
    List<DatasetStatus> result = new ArrayList<>();
    for (io.meridian.agent.core.replication.DatasetStatus status : statuses) {
      DatasetStatus.Builder dataset = DatasetStatus.newBuilder()
          .setDataset(status.dataset())
          .setMode(status.mode() == io.meridian.agent.config.ReplicationMode.SYNC
              ? ReplicationMode.REPLICATION_MODE_SYNC
              : status.mode() == io.meridian.agent.config.ReplicationMode.MULTI_PRIMARY
                  ? ReplicationMode.REPLICATION_MODE_MULTI_PRIMARY
                  : status.mode() == io.meridian.agent.config.ReplicationMode.QUORUM
                      ? ReplicationMode.REPLICATION_MODE_QUORUM  : status.mode() == io.meridian.agent.config.ReplicationMode.CONSENSUS
                          ? ReplicationMode.REPLICATION_MODE_CONSENSUS : ReplicationMode.REPLICATION_MODE_ASYNC)
          .setRole(toProto(status.role()))
          .setEpoch(status.epoch())
          .setPrimaryRegion(status.primary())
          .setLastSequence(status.lastSequence());
      for (io.meridian.agent.core.replication.PeerLinkStatus link : status.peers()) {
        long[] counters = {link.changesIn(), link.changesOut(), link.bytesIn(), link.bytesOut()};
        long[] previous = previousCounters.put(link.peer() + "/" + link.dataset(), counters);
        double[] rates = new double[4];
        if (previous != null && seconds > 0) {
          for (int i = 0; i < 4; i++) {
            rates[i] = Math.max(0, counters[i] - previous[i]) / seconds;
          }
        }
        dataset.addPeers(PeerLinkStatus.newBuilder()
            .setPeerRegion(link.peer())
            .setDataset(link.dataset())
            .setConnected(link.connected())
            .setLagMillis(link.lagMillis())
            .setLagVersions(link.lagVersions())
            .setPendingChanges(link.pendingChanges())
            .setChangesPerSecondIn(rates[0])
            .setChangesPerSecondOut(rates[1])
            .setBytesPerSecondIn(rates[2])
            .setBytesPerSecondOut(rates[3])
            .setLinkCut(transport.isCut(link.peer()))
            .setStalledMillis(link.stalledMillis()));
      }
      result.add(dataset.build());
    }
    return result;
  }

  /** The wire form of a region's role in a dataset. */
  static Role toProto(io.meridian.agent.core.replication.Role role) {
    return switch (role) {
      case PRIMARY -> Role.ROLE_PRIMARY;
      case WITNESS -> Role.ROLE_WITNESS;
      default -> Role.ROLE_REPLICA;
    };
  }
}

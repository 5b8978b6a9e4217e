package io.meridian.agent.transport;

import com.google.protobuf.ByteString;
import io.meridian.agent.api.v1.ClockSkew;
import io.meridian.agent.api.v1.Conflict;
import io.meridian.agent.api.v1.ConflictVersion;
import io.meridian.agent.api.v1.ResidencyRefused;
import io.meridian.agent.api.v1.SiblingsTruncated;
import io.meridian.agent.api.v1.WatchEvent;
import io.meridian.agent.core.conflict.ConflictDetail;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.storage.Version;
import io.meridian.agent.wire.WireMapping;

/** Multi-primary events (conflicts, clock skew, residency, sibling bound) on the watch stream. */
final class ConflictEvents {
  private ConflictEvents() {}

  /**
   * Fills {@code event} from {@code replicationEvent}.
   *
   * @return false when the event is not a multi-primary one
   */
  static boolean describe(ReplicationEvent replicationEvent, WatchEvent.Builder event) {
    if (replicationEvent instanceof ReplicationEvent.Conflict) {
      ReplicationEvent.Conflict conflict = (ReplicationEvent.Conflict) replicationEvent;
      Conflict.Builder message = Conflict.newBuilder().setDataset(conflict.dataset())
          .setKey(WireMapping.bytes(conflict.key())).setRule(conflict.rule().policyName());
      conflict.detail().versions().forEach(version -> message.addVersions(version(version)));
      conflict.detail().winner().ifPresent(winner -> message.setWinner(version(winner)));
      conflict.detail().discarded().forEach(version -> message.addDiscarded(version(version)));
      event.setConflict(message);
    } else if (replicationEvent instanceof ReplicationEvent.ClockSkew) {
      ReplicationEvent.ClockSkew skew = (ReplicationEvent.ClockSkew) replicationEvent;
      event.setClockSkew(ClockSkew.newBuilder().setPeerRegion(skew.peer()).setDataset(skew.dataset())
          .setAheadMillis(skew.aheadMillis()).setToleranceMillis(skew.toleranceMillis()));
    } else if (replicationEvent instanceof ReplicationEvent.ResidencyRefused) {
      ReplicationEvent.ResidencyRefused refused = (ReplicationEvent.ResidencyRefused) replicationEvent;
      event.setResidencyRefused(ResidencyRefused.newBuilder().setPeerRegion(refused.peer())
          .setDataset(refused.dataset()).setPeerJurisdiction(refused.peerJurisdiction())
          .addAllAllowedJurisdictions(refused.allowed()).setMessageKind(refused.what())
          .setRefusals(refused.refusals()));
    } else if (replicationEvent instanceof ReplicationEvent.SiblingsTruncated) {
      ReplicationEvent.SiblingsTruncated truncated = (ReplicationEvent.SiblingsTruncated) replicationEvent;
      event.setSiblingsTruncated(SiblingsTruncated.newBuilder().setDataset(truncated.dataset())
          .setKey(WireMapping.bytes(truncated.key())).setDropped(truncated.dropped())
          .setSiblingsMax(truncated.siblingsMax()));
    } else {
      return false;
    }
    return true;
  }

  private static ConflictVersion version(ConflictDetail.VersionInfo info) {
    Version version = new Version(info.stamp().timestamp(), info.stamp().region(), info.stamp().dot().counter(),
        info.stamp().region(), 1);
    return ConflictVersion.newBuilder().setVersion(WireMapping.toProto(version))
        .setValue(info.value().isEmpty() ? ByteString.EMPTY : WireMapping.bytes(info.value()))
        .setDelete(info.delete()).build();
  }
}

package io.meridian.app.live;

import io.meridian.agent.api.v1.DatasetStatus;
import io.meridian.agent.api.v1.LinkCut;
import io.meridian.agent.api.v1.LinkHealed;
import io.meridian.agent.api.v1.PeerLinkStatus;
import io.meridian.agent.api.v1.Role;
import io.meridian.agent.api.v1.Snapshot;
import io.meridian.agent.api.v1.StatusResponse;
import io.meridian.agent.api.v1.WatchEvent;

/** Builders for the watch events and status replies the live tests feed the model. */
final class LiveFixtures {
  private LiveFixtures() {}

  static PeerLinkStatus link(String peer, long lagMillis, long lagVersions, boolean connected) {
    return PeerLinkStatus.newBuilder().setPeerRegion(peer).setDataset("orders")
        .setConnected(connected).setLagMillis(lagMillis).setLagVersions(lagVersions)
        .setChangesPerSecondIn(10).setChangesPerSecondOut(20).build();
  }

  static LiveInput.Watched snapshot(long receivedAt, String region, long agentAt,
      PeerLinkStatus... links) {
    return new LiveInput.Watched(receivedAt, region, WatchEvent.newBuilder()
        .setAtMillis(agentAt).setRegion(region)
        .setSnapshot(Snapshot.newBuilder().addAllLinks(java.util.List.of(links))).build());
  }

  static LiveInput.Watched cut(long receivedAt, String region, String peer) {
    return new LiveInput.Watched(receivedAt, region, WatchEvent.newBuilder()
        .setAtMillis(receivedAt).setRegion(region)
        .setLinkCut(LinkCut.newBuilder().setPeerRegion(peer)).build());
  }

  static LiveInput.Watched healed(long receivedAt, String region, String peer) {
    return new LiveInput.Watched(receivedAt, region, WatchEvent.newBuilder()
        .setAtMillis(receivedAt).setRegion(region)
        .setLinkHealed(LinkHealed.newBuilder().setPeerRegion(peer)).build());
  }

  static LiveInput.StatusReceived status(long receivedAt, String region, Role role, long epoch) {
    return new LiveInput.StatusReceived(receivedAt, region, StatusResponse.newBuilder()
        .setRegion(region).addDatasets(DatasetStatus.newBuilder().setDataset("orders")
            .setRole(role).setEpoch(epoch)).build());
  }
}

package io.meridian.agent.wire;

import static io.meridian.agent.core.storage.ReplicaStoreContract.delete;
import static io.meridian.agent.core.storage.ReplicaStoreContract.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.agent.api.v1.PeerFrame;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.Failure;
import io.meridian.agent.core.replication.PeerMessage;
import io.meridian.agent.core.storage.StoredValue;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

// Proves every peer message survives translation to a frame and back, and that malformed frames
// become a MalformedMessageException rather than a crash.
class WireMappingTest {
  private static final String D = "d";

  @Test
  void everyPeerMessageRoundTripsThroughAFrame() throws Exception {
    List<PeerMessage> messages = List.of(
        new PeerMessage.Hello(D, 2, 17),
        new PeerMessage.ChangeBatch(D, 1, 1, 2, List.of(put(1, "k", "v"), delete(2, "k")), 9, 1234),
        new PeerMessage.Ack(D, 1, 2, true),
        new PeerMessage.Heartbeat(D, 1, 9, 1234, true),
        new PeerMessage.ForwardRequest(D, 77, new ClientOperation.Put(Bytes.ofUtf8("k"), Bytes.ofUtf8("v"))),
        new PeerMessage.ForwardRequest(D, 78, new ClientOperation.Delete(Bytes.ofUtf8("k"))),
        new PeerMessage.ForwardRequest(D, 79, new ClientOperation.CompareAndSet(Bytes.ofUtf8("k"),
            Optional.of(Bytes.ofUtf8("old")), Bytes.ofUtf8("new"))),
        new PeerMessage.ForwardRequest(D, 80, new ClientOperation.CompareAndSet(Bytes.ofUtf8("k"),
            Optional.empty(), Bytes.ofUtf8("new"))),
        new PeerMessage.ForwardResponse(D, 77, new ClientResult.Committed(put(5, "k", "v").version(), true)),
        new PeerMessage.ForwardResponse(D, 79, new ClientResult.CompareFailed(
            Optional.of(StoredValue.of(put(4, "k", "other"))))),
        new PeerMessage.ForwardResponse(D, 80, new ClientResult.CompareFailed(Optional.empty())),
        new PeerMessage.ForwardResponse(D, 81, new ClientResult.Failed(Failure.RESOURCE_EXHAUSTED, "busy")),
        // Forwarded reads (ADR 0021): the level and session token travel with the key.
        new PeerMessage.ForwardRequest(D, 82, new ClientOperation.Tuned(new ClientOperation.Get(Bytes.ofUtf8("k")),
            io.meridian.agent.core.replication.RequestOptions.read(
                io.meridian.agent.core.replication.RequestOptions.ReadLevel.SESSION,
                Optional.of(new io.meridian.agent.core.replication.SessionToken(D,
                    new io.meridian.agent.core.replication.SessionToken.LogPosition(2, 9)))))),
        new PeerMessage.ForwardRequest(D, 83, new ClientOperation.Tuned(new ClientOperation.Get(Bytes.ofUtf8("k")),
            io.meridian.agent.core.replication.RequestOptions.read(
                io.meridian.agent.core.replication.RequestOptions.ReadLevel.STRONG, Optional.empty()))),
        new PeerMessage.ForwardResponse(D, 82, new ClientResult.Read(Optional.of(StoredValue.of(put(4, "k", "v"))),
            "a")),
        new PeerMessage.ForwardResponse(D, 83, new ClientResult.Read(Optional.empty(), "a")),
        new PeerMessage.EpochRejected(D, 3, "old"),
        new PeerMessage.QuorumWrite(D, List.of(5L, 0L), List.of(put(1, "k", "v"), delete(2, "j"))),
        new PeerMessage.QuorumWriteAck(D, List.of(5L, 6L)),
        new PeerMessage.QuorumRead(D, 9, Bytes.ofUtf8("k")),
        new PeerMessage.QuorumReadReply(D, 9, Optional.of(delete(2, "k"))),
        new PeerMessage.QuorumReadReply(D, 10, Optional.empty()),
        // Anti-entropy (ADR 0044): node indexes and versions travel delta-coded, a level-0
        // comparison may carry a tombstone-collection floor, and RepairDone the responder's head.
        new PeerMessage.TreeCompare(D, "s1", 20, 3, List.of(1, 3, 2, 7), List.of(1L, -2L, 3L, 4L, 5L, 6L, 7L, 8L),
            new java.util.TreeMap<>(java.util.Map.of("a", 12L, "b", 0L))),
        new PeerMessage.KeyDigests(D, "s1", 0, 2, List.of(900_000, 5, 1_048_575), List.of(Bytes.ofUtf8("k"),
            Bytes.ofUtf8("j")), List.of(-1L, 2L), List.of(Long.MAX_VALUE, 0L)),
        new PeerMessage.KeyDigests(D, "s1", 1, 2, List.of(4), List.of(Bytes.ofUtf8("k")), List.of(3L)),
        new PeerMessage.RepairDone(D, "s1", 4, "", 1_234_567L));

    for (PeerMessage message : messages) {
      PeerFrame frame = PeerFrame.parseFrom(WireMapping.toFrame("a", message).toByteArray());
      assertThat(WireMapping.fromFrame(D, frame)).as(message.toString()).isEqualTo(message);
    }
  }

  @Test
  void helloNamesItsSenderAndProtocolVersion() {
    PeerFrame frame = WireMapping.toFrame("eu-west", new PeerMessage.Hello(D, 1, 1));

    assertThat(frame.getHello().getFromRegion()).isEqualTo("eu-west");
    assertThat(frame.getHello().getProtocolVersion()).isEqualTo(WireMapping.PROTOCOL_VERSION);
  }

  @Test
  void malformedFramesAreRejectedWithAReason() {
    PeerFrame changeWithoutVersion = PeerFrame.newBuilder().setBatch(io.meridian.agent.api.v1.ChangeBatch.newBuilder()
        .addChanges(io.meridian.agent.api.v1.Change.newBuilder()
            .setKind(io.meridian.agent.api.v1.ChangeKind.CHANGE_KIND_PUT))).build();
    PeerFrame sequenceZero = WireMapping.toFrame("a", new PeerMessage.ChangeBatch(D, 1, 1, 1,
        List.of(put(1, "k", "v")), 1, 0)).toBuilder()
        .setBatch(WireMapping.toFrame("a", new PeerMessage.ChangeBatch(D, 1, 1, 1, List.of(put(1, "k", "v")), 1, 0))
            .getBatch().toBuilder().setChanges(0, WireMapping.toProto(put(1, "k", "v")).toBuilder()
                .setVersion(WireMapping.toProto(put(1, "k", "v").version()).toBuilder().setSequence(0))))
        .build();

    PeerFrame idsWithoutChanges = PeerFrame.newBuilder().setQuorumWrite(
        io.meridian.agent.api.v1.QuorumWrite.newBuilder().addOperationIds(1)).build();
    assertThatThrownBy(() -> WireMapping.fromFrame(D, idsWithoutChanges))
        .isInstanceOf(MalformedMessageException.class).hasMessageContaining("one operation id per change");
    PeerFrame foundWithoutState = PeerFrame.newBuilder().setQuorumReadReply(
        io.meridian.agent.api.v1.QuorumReadReply.newBuilder().setOperationId(1).setFound(true)).build();
    assertThatThrownBy(() -> WireMapping.fromFrame(D, foundWithoutState))
        .isInstanceOf(MalformedMessageException.class).hasMessageContaining("carries no state");
    assertThatThrownBy(() -> WireMapping.fromFrame(D, PeerFrame.getDefaultInstance()))
        .isInstanceOf(MalformedMessageException.class).hasMessageContaining("empty or unknown peer frame");
    assertThatThrownBy(() -> WireMapping.fromFrame(D, changeWithoutVersion))
        .isInstanceOf(MalformedMessageException.class).hasMessageContaining("without a version");
    assertThatThrownBy(() -> WireMapping.fromFrame(D, sequenceZero))
        .isInstanceOf(MalformedMessageException.class).hasMessageContaining("sequences start at 1");
  }
}

package io.meridian.agent.api.v1;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServiceDescriptor;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

// Proves the generated contracts round-trip through bytes and expose the methods and stream
// shapes that agents and the studio rely on.
class ContractsTest {

  @Test
  void changeBatchRoundTripsThroughBytes() throws InvalidProtocolBufferException {
    Version version = Version.newBuilder()
        .setTimestamp(HlcTimestamp.newBuilder().setPhysicalMillis(1_700_000_000_123L).setLogical(7))
        .setOriginRegion("eu-west")
        .setSequence(42)
        .setCommittedByRegion("us-east")
        .setEpoch(3)
        .build();
    PeerFrame frame = PeerFrame.newBuilder()
        .setBatch(ChangeBatch.newBuilder()
            .setEpoch(3)
            .setFirstSequence(42)
            .setLastSequence(42)
            .setHeadSequence(50)
            .setSentAtMillis(1_700_000_000_200L)
            .addChanges(Change.newBuilder()
                .setKind(ChangeKind.CHANGE_KIND_PUT)
                .setKey(ByteString.copyFromUtf8("k"))
                .setValue(ByteString.copyFromUtf8("v"))
                .setVersion(version)))
        .build();

    PeerFrame parsed = PeerFrame.parseFrom(frame.toByteArray());

    assertThat(parsed).isEqualTo(frame);
    assertThat(parsed.getFrameCase()).isEqualTo(PeerFrame.FrameCase.BATCH);
    assertThat(parsed.getBatch().getChanges(0).getVersion().getCommittedByRegion()).isEqualTo("us-east");
  }

  @Test
  void compareAndSetExpectationIsOneOf() {
    CompareAndSetRequest request = CompareAndSetRequest.newBuilder()
        .setExpectedValue(ByteString.copyFromUtf8("old"))
        .setExpectAbsent(true)
        .build();

    assertThat(request.getExpectedCase()).isEqualTo(CompareAndSetRequest.ExpectedCase.EXPECT_ABSENT);
    assertThat(request.getExpectedValue()).isEqualTo(ByteString.EMPTY);
  }

  @Test
  void kvServiceExposesClientOperations() {
    assertThat(methodTypes(KvGrpc.getServiceDescriptor())).containsExactlyInAnyOrderEntriesOf(Map.of(
        "Put", MethodType.UNARY,
        "Get", MethodType.UNARY,
        "Delete", MethodType.UNARY,
        "CompareAndSet", MethodType.UNARY,
        "BatchPut", MethodType.BIDI_STREAMING,
        "Update", MethodType.UNARY));
  }

  @Test
  void peerReplicationIsOneBidirectionalStream() {
    assertThat(methodTypes(PeerReplicationGrpc.getServiceDescriptor()))
        .containsExactlyEntriesOf(Map.of("Replicate", MethodType.BIDI_STREAMING));
  }

  @Test
  void controlAndWatchExposeOperatorMethods() {
    assertThat(methodTypes(ControlGrpc.getServiceDescriptor())).containsExactlyInAnyOrderEntriesOf(Map.of(
        "Status", MethodType.UNARY,
        "CutLink", MethodType.UNARY,
        "HealLink", MethodType.UNARY,
        "FailoverStatus", MethodType.UNARY,
        "ApplyDecision", MethodType.UNARY,
        "Switchover", MethodType.UNARY,
        "AbortSwitchover", MethodType.UNARY,
        "ListQuarantine", MethodType.UNARY,
        "Repair", MethodType.UNARY,
        "Probes", MethodType.UNARY));
    assertThat(methodTypes(WatchGrpc.getServiceDescriptor()))
        .containsExactlyEntriesOf(Map.of("Watch", MethodType.SERVER_STREAMING));
    assertThat(WatchGrpc.getServiceDescriptor().getName()).isEqualTo("meridian.v1.Watch");
  }

  private static Map<String, MethodType> methodTypes(ServiceDescriptor service) {
    return service.getMethods().stream().collect(Collectors.toMap(
        method -> method.getBareMethodName(), method -> method.getType()));
  }
}

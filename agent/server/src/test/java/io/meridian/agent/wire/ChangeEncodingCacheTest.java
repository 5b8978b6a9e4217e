package io.meridian.agent.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.clock.HlcTimestamp;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.ChangeKind;
import io.meridian.agent.core.storage.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The shared change encoding cache hands out exactly the protobuf form of the change it is asked
 * for: the same encoding again for the same change object, a fresh one for another change in the
 * same slot (another dataset's, or the same change read back from the store), and never another
 * change's encoding while threads use it at once. A replica stores a received change in the very
 * encoding it arrived in, byte for byte what it would have built itself, unless the peer sent
 * fields this build does not know (ADR 0041).
 */
class ChangeEncodingCacheTest {
  private static Change change(String key, long sequence) {
    return new Change(ChangeKind.PUT, Bytes.ofUtf8(key), Bytes.ofUtf8("value-" + key),
        new Version(new HlcTimestamp(1_000 + sequence, 0), "us-east", sequence, "us-east", 1));
  }

  @Test
  void theSameChangeIsEncodedOnceAndAnEqualButDistinctChangeAgain() {
    ChangeEncodingCache cache = new ChangeEncodingCache();
    Change appended = change("k", 7);

    io.meridian.agent.api.v1.Change first = cache.encode(appended);

    assertThat(first).isEqualTo(WireMapping.toProto(appended));
    assertThat(cache.encode(appended)).isSameAs(first);
    Change readBack = change("k", 7);
    assertThat(cache.encode(readBack)).isNotSameAs(first).isEqualTo(first);
    Change otherDatasetSameSlot = change("other", 7 + ChangeEncodingCache.SLOTS);
    assertThat(WireMapping.fromProto(cache.encode(otherDatasetSameSlot))).isEqualTo(otherDatasetSameSlot);
  }

  @Test
  void aReceivedBatchIsStoredInTheEncodingItArrivedInIdenticalToAFreshOne() throws Exception {
    ChangeEncodingCache cache = new ChangeEncodingCache();
    List<Change> sent = List.of(change("a", 11), change("b", 12),
        new Change(ChangeKind.DELETE, Bytes.ofUtf8("c"), Bytes.EMPTY,
            new Version(new HlcTimestamp(1_013, 3), "eu-central", 13, "us-east", 4)));
    byte[] wire = WireMapping.toFrame("us-east",
        new io.meridian.agent.core.replication.PeerMessage.ChangeBatch("orders", 4, 11, 13, sent, 20, 1_500))
        .toByteArray();
    io.meridian.agent.api.v1.PeerFrame frame = io.meridian.agent.api.v1.PeerFrame.parseFrom(wire);

    var received = (io.meridian.agent.core.replication.PeerMessage.ChangeBatch)
        WireMapping.fromFrame("orders", frame, cache);

    assertThat(received.changes()).isEqualTo(sent);
    for (int i = 0; i < sent.size(); i++) {
      Change change = received.changes().get(i);
      assertThat(cache.encode(change)).isSameAs(frame.getBatch().getChanges(i));
      assertThat(cache.encode(change).toByteArray()).isEqualTo(WireMapping.toProto(sent.get(i)).toByteArray());
    }
  }

  @Test
  void aReceivedChangeWithFieldsThisBuildDoesNotKnowIsEncodedAfresh() throws Exception {
    ChangeEncodingCache cache = new ChangeEncodingCache();
    Change change = change("k", 5);
    com.google.protobuf.UnknownFieldSet newer = com.google.protobuf.UnknownFieldSet.newBuilder()
        .addField(99, com.google.protobuf.UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build();
    io.meridian.agent.api.v1.Change plain = WireMapping.toProto(change);
    List<io.meridian.agent.api.v1.Change> fromNewerPeers = List.of(
        plain.toBuilder().setUnknownFields(newer).build(),
        plain.toBuilder().setVersion(plain.getVersion().toBuilder().setUnknownFields(newer)).build(),
        plain.toBuilder().setVersion(plain.getVersion().toBuilder().setTimestamp(
            plain.getVersion().getTimestamp().toBuilder().setUnknownFields(newer))).build());

    for (io.meridian.agent.api.v1.Change received : fromNewerPeers) {
      Change decoded = WireMapping.fromProto(received);
      assertThat(cache.remember(decoded, received)).isFalse();
      assertThat(cache.encode(decoded)).isNotSameAs(received).isEqualTo(plain);
    }
    assertThat(cache.remember(change, plain)).isTrue();
    assertThat(cache.encode(change)).isSameAs(plain);
  }

  /**
   * Storing a received encoding is right only while the core form keeps every field of it: a field
   * added to these messages must be mapped by {@link WireMapping} (and listed here), or a replica
   * would store a field its own encoding of the same change would lack.
   */
  @Test
  void everyFieldOfAStoredChangeHasACoreForm() {
    assertThat(io.meridian.agent.api.v1.Change.getDescriptor().getFields())
        .extracting(com.google.protobuf.Descriptors.FieldDescriptor::getName)
        .containsExactly("kind", "key", "value", "version");
    assertThat(io.meridian.agent.api.v1.Version.getDescriptor().getFields())
        .extracting(com.google.protobuf.Descriptors.FieldDescriptor::getName)
        .containsExactly("timestamp", "origin_region", "sequence", "committed_by_region", "epoch");
    assertThat(io.meridian.agent.api.v1.HlcTimestamp.getDescriptor().getFields())
        .extracting(com.google.protobuf.Descriptors.FieldDescriptor::getName)
        .containsExactly("physical_millis", "logical");
  }

  @Test
  void threadsSharingSlotsAlwaysGetTheirOwnChangesEncoding() throws Exception {
    ChangeEncodingCache cache = new ChangeEncodingCache();
    AtomicReference<String> wrong = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      String prefix = "thread-" + t + "-";
      threads.add(new Thread(() -> {
        try {
          for (int i = 0; i < 20_000 && wrong.get() == null; i++) {
            Change change = change(prefix + i, 1 + i % 64); // 64 slots contended by all threads.
            if (i % 3 == 0) {
              cache.remember(change, WireMapping.toProto(change)); // As a replica's transport does.
            }
            if (!WireMapping.fromProto(cache.encode(change)).equals(change)) {
              wrong.set(prefix + i + " got another change's encoding");
            }
          }
        } catch (RuntimeException e) {
          wrong.set(prefix + " failed: " + e);
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join(60_000);
      assertThat(thread.isAlive()).as(thread.getName() + " finished within 60 s").isFalse();
    }
    assertThat(wrong.get()).isNull();
  }
}

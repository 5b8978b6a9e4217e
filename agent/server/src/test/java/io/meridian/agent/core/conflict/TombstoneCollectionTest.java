package io.meridian.agent.core.conflict;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.clock.HlcTimestamp;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

// Proves tombstones and causal context are collected once, and only once, nothing still on its
// way can need them: a deleted key is forgotten after every region has applied a newer write, a
// removed set element's tags after the removed adds have been applied.
class TombstoneCollectionTest {
  private static final List<String> REGIONS = List.of("a", "b");

  private static Stamp stamp(String region, long counter, long millis) {
    return new Stamp(new Dot(region, counter), new HlcTimestamp(millis, 0));
  }

  @Test
  void aLastWriterWinsTombstoneGoesOnlyWhenEveryRegionHasWrittenSomethingNewer() {
    Frontier frontier = new Frontier(REGIONS);
    LwwValue value = new LwwValue();
    Stamp put = stamp("a", 1, 100);
    Stamp delete = stamp("a", 2, 200);
    value.apply(new Operation.Write(Bytes.ofUtf8("v"), false, VersionVector.EMPTY), put);
    frontier.advance(put);
    value.apply(new Operation.Write(Bytes.EMPTY, true, frontier.toVersionVector()), delete);
    frontier.advance(delete);

    // Region b has written nothing newer: one of its writes older than the delete may still come.
    assertThat(value.collect(frontier)).isFalse();
    frontier.advance(stamp("b", 1, 150));
    assertThat(value.collect(frontier)).isFalse();
    frontier.advance(stamp("b", 2, 250));
    assertThat(value.collect(frontier)).isTrue();
  }

  @Test
  void aLiveValueIsNeverCollected() {
    Frontier frontier = new Frontier(REGIONS);
    LwwValue value = new LwwValue();
    value.apply(new Operation.Write(Bytes.ofUtf8("v"), false, VersionVector.EMPTY), stamp("a", 1, 100));
    frontier.advance(stamp("a", 1, 100));
    frontier.advance(stamp("b", 9, 900));
    assertThat(value.collect(frontier)).isFalse();
    assertThat(value.value()).contains(Bytes.ofUtf8("v"));
  }

  @Test
  void aVersionVectorDeleteKeepsItsContextUntilTheWritesItCoversHaveArrived() {
    Frontier frontier = new Frontier(REGIONS);
    Siblings key = new Siblings();
    Stamp fromB = stamp("b", 1, 100);
    // Region a deletes after reading b's write, which has not yet reached this replica.
    Stamp delete = stamp("a", 1, 120);
    key.apply(new Operation.VersionedWrite(Bytes.EMPTY, true, VersionVector.EMPTY.with(fromB.dot())), delete);
    frontier.advance(delete);
    assertThat(key.collect(frontier)).as("b:1 may still arrive and must stay deleted").isFalse();

    key.apply(new Operation.VersionedWrite(Bytes.ofUtf8("late"), false, VersionVector.EMPTY), fromB);
    frontier.advance(fromB);
    assertThat(key.entries()).isEmpty();
    assertThat(key.collect(frontier)).isTrue();
  }

  @Test
  void anOrSetForgetsRemovedTagsOnceTheirAddsHaveBeenApplied() {
    Frontier frontier = new Frontier(REGIONS);
    OrSet set = new OrSet();
    Bytes element = Bytes.ofUtf8("x");
    Stamp add = stamp("a", 1, 100);
    Stamp remove = stamp("b", 1, 150);
    // The remove (b saw a's add) arrives before the add itself.
    TreeSet<Dot> observed = new TreeSet<>(List.of(add.dot()));
    set.apply(new Operation.RemoveElement(element, observed), remove);
    frontier.advance(remove);
    assertThat(set.collect(frontier)).isFalse();
    set.apply(new Operation.AddElement(element, new TreeSet<>()), add);
    frontier.advance(add);
    assertThat(set.contains(element)).isFalse();
    assertThat(set.collect(frontier)).isTrue();
  }

  @Test
  void collectionDecodesAStoredLastWriterWinsStateOnlyWhenItIsATombstone() {
    LwwValue value = new LwwValue();
    value.apply(new Operation.Write(Bytes.ofUtf8("v"), false, VersionVector.EMPTY), stamp("a", 1, 100));
    byte[] live = KeyStateCodec.toBytes(value);
    value.apply(new Operation.Write(Bytes.EMPTY, true, value.seen()), stamp("a", 2, 200));
    byte[] deleted = KeyStateCodec.toBytes(value);

    assertThat(KeyStateCodec.mayCollect(io.meridian.agent.config.ConflictResolution.LWW, live)).isFalse();
    assertThat(KeyStateCodec.mayCollect(io.meridian.agent.config.ConflictResolution.LWW, deleted)).isTrue();
    // Other rules are always decoded: their context can shrink on a live key too.
    Siblings siblings = new Siblings();
    assertThat(KeyStateCodec.mayCollect(io.meridian.agent.config.ConflictResolution.VERSION_VECTOR,
        KeyStateCodec.toBytes(siblings))).isTrue();
  }
}

package io.meridian.agent.core.clock;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

// Proves the hybrid logical clock never runs backwards, follows causality and packs losslessly.
class HybridLogicalClockTest {

  @Test
  void readingsFollowTheWallClockWhenItAdvances() {
    HybridLogicalClock clock = new HybridLogicalClock(HlcTimestamp.ZERO);

    assertThat(clock.now(100)).isEqualTo(new HlcTimestamp(100, 0));
    assertThat(clock.now(100)).isEqualTo(new HlcTimestamp(100, 1));
    assertThat(clock.now(105)).isEqualTo(new HlcTimestamp(105, 0));
  }

  @Test
  void readingsKeepGrowingWhenTheWallClockStepsBack() {
    HybridLogicalClock clock = new HybridLogicalClock(HlcTimestamp.ZERO);
    clock.now(1_000);

    assertThat(clock.now(400)).isEqualTo(new HlcTimestamp(1_000, 1));
  }

  @Test
  void observingARemoteTimestampAheadMovesTheClockPastIt() {
    HybridLogicalClock clock = new HybridLogicalClock(HlcTimestamp.ZERO);
    clock.now(100);

    assertThat(clock.observe(new HlcTimestamp(250, 7), 120)).isEqualTo(new HlcTimestamp(250, 8));
    assertThat(clock.now(130)).isEqualTo(new HlcTimestamp(250, 9));
  }

  @Test
  void exhaustedLogicalCounterBorrowsTheNextMillisecond() {
    HybridLogicalClock clock = new HybridLogicalClock(new HlcTimestamp(100, HlcTimestamp.LOGICAL_MAX - 1));

    assertThat(clock.now(100)).isEqualTo(new HlcTimestamp(100, HlcTimestamp.LOGICAL_MAX));
    assertThat(clock.now(100)).isEqualTo(new HlcTimestamp(101, 0));
  }

  @Property
  void everyReadingExceedsThePreviousAndEveryObservedTimestamp(
      @ForAll @LongRange(min = 0, max = 10_000) long wallA,
      @ForAll @LongRange(min = 0, max = 10_000) long wallB,
      @ForAll @LongRange(min = 0, max = 10_000) long remotePhysical,
      @ForAll @IntRange(min = 0, max = HlcTimestamp.LOGICAL_MAX) int remoteLogical) {
    HybridLogicalClock clock = new HybridLogicalClock(HlcTimestamp.ZERO);
    HlcTimestamp first = clock.now(wallA);
    HlcTimestamp remote = new HlcTimestamp(remotePhysical, remoteLogical);

    HlcTimestamp merged = clock.observe(remote, wallB);
    HlcTimestamp after = clock.now(wallB);

    assertThat(merged).isGreaterThan(first).isGreaterThan(remote);
    assertThat(after).isGreaterThan(merged);
  }

  @Property
  void packingPreservesValueAndOrder(
      @ForAll @LongRange(min = 0, max = (1L << 47) - 1) long physicalA,
      @ForAll @IntRange(min = 0, max = HlcTimestamp.LOGICAL_MAX) int logicalA,
      @ForAll @LongRange(min = 0, max = (1L << 47) - 1) long physicalB,
      @ForAll @IntRange(min = 0, max = HlcTimestamp.LOGICAL_MAX) int logicalB) {
    HlcTimestamp a = new HlcTimestamp(physicalA, logicalA);
    HlcTimestamp b = new HlcTimestamp(physicalB, logicalB);

    assertThat(HlcTimestamp.unpack(a.pack())).isEqualTo(a);
    assertThat(Long.signum(Long.compare(a.pack(), b.pack())))
        .isEqualTo(Long.signum(Long.compare(physicalA, physicalB) != 0
            ? Long.compare(physicalA, physicalB) : Integer.compare(logicalA, logicalB)));
  }
}

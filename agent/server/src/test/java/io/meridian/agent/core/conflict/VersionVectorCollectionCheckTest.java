package io.meridian.agent.core.conflict;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.core.clock.HlcTimestamp;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

// Proves that the collection pass may skip a stored version-vector key without decoding it
// exactly when collecting it would change nothing (ADR 0056): a skipped key would neither be
// removed nor be written back differently, and a key collected once is skipped until a new write
// gives it context again.
class VersionVectorCollectionCheckTest {
  private static final ConflictResolution RULE = ConflictResolution.VERSION_VECTOR;

  @Property(tries = 500)
  void aSkippedKeyIsOneCollectionWouldNotChange(@ForAll long seed, @ForAll @IntRange(min = 1, max = 40) int steps) {
    List<Histories.Entry> history = Histories.generate(RULE, seed, steps);
    SplittableRandom random = new SplittableRandom(seed);
    List<Histories.Entry> applied = Histories.randomPrefixes(history, random);
    KeyState state = Histories.applied(RULE, applied);
    Frontier frontier = new Frontier(Histories.REGIONS);
    for (Histories.Entry entry : applied) {
      frontier.advance(entry.stamp());
    }
    // Other keys' writes move the frontier past this key's.
    for (String region : Histories.REGIONS) {
      long further = frontier.sequence(region) + random.nextInt(3);
      if (further > 0) {
        frontier.advance(new Stamp(new Dot(region, further), HlcTimestamp.ZERO));
      }
    }
    byte[] stored = KeyStateCodec.toBytes(state);

    KeyState decoded = KeyStateCodec.fromBytes(RULE, stored);
    boolean removed = decoded.collect(frontier);
    boolean changed = removed || !Arrays.equals(stored, KeyStateCodec.toBytes(decoded));
    if (!KeyStateCodec.mayChange(RULE, stored, frontier)) {
      assertThat(changed).as("seed %d: skipped a key collection changes", seed).isFalse();
    }

    if (!removed) {
      byte[] collected = KeyStateCodec.toBytes(decoded);
      boolean hasSiblings = !((Siblings) decoded).entries().isEmpty();
      assertThat(KeyStateCodec.mayChange(RULE, collected, frontier))
          .as("seed %d: a key already collected, siblings left: %s", seed, hasSiblings)
          .isEqualTo(!hasSiblings);
    }
  }

  @Property(tries = 100)
  void unreadableBytesAreLeftToTheDecoder(@ForAll byte[] garbage) {
    byte[] stored = new byte[garbage.length + 1];
    stored[0] = 1;
    System.arraycopy(garbage, 0, stored, 1, garbage.length);
    boolean mayChange = KeyStateCodec.mayChange(RULE, stored, new Frontier(Histories.REGIONS));
    if (!mayChange) {
      // Only a well-formed settled state is skipped: it must decode.
      assertThat(KeyStateCodec.fromBytes(RULE, stored)).isInstanceOf(Siblings.class);
    }
  }
}

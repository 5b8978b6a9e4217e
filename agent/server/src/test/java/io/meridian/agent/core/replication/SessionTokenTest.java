package io.meridian.agent.core.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.clock.HlcTimestamp;
import io.meridian.agent.core.storage.Version;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Session tokens (ADR 0021) survive the trip through bytes, merge to the newest, and refuse garbage. */
class SessionTokenTest {
  private static final Version VERSION = new Version(new HlcTimestamp(1_000, 3), "eu", 42, "us", 7);

  @Test
  void everyModesTokenRoundTripsThroughBytes() {
    for (ReplicationMode mode : ReplicationMode.values()) {
      SessionToken token = SessionToken.forWrite("orders", mode, VERSION);
      assertThat(SessionToken.fromBytes(token.toBytes())).as(mode.name()).isEqualTo(token);
    }
    assertThat(SessionToken.forWrite("orders", ReplicationMode.SYNC, VERSION).position())
        .isEqualTo(new SessionToken.LogPosition(7, 42));
    assertThat(SessionToken.forWrite("orders", ReplicationMode.MULTI_PRIMARY, VERSION).position())
        .isEqualTo(new SessionToken.OriginSequences(Map.of("us", 42L)));
    assertThat(SessionToken.forWrite("orders", ReplicationMode.QUORUM, VERSION).position())
        .isEqualTo(new SessionToken.ClockPosition(1_000, 3));
  }

  @Test
  void mergeKeepsTheNewestPositionAndEveryOrigin() {
    SessionToken older = new SessionToken("d", new SessionToken.LogPosition(2, 50));
    SessionToken newer = new SessionToken("d", new SessionToken.LogPosition(3, 10));
    assertThat(older.merge(newer)).isEqualTo(newer);
    assertThat(newer.merge(older)).isEqualTo(newer);
    SessionToken a = new SessionToken("d", new SessionToken.OriginSequences(Map.of("eu", 5L, "us", 1L)));
    SessionToken b = new SessionToken("d", new SessionToken.OriginSequences(Map.of("us", 9L, "ap", 2L)));
    assertThat(a.merge(b).position())
        .isEqualTo(new SessionToken.OriginSequences(Map.of("eu", 5L, "us", 9L, "ap", 2L)));
  }

  @Test
  void aFlippedBitOrATruncatedTokenIsRefusedWithAReason() {
    byte[] bytes = SessionToken.forWrite("orders", ReplicationMode.ASYNC, VERSION).toBytes();
    byte[] flipped = bytes.clone();
    flipped[5] ^= 1;
    assertThatThrownBy(() -> SessionToken.fromBytes(flipped)).hasMessageContaining("damaged");
    assertThatThrownBy(() -> SessionToken.fromBytes(Arrays.copyOf(bytes, 5))).hasMessageContaining("8 to");
    assertThatThrownBy(() -> SessionToken.fromBytes("not a token at all".getBytes()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aTokenOfAnotherDatasetIsRefusedNamingBoth() {
    byte[] bytes = SessionToken.forWrite("orders", ReplicationMode.ASYNC, VERSION).toBytes();
    assertThatThrownBy(() -> SessionToken.forDataset("users", bytes))
        .hasMessageContaining("orders").hasMessageContaining("users");
  }

  // ADR 0030: a quorum token records the fewest replicas any covered write reached, and merging keeps
  // the newest clock with the smallest count, so a session read overlaps its weakest write.
  @Test
  void quorumTokensCarryTheSmallestWriteReplicaCountThroughBytesAndMerges() {
    SessionToken allWrite = SessionToken.forWrite("orders", ReplicationMode.QUORUM, VERSION, 3);
    SessionToken oneWrite = new SessionToken("orders", new SessionToken.ClockPosition(900, 0, 1));
    assertThat(SessionToken.fromBytes(allWrite.toBytes())).isEqualTo(allWrite);
    assertThat(SessionToken.fromBytes(oneWrite.toBytes())).isEqualTo(oneWrite);
    assertThat(allWrite.merge(oneWrite).position()).isEqualTo(new SessionToken.ClockPosition(1_000, 3, 1));
    assertThat(oneWrite.merge(allWrite).position()).isEqualTo(new SessionToken.ClockPosition(1_000, 3, 1));
    SessionToken unknown = new SessionToken("orders", new SessionToken.ClockPosition(1_100, 0));
    assertThat(unknown.merge(allWrite).position()).isEqualTo(new SessionToken.ClockPosition(1_100, 0, 3));
  }
}

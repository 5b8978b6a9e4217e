package io.meridian.app.live;

import com.google.protobuf.ByteString;
import io.meridian.agent.api.v1.Conflict;
import io.meridian.agent.api.v1.ConflictVersion;
import io.meridian.agent.api.v1.WatchEvent;
import io.meridian.app.live.LiveState.ConflictRecord;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads a conflict out of a watch event ({@code watch.proto} {@code Conflict}, ADR 0008) into
 * the row the conflicts table shows: key, how many versions were concurrent, the rule, the
 * version kept and what was discarded. The one place that maps the message.
 */
final class Conflicts {
  /** Longest value shown in the table; longer ones are cut with an ellipsis. */
  static final int VALUE_CHARS_MAX = 40;

  private Conflicts() {}

  /**
   * @param event a watch event
   * @param region the agent it came from
   * @param receivedAtMillis when it arrived
   * @return the conflict it reports, empty when it is not a conflict event
   */
  static Optional<ConflictRecord> decode(WatchEvent event, String region, long receivedAtMillis) {
    if (!event.hasConflict()) {
      return Optional.empty();
    }
    Conflict conflict = event.getConflict();
    String winner = conflict.hasWinner() ? describe(conflict.getWinner())
        : "all kept as siblings";
    String discarded = conflict.getDiscardedCount() == 0 ? "nothing"
        : conflict.getDiscardedList().stream().map(Conflicts::describe)
            .collect(Collectors.joining(", "));
    return Optional.of(new ConflictRecord(receivedAtMillis, region, conflict.getDataset(),
        keyText(conflict.getKey()), conflict.getVersionsCount(), conflict.getRule(), winner,
        discarded));
  }

  /** A version as a person reads it: {@code "value" from eu-central #12}. */
  static String describe(ConflictVersion version) {
    String value = version.getDelete() ? "delete" : '"' + keyText(version.getValue()) + '"';
    if (value.length() > VALUE_CHARS_MAX) {
      value = value.substring(0, VALUE_CHARS_MAX - 1) + "…";
    }
    return String.format(Locale.ROOT, "%s from %s #%d", value,
        version.getVersion().getOriginRegion(), version.getVersion().getSequence());
  }

  /** Keys and values are bytes: shown as text when they are UTF-8, else as hex. */
  static String keyText(ByteString bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException notText) {
      return "0x" + HexFormat.of().formatHex(bytes.toByteArray());
    }
  }
}

package io.meridian.app.live;

import io.meridian.agent.api.v1.WatchEvent;
import io.meridian.app.live.LiveState.ConflictRecord;
import java.util.Optional;

/**
 * Reads a conflict out of a watch event. The agent reserves event kinds 20-29 for conflicts of
 * multi-primary datasets; while {@code watch.proto} has no conflict message yet this finds
 * none, and the model counts such events without their details. When the message lands, this
 * is the one place to map it to a {@link ConflictRecord} (key, concurrent versions, rule,
 * winner, what was discarded).
 */
final class Conflicts {
  private Conflicts() {}

  /**
   * @param event an event of a kind the studio does not otherwise handle
   * @param region the agent it came from
   * @param receivedAtMillis when it arrived
   * @return the conflict it reports, if it is one this studio can read
   */
  static Optional<ConflictRecord> decode(WatchEvent event, String region, long receivedAtMillis) {
    return Optional.empty();
  }
}

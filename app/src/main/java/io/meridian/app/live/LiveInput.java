package io.meridian.app.live;

import io.meridian.agent.api.v1.StatusResponse;
import io.meridian.agent.api.v1.WatchEvent;
import java.util.Objects;

/**
 * One thing the live view received, stamped with the studio's clock when it arrived. The
 * recording is a list of these; replaying them through a {@link LiveModel} rebuilds the view
 * at any instant.
 */
public sealed interface LiveInput {

  /** @return when the studio received it, epoch milliseconds on the studio's clock */
  long receivedAtMillis();

  /** @return the region (agent) it came from or is about */
  String region();

  /**
   * An event from an agent's watch stream: a snapshot or a discrete event.
   *
   * @param receivedAtMillis when it arrived
   * @param region the agent it came from
   * @param event the event as sent
   */
  record Watched(long receivedAtMillis, String region, WatchEvent event) implements LiveInput {
    /** Checks the fields. */
    public Watched {
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(event, "event");
    }
  }

  /**
   * An agent's answer to a status request: its roles and epochs per dataset.
   *
   * @param receivedAtMillis when it arrived
   * @param region the agent it came from
   * @param status the answer
   */
  record StatusReceived(long receivedAtMillis, String region, StatusResponse status)
      implements LiveInput {
    /** Checks the fields. */
    public StatusReceived {
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(status, "status");
    }
  }

  /**
   * The watch stream of an agent opened (again).
   *
   * @param receivedAtMillis when
   * @param region the agent
   */
  record AgentConnected(long receivedAtMillis, String region) implements LiveInput {
    /** Checks the fields. */
    public AgentConnected {
      Objects.requireNonNull(region, "region");
    }
  }

  /**
   * The watch stream of an agent failed or could not be opened: the agent is unreachable.
   *
   * @param receivedAtMillis when
   * @param region the agent
   * @param reason what the transport said
   */
  record AgentLost(long receivedAtMillis, String region, String reason) implements LiveInput {
    /** Checks the fields. */
    public AgentLost {
      Objects.requireNonNull(region, "region");
      reason = reason == null ? "" : reason;
    }
  }

  /**
   * Something the operator did from the live view, and how it ended.
   *
   * @param receivedAtMillis when it ended
   * @param region the region acted on (for a link, its first end)
   * @param action what was done, e.g. {@code cut link us-east~eu-central}
   * @param succeeded whether it worked
   * @param outcome what happened, in a sentence
   */
  record OperatorAction(long receivedAtMillis, String region, String action, boolean succeeded,
      String outcome) implements LiveInput {
    /** Checks the fields. */
    public OperatorAction {
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(action, "action");
      outcome = outcome == null ? "" : outcome;
    }
  }
}

package io.meridian.agent.core.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the driver must do after a {@link ReplicationNode#step step} or {@link
 * ReplicationNode#tick tick}, in this order: if {@code syncStoreFirst}, sync the store; then send
 * {@code messages}; then deliver {@code responses}; then publish {@code events}; then close the
 * streams in {@code disconnects}. Nothing that depends on a write leaves before it is durable, with
 * one exception a driver may take: the first {@code messagesBeforeSync} messages (a sync primary's
 * change batches) may be sent before the sync, so they travel while it runs (ADR 0029). The driver
 * still finishes the sync before anything else of the step and before the next step, so no answer
 * or acknowledgement that depends on those changes precedes the primary's own durable copy; a
 * replica that kept changes its primary then lost in a power loss is found at its next hello and
 * replaced by a snapshot. A driver that ignores the count sends them after the sync, as before.
 *
 * @param syncStoreFirst whether the store must be synced before anything else
 * @param messages messages to send, in order per destination
 * @param responses answers to client requests
 * @param events things to report
 * @param disconnects streams to close because the peer broke the protocol
 * @param messagesBeforeSync how many of the first {@code messages} may be sent before the sync
 */
public record Output(
    boolean syncStoreFirst,
    List<Outbound> messages,
    List<ClientResponse> responses,
    List<ReplicationEvent> events,
    List<Disconnect> disconnects,
    int messagesBeforeSync) {

  /** Nothing to do. */
  public static final Output EMPTY = new Output(false, List.of(), List.of(), List.of(), List.of(), 0);

  /** Copies the lists. */
  public Output {
    if (messagesBeforeSync < 0 || messagesBeforeSync > messages.size()) {
      throw new IllegalArgumentException("messagesBeforeSync " + messagesBeforeSync + " outside 0.."
          + messages.size());
    }
    messages = List.copyOf(messages);
    responses = List.copyOf(responses);
    events = List.copyOf(events);
    disconnects = List.copyOf(disconnects);
  }

  /** An output whose messages all wait for the sync. */
  public Output(boolean syncStoreFirst, List<Outbound> messages, List<ClientResponse> responses,
      List<ReplicationEvent> events, List<Disconnect> disconnects) {
    this(syncStoreFirst, messages, responses, events, disconnects, 0);
  }

  /** Whether there is nothing to do. */
  public boolean isEmpty() {
    return !syncStoreFirst && messages.isEmpty() && responses.isEmpty() && events.isEmpty()
        && disconnects.isEmpty();
  }

  /** A message for one peer. */
  public record Outbound(String to, PeerMessage message) {
    /** Validates presence. */
    public Outbound {
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(message, "message");
    }
  }

  /** A stream to close, and why. */
  public record Disconnect(String peer, String dataset, String reason) {}

  /** Collects an output during one step. */
  static final class Builder {
    private boolean syncStoreFirst;
    private final List<Outbound> messages = new ArrayList<>();
    private final List<ClientResponse> responses = new ArrayList<>();
    private final List<ReplicationEvent> events = new ArrayList<>();
    private final List<Disconnect> disconnects = new ArrayList<>();
    private final List<Outbound> messagesBeforeSync = new ArrayList<>();

    void requireSync() {
      syncStoreFirst = true;
    }

    void send(String to, PeerMessage message) {
      messages.add(new Outbound(to, message));
    }

    /**
     * Sends {@code message} ahead of this step's sync and of its other messages (ADR 0029). Only
     * for what a replica may hold before the primary's own copy is durable: a sync primary's change
     * batches, all of them, so that they keep their order.
     */
    void sendBeforeSync(String to, PeerMessage message) {
      messagesBeforeSync.add(new Outbound(to, message));
    }

    void respond(long requestId, ClientResult result) {
      responses.add(new ClientResponse(requestId, result));
    }

    void report(ReplicationEvent event) {
      events.add(event);
    }

    void disconnect(String peer, String dataset, String reason) {
      disconnects.add(new Disconnect(peer, dataset, reason));
      events.add(new ReplicationEvent.ProtocolViolation(peer, dataset, reason));
    }

    /** Takes over everything {@code output} asks for except its client responses. */
    void includeAllButResponses(Output output) {
      syncStoreFirst |= output.syncStoreFirst();
      messagesBeforeSync.addAll(output.messages().subList(0, output.messagesBeforeSync()));
      messages.addAll(output.messages().subList(output.messagesBeforeSync(), output.messages().size()));
      events.addAll(output.events());
      disconnects.addAll(output.disconnects());
    }

    /** Removes the messages {@code refuse} picks, which reports why itself. */
    void refuseMessages(java.util.function.Predicate<Outbound> refuse) {
      messages.removeIf(refuse);
      messagesBeforeSync.removeIf(refuse);
    }

    Output build() {
      if (!syncStoreFirst && messages.isEmpty() && responses.isEmpty() && events.isEmpty()
          && disconnects.isEmpty() && messagesBeforeSync.isEmpty()) {
        return EMPTY;
      }
      if (messagesBeforeSync.isEmpty()) {
        return new Output(syncStoreFirst, messages, responses, events, disconnects, 0);
      }
      List<Outbound> all = new ArrayList<>(messagesBeforeSync.size() + messages.size());
      all.addAll(messagesBeforeSync);
      all.addAll(messages);
      return new Output(syncStoreFirst, all, responses, events, disconnects, messagesBeforeSync.size());
    }
  }
}

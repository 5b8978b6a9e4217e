package io.meridian.agent.core.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the driver must do after a {@link ReplicationNode#step step} or {@link
 * ReplicationNode#tick tick}, in this order: if {@code syncStoreFirst}, sync the store; then send
 * {@code messages}; then deliver {@code responses}; then publish {@code events}; then close the
 * streams in {@code disconnects}. Nothing that depends on a write leaves before it is durable.
 *
 * @param syncStoreFirst whether the store must be synced before anything else
 * @param messages messages to send, in order per destination
 * @param responses answers to client requests
 * @param events things to report
 * @param disconnects streams to close because the peer broke the protocol
 */
public record Output(
    boolean syncStoreFirst,
    List<Outbound> messages,
    List<ClientResponse> responses,
    List<ReplicationEvent> events,
    List<Disconnect> disconnects) {

  /** Nothing to do. */
  public static final Output EMPTY = new Output(false, List.of(), List.of(), List.of(), List.of());

  /** Copies the lists. */
  public Output {
    messages = List.copyOf(messages);
    responses = List.copyOf(responses);
    events = List.copyOf(events);
    disconnects = List.copyOf(disconnects);
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

    void requireSync() {
      syncStoreFirst = true;
    }

    void send(String to, PeerMessage message) {
      messages.add(new Outbound(to, message));
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
      messages.addAll(output.messages());
      events.addAll(output.events());
      disconnects.addAll(output.disconnects());
    }

    /** Removes the messages {@code refuse} picks, which reports why itself. */
    void refuseMessages(java.util.function.Predicate<Outbound> refuse) {
      messages.removeIf(refuse);
    }

    Output build() {
      if (!syncStoreFirst && messages.isEmpty() && responses.isEmpty() && events.isEmpty()
          && disconnects.isEmpty()) {
        return EMPTY;
      }
      return new Output(syncStoreFirst, messages, responses, events, disconnects);
    }
  }
}

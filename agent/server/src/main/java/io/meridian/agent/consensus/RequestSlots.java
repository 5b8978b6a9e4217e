package io.meridian.agent.consensus;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Keeps a Ratis client's outstanding requests under its limit without ever blocking the caller.
 *
 * <p>Ratis's async client takes a permit of a {@link java.util.concurrent.Semaphore} per request
 * and <em>blocks</em> the sending thread while none is free; it frees the permit only when its own
 * reply future completes, and with a retry-forever policy a request to an unreachable group never
 * completes. Our timeout answers the client after {@code timeoutMillis} but cannot end Ratis's
 * request, so during a long partition every write entry and strong read keeps a permit, and once
 * they are gone the next send blocks whichever thread makes it: a gRPC thread, a Ratis completion
 * thread draining the {@link EntryQueue}, or the JVM's single {@code CompletableFuture} timeout
 * thread (a session read falls back to a strong read there), which then fires no timeout at all,
 * so no consensus request is ever answered again. Here a request takes a slot before it is sent and
 * gives it back when Ratis's future completes (after Ratis gave its permit back), so with at most
 * as many slots as permits a send never waits; beyond them the caller is refused at once.
 */
final class RequestSlots {
  private final int slotsMax;
  private final long timeoutMillis;
  private final AtomicInteger taken = new AtomicInteger();

  /**
   * @param slotsMax at most the client's own limit of outstanding requests
   * @param timeoutMillis how long a caller waits for a reply before it is told the outcome is unknown
   */
  RequestSlots(int slotsMax, long timeoutMillis) {
    this.slotsMax = slotsMax;
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * Sends one request through {@code send} unless {@link #slotsMax} requests are outstanding (then
   * empty, and {@code send} is not called). The returned future fails with a
   * {@link java.util.concurrent.TimeoutException} after {@code timeoutMillis}; the slot stays taken
   * until the client's own future completes.
   */
  <T> Optional<CompletableFuture<T>> send(Supplier<CompletableFuture<T>> send) {
    if (taken.incrementAndGet() > slotsMax) {
      taken.decrementAndGet();
      return Optional.empty();
    }
    CompletableFuture<T> request;
    try {
      request = send.get();
    } catch (RuntimeException | Error error) {
      taken.decrementAndGet();
      throw error;
    }
    request.whenComplete((reply, error) -> taken.decrementAndGet());
    // A copy, so that the timeout completes only the caller's future, never the client's.
    return Optional.of(request.copy().orTimeout(timeoutMillis, TimeUnit.MILLISECONDS));
  }

  /** Requests sent and not yet finished by the client. */
  int outstanding() {
    return taken.get();
  }

  /** The most requests outstanding at once. */
  int slotsMax() {
    return slotsMax;
  }
}

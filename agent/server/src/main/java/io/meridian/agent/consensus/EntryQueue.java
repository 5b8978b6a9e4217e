package io.meridian.agent.consensus;

import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.Failure;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Group commit for one consensus dataset's client writes. While {@code entriesInFlightMax} entries
 * are in flight, writes wait; when one completes, everything waiting leaves as one entry (at most
 * {@code entryWritesMax} writes). A lone write still leaves at once; under load entries grow instead
 * of multiplying, so the Raft log, its fsyncs and its replication cost per entry, not per request.
 *
 * <p>Entries leave in the order their writes arrived, and nobody ever waits to send one: the thread
 * that finds the queue idle drains it, and any other thread (a submitter, or an entry's completion)
 * only asks it to look again. The sender's completions may run inside the Raft client's own lock
 * (Ratis completes replies inside its sliding window); a lock of ours taken there, and held by a
 * submitter that waits for that window inside {@code send}, deadlocked a group in CI (session 9).
 */
final class EntryQueue {
  /** Sends one entry; the stage completes once its writes were answered and it is no longer in flight. */
  interface Sender {
    CompletionStage<?> send(List<ClientOperation> writes, List<Consumer<ClientResult>> callbacks);
  }

  /** A write waiting for the next entry, with when it arrived. */
  private record Waiting(ClientOperation operation, Consumer<ClientResult> callback, long arrivedNanos) {}

  private final String dataset;
  private final String region;
  private final int entriesInFlightMax;
  private final int entryWritesMax;
  private final int waitingMax;
  private final long expireNanos;
  private final LongSupplier nanoClock;
  private final Sender sender;
  // Writes waiting for the next entry, in arrival order; guards entriesInFlight too.
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private int entriesInFlight;
  private final AtomicLong entriesSent = new AtomicLong();
  /** Requests to drain; only the thread that raised it from zero drains, the others leave at once. */
  private final AtomicInteger drainRequests = new AtomicInteger();

  EntryQueue(String dataset, String region, int entriesInFlightMax, int entryWritesMax, int waitingMax,
      long expireMillis, LongSupplier nanoClock, Sender sender) {
    this.dataset = dataset;
    this.region = region;
    this.entriesInFlightMax = entriesInFlightMax;
    this.entryWritesMax = entryWritesMax;
    this.waitingMax = waitingMax;
    this.expireNanos = TimeUnit.MILLISECONDS.toNanos(expireMillis);
    this.nanoClock = nanoClock;
    this.sender = sender;
  }

  /** Queues the writes (refusing those beyond the waiting bound at once) and sends what may leave. */
  void submit(List<ClientOperation> writes, List<Consumer<ClientResult>> callbacks) {
    long now = nanoClock.getAsLong();
    List<Consumer<ClientResult>> refused = new ArrayList<>();
    synchronized (waiting) {
      for (int i = 0; i < writes.size(); i++) {
        if (waiting.size() >= waitingMax) {
          refused.add(callbacks.get(i));
        } else {
          waiting.addLast(new Waiting(writes.get(i), callbacks.get(i), now));
        }
      }
    }
    for (Consumer<ClientResult> callback : refused) {
      callback.accept(new ClientResult.Failed(Failure.RESOURCE_EXHAUSTED, "consensus dataset "
          + dataset + ": " + waitingMax + " writes are waiting for the Raft group at " + region
          + " (limit WAITING_WRITES_MAX); nothing was written, retry later."));
    }
    drain();
  }

  /** Entries sent so far (each holds one or more writes). */
  long entriesSent() {
    return entriesSent.get();
  }

  private void drain() {
    if (drainRequests.getAndIncrement() != 0) {
      return; // the draining thread looks at the queue again before it leaves
    }
    int requests = 1;
    do {
      while (sendNext()) {
        // keep sending while writes wait and entries may be in flight
      }
      requests = drainRequests.addAndGet(-requests);
    } while (requests != 0);
  }

  /** Takes the next chunk of waiting writes and sends it as one entry; false when none could leave. */
  private boolean sendNext() {
    List<ClientOperation> writes;
    List<Consumer<ClientResult>> callbacks;
    List<Consumer<ClientResult>> expired = new ArrayList<>();
    synchronized (waiting) {
      if (waiting.isEmpty() || entriesInFlight >= entriesInFlightMax) {
        return false;
      }
      int count = Math.min(waiting.size(), entryWritesMax);
      writes = new ArrayList<>(count);
      callbacks = new ArrayList<>(count);
      long expiredBefore = nanoClock.getAsLong() - expireNanos;
      while (writes.size() < count && !waiting.isEmpty()) {
        Waiting next = waiting.pollFirst();
        if (next.arrivedNanos() - expiredBefore < 0) {
          expired.add(next.callback());
          continue;
        }
        writes.add(next.operation());
        callbacks.add(next.callback());
      }
      if (!writes.isEmpty()) {
        entriesInFlight++;
      }
    }
    for (Consumer<ClientResult> callback : expired) {
      // Never sent, so nothing was written: the client may retry without reading first.
      callback.accept(new ClientResult.Failed(Failure.UNAVAILABLE, "consensus dataset " + dataset
          + ": the write waited " + TimeUnit.NANOSECONDS.toMillis(expireNanos) + " ms for the Raft group at "
          + region + " without being sent; nothing was written, retry later."));
    }
    if (!writes.isEmpty()) {
      entriesSent.incrementAndGet();
      sender.send(writes, callbacks).whenComplete((done, error) -> {
        synchronized (waiting) {
          entriesInFlight--;
        }
        drain();
      });
    }
    return true;
  }
}

package io.meridian.agent.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.Failure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The consensus write queue's group commit, against a sender that behaves like the Ratis client:
 * it takes a lock to send, and completes replies inside that same lock.
 */
class EntryQueueTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ClientResult ANSWER = new ClientResult.Read(Optional.empty(), "leader");

  /** A fake Raft client: entries sent, in order, each with a reply the test completes. */
  private static final class FakeClient implements EntryQueue.Sender {
    /** Ratis's sliding window: held while sending and while a reply completes its request. */
    final Object window = new Object();
    final List<List<String>> sent = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<Void>> replies = new CopyOnWriteArrayList<>();
    /** Dwells a moment before sending, now and then, so that two senders' chunks could cross. */
    volatile boolean dwell;

    @Override
    public CompletableFuture<?> send(List<ClientOperation> writes, List<Consumer<ClientResult>> callbacks) {
      if (dwell && ThreadLocalRandom.current().nextInt(4) == 0) {
        long until = System.nanoTime() + 20_000;
        while (System.nanoTime() < until) {
          Thread.onSpinWait();
        }
      }
      synchronized (window) {
        sent.add(writes.stream().map(w -> ((ClientOperation.Put) w).key().toUtf8()).toList());
        CompletableFuture<Void> reply = new CompletableFuture<>();
        replies.add(reply);
        return reply.thenRun(() -> callbacks.forEach(callback -> callback.accept(ANSWER)));
      }
    }

    /** Completes entry {@code index}'s reply the way Ratis does: inside the window. */
    void reply(int index) {
      synchronized (window) {
        replies.get(index).complete(null);
      }
    }
  }

  private static EntryQueue queue(FakeClient client, int inFlightMax, int entryWritesMax, int waitingMax,
      AtomicLong nanos) {
    return new EntryQueue("ledger", "eu", inFlightMax, entryWritesMax, waitingMax, 5_000, nanos::get, client);
  }

  private static void submit(EntryQueue queue, String key, Consumer<ClientResult> callback) {
    queue.submit(List.of(new ClientOperation.Put(Bytes.ofUtf8(key), Bytes.ofUtf8("v"))), List.of(callback));
  }

  // The CI hang of session 8: a reply's callbacks ran inside the client's window, a submitter
  // then held the queue's lock while it waited for that window in send, and the reply's thread
  // waited for the queue's lock to send the next entry. Neither moved again.
  @Test
  void aReplyCompletingInsideTheClientsLockNeverWaitsForASubmitterSendingMeanwhile() throws Exception {
    FakeClient client = new FakeClient();
    EntryQueue queue = queue(client, 8, 100, 1_000, new AtomicLong());
    List<String> answered = new CopyOnWriteArrayList<>();
    Thread secondSubmitter = new Thread(() -> submit(queue, "second", r -> answered.add("second")));
    secondSubmitter.setDaemon(true);
    submit(queue, "first", result -> {
      // Still inside the window: another client submits now and reaches the client's send.
      secondSubmitter.start();
      await().atMost(WAIT).until(() -> secondSubmitter.getState() == Thread.State.BLOCKED);
      answered.add("first");
    });
    assertThat(client.sent).containsExactly(List.of("first"));

    Thread replier = new Thread(() -> client.reply(0));
    replier.setDaemon(true);
    replier.start();
    replier.join(WAIT.toMillis());

    assertThat(replier.isAlive()).as("the reply's thread finished instead of waiting for the submitter").isFalse();
    secondSubmitter.join(WAIT.toMillis());
    assertThat(client.sent).containsExactly(List.of("first"), List.of("second"));
    client.reply(1);
    assertThat(answered).containsExactly("first", "second");
  }

  @Test
  void entriesLeaveInArrivalOrderWhileRepliesOnOtherThreadsSendTheNextOnes() throws Exception {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    FakeClient client = new FakeClient();
    client.dwell = true;
    EntryQueue queue = queue(client, 3, 7, 100_000, new AtomicLong());
    int writes = 3_000;
    Map<String, Integer> answers = new ConcurrentHashMap<>();
    Thread submitter = new Thread(() -> {
      for (int i = 0; i < writes; i++) {
        String key = Integer.toString(i);
        submit(queue, key, result -> answers.merge(key, 1, Integer::sum));
      }
    });
    AtomicInteger nextReply = new AtomicInteger();
    List<Thread> repliers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      long repliersSeed = random.nextLong();
      repliers.add(new Thread(() -> {
        Random own = new Random(repliersSeed);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (answers.size() < writes && System.nanoTime() < deadline) {
          int index = nextReply.get();
          if (index < client.replies.size() && nextReply.compareAndSet(index, index + 1)) {
            if (own.nextInt(4) == 0) {
              Thread.yield();
            }
            client.reply(index);
          } else {
            Thread.onSpinWait();
          }
        }
      }));
    }
    submitter.start();
    repliers.forEach(Thread::start);
    submitter.join(WAIT.toMillis());
    for (Thread replier : repliers) {
      replier.join(WAIT.toMillis());
    }

    List<String> inSentOrder = client.sent.stream().flatMap(List::stream).toList();
    assertThat(inSentOrder).as("seed %d", seed)
        .containsExactlyElementsOf(IntStream.range(0, writes).mapToObj(Integer::toString).toList());
    assertThat(answers).as("seed %d: every write answered once", seed).hasSize(writes);
    assertThat(answers.values()).as("seed %d", seed).containsOnly(1);
    assertThat(client.sent.size()).as("seed %d: writes shared entries", seed).isLessThan(writes);
  }

  @Test
  void aLoneWriteLeavesAtOnceAndWritesWaitingBehindAFullPipeLeaveTogether() {
    FakeClient client = new FakeClient();
    EntryQueue queue = queue(client, 1, 2, 1_000, new AtomicLong());
    submit(queue, "a", r -> {});
    submit(queue, "b", r -> {});
    submit(queue, "c", r -> {});
    submit(queue, "d", r -> {});
    assertThat(client.sent).containsExactly(List.of("a"));

    client.reply(0);
    assertThat(client.sent).containsExactly(List.of("a"), List.of("b", "c"));
    client.reply(1);
    assertThat(client.sent).containsExactly(List.of("a"), List.of("b", "c"), List.of("d"));
    assertThat(queue.entriesSent()).isEqualTo(3);
  }

  @Test
  void writesBeyondTheWaitingBoundAreRefusedAtOnceAndNothingIsSentForThem() {
    FakeClient client = new FakeClient();
    EntryQueue queue = queue(client, 1, 100, 2, new AtomicLong());
    List<ClientResult> refused = new ArrayList<>();
    submit(queue, "a", r -> {});
    submit(queue, "b", r -> {});
    submit(queue, "c", r -> {});
    submit(queue, "d", refused::add);

    assertThat(refused).singleElement().satisfies(result -> {
      assertThat(((ClientResult.Failed) result).failure()).isEqualTo(Failure.RESOURCE_EXHAUSTED);
      assertThat(((ClientResult.Failed) result).message()).contains("ledger", "eu", "nothing was written", "retry");
    });
    client.reply(0);
    assertThat(client.sent).containsExactly(List.of("a"), List.of("b", "c"));
  }

  @Test
  void aWriteThatWaitedLongerThanARequestMayTakeIsAnsweredUnavailableAndNeverSent() {
    FakeClient client = new FakeClient();
    AtomicLong nanos = new AtomicLong(1_000);
    EntryQueue queue = queue(client, 1, 100, 1_000, nanos);
    List<ClientResult> late = new ArrayList<>();
    submit(queue, "a", r -> {});
    submit(queue, "stale", late::add);
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(6));
    submit(queue, "fresh", r -> {});

    client.reply(0);

    assertThat(client.sent).containsExactly(List.of("a"), List.of("fresh"));
    assertThat(late).singleElement().satisfies(result -> {
      assertThat(((ClientResult.Failed) result).failure()).isEqualTo(Failure.UNAVAILABLE);
      assertThat(((ClientResult.Failed) result).message()).contains("5000 ms", "nothing was written");
    });
  }
}

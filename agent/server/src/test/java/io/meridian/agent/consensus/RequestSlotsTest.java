package io.meridian.agent.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Requests to a Raft group that cannot answer (a partitioned minority) never make a sender wait:
 * each caller is told "outcome unknown" after the timeout, and once as many requests are
 * unfinished as the Ratis client allows, the next caller is refused at once instead of blocking
 * in the client, as Ratis would block it. The fake client behaves as Ratis's async client does:
 * a semaphore permit per request, taken blocking on send and given back only when the request's
 * own future completes, which with retry-forever is never while the group is unreachable.
 */
class RequestSlotsTest {
  private static final int CLIENT_LIMIT = 3;
  private static final long TIMEOUT_MILLIS = 50;
  private static final long WAIT_SECONDS = 30;

  /** The client: blocks the sender while all permits are taken, as Ratis's OrderedAsync does. */
  private static final class FakeRatisClient {
    final Semaphore permits = new Semaphore(CLIENT_LIMIT);
    final List<CompletableFuture<String>> unfinished = new ArrayList<>();
    int sent;

    synchronized CompletableFuture<String> send() {
      permits.acquireUninterruptibly();
      sent++;
      CompletableFuture<String> reply = new CompletableFuture<>();
      unfinished.add(reply);
      // Ratis gives the permit back in the stage it returns, before the caller's stages run.
      return reply.whenComplete((value, error) -> permits.release());
    }

    void groupHeals() {
      List<CompletableFuture<String>> replies;
      synchronized (this) {
        replies = new ArrayList<>(unfinished);
        unfinished.clear();
      }
      replies.forEach(reply -> reply.complete("committed"));
    }
  }

  @Test
  void callersOfAnUnreachableGroupAreAnsweredAndTheNextOneIsRefusedWithoutBlocking() throws Exception {
    FakeRatisClient client = new FakeRatisClient();
    RequestSlots slots = new RequestSlots(CLIENT_LIMIT, TIMEOUT_MILLIS);

    for (int i = 0; i < CLIENT_LIMIT; i++) {
      CompletableFuture<String> answer = slots.send(client::send).orElseThrow();
      assertThatThrownBy(() -> answer.get(WAIT_SECONDS, TimeUnit.SECONDS))
          .as("request %d is answered once its timeout passes", i)
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
    }
    assertThat(slots.outstanding()).as("timed-out requests still hold the client's permits").isEqualTo(CLIENT_LIMIT);

    // On a thread of its own, so that a send blocked in the client fails this test instead of hanging it.
    Optional<CompletableFuture<String>> next = CompletableFuture.supplyAsync(() -> slots.send(client::send))
        .get(WAIT_SECONDS, TimeUnit.SECONDS);

    assertThat(next).as("the next request is refused at once").isEmpty();
    assertThat(client.sent).as("and never reaches the client").isEqualTo(CLIENT_LIMIT);
  }

  @Test
  void slotsComeBackWhenTheClientFinishesItsRequestsNotWhenTheCallerStopsWaiting() throws Exception {
    FakeRatisClient client = new FakeRatisClient();
    RequestSlots slots = new RequestSlots(CLIENT_LIMIT, TIMEOUT_MILLIS);
    List<CompletableFuture<String>> answers = new ArrayList<>();
    for (int i = 0; i < CLIENT_LIMIT; i++) {
      answers.add(slots.send(client::send).orElseThrow());
    }
    for (CompletableFuture<String> answer : answers) {
      assertThatThrownBy(() -> answer.get(WAIT_SECONDS, TimeUnit.SECONDS)).hasCauseInstanceOf(TimeoutException.class);
    }
    assertThat(slots.send(client::send)).as("no slot while the client still retries").isEmpty();

    client.groupHeals();

    assertThat(slots.outstanding()).isZero();
    assertThat(client.permits.availablePermits()).isEqualTo(CLIENT_LIMIT);
    CompletableFuture<String> after = slots.send(client::send).orElseThrow();
    client.groupHeals();
    assertThat(after.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("committed");
  }

  @Test
  void aSendThatThrowsGivesItsSlotBack() {
    RequestSlots slots = new RequestSlots(1, TIMEOUT_MILLIS);

    assertThatThrownBy(() -> slots.send(() -> {
      throw new IllegalStateException("client closed");
    })).hasMessageContaining("client closed");

    assertThat(slots.outstanding()).isZero();
  }
}

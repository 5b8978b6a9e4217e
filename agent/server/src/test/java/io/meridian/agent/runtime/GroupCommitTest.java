package io.meridian.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.PeerMessage;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A sync replica whose store syncs run on their own thread (ADR 0043) acknowledges a batch only
 * after a sync that began after the batch was written has finished, keeps applying batches while a
 * sync runs, and covers every batch that arrived during one sync with a single next sync whose
 * acknowledgements leave together. Two runtimes wired to each other in memory: primary a (syncs
 * inline) and replica b, whose disk the test holds and releases.
 */
class GroupCommitTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /**
   * A store whose syncs, once {@link #held}, wait for the test; it records what each finished sync
   * made durable.
   */
  private static final class HeldDiskStore extends InMemoryReplicaStore {
    final Semaphore entered = new Semaphore(0);
    final Semaphore proceed = new Semaphore(0);
    volatile boolean held;
    volatile long durableSequence;
    volatile int syncsFinished;

    @Override
    public void sync() {
      // The test delivers nothing while a sync is between entering and being released, so this
      // read does not race with the logical thread's appends.
      long covered = lastSequence("d");
      if (held) {
        entered.release();
        try {
          if (!proceed.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("the test did not release the held sync within " + WAIT);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while the sync was held", e);
        }
      }
      super.sync();
      durableSequence = covered;
      syncsFinished++;
    }
  }

  private final ExecutorService syncThread = Executors.newSingleThreadExecutor();
  private final HeldDiskStore replicaStore = new HeldDiskStore();
  private final List<PeerMessage.Ack> acks = new CopyOnWriteArrayList<>();
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private AgentRuntime primary;
  private AgentRuntime replica;

  private static AgentConfig config(String self, String peer) {
    DatasetConfig dataset = DatasetConfig.allReplicas("d", ReplicationMode.SYNC, List.of("a", "b"), "a",
        FsyncPolicy.PER_COMMIT);
    return new AgentConfig(self, List.of(new PeerConfig(peer, "localhost:1", LinkEmulation.NONE)), List.of(dataset),
        ReplicationBounds.DEFAULTS);
  }

  private void start() {
    Map<String, AgentRuntime> runtimes = new ConcurrentHashMap<>();
    primary = new AgentRuntime(config("a", "b"), new InMemoryReplicaStore(), () -> 1_000);
    replica = new AgentRuntime(config("b", "a"), replicaStore, () -> 1_000);
    runtimes.put("a", primary);
    runtimes.put("b", replica);
    primary.attach(wire("a", runtimes));
    replica.attach(wire("b", runtimes));
    // Connecting may ask for syncs (the replica's hello, its first acknowledgement): they run inline
    // on this thread, so once these calls return nothing is left running or queued anywhere. (Had
    // they run on the sync thread, no wait could tell for sure that the last of them had come.)
    primary.deliver(new Input.PeerConnected("b", "d"));
    replica.deliver(new Input.PeerConnected("a", "d"));
    replica.syncInBackground(syncThread);
    replicaStore.held = true;
  }

  private PeerSender wire(String self, Map<String, AgentRuntime> runtimes) {
    return new PeerSender() {
      @Override
      public void send(String peer, PeerMessage message) {
        if (message instanceof PeerMessage.Ack ack && self.equals("b")) {
          if (ack.appliedSequence() > replicaStore.durableSequence) {
            violations.add("acknowledged " + ack.appliedSequence() + " while only " + replicaStore.durableSequence
                + " was synced");
          }
          acks.add(ack);
        }
        runtimes.get(peer).deliver(new Input.PeerMessageReceived(self, message));
      }

      @Override
      public void disconnect(String peer, String dataset, String reason) {
        violations.add("disconnect " + peer + ": " + reason);
      }
    };
  }

  private void awaitSyncEntered() throws InterruptedException {
    assertThat(replicaStore.entered.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS))
        .as("the replica started a sync").isTrue();
  }

  private CompletableFuture<ClientResult> put(String key) {
    return primary.submit("d", new ClientOperation.Put(Bytes.ofUtf8(key), Bytes.ofUtf8("v")));
  }

  @AfterEach
  void stop() {
    replicaStore.proceed.release(1_000);
    if (replica != null) {
      replica.stop(() -> {}, 10_000);
    }
    syncThread.shutdownNow();
  }

  @Test
  void acknowledgementWaitsForTheSyncThatCoversTheBatch() throws InterruptedException {
    start();
    int syncsBefore = replicaStore.syncsFinished;
    int acksBefore = acks.size();

    CompletableFuture<ClientResult> write = put("k1");
    awaitSyncEntered();

    assertThat(replicaStore.lastSequence("d")).as("the replica applied the batch").isEqualTo(1);
    assertThat(acks).as("no acknowledgement while its sync runs").hasSize(acksBefore);
    assertThat(write).as("the writer waits for the replica's sync").isNotDone();

    replicaStore.proceed.release();
    await().atMost(WAIT).untilAsserted(() -> assertThat(write).isCompletedWithValueMatching(
        ClientResult.Committed.class::isInstance));
    assertThat(acks.get(acks.size() - 1).appliedSequence()).isEqualTo(1);
    assertThat(replicaStore.syncsFinished - syncsBefore).isEqualTo(1);
    assertThat(violations).isEmpty();
  }

  @Test
  void batchesArrivingDuringASyncShareTheNextSyncAndAreAcknowledgedTogether() throws InterruptedException {
    start();
    int syncsBefore = replicaStore.syncsFinished;

    CompletableFuture<ClientResult> first = put("k1");
    awaitSyncEntered();
    List<CompletableFuture<ClientResult>> later = new ArrayList<>();
    for (int i = 2; i <= 4; i++) {
      later.add(put("k" + i));
    }
    assertThat(replicaStore.lastSequence("d")).as("applied while the first sync still runs").isEqualTo(4);

    replicaStore.proceed.release();
    await().atMost(WAIT).untilAsserted(() -> assertThat(first).isCompletedWithValueMatching(
        ClientResult.Committed.class::isInstance));
    assertThat(later).as("not covered by the first sync").noneMatch(CompletableFuture::isDone);

    awaitSyncEntered(); // One sync for the three batches that came in meanwhile.
    replicaStore.proceed.release();
    await().atMost(WAIT).untilAsserted(() -> assertThat(later).allMatch(
        future -> future.isDone() && future.join() instanceof ClientResult.Committed));

    assertThat(replicaStore.syncsFinished - syncsBefore).as("two syncs for four batches").isEqualTo(2);
    assertThat(acks.get(acks.size() - 1).appliedSequence()).isEqualTo(4);
    assertThat(replicaStore.entered.tryAcquire(200, TimeUnit.MILLISECONDS)).as("no further sync").isFalse();
    assertThat(violations).isEmpty();
  }

  @Test
  void aTaskAfterCarriedOutRunsOnlyOnceTheOutputsWaitingForASyncHaveLeft() throws InterruptedException {
    start();
    int acksBefore = acks.size();

    CompletableFuture<ClientResult> write = put("k1");
    awaitSyncEntered();
    CompletableFuture<Integer> acksSeenByTheTask = new CompletableFuture<>();
    replica.afterCarriedOut(() -> acksSeenByTheTask.complete(acks.size()));
    // The task is queued behind the held acknowledgement: it cannot run before the sync is let go.
    CompletableFuture<Void> stepped = new CompletableFuture<>();
    replica.execute(() -> stepped.complete(null));
    await().atMost(WAIT).until(stepped::isDone);
    assertThat(acksSeenByTheTask).as("ran while the batch's acknowledgement still waits for the disk").isNotDone();

    replicaStore.proceed.release();
    await().atMost(WAIT).until(acksSeenByTheTask::isDone);
    assertThat(acksSeenByTheTask.join()).as("the acknowledgement left before the task ran").isEqualTo(acksBefore + 1);
    await().atMost(WAIT).untilAsserted(() -> assertThat(write).isCompletedWithValueMatching(
        ClientResult.Committed.class::isInstance));
    assertThat(violations).isEmpty();
  }
}

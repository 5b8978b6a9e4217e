package io.meridian.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverPolicy;
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
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves ADR 0055: change batches of an async dataset that queue at a replica while its logical
 * thread is busy are applied as one step, with one store append and one acknowledgement of the
 * last change, in the primary's order; the acknowledgement leaves only once the store holds what it
 * acknowledges; a fold stops at {@link AgentRuntime#FOLDED_BATCH_CHANGES_MAX} changes and the rest
 * follows in the next step; and a gap ends a fold, so nothing after it is applied. Primary a and
 * replica b are two runtimes wired in memory; the primary's batches are captured and delivered by
 * the test while the replica's logical thread is held busy, as a backlog would hold it.
 */
class ReplicaFoldedBatchTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  // The defaults, except that a batch leaves at the end of the step that wrote it (no batch delay),
  // so each separately submitted write makes a batch of its own.
  private static final ReplicationBounds BATCH_PER_STEP = new ReplicationBounds(512, 1 << 20, 0, 8192, 200, 2_000,
      1_000, 5_000, 5_000, 10_000, 10_000, 65_536, 1024, 1 << 20);

  /**
   * Counts appends and keeps every change appended, in order (the store's own log is truncated
   * once every replica holds it, so it cannot be compared whole).
   */
  private static final class CountingStore extends InMemoryReplicaStore {
    final List<Change> appended = new CopyOnWriteArrayList<>();
    volatile int appends;

    @Override
    public void append(String dataset, List<Change> changes) {
      appends++;
      appended.addAll(changes);
      super.append(dataset, changes);
    }
  }

  private final CountingStore primaryStore = new CountingStore();
  private final CountingStore replicaStore = new CountingStore();
  private final List<PeerMessage.ChangeBatch> captured = new CopyOnWriteArrayList<>();
  private final List<PeerMessage.Ack> acks = new CopyOnWriteArrayList<>();
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private volatile boolean capturing;
  private AgentRuntime primary;
  private AgentRuntime replica;

  private static AgentConfig config(String self, String peer) {
    DatasetConfig dataset = new DatasetConfig("d", ReplicationMode.ASYNC, List.of("a", "b"), "a", 0,
        FsyncPolicy.OPERATING_SYSTEM, 1, new FailoverPolicy(false, 3_000, 100));
    return new AgentConfig(self, List.of(new PeerConfig(peer, "localhost:1", LinkEmulation.NONE)), List.of(dataset),
        BATCH_PER_STEP);
  }

  @BeforeEach
  void connect() {
    primary = new AgentRuntime(config("a", "b"), primaryStore, () -> 1_000);
    replica = new AgentRuntime(config("b", "a"), replicaStore, () -> 1_000);
    primary.attach(new PeerSender() {
      @Override
      public void send(String peer, PeerMessage message) {
        if (capturing && message instanceof PeerMessage.ChangeBatch batch) {
          captured.add(batch);
        } else {
          replica.deliver(new Input.PeerMessageReceived("a", message));
        }
      }

      @Override
      public void disconnect(String peer, String dataset, String reason) {
        violations.add("primary disconnected " + peer + ": " + reason);
      }
    });
    replica.attach(new PeerSender() {
      @Override
      public void send(String peer, PeerMessage message) {
        if (message instanceof PeerMessage.Ack ack) {
          // On the replica's logical thread, so the store read does not race with its appends.
          if (ack.appliedSequence() > replicaStore.lastSequence("d")) {
            violations.add("acknowledged " + ack.appliedSequence() + " while the log ended at "
                + replicaStore.lastSequence("d"));
          }
          acks.add(ack);
        }
        primary.deliver(new Input.PeerMessageReceived("b", message));
      }

      @Override
      public void disconnect(String peer, String dataset, String reason) {
        violations.add("replica disconnected " + peer + ": " + reason);
      }
    });
    // Inline on this thread: once these return, the hello and its answers have been exchanged.
    primary.deliver(new Input.PeerConnected("b", "d"));
    replica.deliver(new Input.PeerConnected("a", "d"));
    capturing = true;
  }

  /** Writes {@code count} keys at the primary, {@code perStep} per submitted batch. */
  private void write(int count, int perStep) throws Exception {
    List<CompletableFuture<ClientResult>> results = new ArrayList<>();
    for (int first = 0; first < count; first += perStep) {
      List<ClientOperation> operations = new ArrayList<>();
      List<Consumer<ClientResult>> callbacks = new ArrayList<>();
      for (int i = first; i < Math.min(count, first + perStep); i++) {
        operations.add(new ClientOperation.Put(Bytes.ofUtf8("k" + i), Bytes.ofUtf8("v" + i)));
        CompletableFuture<ClientResult> result = new CompletableFuture<>();
        results.add(result);
        callbacks.add(result::complete);
      }
      primary.submitAll("d", operations, callbacks);
    }
    for (CompletableFuture<ClientResult> result : results) {
      assertThat(result.get(30, TimeUnit.SECONDS)).isInstanceOf(ClientResult.Committed.class);
    }
  }

  /** Holds the replica's logical thread until the returned latch is released. */
  private CountDownLatch holdReplica() throws InterruptedException {
    return QuorumFoldedStepTest.holdLogicalThread(replica);
  }

  /** Delivers {@code batches} to the held replica, releases it and waits until it acknowledged {@code last}. */
  private void deliverWhileHeld(List<PeerMessage.ChangeBatch> batches, long last) throws InterruptedException {
    CountDownLatch release = holdReplica();
    for (PeerMessage.ChangeBatch batch : batches) {
      replica.deliver(new Input.PeerMessageReceived("a", batch));
    }
    assertThat(acks).as("nothing applied while the replica is busy").isEmpty();
    release.countDown();
    await().atMost(WAIT).until(() -> !acks.isEmpty() && acks.get(acks.size() - 1).appliedSequence() == last);
  }

  private List<Change> replicaLog() {
    return replicaStore.appended;
  }

  @Test
  void batchesQueuedAtABusyReplicaAreAppliedInOrderWithOneAppendAndOneAcknowledgement() throws Exception {
    write(20, 1);
    assertThat(captured).as("one batch per write").hasSize(20);
    acks.clear();
    int appendsBefore = replicaStore.appends;

    deliverWhileHeld(captured, 20);

    assertThat(replicaStore.appends - appendsBefore).as("store appends for 20 queued batches").isEqualTo(1);
    assertThat(acks).extracting(PeerMessage.Ack::appliedSequence).containsExactly(20L);
    assertThat(replicaLog()).as("the replica's log, change by change").isEqualTo(primaryStore.appended);
    assertThat(violations).isEmpty();
  }

  @Test
  void aFoldStopsAtItsBoundAndTheRestFollowsInTheNextStep() throws Exception {
    int total = AgentRuntime.FOLDED_BATCH_CHANGES_MAX + 512;
    write(total, total); // One client batch: the primary ships it in batches of 512 changes.
    assertThat(captured).hasSize(total / 512);
    acks.clear();
    int appendsBefore = replicaStore.appends;

    deliverWhileHeld(captured, total);

    assertThat(replicaStore.appends - appendsBefore).isEqualTo(2);
    assertThat(acks).extracting(PeerMessage.Ack::appliedSequence)
        .containsExactly((long) AgentRuntime.FOLDED_BATCH_CHANGES_MAX, (long) total);
    assertThat(replicaLog()).isEqualTo(primaryStore.appended);
    assertThat(violations).isEmpty();
  }

  @Test
  void aGapEndsTheFoldAndNothingAfterItIsApplied() throws Exception {
    write(5, 1);
    assertThat(captured).hasSize(5);
    acks.clear();
    List<PeerMessage.ChangeBatch> withoutThird = List.of(captured.get(0), captured.get(1), captured.get(3),
        captured.get(4));
    CountDownLatch release = holdReplica();
    for (PeerMessage.ChangeBatch batch : withoutThird) {
      replica.deliver(new Input.PeerMessageReceived("a", batch));
    }
    release.countDown();
    await().atMost(WAIT).until(() -> acks.size() == 2);

    assertThat(acks).extracting(PeerMessage.Ack::appliedSequence).containsExactly(2L, 2L);
    assertThat(acks.get(1).resendRequested()).as("the batches after the gap ask for a resend").isTrue();
    assertThat(replicaLog()).isEqualTo(primaryStore.appended.subList(0, 2));
    assertThat(violations).isEmpty();
  }
}

package io.meridian.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.QuorumPolicy;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.clock.HlcTimestamp;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.PeerMessage;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.ChangeKind;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import io.meridian.agent.core.storage.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

// Proves the fold lane of ADR 0042: quorum client batches and quorum peer frames that queue for
// the runtime's logical thread while it is busy are stepped together, so they share one store
// write and one acknowledgement frame per coordinator; every client still gets its own answer,
// in the order the writes were submitted; and one folded step takes at most FOLDED_INPUTS_MAX
// inputs. The logical thread is held busy by a task waiting on a latch, as a backlog would hold it.
class QuorumFoldedStepTest {
  /** Counts store appends: one per step that held anything. */
  private static final class CountingStore extends InMemoryReplicaStore {
    final AtomicInteger appends = new AtomicInteger();

    @Override
    public void append(String dataset, List<Change> changes) {
      appends.incrementAndGet();
      super.append(dataset, changes);
    }
  }

  private static final class RecordingSender implements PeerSender {
    final List<String> sent = new CopyOnWriteArrayList<>();
    final List<PeerMessage> messages = new CopyOnWriteArrayList<>();

    @Override
    public void send(String peer, PeerMessage message) {
      sent.add(peer);
      messages.add(message);
    }

    @Override
    public void disconnect(String peer, String dataset, String reason) {}
  }

  private static AgentConfig quorumAtA() {
    // W=1: a write is answered once region a holds it (b and c get hints), so the test needs no peers.
    return new AgentConfig("a", List.of(new PeerConfig("b", "localhost:1", LinkEmulation.NONE),
        new PeerConfig("c", "localhost:2", LinkEmulation.NONE)), List.of(DatasetConfig.quorum("q",
        List.of("a", "b", "c"), new QuorumPolicy(1, 1, 2_000, 1_000), FsyncPolicy.OPERATING_SYSTEM)),
        ReplicationBounds.DEFAULTS);
  }

  private static List<ClientOperation> puts(String prefix, int count) {
    List<ClientOperation> operations = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      operations.add(new ClientOperation.Put(Bytes.ofUtf8(prefix + i), Bytes.ofUtf8("v")));
    }
    return operations;
  }

  /** Submits {@code operations} as one batch; the futures complete with each one's result. */
  private static List<CompletableFuture<ClientResult>> submit(AgentRuntime runtime, List<ClientOperation> operations) {
    List<CompletableFuture<ClientResult>> results = new ArrayList<>();
    List<Consumer<ClientResult>> callbacks = new ArrayList<>();
    for (int i = 0; i < operations.size(); i++) {
      CompletableFuture<ClientResult> result = new CompletableFuture<>();
      results.add(result);
      callbacks.add(result::complete);
    }
    runtime.submitAll("q", operations, callbacks);
    return results;
  }

  /** Holds the runtime's logical thread until the returned latch is released. */
  static CountDownLatch holdLogicalThread(AgentRuntime runtime) throws InterruptedException {
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    new Thread(() -> runtime.execute(() -> {
      busy.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    })).start();
    assertThat(busy.await(30, TimeUnit.SECONDS)).isTrue();
    return release;
  }

  private static long sequenceOf(CompletableFuture<ClientResult> result) throws Exception {
    ClientResult answer = result.get(30, TimeUnit.SECONDS);
    assertThat(answer).isInstanceOf(ClientResult.Committed.class);
    return ((ClientResult.Committed) answer).version().sequence();
  }

  @Test
  void clientBatchesAndReplicaFramesQueuedBehindABusyLogicalThreadShareOneStoreWriteAndOneAcknowledgement()
      throws Exception {
    CountingStore store = new CountingStore();
    AgentRuntime runtime = new AgentRuntime(quorumAtA(), store, () -> 10_000L);
    RecordingSender sender = new RecordingSender();
    runtime.attach(sender);
    CountDownLatch release = holdLogicalThread(runtime);

    List<CompletableFuture<ClientResult>> results = new ArrayList<>();
    for (int batch = 0; batch < 20; batch++) {
      results.addAll(submit(runtime, puts("k" + batch + "-", 5)));
      // Region b coordinates writes too: its frames to this replica queue among the client batches.
      Change fromB = new Change(ChangeKind.PUT, Bytes.ofUtf8("b" + batch), Bytes.ofUtf8("w"),
          new Version(new HlcTimestamp(9_000, batch), "b", batch + 1, "b", 1));
      runtime.deliver(new Input.PeerMessageReceived("b", new PeerMessage.QuorumWrite("q@a", List.of(1_000L + batch),
          List.of(fromB))));
    }
    assertThat(results).as("queued behind the busy logical thread").noneMatch(CompletableFuture::isDone);
    int appendsBefore = store.appends.get();
    release.countDown();

    List<Long> sequences = new ArrayList<>();
    for (CompletableFuture<ClientResult> result : results) {
      sequences.add(sequenceOf(result));
    }
    assertThat(sequences).as("every client write answered, held in the order submitted").isSorted()
        .doesNotHaveDuplicates().hasSize(100);
    assertThat(store.appends.get() - appendsBefore).as("one folded step: one store write for 100 puts and 20 frames")
        .isEqualTo(1);
    for (int batch = 0; batch < 20; batch++) {
      assertThat(store.get("q", Bytes.ofUtf8("b" + batch))).as("b's write %d held", batch).isPresent();
    }
    List<PeerMessage.QuorumWriteAck> acks = new ArrayList<>();
    for (PeerMessage message : sender.messages) {
      if (message instanceof PeerMessage.QuorumWriteAck ack) {
        acks.add(ack);
      }
    }
    assertThat(acks).as("b's 20 frames answered by one acknowledgement frame").hasSize(1);
    List<Long> expectedIds = new ArrayList<>();
    for (int batch = 0; batch < 20; batch++) {
      expectedIds.add(1_000L + batch);
    }
    assertThat(acks.get(0).operationIds()).containsExactlyElementsOf(expectedIds);
  }

  @Test
  void aFoldedStepTakesAtMostTheBoundAndTheRestFollowsInTheNextStep() throws Exception {
    CountingStore store = new CountingStore();
    AgentRuntime runtime = new AgentRuntime(quorumAtA(), store, () -> 10_000L);
    CountDownLatch release = holdLogicalThread(runtime);
    int batchSize = AgentRuntime.FOLDED_INPUTS_MAX / 2;
    List<CompletableFuture<ClientResult>> results = new ArrayList<>();
    for (int batch = 0; batch < 3; batch++) {
      results.addAll(submit(runtime, puts("k" + batch + "-", batchSize)));
    }
    int appendsBefore = store.appends.get();
    release.countDown();

    long previous = 0;
    for (CompletableFuture<ClientResult> result : results) {
      long sequence = sequenceOf(result);
      assertThat(sequence).isGreaterThan(previous);
      previous = sequence;
    }
    assertThat(store.appends.get() - appendsBefore)
        .as("two batches fill the bound; the third batch is the next step").isEqualTo(2);
  }

  @Test
  void aReplicaFrameCountsTheWritesItCarriesAgainstTheBound() throws Exception {
    CountingStore store = new CountingStore();
    AgentRuntime runtime = new AgentRuntime(quorumAtA(), store, () -> 10_000L);
    RecordingSender sender = new RecordingSender();
    runtime.attach(sender);
    CountDownLatch release = holdLogicalThread(runtime);
    // A coordinator's frame can carry a whole folded step of its writes: it must not ride along
    // with a large client batch as if it were one input.
    int frameWrites = AgentRuntime.FOLDED_INPUTS_MAX * 3 / 4;
    List<Long> ids = new ArrayList<>();
    List<Change> changes = new ArrayList<>();
    for (int i = 0; i < frameWrites; i++) {
      ids.add(1_000L + i);
      changes.add(new Change(ChangeKind.PUT, Bytes.ofUtf8("b" + i), Bytes.ofUtf8("w"),
          new Version(new HlcTimestamp(9_000, i), "b", i + 1, "b", 1)));
    }
    runtime.deliver(new Input.PeerMessageReceived("b", new PeerMessage.QuorumWrite("q@a", ids, changes)));
    List<CompletableFuture<ClientResult>> results = submit(runtime, puts("k", AgentRuntime.FOLDED_INPUTS_MAX / 2));
    int appendsBefore = store.appends.get();
    release.countDown();

    for (CompletableFuture<ClientResult> result : results) {
      sequenceOf(result);
    }
    assertThat(store.appends.get() - appendsBefore).as("the frame's writes fill most of the bound: two steps")
        .isEqualTo(2);
  }
}

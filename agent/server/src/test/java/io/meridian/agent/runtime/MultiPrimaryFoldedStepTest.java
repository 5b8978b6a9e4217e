package io.meridian.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

// Proves that multi-primary client batches take the fold lane (ADR 0052, after ADR 0042): batches
// that queue for the logical thread while it is busy are stepped together, so they share one
// append to this region's log (and one batch to each peer); every client still gets its own
// answer, in submission order, and reads see every folded write. The logical thread is held busy
// by a task waiting on a latch, as a backlog of work would hold it.
class MultiPrimaryFoldedStepTest {
  /** Counts store appends per dataset (log). */
  private static final class CountingStore extends InMemoryReplicaStore {
    final Map<String, AtomicInteger> appends = new ConcurrentHashMap<>();

    @Override
    public void append(String dataset, List<Change> changes) {
      appends.computeIfAbsent(dataset, unused -> new AtomicInteger()).incrementAndGet();
      super.append(dataset, changes);
    }

    int appendsTo(String dataset) {
      AtomicInteger count = appends.get(dataset);
      return count == null ? 0 : count.get();
    }
  }

  private static AgentConfig multiPrimaryAtA() {
    // Peers b and c are never connected: a multi-primary write commits locally and ships later.
    return new AgentConfig("a", List.of(new PeerConfig("b", "localhost:1", LinkEmulation.NONE),
        new PeerConfig("c", "localhost:2", LinkEmulation.NONE)), List.of(DatasetConfig.multiPrimary("mp",
        List.of("a", "b", "c"), ConflictResolution.LWW, FsyncPolicy.OPERATING_SYSTEM, List.of())),
        ReplicationBounds.DEFAULTS);
  }

  private static List<CompletableFuture<ClientResult>> submit(AgentRuntime runtime, List<ClientOperation> operations) {
    List<CompletableFuture<ClientResult>> results = new ArrayList<>();
    List<Consumer<ClientResult>> callbacks = new ArrayList<>();
    for (int i = 0; i < operations.size(); i++) {
      CompletableFuture<ClientResult> result = new CompletableFuture<>();
      results.add(result);
      callbacks.add(result::complete);
    }
    runtime.submitAll("mp", operations, callbacks);
    return results;
  }

  private static CountDownLatch holdLogicalThread(AgentRuntime runtime) throws InterruptedException {
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

  @Test
  void clientBatchesQueuedBehindABusyLogicalThreadShareOneAppendAndAreAnsweredInOrder() throws Exception {
    CountingStore store = new CountingStore();
    AgentRuntime runtime = new AgentRuntime(multiPrimaryAtA(), store, () -> 10_000L);
    CountDownLatch release = holdLogicalThread(runtime);

    List<CompletableFuture<ClientResult>> results = new ArrayList<>();
    for (int batch = 0; batch < 20; batch++) {
      List<ClientOperation> puts = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        puts.add(new ClientOperation.Put(Bytes.ofUtf8("k" + batch + "-" + i), Bytes.ofUtf8("v" + batch)));
      }
      results.addAll(submit(runtime, puts));
    }
    assertThat(results).as("queued behind the busy logical thread").noneMatch(CompletableFuture::isDone);
    int appendsBefore = store.appendsTo("mp@a");
    release.countDown();

    List<Long> sequences = new ArrayList<>();
    for (CompletableFuture<ClientResult> result : results) {
      ClientResult answer = result.get(30, TimeUnit.SECONDS);
      assertThat(answer).isInstanceOf(ClientResult.Committed.class);
      sequences.add(((ClientResult.Committed) answer).version().sequence());
    }
    assertThat(sequences).as("every write answered, committed in the order submitted").isSorted()
        .doesNotHaveDuplicates().hasSize(100);
    assertThat(store.appendsTo("mp@a") - appendsBefore).as("one folded step: one append of a's log for 100 puts")
        .isEqualTo(1);
    ClientResult read = runtime.submit("mp", new ClientOperation.Get(Bytes.ofUtf8("k19-4")))
        .get(30, TimeUnit.SECONDS);
    assertThat(read).isInstanceOf(ClientResult.Read.class);
    assertThat(((ClientResult.Read) read).value()).as("the last folded write is readable")
        .hasValueSatisfying(value -> assertThat(value.value()).isEqualTo(Bytes.ofUtf8("v19")));
  }
}

package io.meridian.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.QuorumPolicy;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.Failure;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

// Proves admission control in front of the replication core (ADR 0036): while the oldest client
// write of a quorum dataset queued for the runtime's logical thread has waited a quarter of the
// quorum timeout, new writes are refused at once with RESOURCE_EXHAUSTED, never queued and never
// written; the queued ones are still served; reads are not refused; and once the queue drained,
// writes are admitted again. A manual clock; the logical thread is held busy by a task that waits
// on a latch, as a backlog of work would hold it.
class QuorumFrontAdmissionTest {
  private static final long TIMEOUT_MILLIS = 2_000; // admission bound: 500 ms

  private static AgentConfig quorumAtA() {
    // W=1: a write is answered once region a holds it (b and c get hints), so the test needs no peers.
    return new AgentConfig("a", List.of(new PeerConfig("b", "localhost:1", io.meridian.agent.config.LinkEmulation.NONE),
        new PeerConfig("c", "localhost:2", io.meridian.agent.config.LinkEmulation.NONE)), List.of(DatasetConfig.quorum("q", List.of("a", "b", "c"),
        new QuorumPolicy(1, 1, TIMEOUT_MILLIS, 1_000), FsyncPolicy.OPERATING_SYSTEM)), ReplicationBounds.DEFAULTS);
  }

  private static ClientOperation put(String key) {
    return new ClientOperation.Put(Bytes.ofUtf8(key), Bytes.ofUtf8("v"));
  }

  @Test
  void writesQueuedPastTheAdmissionBoundInFrontOfTheCoreMakeNewWritesFailFastUntilTheQueueDrains()
      throws Exception {
    AtomicLong clock = new AtomicLong(10_000);
    InMemoryReplicaStore store = new InMemoryReplicaStore();
    AgentRuntime runtime = new AgentRuntime(quorumAtA(), store, clock::get);
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread logicalThread = new Thread(() -> runtime.execute(() -> {
      busy.countDown();
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    logicalThread.start();
    assertThat(busy.await(60, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<ClientResult> queued = runtime.submit("q", put("k1"));
    clock.addAndGet(499);
    CompletableFuture<ClientResult> queuedWithin = runtime.submit("q", put("k2"));
    assertThat(queuedWithin).as("499 ms of waiting is within the bound: queued, not refused").isNotDone();
    clock.addAndGet(1);
    CompletableFuture<ClientResult> refused = runtime.submit("q", put("k3"));
    CompletableFuture<ClientResult> read = runtime.submit("q", new ClientOperation.Get(Bytes.ofUtf8("k1")));

    assertThat(refused).as("refused at once, on the caller's thread").isDone();
    assertThat(refused.join()).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.RESOURCE_EXHAUSTED);
      assertThat(failed.message()).contains("dataset q is overloaded at coordinator a")
          .contains("queued in front of its replication core have waited 500 ms")
          .contains("admission bound of 500 ms").contains("Nothing was written").contains("retry after a back-off");
    });
    assertThat(read).as("reads are not shed here").isNotDone();

    release.countDown();
    logicalThread.join(60_000);
    assertThat(queued.get(60, TimeUnit.SECONDS)).isInstanceOf(ClientResult.Committed.class);
    assertThat(queuedWithin.get(60, TimeUnit.SECONDS)).isInstanceOf(ClientResult.Committed.class);
    assertThat(read.get(60, TimeUnit.SECONDS)).isInstanceOf(ClientResult.Read.class);
    assertThat(store.get("q", Bytes.ofUtf8("k3"))).as("a refused write is not held").isEmpty();
    assertThat(runtime.submit("q", put("k3")).get(60, TimeUnit.SECONDS))
        .as("admitted again once nothing waits in front of the core").isInstanceOf(ClientResult.Committed.class);
  }
}

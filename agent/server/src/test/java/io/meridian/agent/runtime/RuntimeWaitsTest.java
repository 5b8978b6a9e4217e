package io.meridian.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.Failure;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Nobody who waits for the runtime's logical thread waits for ever: a read of its state asked for
 * on that very thread fails at once instead of waiting for itself, and a task queued behind
 * outputs held for a store sync still runs when the core fails and no sync will ever come (an
 * operator's failover decision waits for such a task on a gRPC thread).
 */
class RuntimeWaitsTest {
  private static final long WAIT_SECONDS = 30;
  private static final ClientOperation PUT = new ClientOperation.Put(Bytes.ofUtf8("k"), Bytes.ofUtf8("v"));

  private static AgentConfig singleRegion(FsyncPolicy fsync) {
    return new AgentConfig("a", List.of(), List.of(
        DatasetConfig.allReplicas("d", ReplicationMode.ASYNC, List.of("a"), "a", fsync)), ReplicationBounds.DEFAULTS);
  }

  /** A sync thread the test runs by hand: what it is given waits until {@link #runNext}. */
  private static final class HandRunExecutor extends AbstractExecutorService {
    private final ArrayDeque<Runnable> queued = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable command) {
      queued.add(command);
    }

    synchronized int queued() {
      return queued.size();
    }

    void runNext() {
      Runnable next;
      synchronized (this) {
        next = queued.poll();
      }
      next.run();
    }

    @Override
    public void shutdown() {}

    @Override
    public List<Runnable> shutdownNow() {
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }

  @Test
  void statusAskedForOnTheLogicalThreadFailsInsteadOfWaitingForItself() throws Exception {
    AgentRuntime runtime = new AgentRuntime(singleRegion(FsyncPolicy.OPERATING_SYSTEM), new InMemoryReplicaStore(),
        () -> 1_000);
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();

    // On a thread of its own: a runtime that waited for itself would hold it, not the test.
    CompletableFuture.runAsync(() -> runtime.execute(() -> {
      try {
        runtime.status();
        outcome.complete(null);
      } catch (IllegalStateException expected) {
        outcome.complete(expected);
      }
    }));

    assertThat(outcome.get(WAIT_SECONDS, TimeUnit.SECONDS))
        .as("status() on the logical thread answers with an error instead of waiting for itself")
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("would wait for itself");
    assertThat(runtime.status()).as("the runtime still answers other threads").hasSize(1);
  }

  @Test
  void taskWaitingBehindHeldOutputsRunsWhenTheCoreFailsOnASync() throws Exception {
    InMemoryReplicaStore store = new InMemoryReplicaStore() {
      @Override
      public void sync() {
        throw new IllegalStateException("the disk is gone");
      }
    };
    AgentRuntime runtime = new AgentRuntime(singleRegion(FsyncPolicy.PER_COMMIT), store, () -> 1_000);
    HandRunExecutor syncThread = new HandRunExecutor();
    runtime.syncInBackground(syncThread);

    CompletableFuture<ClientResult> put = runtime.submit("d", PUT);
    CompletableFuture<Void> carriedOut = new CompletableFuture<>();
    runtime.afterCarriedOut(() -> carriedOut.complete(null));
    assertThat(put).as("the write waits for its sync").isNotDone();
    assertThat(carriedOut).as("the task waits behind the write's held output").isNotDone();
    assertThat(syncThread.queued()).isEqualTo(1);

    syncThread.runNext(); // The sync fails: the core stops, and no sync will ever start again.

    assertThat(carriedOut.get(WAIT_SECONDS, TimeUnit.SECONDS)).as("the held task ran").isNull();
    assertThat(put.get(WAIT_SECONDS, TimeUnit.SECONDS)).isInstanceOfSatisfying(ClientResult.Failed.class,
        failed -> assertThat(failed.failure()).isEqualTo(Failure.OUTCOME_UNKNOWN));
    CompletableFuture<Void> later = new CompletableFuture<>();
    runtime.afterCarriedOut(() -> later.complete(null));
    assertThat(later.get(WAIT_SECONDS, TimeUnit.SECONDS)).as("a task asked for after the failure runs at once")
        .isNull();
  }
}

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
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

// Proves the runtime syncs the store before answering durable writes, and stops serving (with a
// reason) once the core has failed instead of carrying on with untrusted state.
class AgentRuntimeTest {
  private static final java.time.Duration WAIT = java.time.Duration.ofSeconds(30);

  private static AgentConfig singleRegion(FsyncPolicy fsync) {
    return new AgentConfig("a", List.of(), List.of(
        DatasetConfig.allReplicas("d", ReplicationMode.ASYNC, List.of("a"), "a", fsync)), ReplicationBounds.DEFAULTS);
  }

  private static final ClientOperation PUT = new ClientOperation.Put(Bytes.ofUtf8("k"), Bytes.ofUtf8("v"));

  @Test
  void durableWriteIsSyncedBeforeItIsAnswered() {
    InMemoryReplicaStore store = new InMemoryReplicaStore();
    AgentRuntime runtime = new AgentRuntime(singleRegion(FsyncPolicy.PER_COMMIT), store, () -> 1_000);
    long[] syncsWhenAnswered = {-1};

    runtime.submit("d", PUT, result -> syncsWhenAnswered[0] = store.syncCount());

    assertThat(syncsWhenAnswered[0]).isEqualTo(1);
  }

  @Test
  void writeLeftToTheOperatingSystemIsNotSynced() {
    InMemoryReplicaStore store = new InMemoryReplicaStore();
    AgentRuntime runtime = new AgentRuntime(singleRegion(FsyncPolicy.OPERATING_SYSTEM), store, () -> 1_000);

    assertThat(runtime.submit("d", PUT)).succeedsWithin(WAIT).isInstanceOf(ClientResult.Committed.class);
    assertThat(store.syncCount()).isZero();
  }

  @Test
  void runtimeStopsServingAfterTheCoreFails() {
    AtomicBoolean broken = new AtomicBoolean(true);
    InMemoryReplicaStore store = new InMemoryReplicaStore() {
      @Override
      public void append(String dataset, List<Change> changes) {
        if (broken.get()) {
          throw new IllegalStateException("disk says no");
        }
        super.append(dataset, changes);
      }
    };
    AgentRuntime runtime = new AgentRuntime(singleRegion(FsyncPolicy.PER_COMMIT), store, () -> 1_000);

    ClientResult first = assertThat(runtime.submit("d", PUT)).as("the first write").succeedsWithin(WAIT).actual();
    broken.set(false);
    ClientResult second = assertThat(runtime.submit("d", PUT)).as("the second write").succeedsWithin(WAIT)
        .actual();

    assertThat(((ClientResult.Failed) first).failure()).isEqualTo(Failure.OUTCOME_UNKNOWN);
    assertThat(((ClientResult.Failed) second).failure()).isEqualTo(Failure.UNAVAILABLE);
    assertThat(((ClientResult.Failed) second).message()).contains("disk says no").contains("restart the agent");
    assertThat(runtime.fatalError()).isPresent();
    assertThat(store.lastSequence("d")).isZero();
  }

  @Test
  void afterStopNothingReachesTheClosedStore() {
    boolean[] closed = {false};
    InMemoryReplicaStore store = new InMemoryReplicaStore() {
      @Override
      public void append(String dataset, java.util.List<io.meridian.agent.core.storage.Change> changes) {
        if (closed[0]) {
          throw new IllegalStateException("store used after close");
        }
        super.append(dataset, changes);
      }
    };
    AgentRuntime runtime = new AgentRuntime(singleRegion(FsyncPolicy.OPERATING_SYSTEM), store, () -> 1_000);
    ClientResult[] answer = new ClientResult[1];

    runtime.stop(() -> closed[0] = true, 1_000);
    runtime.submit("d", PUT, result -> answer[0] = result);
    runtime.tick();

    assertThat(answer[0]).isInstanceOf(ClientResult.Failed.class);
    assertThat(((ClientResult.Failed) answer[0]).message()).contains("shutting down");
    assertThat(runtime.status()).isEmpty();
    assertThat(runtime.fatalError()).isEmpty();
  }
}

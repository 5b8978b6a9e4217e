package io.meridian.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Transport work (peer inputs such as a replica's acknowledgements, and the transport's
 * bookkeeping) overtakes client requests already queued on the runtime's logical thread, and keeps
 * its own order (ADR 0041): an overloaded primary learns of its replicas' progress when it
 * arrives, not after its whole queue of client batches.
 */
class TransportLaneTest {
  @Test
  void transportWorkOvertakesQueuedClientWritesInItsOwnOrder() {
    DatasetConfig dataset = new DatasetConfig("d", ReplicationMode.ASYNC, List.of("a", "b"), "a", 0,
        FsyncPolicy.OPERATING_SYSTEM, 1, new FailoverPolicy(false, 3_000, 100));
    AgentConfig config = new AgentConfig("a", List.of(new PeerConfig("b", "localhost:1", LinkEmulation.NONE)),
        List.of(dataset), ReplicationBounds.DEFAULTS);
    AgentRuntime runtime = new AgentRuntime(config, new InMemoryReplicaStore(), () -> 10_000L);
    List<String> order = new ArrayList<>();

    // Queued from the logical thread, so all ten writes wait before the first one runs.
    runtime.execute(() -> {
      for (int i = 0; i < 10; i++) {
        int write = i;
        runtime.submit("d", new ClientOperation.Put(Bytes.ofUtf8("k" + i), Bytes.ofUtf8("v")), result -> {
          order.add("write " + write);
          if (write == 0) {
            // Arrive while writes 1 to 9 are still queued.
            runtime.execute(() -> order.add("transport 1"));
            runtime.execute(() -> order.add("transport 2"));
          }
        });
      }
    });

    assertThat(order).containsExactly("write 0", "transport 1", "transport 2", "write 1", "write 2", "write 3",
        "write 4", "write 5", "write 6", "write 7", "write 8", "write 9");
  }
}

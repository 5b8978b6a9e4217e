package io.meridian.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.meridian.agent.AcceptedPuts;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.core.replication.ReplicationEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// A peer stream belongs to no RPC. The runtime's tasks run on whichever thread drains its logical
// thread, often one serving an RPC (the heal that reopens a link, a client's put); a stream
// started there inherited that RPC's gRPC Context and died when the RPC ended ("Context was
// cancelled"), while its region already reported it connected: the first message on it (an
// anti-entropy TreeCompare in QuorumRepairProcessIT) was lost.
class PeerStreamContextTest {
  @TempDir
  Path dataDirectory;

  private LoopbackAgents agents;

  @AfterEach
  void stopAgents() {
    if (agents != null) {
      agents.close();
    }
  }

  @Test
  void aStreamReopenedByAHealInsideAnRpcOutlivesThatRpc() {
    agents = new LoopbackAgents(dataDirectory, List.of("a", "b"));
    agents.start(LinkEmulation.NONE, (region, address, channel) -> channel);
    List<ReplicationEvent.PeerDown> downs = new CopyOnWriteArrayList<>();
    agents.agent("b").runtime().addListener(event -> {
      if (event instanceof ReplicationEvent.PeerDown down) {
        downs.add(down);
      }
    });
    PeerTransport transport = agents.agent("b").transport();
    transport.cut("a");
    await().atMost(Duration.ofSeconds(30)).until(() -> !downs.isEmpty());

    Context.CancellableContext rpc = Context.current().withCancellation();
    rpc.run(() -> transport.heal("a"));
    rpc.cancel(null); // the RPC that healed the link has ended

    KvGrpc.KvBlockingStub kv = KvGrpc.newBlockingStub(agents.channel("a"));
    AcceptedPuts.put(kv, PutRequest.newBuilder().setDataset(LoopbackAgents.ORDERS)
        .setKey(ByteString.copyFromUtf8("after-heal")).setValue(ByteString.copyFromUtf8("v")).build());
    long head = agents.store("a").lastSequence(LoopbackAgents.ORDERS);
    await().atMost(Duration.ofSeconds(30)).until(() -> agents.store("b").lastSequence(LoopbackAgents.ORDERS) >= head);

    assertThat(downs).as("streams b lost after the heal").noneSatisfy(down ->
        assertThat(down.reason()).containsIgnoringCase("context was cancelled"));
  }
}

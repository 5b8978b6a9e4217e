package io.meridian.agent.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import java.util.List;
import org.junit.jupiter.api.Test;

// Proves the rules a client and an operator see at one region: operations that do not fit a
// dataset's conflict rule are refused with what to use instead, and no data of a dataset leaves
// for a region outside its allowed jurisdictions, whatever the placement says, in any mode.
class MultiPrimaryRulesTest {
  private static final ReplicationBounds BOUNDS = TestCluster.bounds(16, 0, 64);

  private static ReplicationNode node(String self, DatasetConfig dataset, String peerJurisdiction) {
    String peer = self.equals("eu") ? "us" : "eu";
    AgentConfig config = new AgentConfig(self,
        List.of(new PeerConfig(peer, "localhost:0", LinkEmulation.NONE, peerJurisdiction)), List.of(dataset), BOUNDS);
    return new ReplicationNode(config, new InMemoryReplicaStore(), 1_000);
  }

  private static ClientResult ask(ReplicationNode node, String dataset, ClientOperation operation) {
    Output output = node.step(1_001, new Input.ClientRequest(1, dataset, operation));
    return output.responses().get(0).result();
  }

  @Test
  void operationsThatDoNotFitTheRuleAreRefusedWithTheOnesThatDo() {
    ReplicationNode lww = node("eu", DatasetConfig.multiPrimary("profiles", List.of("eu", "us"),
        ConflictResolution.LWW, FsyncPolicy.OPERATING_SYSTEM, List.of()), "US");
    ClientResult increment = ask(lww, "profiles", new ClientOperation.Increment(Bytes.ofUtf8("k"), 1));
    assertThat(increment).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.FAILED_PRECONDITION);
      assertThat(failed.message()).contains("lww").contains("use put, get or delete");
    });
    ClientResult compareAndSet = ask(lww, "profiles", new ClientOperation.CompareAndSet(Bytes.ofUtf8("k"),
        java.util.Optional.empty(), Bytes.ofUtf8("v")));
    assertThat(compareAndSet).isInstanceOfSatisfying(ClientResult.Failed.class,
        failed -> assertThat(failed.message()).contains("compare-and-set needs a single primary"));

    ReplicationNode counter = node("eu", DatasetConfig.multiPrimary("likes", List.of("eu", "us"),
        ConflictResolution.CRDT_COUNTER, FsyncPolicy.OPERATING_SYSTEM, List.of()), "US");
    assertThat(ask(counter, "likes", new ClientOperation.Increment(Bytes.ofUtf8("k"), -1)))
        .isInstanceOfSatisfying(ClientResult.Failed.class,
            failed -> assertThat(failed.message()).contains("cannot be decremented").contains("crdt:pn-counter"));
    assertThat(ask(counter, "likes", new ClientOperation.Increment(Bytes.ofUtf8("k"), 2)))
        .isInstanceOf(ClientResult.Committed.class);
    assertThat(ask(counter, "likes", new ClientOperation.Get(Bytes.ofUtf8("k"))))
        .isInstanceOfSatisfying(ClientResult.MergedRead.class, read -> assertThat(read.counter()).isEqualTo(2));
  }

  @Test
  void dataNeverLeavesForARegionOutsideTheAllowedJurisdictionsInAnyMode() {
    for (DatasetConfig dataset : List.of(
        new DatasetConfig("patients", ReplicationMode.ASYNC, List.of("eu", "us"), "eu", 0,
            FsyncPolicy.OPERATING_SYSTEM, 1, ConflictResolution.LWW, List.of("EU")),
        DatasetConfig.multiPrimary("patients", List.of("eu", "us"), ConflictResolution.LWW,
            FsyncPolicy.OPERATING_SYSTEM, List.of("EU")))) {
      ReplicationNode eu = node("eu", dataset, "US");
      String stream = dataset.mode() == ReplicationMode.MULTI_PRIMARY ? "patients@eu" : "patients";
      eu.step(1_000, new Input.PeerConnected("us", stream));
      eu.step(1_000, new Input.PeerMessageReceived("us", new PeerMessage.Hello(stream, 1, 1)));
      Output write = eu.step(1_001, new Input.ClientRequest(1, "patients",
          new ClientOperation.Put(Bytes.ofUtf8("k"), Bytes.ofUtf8("secret"))));
      Output later = eu.tick(1_300);

      for (Output output : List.of(write, later)) {
        assertThat(output.messages()).as(dataset.mode() + " output to us")
            .noneMatch(outbound -> outbound.message() instanceof PeerMessage.ChangeBatch);
      }
      assertThat(write.events()).as(dataset.mode() + " events").anySatisfy(event ->
          assertThat(event).isInstanceOfSatisfying(ReplicationEvent.ResidencyRefused.class, refused -> {
            assertThat(refused.peer()).isEqualTo("us");
            assertThat(refused.peerJurisdiction()).isEqualTo("US");
            assertThat(refused.allowed()).containsExactly("EU");
          }));
      // Heartbeats carry no data and still flow, so the link's health stays visible.
      assertThat(later.messages()).anyMatch(outbound -> outbound.message() instanceof PeerMessage.Heartbeat);
    }
  }
}

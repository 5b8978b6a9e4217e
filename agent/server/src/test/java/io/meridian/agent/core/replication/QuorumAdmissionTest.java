package io.meridian.agent.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.config.QuorumPolicy;
import io.meridian.agent.sim.QuorumCluster;
import io.meridian.agent.sim.QuorumCluster.Envelope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

// Proves the quorum coordinator's admission control (ADR 0028): once the oldest write waiting for
// its W acknowledgements has waited a quarter of the timeout, new writes are refused at once with
// RESOURCE_EXHAUSTED saying what to do, nothing written; and a coordinator offered three times
// what its replicas can hold keeps acknowledging at about their capacity, with no write timing
// out, instead of collapsing into timeouts. Simulated time and a deterministic network: the
// replicas serve a fixed number of writes per simulated millisecond, in arrival order.
class QuorumAdmissionTest {
  private static final List<String> REGIONS = List.of("a", "b", "c");
  private static final long TIMEOUT_MILLIS = 1_000;
  private static final QuorumPolicy W2_R2 = new QuorumPolicy(2, 2, TIMEOUT_MILLIS, 100_000);

  private static QuorumCluster cluster() {
    QuorumCluster cluster = new QuorumCluster(W2_R2, REGIONS);
    cluster.connectAll();
    cluster.deliverAll(); // hellos
    return cluster;
  }

  @Test
  void aCoordinatorShedsNewWritesWhileItsOldestWriteHasWaitedAQuarterOfTheTimeoutThenAdmitsAgain() {
    QuorumCluster cluster = cluster();
    long first = cluster.put("a", "k1", "v"); // its copies to b and c stay in flight
    cluster.tick(TIMEOUT_MILLIS / 4 - 1);
    long admitted = cluster.put("a", "k2", "v");
    assertThat(cluster.result(admitted)).as("249 ms of waiting is within the bound").isNull();
    cluster.tick(1);

    long shed = cluster.put("a", "k3", "v");
    assertThat(cluster.result(shed)).isInstanceOfSatisfying(ClientResult.Failed.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.RESOURCE_EXHAUSTED);
      assertThat(failed.message()).contains("dataset q is overloaded at coordinator a")
          .contains("the oldest of 2 writes waiting for acknowledgements has waited 250 ms")
          .contains("admission bound of 250 ms").contains("Nothing was written")
          .contains("retry after a back-off");
    });
    assertThat(cluster.store("a").get(QuorumCluster.DATASET, io.meridian.agent.core.Bytes.ofUtf8("k3")))
        .as("a shed write is not held anywhere").isEmpty();
    // Refusals are built once and shared while nothing they describe changed (ADR 0036), but a
    // later refusal still tells the wait as it is then.
    long shedSameMillisecond = cluster.put("a", "k4", "v");
    assertThat(((ClientResult.Failed) cluster.result(shedSameMillisecond)).message())
        .isEqualTo(((ClientResult.Failed) cluster.result(shed)).message());
    cluster.tick(5);
    long shedLater = cluster.put("a", "k5", "v");
    assertThat(((ClientResult.Failed) cluster.result(shedLater)).message())
        .contains("the oldest of 2 writes waiting for acknowledgements has waited 255 ms");

    cluster.deliverAll(); // the replicas catch up and acknowledge
    assertThat(cluster.result(first)).isInstanceOf(ClientResult.Committed.class);
    assertThat(cluster.result(admitted)).isInstanceOf(ClientResult.Committed.class);
    long after = cluster.put("a", "k3", "v");
    cluster.deliverAll();
    assertThat(cluster.result(after)).as("admitted again once nothing old is waiting")
        .isInstanceOf(ClientResult.Committed.class);
  }

  @Test
  void anOverloadedCoordinatorKeepsAcknowledgingNearCapacityWithoutTimeouts() {
    int capacityPerMillisecond = 2; // writes each replica holds per simulated millisecond
    int offeredPerMillisecond = 6; // three times that
    int durationMillis = 4_000;
    QuorumCluster cluster = cluster();
    List<Long> requests = new ArrayList<>();
    Map<String, Integer> budget = new TreeMap<>();
    int key = 0;
    for (int millisecond = 0; millisecond < durationMillis + 3 * TIMEOUT_MILLIS; millisecond++) {
      if (millisecond < durationMillis) {
        for (int i = 0; i < offeredPerMillisecond; i++) {
          requests.add(cluster.put("a", "k" + (key++ % 1_000), "v"));
        }
      }
      serve(cluster, budget, capacityPerMillisecond);
      cluster.tick(1);
    }

    int committed = 0;
    int shed = 0;
    int other = 0;
    String shedMessage = null;
    for (long request : requests) {
      ClientResult result = cluster.result(request);
      assertThat(result).as("request %d is answered", request).isNotNull();
      if (result instanceof ClientResult.Committed) {
        committed++;
      } else if (result instanceof ClientResult.Failed failed && failed.failure() == Failure.RESOURCE_EXHAUSTED) {
        shed++;
        if (failed.message().contains("overloaded")) {
          shedMessage = failed.message();
        }
      } else {
        other++;
      }
    }
    String figures = "offered " + requests.size() + ", committed " + committed + ", shed " + shed + ", other "
        + other + " (capacity " + capacityPerMillisecond * durationMillis + " over the offered period)";
    assertThat(other).as("no write times out or fails otherwise: " + figures).isZero();
    assertThat(committed).as("acknowledges near the replicas' capacity: " + figures)
        .isGreaterThanOrEqualTo((int) (0.9 * capacityPerMillisecond * durationMillis));
    assertThat(shed).as(figures).isEqualTo(requests.size() - committed);
    assertThat(shedMessage).as("the shed writes say why and what to do").contains("lower the write rate");
  }

  // One simulated millisecond of the replicas' work: each holds at most `capacity` writes, oldest
  // first; acknowledgements and hellos travel at once.
  private static void serve(QuorumCluster cluster, Map<String, Integer> budget, int capacity) {
    for (String region : REGIONS) {
      budget.put(region, capacity);
    }
    List<String> full = new ArrayList<>();
    for (Envelope envelope : cluster.queued()) {
      if (envelope.message() instanceof PeerMessage.QuorumWrite write) {
        int left = budget.get(envelope.to());
        if (full.contains(envelope.to()) || left < write.changes().size()) {
          full.add(envelope.to()); // in order: nothing overtakes a write that must wait
          continue;
        }
        budget.put(envelope.to(), left - write.changes().size());
      }
      cluster.deliverFirst(queued -> queued == envelope);
    }
  }
}

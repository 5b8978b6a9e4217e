package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.meridian.agent.api.v1.CutLinkRequest;
import io.meridian.agent.api.v1.DatasetFailoverView;
import io.meridian.agent.api.v1.FailoverStatusRequest;
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.GetResponse;
import io.meridian.agent.api.v1.HealLinkRequest;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.PutResponse;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverGroupConfig;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The failover process tests' view of their {@link AgentProcesses}: agents of {@code regions}
 * joined in one Ratis failover group with one dataset whose failover candidates are b and c, and
 * the client and control calls those tests make (writes, reads, failover status, link cuts,
 * isolating a primary).
 */
final class FailoverAgents {
  /** A write's deadline: long enough for a loaded machine, short enough to see a primary stop. */
  static final long WRITE_DEADLINE_MILLIS = 2_000;

  private final AgentProcesses agents;
  private final Path directory;
  private final List<String> regions;

  FailoverAgents(AgentProcesses agents, Path directory, List<String> regions) {
    this.agents = agents;
    this.directory = directory;
    this.regions = List.copyOf(regions);
  }

  /** Picks the ports and writes each region's configuration, in the failover group, holding {@code dataset}. */
  void writeConfigs(DatasetConfig dataset) throws IOException {
    agents.writeConfigs(() -> writeGroupConfigs(dataset));
  }

  private void writeGroupConfigs(DatasetConfig dataset) throws IOException {
    Map<String, Integer> ports = agents.ports();
    Map<String, Integer> groupPorts = new HashMap<>();
    List<FailoverGroupConfig.Member> members = new ArrayList<>();
    // Every gRPC and Raft port different (picked together, see AgentProcesses.freePorts).
    List<Integer> picked = AgentProcesses.freePorts(2 * regions.size());
    for (String region : regions) {
      ports.put(region, picked.remove(picked.size() - 1));
      groupPorts.put(region, picked.remove(picked.size() - 1));
      members.add(new FailoverGroupConfig.Member(region, "127.0.0.1:" + groupPorts.get(region)));
    }
    for (String region : regions) {
      List<PeerConfig> peers = new ArrayList<>();
      for (String peer : regions) {
        if (!peer.equals(region)) {
          peers.add(new PeerConfig(peer, "localhost:" + ports.get(peer), LinkEmulation.NONE));
        }
      }
      AgentMain.ConfigFile config = new AgentMain.ConfigFile(region, peers, List.of(dataset), null,
          new FailoverGroupConfig(groupPorts.get(region), members, Map.of(dataset.name(), List.of("b", "c"))));
      new ObjectMapper().writeValue(directory.resolve(region + ".json").toFile(), config);
    }
  }

  /**
   * Starts the agents and returns the primary once it accepts writes. Agents start one after the
   * other, slowly on a loaded machine: replicas that wait longer than the lease for the configured
   * primary rightly fail over before the test begins, so the test asks who the primary is.
   */
  String startAllAndWaitForAPrimary(String dataset) throws Exception {
    agents.startAll(regions);
    String[] primary = new String[1];
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
      primary[0] = put("b", dataset, "warm-up").getVersion().getCommittedByRegion();
      return put(primary[0], dataset, "warm-up").getVersion().getCommittedByRegion().equals(primary[0]);
    });
    return primary[0];
  }

  /** Every region but {@code region}, in order. */
  List<String> others(String region) {
    return regions.stream().filter(r -> !r.equals(region)).toList();
  }

  /**
   * Writes {@code v-<key>} at {@code key}, each attempt bounded by {@link #WRITE_DEADLINE_MILLIS};
   * retried while the primary pushes back under load (ADR 0041), failing on any other refusal.
   */
  PutResponse put(String region, String dataset, String key) {
    return AcceptedPuts.put(() -> KvGrpc.newBlockingStub(agents.channel(region))
        .withDeadlineAfter(WRITE_DEADLINE_MILLIS, TimeUnit.MILLISECONDS),
        PutRequest.newBuilder().setDataset(dataset).setKey(ByteString.copyFromUtf8(key))
            .setValue(ByteString.copyFromUtf8("v-" + key)).build());
  }

  GetResponse get(String region, String dataset, String key) {
    return agents.kv(region)
        .get(GetRequest.newBuilder().setDataset(dataset).setKey(ByteString.copyFromUtf8(key)).build());
  }

  /** The region's failover status of its one dataset. */
  DatasetFailoverView view(String region) {
    return agents.control(region).failoverStatus(FailoverStatusRequest.getDefaultInstance()).getDatasets(0);
  }

  /**
   * The writes an isolated primary acknowledged, by key, when it was cut off, and when it
   * acknowledged the last (0 when it acknowledged none).
   */
  record Isolation(Map<String, PutResponse> acknowledged, long cutAtNanos, long lastAckNanos, Set<String> unanswered) {

    /**
     * {@code keys} without the writes whose answer never came (past their deadline on a loaded
     * machine): the primary may or may not have taken them, so they are neither acknowledged nor
     * refused.
     */
    Set<String> withoutUnanswered(Set<String> keys) {
      Set<String> known = new TreeSet<>(keys);
      known.removeAll(unanswered);
      return known;
    }
  }

  /**
   * Cuts {@code primary} off every other region and writes {@code isolated<n>} keys of {@code
   * dataset} to it until it refuses; it must stop within {@code detectionTimeoutMillis} plus a
   * scheduling margin.
   */
  Isolation isolate(String primary, String dataset, long detectionTimeoutMillis) {
    for (String other : others(primary)) {
      cut(primary, other);
    }
    long cutAtNanos = System.nanoTime();
    Map<String, PutResponse> acknowledged = new TreeMap<>();
    long lastAckNanos = 0;
    long lastAckSentNanos = 0;
    Set<String> unanswered = new TreeSet<>();
    while (true) {
      long sentNanos = System.nanoTime();
      String key = "isolated" + (acknowledged.size() + unanswered.size());
      try {
        acknowledged.put(key, put(primary, dataset, key));
        lastAckNanos = System.nanoTime();
        lastAckSentNanos = sentNanos;
      } catch (StatusRuntimeException refused) {
        if (refused.getStatus().getCode() != io.grpc.Status.Code.DEADLINE_EXCEEDED) {
          break;
        }
        unanswered.add(key);
      }
      assertThat(System.nanoTime() - cutAtNanos).as("the isolated primary still writes 5 s after the cut")
          .isLessThan(TimeUnit.SECONDS.toNanos(5));
    }
    System.out.printf("isolated primary stopped accepting writes %d ms after the cut, %d writes acknowledged"
        + " meanwhile, the last sent %d ms after the cut%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAtNanos),
        acknowledged.size(), TimeUnit.NANOSECONDS.toMillis(lastAckSentNanos - cutAtNanos));
    // Timed from when the write was sent: its answer may come back late on a loaded machine (the
    // client or the agent not scheduled), which says nothing about when the primary stopped.
    assertThat(lastAckSentNanos == 0 ? 0 : lastAckSentNanos - cutAtNanos)
        .as("writes sent later than the detection timeout plus a scheduling margin after the cut are refused")
        .isLessThan(TimeUnit.MILLISECONDS.toNanos(detectionTimeoutMillis + 500));
    return new Isolation(acknowledged, cutAtNanos, lastAckNanos, unanswered);
  }

  /** Cuts the link between {@code a} and {@code b} at both ends. */
  void cut(String a, String b) {
    agents.control(a).cutLink(CutLinkRequest.newBuilder().setPeerRegion(b).build());
    agents.control(b).cutLink(CutLinkRequest.newBuilder().setPeerRegion(a).build());
  }

  /** Heals the link between {@code a} and {@code b} at both ends. */
  void heal(String a, String b) {
    agents.control(a).healLink(HealLinkRequest.newBuilder().setPeerRegion(b).build());
    agents.control(b).healLink(HealLinkRequest.newBuilder().setPeerRegion(a).build());
  }
}

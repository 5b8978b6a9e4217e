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
import java.util.TreeMap;
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
    Map<String, Integer> ports = agents.ports();
    Map<String, Integer> groupPorts = new HashMap<>();
    List<FailoverGroupConfig.Member> members = new ArrayList<>();
    for (String region : regions) {
      ports.put(region, AgentProcesses.freePort());
      groupPorts.put(region, AgentProcesses.freePort());
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
    for (String region : regions) {
      agents.start(region);
    }
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

  /** Writes {@code v-<key>} at {@code key}, bounded by {@link #WRITE_DEADLINE_MILLIS}. */
  PutResponse put(String region, String dataset, String key) {
    return KvGrpc.newBlockingStub(agents.channel(region))
        .withDeadlineAfter(WRITE_DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
        .put(PutRequest.newBuilder().setDataset(dataset).setKey(ByteString.copyFromUtf8(key))
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
  record Isolation(Map<String, PutResponse> acknowledged, long cutAtNanos, long lastAckNanos) {}

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
    while (true) {
      try {
        String key = "isolated" + acknowledged.size();
        acknowledged.put(key, put(primary, dataset, key));
        lastAckNanos = System.nanoTime();
      } catch (StatusRuntimeException refused) {
        break;
      }
      assertThat(System.nanoTime() - cutAtNanos).as("the isolated primary still writes 5 s after the cut")
          .isLessThan(TimeUnit.SECONDS.toNanos(5));
    }
    System.out.printf("isolated primary stopped accepting writes %d ms after the cut, %d writes acknowledged"
        + " meanwhile%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAtNanos), acknowledged.size());
    assertThat(lastAckNanos == 0 ? 0 : lastAckNanos - cutAtNanos)
        .as("writes stop within the detection timeout plus a scheduling margin")
        .isLessThan(TimeUnit.MILLISECONDS.toNanos(detectionTimeoutMillis + 500));
    return new Isolation(acknowledged, cutAtNanos, lastAckNanos);
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

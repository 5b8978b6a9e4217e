package io.meridian.agent.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FailoverGroupConfig;
import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.replication.FailoverView;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.Role;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves the failover group on real Ratis servers (three members in this JVM, on 127.0.0.1): a
// majority of replicas releasing the primary makes every member apply the same decision; of two
// operators deciding the same epoch at once exactly one wins; a member that was down when a
// decision was committed gets it when it comes back; a member cut off by `meridian fault cut`
// neither gets its own decision committed nor learns the majority's until the links heal.
class FailoverGroupTest {
  private static final List<String> REGIONS = List.of("a", "b", "c");
  private static final Duration COMMIT_WAIT = Duration.ofSeconds(30);

  @TempDir
  Path storage;

  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
  private final Map<String, FailoverGroup> members = new TreeMap<>();
  private final Map<String, List<Input.EpochDecided>> decided = new TreeMap<>();
  private final Map<String, List<FailoverView>> views = new TreeMap<>();
  private AgentConfig[] configs;

  @AfterEach
  void stop() {
    members.values().forEach(FailoverGroup::close);
    scheduler.shutdownNow();
  }

  private void configure() {
    DatasetConfig dataset = new DatasetConfig("orders", ReplicationMode.ASYNC, REGIONS, "a", 0,
        FsyncPolicy.OPERATING_SYSTEM, 1, FailoverPolicy.AUTOMATIC);
    List<FailoverGroupConfig.Member> group = new ArrayList<>();
    int[] ports = io.meridian.agent.FreePorts.pick(REGIONS.size());
    for (int i = 0; i < REGIONS.size(); i++) {
      group.add(new FailoverGroupConfig.Member(REGIONS.get(i), "127.0.0.1:" + ports[i]));
    }
    configs = new AgentConfig[REGIONS.size()];
    for (int i = 0; i < REGIONS.size(); i++) {
      String region = REGIONS.get(i);
      List<PeerConfig> peers = REGIONS.stream().filter(r -> !r.equals(region))
          .map(r -> new PeerConfig(r, "localhost:1", LinkEmulation.NONE)).toList();
      configs[i] = new AgentConfig(region, peers, List.of(dataset), ReplicationBounds.DEFAULTS,
          new FailoverGroupConfig(ports[i], group, Map.of("orders", List.of("c", "b"))));
      decided.put(region, new CopyOnWriteArrayList<>());
      views.put(region, List.of(view(region, false, 5)));
    }
  }

  private static FailoverView view(String region, boolean releases, long lastSequence) {
    Role role = region.equals("a") ? Role.PRIMARY : Role.REPLICA;
    return new FailoverView("orders", 1, "a", role, lastSequence, 1, 0, role == Role.PRIMARY, releases);
  }

  private final Map<String, io.meridian.agent.consensus.RaftLinks> links = new TreeMap<>();
  /** Where this start's members keep their logs (a new one per attempt: the group's addresses differ). */
  private Path groupStorage;

  /** Configures the group on free ports and starts every member, on new ports if one was taken meanwhile. */
  private void startAll() {
    io.meridian.agent.FreePorts.startRetryingTakenPorts(attempt -> {
      configure();
      groupStorage = storage.resolve("attempt-" + attempt);
      for (int i = 0; i < REGIONS.size(); i++) {
        start(i);
      }
    }, () -> {
      members.values().forEach(FailoverGroup::close);
      members.clear();
    });
  }

  private void start(int index) {
    String region = REGIONS.get(index);
    io.meridian.agent.consensus.RaftLinks regionLinks = links.computeIfAbsent(region, r -> {
      io.meridian.agent.consensus.RaftLinks created = new io.meridian.agent.consensus.RaftLinks();
      REGIONS.stream().filter(peer -> !peer.equals(r)).forEach(peer -> created.setCut(peer, false));
      return created;
    });
    members.put(region, FailoverGroup.start(configs[index], groupStorage.resolve(region), () -> views.get(region),
        decided.get(region)::add, retraction -> { }, scheduler, System::currentTimeMillis, regionLinks));
  }

  /** {@code meridian fault cut a b} as the agents apply it: each side drops the other's traffic. */
  private void setCut(String a, String b, boolean cut) {
    links.get(a).setCut(b, cut);
    links.get(b).setCut(a, cut);
  }

  @Test
  void majorityReleasingThePrimaryMakesEveryMemberApplyTheSameDecision() throws IOException {
    startAll();
    views.put("b", List.of(view("b", true, 7)));
    views.put("c", List.of(view("c", true, 7)));

    Input.EpochDecided expected = new Input.EpochDecided("orders", 2, "c", 7, true);
    for (String region : REGIONS) {
      await().atMost(COMMIT_WAIT).untilAsserted(() -> assertThat(decided.get(region)).containsExactly(expected));
    }
  }

  @Test
  void ofTwoOperatorsDecidingTheSameEpochAtOnceExactlyOneWins() throws Exception {
    startAll();
    CompletableFuture<String> toB = members.get("a").submit(new FailoverCommand.Decide("orders", 2, "b", 5, true));
    CompletableFuture<String> toC = members.get("c").submit(new FailoverCommand.Decide("orders", 2, "c", 5, true));
    List<String> answers = List.of(assertThat(toB).as("a's decision").succeedsWithin(COMMIT_WAIT).actual(),
        assertThat(toC).as("c's decision").succeedsWithin(COMMIT_WAIT).actual());

    assertThat(answers).filteredOn(answer -> answer.startsWith("DECIDED")).hasSize(1);
    assertThat(answers).filteredOn(answer -> answer.startsWith("NOCHANGE")).hasSize(1);
    for (String region : REGIONS) {
      await().atMost(COMMIT_WAIT).untilAsserted(() -> assertThat(decided.get(region)).hasSize(1));
    }
    assertThat(decided.get("a")).isEqualTo(decided.get("b")).isEqualTo(decided.get("c"));
  }

  @Test
  void aMemberDownDuringADecisionGetsItWhenItReturns() throws Exception {
    startAll();
    members.remove("c").close();
    String answer = assertThat(members.get("a").submit(new FailoverCommand.Decide("orders", 2, "b", 5, false)))
        .as("a's decision").succeedsWithin(COMMIT_WAIT).actual();
    assertThat(answer).startsWith("DECIDED 2 b");
    assertThat(decided.get("c")).isEmpty();

    start(2);
    await().atMost(COMMIT_WAIT).untilAsserted(() ->
        assertThat(decided.get("c")).containsExactly(new Input.EpochDecided("orders", 2, "b", 5, false)));
  }

  @Test
  void aMemberCutOffByFaultCutNeitherDecidesNorLearnsADecisionUntilTheLinksHeal() throws Exception {
    startAll();
    setCut("c", "a", true);
    setCut("c", "b", true);

    CompletableFuture<String> fromC = members.get("c").submit(new FailoverCommand.Decide("orders", 2, "c", 5, true));
    String answer = assertThat(members.get("a").submit(new FailoverCommand.Decide("orders", 2, "b", 5, false)))
        .as("a's decision").succeedsWithin(COMMIT_WAIT).actual();
    assertThat(answer).startsWith("DECIDED 2 b");
    await().atMost(COMMIT_WAIT).untilAsserted(() -> assertThat(decided.get("b")).hasSize(1));
    // Ratis traffic is cut both ways: c hears no leader and nobody hears c.
    await().during(Duration.ofSeconds(3)).atMost(COMMIT_WAIT).until(() -> decided.get("c").isEmpty());
    assertThat(fromC).as("the cut-off member's own decision").failsWithin(Duration.ofSeconds(30));

    setCut("c", "a", false);
    setCut("c", "b", false);
    await().atMost(COMMIT_WAIT).untilAsserted(() ->
        assertThat(decided.get("c")).containsExactly(new Input.EpochDecided("orders", 2, "b", 5, false)));
    assertThat(decided.get("a")).isEqualTo(decided.get("b")).isEqualTo(decided.get("c"));
    // The submission that ran out of retries while cut off must not leave c unable to submit:
    // Ratis closes an async client after such a failure, so the member replaces it.
    assertThat(members.get("c").submit(new FailoverCommand.Decide("orders", 3, "c", 5, true))
        .get(30, java.util.concurrent.TimeUnit.SECONDS)).startsWith("DECIDED 3 c");
  }
}

package io.meridian.agent.failover;

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
import io.meridian.agent.core.replication.ClientResponse;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.FailoverView;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.Output;
import io.meridian.agent.core.replication.PeerMessage;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.replication.ReplicationNode;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

// Issue 7 / ADR 0019: a replica that released a primary during a stall longer than the lease, and
// hears it again before any decision, retracts its release through the decision log, and only once
// the retraction is committed grants the lease again. So one replica's stall after another's keeps
// the primary's lease and never turns into a failover — which it did while a release held for the
// whole epoch (the control run). Deterministic: three regions' cores, a seeded network and a
// seeded commit delay for the group's log, played by the test with the real DecisionLog.
class PledgeRetractionTest {
  private static final List<String> REGIONS = List.of("a", "b", "c");
  private static final long DETECTION_TIMEOUT_MILLIS = 3_000; // As in samples/global-async.yaml.
  private static final long MARGIN_MILLIS = 100;
  private static final long STEP_MILLIS = 10;
  private static final long TICK_EVERY_MILLIS = 50;
  private static final long WATCH_EVERY_MILLIS = FailoverGroup.WATCH_INTERVAL_MILLIS;
  private static final int SEEDS = 8;

  private static AgentConfig config(String region) {
    DatasetConfig dataset = new DatasetConfig("d", ReplicationMode.ASYNC, REGIONS, "a", 0,
        FsyncPolicy.OPERATING_SYSTEM, 1, new FailoverPolicy(true, DETECTION_TIMEOUT_MILLIS, MARGIN_MILLIS));
    List<PeerConfig> peers = REGIONS.stream().filter(r -> !r.equals(region))
        .map(r -> new PeerConfig(r, "localhost:1", LinkEmulation.NONE)).toList();
    return new AgentConfig(region, peers, List.of(dataset), ReplicationBounds.DEFAULTS);
  }

  /** A message in flight, or a command on its way into the group's log, due at {@code atMillis}. */
  private record Due(long atMillis, long order, String from, String to, Object payload) {}

  /** One run: its decisions, the primary's lease changes, and the writes the primary refused. */
  private record Run(List<Input.EpochDecided> decisions, List<ReplicationEvent.LeaseChanged> leaseChanges,
      int writesRefused, int writes, List<String> log, Map<String, FailoverView> finalViews) {}

  private static final class Harness {
    final Random random;
    final boolean retractionsCommitted;
    final Map<String, InMemoryReplicaStore> stores = new TreeMap<>();
    final Map<String, ReplicationNode> nodes = new TreeMap<>();
    final DecisionLog group = new DecisionLog(config("a"));
    final PriorityQueue<Due> due = new PriorityQueue<>((x, y) -> x.atMillis != y.atMillis
        ? Long.compare(x.atMillis, y.atMillis) : Long.compare(x.order, y.order));
    final Map<String, String> lastSubmitted = new HashMap<>();
    final Map<String, Long> lastSubmittedAt = new HashMap<>();
    final List<Input.EpochDecided> decisions = new ArrayList<>();
    final List<ReplicationEvent.LeaseChanged> leaseChanges = new ArrayList<>();
    final List<String> log = new ArrayList<>();
    long lastCommitAt;
    long order;
    long now = 1_000;
    String stalled;
    int writes;
    int writesRefused;

    Harness(long seed, boolean retractionsCommitted) {
      this.random = new Random(seed);
      this.retractionsCommitted = retractionsCommitted;
      for (String region : REGIONS) {
        stores.put(region, new InMemoryReplicaStore());
        nodes.put(region, new ReplicationNode(config(region), stores.get(region), now));
      }
      for (String replica : List.of("b", "c")) {
        apply("a", nodes.get("a").step(now, new Input.PeerConnected(replica, "d")));
        apply(replica, nodes.get(replica).step(now, new Input.PeerConnected("a", "d")));
      }
    }

    void apply(String region, Output output) {
      for (Output.Outbound outbound : output.messages()) {
        // Seeded one-way delay of 1–30 ms; a stalled link between the primary and one replica
        // loses what is sent either way (as a frozen process or a black-holed path would).
        due.add(new Due(now + 1 + random.nextInt(30), order++, region, outbound.to(), outbound.message()));
      }
      for (ReplicationEvent event : output.events()) {
        if (event instanceof ReplicationEvent.LeaseChanged changed && region.equals("a")) {
          leaseChanges.add(changed);
        }
      }
      for (ClientResponse response : output.responses()) {
        writes++;
        if (!(response.result() instanceof ClientResult.Committed)) {
          writesRefused++;
        }
      }
    }

    boolean cut(String from, String to) {
      return stalled != null && (from.equals(stalled) || to.equals(stalled))
          && (from.equals("a") || to.equals("a"));
    }

    /** Submits each replica's release or retraction as FailoverGroup's watcher does. */
    void watch() {
      for (String region : List.of("b", "c")) {
        for (FailoverView view : nodes.get(region).failoverViews(now)) {
          if (!view.releasesPrimary()) {
            continue;
          }
          FailoverCommand command = view.retractionWanted()
              ? new FailoverCommand.Retract("d", view.epoch(), region, view.releaseGeneration())
              : new FailoverCommand.Release("d", view.epoch(), region, view.lastEpochInLog(), view.lastSequence(),
                  view.releaseGeneration());
          String text = new String(command.encode(), java.nio.charset.StandardCharsets.UTF_8);
          boolean fresh = !text.equals(lastSubmitted.get(region))
              || now - lastSubmittedAt.get(region) >= FailoverGroup.RELEASE_RESUBMIT_MILLIS;
          if (fresh) {
            lastSubmitted.put(region, text);
            lastSubmittedAt.put(region, now);
            // Committed after a seeded 20–400 ms, in submission order (one log).
            lastCommitAt = Math.max(lastCommitAt, now + 20 + random.nextInt(381));
            due.add(new Due(lastCommitAt, order++, region, "group", command));
          }
        }
      }
    }

    void commit(FailoverCommand command) {
      if (command instanceof FailoverCommand.Retract && !retractionsCommitted) {
        log.add(now + " dropped " + new String(command.encode(), java.nio.charset.StandardCharsets.UTF_8));
        return;
      }
      DecisionLog.Outcome outcome = group.apply(command);
      log.add(now + " " + new String(command.encode(), java.nio.charset.StandardCharsets.UTF_8) + " -> "
          + outcome.detail());
      outcome.decision().ifPresent(decision -> {
        decisions.add(decision);
        for (String region : REGIONS) {
          apply(region, nodes.get(region).step(now, decision));
        }
      });
      outcome.retraction().ifPresent(retraction ->
          apply(retraction.region(), nodes.get(retraction.region()).step(now, retraction.input())));
    }

    void runUntil(long endMillis) {
      while (now < endMillis) {
        now += STEP_MILLIS;
        while (!due.isEmpty() && due.peek().atMillis <= now) {
          Due next = due.poll();
          if (next.to.equals("group")) {
            commit((FailoverCommand) next.payload);
          } else if (!cut(next.from, next.to)) {
            apply(next.to, nodes.get(next.to).step(now,
                new Input.PeerMessageReceived(next.from, (PeerMessage) next.payload)));
          }
        }
        if (now % TICK_EVERY_MILLIS == 0) {
          for (Map.Entry<String, ReplicationNode> node : nodes.entrySet()) {
            apply(node.getKey(), node.getValue().tick(now));
          }
        }
        if (now % WATCH_EVERY_MILLIS == 0) {
          watch();
        }
        if (now % 100 == 0) {
          apply("a", nodes.get("a").step(now, new Input.ClientRequest(order++, "d",
              new ClientOperation.Put(Bytes.ofUtf8("k" + now), Bytes.ofUtf8("v")))));
        }
      }
    }

    /** b stalls, recovers, then c stalls: each stall longer than the lease plus the margin. */
    Run run() {
      runUntil(now + 2_000);
      long lease = DETECTION_TIMEOUT_MILLIS + MARGIN_MILLIS;
      int writesBefore = writes;
      int refusedBefore = writesRefused;
      stalled = "b";
      runUntil(now + lease + 300 + random.nextInt(1_700));
      stalled = null;
      runUntil(now + 1_500 + random.nextInt(1_500));
      stalled = "c";
      runUntil(now + lease + 300 + random.nextInt(1_700));
      stalled = null;
      runUntil(now + 3_000);
      Map<String, FailoverView> views = new TreeMap<>();
      for (String region : REGIONS) {
        views.put(region, nodes.get(region).failoverViews(now).get(0));
      }
      return new Run(decisions, leaseChanges, writesRefused - refusedBefore, writes - writesBefore, log, views);
    }
  }

  @Test
  void aReplicaThatHearsItsReleasedPrimaryAgainRetractsAndTheLeaseSurvivesTheNextStall() {
    for (long seed = 1; seed <= SEEDS; seed++) {
      Run run = new Harness(seed, true).run();

      String replay = "seed " + seed + " (reproduce: PledgeRetractionTest seed " + seed + "), log " + run.log();
      assertThat(run.log()).as(replay).anyMatch(line -> line.contains("RETRACT d 1 b 1"));
      assertThat(run.decisions()).as(replay).isEmpty();
      assertThat(run.leaseChanges()).as(replay).extracting(ReplicationEvent.LeaseChanged::held)
          .containsExactly(true);
      assertThat(run.writesRefused()).as(replay).isZero();
      assertThat(run.writes()).as(replay).isGreaterThan(100);
      // Afterwards both replicas grant again: neither still reports a release.
      assertThat(run.finalViews().get("b").releasesPrimary()).as(replay).isFalse();
      assertThat(run.finalViews().get("c").releasesPrimary()).as(replay).isFalse();
      assertThat(run.finalViews().get("a").acceptingWrites()).as(replay).isTrue();
    }
  }

  @Test
  void withoutCommittedRetractionsTheSameStallsFailThePrimaryOver() {
    for (long seed = 1; seed <= SEEDS; seed++) {
      Run run = new Harness(seed, false).run();

      assertThat(run.decisions()).as("seed %d: %s", seed, run.log()).extracting(Input.EpochDecided::epoch)
          .containsExactly(2L);
    }
  }

  @Test
  void aReleaseSurvivesARestartUntilItsRetractionIsCommitted() {
    Harness harness = new Harness(42, true);
    harness.runUntil(harness.now + 1_000);
    harness.stalled = "b";
    harness.runUntil(harness.now + DETECTION_TIMEOUT_MILLIS + MARGIN_MILLIS + 500);
    assertThat(harness.nodes.get("b").failoverViews(harness.now).get(0).releasesPrimary()).isTrue();

    // b restarts from its store, and hears the primary at once: it must not answer before the
    // group committed its retraction.
    harness.nodes.put("b", new ReplicationNode(config("b"), harness.stores.get("b"), harness.now));
    harness.stalled = null;
    harness.due.removeIf(d -> d.to.equals("group"));
    Output connected = harness.nodes.get("b").step(harness.now, new Input.PeerConnected("a", "d"));
    FailoverView afterRestart = harness.nodes.get("b").failoverViews(harness.now).get(0);
    assertThat(afterRestart.releasesPrimary()).as("the pledge is kept across the restart").isTrue();
    assertThat(afterRestart.releaseGeneration()).isEqualTo(1);
    Output heartbeat = harness.nodes.get("b").step(harness.now, new Input.PeerMessageReceived("a",
        new PeerMessage.Heartbeat("d", 1, 0, harness.now, false)));
    assertThat(heartbeat.messages()).extracting(Output.Outbound::message)
        .noneMatch(PeerMessage.HeartbeatReply.class::isInstance);
    assertThat(connected).isNotNull();

    harness.commit(new FailoverCommand.Retract("d", 1, "b", 1));
    Output after = harness.nodes.get("b").step(harness.now + 200, new Input.PeerMessageReceived("a",
        new PeerMessage.Heartbeat("d", 1, 0, harness.now + 200, false)));
    assertThat(after.messages()).extracting(Output.Outbound::message)
        .anyMatch(PeerMessage.HeartbeatReply.class::isInstance);
    assertThat(harness.stores.get("b").pledge("d")).hasValueSatisfying(pledge -> {
      assertThat(pledge.generation()).isEqualTo(1);
      assertThat(pledge.released()).isFalse();
    });
  }
}

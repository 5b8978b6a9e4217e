package io.meridian.agent.sim;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.conflict.ConflictDetail;
import io.meridian.agent.core.conflict.Dot;
import io.meridian.agent.core.conflict.Operation;
import io.meridian.agent.core.conflict.Stamp;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResponse;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.Output;
import io.meridian.agent.core.replication.PeerMessage;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.replication.ReplicationNode;
import io.meridian.agent.core.storage.Change;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import io.meridian.agent.core.storage.StoredValue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One seeded run of 3 to 5 regions where every region writes to multi-primary datasets (one per
 * conflict rule exercised) while the network delays, reorders, duplicates and loses messages,
 * links are cut, processes crash and clocks are skewed; then faults heal, traffic stops, and the
 * invariants of issue 5 are checked against what was acknowledged and logged.
 */
final class MultiPrimarySimulation {
  static final long TRAFFIC_MILLIS = 1_500;
  static final long QUIESCE_MILLIS_MAX = 30_000;
  static final long TICK_INTERVAL_MILLIS = 5;
  static final int KEY_COUNT = 6;
  static final int TRACE_LINES_MAX = 40;

  static final String LWW = "profiles";
  static final String VERSIONED = "carts";
  static final String COUNTER = "likes";
  static final String SET = "tags";
  static final String REGISTER = "settings";
  static final String MAP = "sessions";
  static final String RESIDENT = "patients";
  static final List<String> CONVERGING = List.of(LWW, VERSIONED, COUNTER, SET, REGISTER, MAP);

  private final long seed;
  private final SplittableRandom random;
  private final List<String> regions = new ArrayList<>();
  private final Map<String, String> jurisdictions = new TreeMap<>();
  private final Map<String, Long> skewMillis = new TreeMap<>();
  private final Map<String, AgentConfig> configs = new TreeMap<>();
  private final Map<String, InMemoryReplicaStore> stores = new TreeMap<>();
  private final Map<String, ReplicationNode> nodes = new TreeMap<>();
  private final Map<String, Long> restartAtMillis = new TreeMap<>();
  private final Map<String, Long> cutUntilMillis = new TreeMap<>();
  private final TreeSet<String> upLinks = new TreeSet<>();
  private final PriorityQueue<InFlight> network = new PriorityQueue<>();
  private final List<String> violations = new ArrayList<>();
  private final Deque<String> trace = new ArrayDeque<>();
  private final Map<String, Long> acknowledgedCounterSum = new TreeMap<>();
  private final Set<String> reportedLosers = new TreeSet<>();
  private long conflictEvents;
  private long skewEvents;
  private long residencyRefusals;
  private long acknowledgedWrites;
  private long refusedWrites;

  private final long delayMinMillis;
  private final long delayJitterMillis;
  private final double lossRate;
  private final double duplicateRate;
  private final double writeRatePerMillis;
  private final double cutRatePerMillis;
  private final double crashRatePerMillis;

  private long nowMillis;
  private long messageSequence;
  private long requestSequence;
  private long valueSequence;
  private long crashes;

  private record InFlight(long deliverAtMillis, long order, String from, String to, PeerMessage message)
      implements Comparable<InFlight> {
    @Override
    public int compareTo(InFlight other) {
      int byTime = Long.compare(deliverAtMillis, other.deliverAtMillis);
      return byTime != 0 ? byTime : Long.compare(order, other.order);
    }
  }

  /** What a passing run did. */
  record Report(long seed, int regions, long writesAcknowledged, long conflicts, long skewReports,
      long residencyRefusals, long crashes, long convergedAfterMillis, long writesRefusedByPushback) {}

  private final io.meridian.agent.config.MultiPrimaryBounds limits;

  /** The default bounds with pushback in time at 500 ms (ADR 0040), so faults exercise it. */
  static final io.meridian.agent.config.MultiPrimaryBounds DEFAULTS_WITH_LAG_BOUND = withLagBound(
      io.meridian.agent.config.MultiPrimaryBounds.DEFAULTS, 500);

  static io.meridian.agent.config.MultiPrimaryBounds withLagBound(io.meridian.agent.config.MultiPrimaryBounds d,
      long lagMillisMax) {
    return new io.meridian.agent.config.MultiPrimaryBounds(d.siblingsMax(), d.clockSkewToleranceMillis(),
        d.clockSkewReportIntervalMillis(), d.collectKeysPerTick(), d.collectIntervalMillis(), d.replayChangesPerRead(),
        d.cachedKeysMax(), d.dirtyKeysMax(), d.flushIntervalMillis(), d.backlogChangesMax(), lagMillisMax);
  }

  MultiPrimarySimulation(long seed) {
    this(seed, DEFAULTS_WITH_LAG_BOUND);
  }

  /** A run whose agents use {@code limits} (a tiny merged-state cache makes every path reach the store). */
  MultiPrimarySimulation(long seed, io.meridian.agent.config.MultiPrimaryBounds limits) {
    this.limits = limits;
    this.seed = seed;
    this.random = new SplittableRandom(seed);
    int regionCount = 3 + random.nextInt(3);
    for (int i = 0; i < regionCount; i++) {
      String region = "r" + i;
      regions.add(region);
      // At least one region in each jurisdiction, so the resident dataset has somewhere to refuse.
      jurisdictions.put(region, i == 0 ? "EU" : i == 1 ? "US" : random.nextBoolean() ? "EU" : "US");
      // Mostly small skews; sometimes one clock far ahead of the tolerance.
      skewMillis.put(region, (long) (random.nextInt(10) == 0 ? 800 + random.nextInt(400) : random.nextInt(100) - 50));
    }
    delayMinMillis = 1 + random.nextInt(30);
    delayJitterMillis = random.nextInt(40);
    lossRate = random.nextDouble() * 0.1;
    duplicateRate = random.nextDouble() * 0.05;
    writeRatePerMillis = 0.1 + random.nextDouble() * 0.3;
    cutRatePerMillis = random.nextDouble() * 0.004;
    crashRatePerMillis = random.nextDouble() * 0.002;
    List<DatasetConfig> datasets = List.of(
        DatasetConfig.multiPrimary(LWW, regions, ConflictResolution.LWW, FsyncPolicy.OPERATING_SYSTEM, List.of()),
        DatasetConfig.multiPrimary(VERSIONED, regions, ConflictResolution.VERSION_VECTOR, FsyncPolicy.OPERATING_SYSTEM, List.of()),
        DatasetConfig.multiPrimary(COUNTER, regions, ConflictResolution.CRDT_PN_COUNTER, FsyncPolicy.OPERATING_SYSTEM, List.of()),
        DatasetConfig.multiPrimary(SET, regions, ConflictResolution.CRDT_OR_SET, FsyncPolicy.OPERATING_SYSTEM, List.of()),
        DatasetConfig.multiPrimary(REGISTER, regions, ConflictResolution.CRDT_MV_REGISTER, FsyncPolicy.OPERATING_SYSTEM, List.of()),
        DatasetConfig.multiPrimary(MAP, regions, ConflictResolution.CRDT_LWW_MAP, FsyncPolicy.OPERATING_SYSTEM, List.of()),
        // Placed everywhere by a careless configuration, but only allowed in the EU.
        DatasetConfig.multiPrimary(RESIDENT, regions, ConflictResolution.LWW, FsyncPolicy.OPERATING_SYSTEM, List.of("EU")));
    ReplicationBounds bounds = new ReplicationBounds(
        1 + random.nextInt(16), 4096, random.nextInt(10), 16 + random.nextInt(48),
        50, 200, 300, 1_000, 1_000, 1_000, 1_000, 4_096, 64, 256);
    for (String region : regions) {
      List<PeerConfig> peers = new ArrayList<>();
      for (String peer : regions) {
        if (!peer.equals(region)) {
          peers.add(new PeerConfig(peer, peer + ":7000", LinkEmulation.NONE, jurisdictions.get(peer)));
        }
      }
      configs.put(region, new AgentConfig(region, peers, datasets, bounds));
      stores.put(region, new InMemoryReplicaStore());
    }
  }

  Report run() {
    try {
      for (String region : regions) {
        nodes.put(region, new ReplicationNode(configs.get(region),
            io.meridian.agent.config.LogRetention.KEEP_ALL, stores.get(region), localNow(region),
            io.meridian.agent.core.antientropy.AntiEntropySettings.ON_DEMAND, limits));
      }
      updateLinks();
      while (nowMillis < TRAFFIC_MILLIS) {
        injectFaults();
        maybeClientRequest();
        advanceOneMillisecond();
      }
      cutUntilMillis.clear();
      for (String region : new ArrayList<>(restartAtMillis.keySet())) {
        restart(region);
      }
      updateLinks();
      long quiesceStart = nowMillis;
      while (!settled()) {
        if (nowMillis - quiesceStart > QUIESCE_MILLIS_MAX) {
          throw new AssertionError("did not converge within " + QUIESCE_MILLIS_MAX + " ms after faults healed");
        }
        advanceOneMillisecond();
      }
      // Let a few more ticks collect tombstones everywhere.
      for (int i = 0; i < 50; i++) {
        advanceOneMillisecond();
      }
      checkInvariants();
      return new Report(seed, regions.size(), acknowledgedWrites, conflictEvents, skewEvents, residencyRefusals,
          crashes, nowMillis - quiesceStart, refusedWrites);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("multi-primary simulation failed for seed " + seed + " (" + describe() + ") at "
          + nowMillis + " ms: " + e.getMessage() + "\nlast events:\n  " + String.join("\n  ", trace)
          + "\nreproduce with -Dsim.seed=" + seed, e);
    }
  }

  private String describe() {
    return regions.size() + " regions " + jurisdictions + ", clock skews " + skewMillis + ", delay "
        + delayMinMillis + "+" + delayJitterMillis + " ms, loss " + String.format("%.3f", lossRate)
        + ", duplication " + String.format("%.3f", duplicateRate);
  }

  private long localNow(String region) {
    return Math.max(0, nowMillis + 1_000_000 + skewMillis.get(region));
  }

  // ---------------------------------------------------------------- time and network

  private void advanceOneMillisecond() {
    while (!network.isEmpty() && network.peek().deliverAtMillis() <= nowMillis) {
      InFlight message = network.poll();
      ReplicationNode target = nodes.get(message.to());
      if (target == null || !upLinks.contains(linkKey(message.from(), message.to()))) {
        continue;
      }
      carryOut(message.to(), target.step(localNow(message.to()),
          new Input.PeerMessageReceived(message.from(), message.message())));
    }
    if (nowMillis % TICK_INTERVAL_MILLIS == 0) {
      for (String region : regions) {
        ReplicationNode node = nodes.get(region);
        if (node != null) {
          carryOut(region, node.tick(localNow(region)));
        }
      }
    }
    nowMillis++;
  }

  private void carryOut(String region, Output output) {
    for (Output.Outbound outbound : output.messages()) {
      PeerMessage message = outbound.message();
      if (message instanceof PeerMessage.ChangeBatch && message.dataset().startsWith(RESIDENT + "@")
          && !jurisdictions.get(outbound.to()).equals("EU")) {
        violations.add(region + " sent " + RESIDENT + " data to " + outbound.to() + " in "
            + jurisdictions.get(outbound.to()));
      }
      send(region, outbound.to(), message);
    }
    for (ClientResponse response : output.responses()) {
      record(region, "answer", response.requestId(), response.result());
    }
    for (ReplicationEvent event : output.events()) {
      record(region, "event", event);
      if (event instanceof ReplicationEvent.ProtocolViolation || event instanceof ReplicationEvent.StaleEpochRejected) {
        violations.add(region + ": " + event);
      } else if (event instanceof ReplicationEvent.Conflict) {
        conflictEvents++;
        ReplicationEvent.Conflict conflict = (ReplicationEvent.Conflict) event;
        for (ConflictDetail.VersionInfo lost : conflict.detail().discarded()) {
          reportedLosers.add(conflict.dataset() + "/" + conflict.key() + "/" + lost.stamp().dot());
        }
      } else if (event instanceof ReplicationEvent.ClockSkew) {
        skewEvents++;
        // Only a peer whose clock really runs ahead of this one by more than the tolerance is blamed.
        ReplicationEvent.ClockSkew skew = (ReplicationEvent.ClockSkew) event;
        long offset = skewMillis.get(skew.peer()) - skewMillis.get(region);
        if (offset <= skew.toleranceMillis()) {
          violations.add(region + " blamed " + skew.peer() + " for clock skew, but its clock is only " + offset
              + " ms ahead: " + skew);
        }
      } else if (event instanceof ReplicationEvent.ResidencyRefused) {
        residencyRefusals++;
      }
    }
    for (Output.Disconnect disconnect : output.disconnects()) {
      cutUntilMillis.merge(linkKey(region, disconnect.peer()), nowMillis + 50, Math::max);
      updateLinks();
    }
  }

  private void send(String from, String to, PeerMessage message) {
    if (random.nextDouble() < lossRate) {
      return;
    }
    int copies = random.nextDouble() < duplicateRate ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      long delay = delayMinMillis + (delayJitterMillis == 0 ? 0 : random.nextLong(delayJitterMillis + 1));
      network.add(new InFlight(nowMillis + delay, messageSequence++, from, to, message));
    }
  }

  private static String linkKey(String a, String b) {
    return a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
  }

  private void updateLinks() {
    cutUntilMillis.values().removeIf(until -> until <= nowMillis);
    for (int i = 0; i < regions.size(); i++) {
      for (int j = i + 1; j < regions.size(); j++) {
        String a = regions.get(i);
        String b = regions.get(j);
        String key = linkKey(a, b);
        boolean up = nodes.containsKey(a) && nodes.containsKey(b) && !cutUntilMillis.containsKey(key);
        if (up == upLinks.contains(key)) {
          continue;
        }
        if (up) {
          upLinks.add(key);
        } else {
          upLinks.remove(key);
        }
        for (String[] ends : new String[][] {{a, b}, {b, a}}) {
          ReplicationNode node = nodes.get(ends[0]);
          if (node == null) {
            continue;
          }
          for (String stream : ReplicationNode.storeNames(configs.get(ends[0]))) {
            Input input = up ? new Input.PeerConnected(ends[1], stream)
                : new Input.PeerDisconnected(ends[1], stream, "link down");
            carryOut(ends[0], node.step(localNow(ends[0]), input));
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- faults

  private void injectFaults() {
    boolean changed = cutUntilMillis.values().stream().anyMatch(until -> until <= nowMillis);
    for (String region : new ArrayList<>(restartAtMillis.keySet())) {
      if (restartAtMillis.get(region) <= nowMillis) {
        restart(region);
        changed = true;
      }
    }
    if (random.nextDouble() < cutRatePerMillis) {
      String a = regions.get(random.nextInt(regions.size()));
      String b = regions.get(random.nextInt(regions.size()));
      if (!a.equals(b)) {
        cutUntilMillis.merge(linkKey(a, b), nowMillis + 50 + random.nextInt(1_000), Math::max);
        record(a, "cut link to", b);
        changed = true;
      }
    }
    if (random.nextDouble() < crashRatePerMillis) {
      String region = regions.get(random.nextInt(regions.size()));
      if (nodes.containsKey(region)) {
        // A killed process: the store survives (RocksDB's WAL survives kill -9) and the merged
        // state is rebuilt from the logs on restart.
        nodes.remove(region);
        crashes++;
        restartAtMillis.put(region, nowMillis + 50 + random.nextInt(1_500));
        record(region, "crash");
        changed = true;
      }
    }
    if (changed) {
      updateLinks();
    }
  }

  private void restart(String region) {
    restartAtMillis.remove(region);
    nodes.put(region, new ReplicationNode(configs.get(region),
            io.meridian.agent.config.LogRetention.KEEP_ALL, stores.get(region), localNow(region),
            io.meridian.agent.core.antientropy.AntiEntropySettings.ON_DEMAND, limits));
    record(region, "restart");
  }

  // ---------------------------------------------------------------- clients

  private void maybeClientRequest() {
    if (random.nextDouble() >= writeRatePerMillis) {
      return;
    }
    String region = regions.get(random.nextInt(regions.size()));
    ReplicationNode node = nodes.get(region);
    if (node == null) {
      return;
    }
    List<String> all = new ArrayList<>(CONVERGING);
    all.add(RESIDENT);
    String dataset = all.get(random.nextInt(all.size()));
    Bytes key = Bytes.ofUtf8("k" + random.nextInt(KEY_COUNT));
    Bytes value = Bytes.ofUtf8("v" + valueSequence++);
    ClientOperation operation;
    int choice = random.nextInt(10);
    switch (dataset) {
      case COUNTER:
        operation = new ClientOperation.Increment(key, random.nextInt(11) - 5);
        break;
      case SET: {
        Bytes element = Bytes.ofUtf8("e" + random.nextInt(3));
        operation = choice < 6 ? new ClientOperation.AddElement(key, element)
            : new ClientOperation.RemoveElement(key, element);
        break;
      }
      case MAP: {
        Bytes field = Bytes.ofUtf8("f" + random.nextInt(3));
        operation = choice < 7 ? new ClientOperation.PutEntry(key, field, value)
            : new ClientOperation.RemoveEntry(key, field);
        break;
      }
      case VERSIONED:
        if (choice < 4) {
          operation = new ClientOperation.Put(key, value);
        } else if (choice < 8) {
          // Read, then write back with the context: resolves the siblings seen.
          ClientResult.MergedRead read = (ClientResult.MergedRead) ask(region, dataset, new ClientOperation.Get(key));
          operation = new ClientOperation.ContextualWrite(key, Optional.of(value), read.context());
        } else {
          operation = new ClientOperation.Delete(key);
        }
        break;
      case REGISTER:
        operation = new ClientOperation.Put(key, value);
        break;
      default:
        operation = choice < 8 ? new ClientOperation.Put(key, value) : new ClientOperation.Delete(key);
        break;
    }
    ClientResult result = ask(region, dataset, operation);
    if (result instanceof ClientResult.Committed) {
      acknowledgedWrites++;
      if (operation instanceof ClientOperation.Increment) {
        acknowledgedCounterSum.merge(key.toUtf8(), ((ClientOperation.Increment) operation).delta(), Long::sum);
      }
    } else if (result instanceof ClientResult.Failed
        && ((ClientResult.Failed) result).failure() == io.meridian.agent.core.replication.Failure.RESOURCE_EXHAUSTED
        && ((ClientResult.Failed) result).message().contains("nothing was written")) {
      // Pushback (ADR 0033, 0040): a peer left changes unacknowledged too long or too many. Not
      // acknowledged, so the convergence checks (exact counters, no lost sibling) prove it was not applied.
      refusedWrites++;
    } else {
      throw new AssertionError("a multi-primary write at a live region must commit locally or be refused by"
          + " pushback: " + operation + " -> " + result);
    }
  }

  /** Sends one request to {@code region}'s node; multi-primary requests are answered in the same step. */
  private ClientResult ask(String region, String dataset, ClientOperation operation) {
    long requestId = requestSequence++;
    record(region, "client", requestId, dataset, operation);
    Output output = nodes.get(region).step(localNow(region), new Input.ClientRequest(requestId, dataset, operation));
    carryOut(region, output);
    check(output.responses().size() == 1 && output.responses().get(0).requestId() == requestId,
        "request " + requestId + " not answered in its step: " + output.responses());
    return output.responses().get(0).result();
  }

  // ---------------------------------------------------------------- invariants

  private boolean settled() {
    if (nowMillis % 100 != 0) {
      return false;
    }
    for (DatasetConfig dataset : configs.get(regions.get(0)).datasets()) {
      for (String origin : regions) {
        String log = dataset.name() + "@" + origin;
        long head = stores.get(origin).lastSequence(log);
        for (String region : regions) {
          boolean allowed = dataset.allowsJurisdiction(jurisdictions.get(region));
          if (allowed && stores.get(region).lastSequence(log) != head) {
            return false;
          }
        }
      }
    }
    return true;
  }

  private void checkInvariants() {
    check(violations.isEmpty(), "violations: " + violations);
    for (String dataset : CONVERGING) {
      Map<Bytes, byte[]> reference = nodes.get(regions.get(0)).canonicalState(dataset);
      for (String region : regions) {
        Map<Bytes, byte[]> state = nodes.get(region).canonicalState(dataset);
        check(state.keySet().equals(reference.keySet()), region + " holds keys " + state.keySet() + " of " + dataset
            + " but " + regions.get(0) + " holds " + reference.keySet());
        for (Bytes key : reference.keySet()) {
          check(Arrays.equals(state.get(key), reference.get(key)), region + " state of " + dataset + "/" + key
              + " differs from " + regions.get(0) + "'s");
        }
      }
    }
    for (int k = 0; k < KEY_COUNT; k++) {
      Bytes key = Bytes.ofUtf8("k" + k);
      long expected = acknowledgedCounterSum.getOrDefault(key.toUtf8(), 0L);
      for (String region : regions) {
        ClientResult.MergedRead read = (ClientResult.MergedRead) ask(region, COUNTER, new ClientOperation.Get(key));
        check(read.counter() == expected, "counter " + key + " at " + region + " is " + read.counter()
            + ", acknowledged increments sum to " + expected);
      }
      checkLastWriterWins(key);
      checkSiblings(key);
    }
    // The resident dataset never reached the US regions, and its writes there were refused at the source.
    for (String region : regions) {
      if (!jurisdictions.get(region).equals("EU")) {
        for (String origin : regions) {
          if (!origin.equals(region)) {
            check(stores.get(region).lastSequence(RESIDENT + "@" + origin) == 0, region + " in "
                + jurisdictions.get(region) + " holds " + RESIDENT + " data from " + origin);
          }
        }
      }
    }
  }

  /** Every logged operation on {@code key} in {@code dataset}, with its stamp. */
  private List<Map.Entry<Stamp, Operation>> logged(String dataset, Bytes key) {
    List<Map.Entry<Stamp, Operation>> result = new ArrayList<>();
    for (String origin : regions) {
      for (Change change : stores.get(origin).log(dataset + "@" + origin)) {
        if (change.key().equals(key)) {
          result.add(Map.entry(new Stamp(new Dot(origin, change.sequence()), change.version().timestamp()),
              Operation.decode(change.value())));
        }
      }
    }
    return result;
  }

  private void checkLastWriterWins(Bytes key) {
    List<Map.Entry<Stamp, Operation>> writes = logged(LWW, key);
    if (writes.isEmpty()) {
      return;
    }
    Map.Entry<Stamp, Operation> winner = writes.stream().max(Map.Entry.comparingByKey()).orElseThrow();
    Operation.Write winning = (Operation.Write) winner.getValue();
    for (String region : regions) {
      ClientResult.Read read = (ClientResult.Read) ask(region, LWW, new ClientOperation.Get(key));
      Optional<Bytes> value = read.value().map(StoredValue::value);
      check(value.equals(winning.delete() ? Optional.empty() : Optional.of(winning.value())), "LWW " + key + " at "
          + region + " is " + value + " but the greatest timestamp " + winner.getKey() + " wrote " + winning);
    }
    for (Map.Entry<Stamp, Operation> write : writes) {
      boolean overwrittenKnowingly = writes.stream().anyMatch(other -> other != write
          && ((Operation.Write) other.getValue()).context().covers(write.getKey().dot()));
      if (write != winner && !overwrittenKnowingly) {
        check(reportedLosers.contains(LWW + "/" + key + "/" + write.getKey().dot()), "LWW write "
            + write.getKey() + " to " + key + " lost to " + winner.getKey() + " without a conflict event; writes: "
            + writes);
      }
    }
  }

  private void checkSiblings(Bytes key) {
    List<Map.Entry<Stamp, Operation>> writes = logged(VERSIONED, key);
    Set<Dot> expected = new TreeSet<>();
    for (Map.Entry<Stamp, Operation> write : writes) {
      Operation.VersionedWrite versioned = (Operation.VersionedWrite) write.getValue();
      boolean superseded = writes.stream().anyMatch(other -> other != write
          && ((Operation.VersionedWrite) other.getValue()).context().covers(write.getKey().dot()));
      if (!versioned.delete() && !superseded) {
        expected.add(write.getKey().dot());
      }
    }
    for (String region : regions) {
      ClientResult.MergedRead read = (ClientResult.MergedRead) ask(region, VERSIONED, new ClientOperation.Get(key));
      Set<Dot> actual = new TreeSet<>();
      for (StoredValue sibling : read.values()) {
        actual.add(new Dot(sibling.version().originRegion(), sibling.version().sequence()));
      }
      check(actual.equals(expected), "siblings of " + key + " at " + region + " are " + actual
          + "; the writes no other write had seen are " + expected);
    }
  }

  private void record(String region, Object... parts) {
    if (System.getProperty("sim.debugKey") != null && String.valueOf(java.util.Arrays.asList(parts)).contains(System.getProperty("sim.debugKey"))) {
      System.out.println("DBG " + nowMillis + " " + region + " " + java.util.Arrays.asList(parts));
    }
    if (trace.size() == TRACE_LINES_MAX) {
      trace.removeFirst();
    }
    StringBuilder text = new StringBuilder().append(nowMillis).append(' ').append(region);
    for (Object part : parts) {
      text.append(' ').append(part);
    }
    trace.addLast(text.toString());
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }
}

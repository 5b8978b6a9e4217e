package io.meridian.agent.sim;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.FailoverPolicy;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.FsyncPolicy;
import io.meridian.agent.config.LogRetention;
import io.meridian.agent.config.MultiPrimaryBounds;
import io.meridian.agent.config.QuorumPolicy;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.core.Bytes;
import io.meridian.agent.core.antientropy.AntiEntropySettings;
import io.meridian.agent.core.replication.ClientOperation;
import io.meridian.agent.core.replication.ClientResponse;
import io.meridian.agent.core.replication.ClientResult;
import io.meridian.agent.core.replication.HintCounts;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.Output;
import io.meridian.agent.core.replication.PeerMessage;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.replication.ReplicationNode;
import io.meridian.agent.core.storage.InMemoryReplicaStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A quorum dataset on simulated regions, driven by hand or by a seeded {@link Random}: the
 * streams of the real transport (region A sends its requests to B on {@code d@B}, which A opens),
 * messages kept in order per stream and interleaved across streams, crashes that keep the store
 * (a killed process), restarts that recover from it. Time moves only when told.
 */
public final class QuorumCluster {
  /** The dataset's name. */
  public static final String DATASET = "q";

  /** A message in flight on the stream named by its dataset. */
  public record Envelope(String from, String to, PeerMessage message) {}

  private final Map<String, AgentConfig> configs = new TreeMap<>();
  private final Map<String, InMemoryReplicaStore> stores = new TreeMap<>();
  private final Map<String, ReplicationNode> nodes = new TreeMap<>();
  private final List<Envelope> queue = new ArrayList<>();
  private final Map<Long, ClientResult> results = new LinkedHashMap<>();
  private final List<ReplicationEvent> events = new ArrayList<>();
  // Hint counts of coordinators that crashed, so totals survive their restarts.
  private final Map<String, long[]> hintsOfEarlierRuns = new TreeMap<>();
  private long nowMillis = 1_000;
  private long nextRequestId = 1;
  private final AntiEntropySettings antiEntropy;
  private final int cachedKeysMax;
  // Pairs "a>b" and "b>a" whose link is cut: no stream opens between them, nothing is delivered.
  private final java.util.Set<String> cut = new java.util.TreeSet<>();

  /** Regions {@code regions}, all up, streams not yet open; anti-entropy on demand only. */
  public QuorumCluster(QuorumPolicy policy, List<String> regions) {
    this(policy, regions, ConflictResolution.LWW, AntiEntropySettings.ON_DEMAND);
  }

  /** Regions {@code regions} of a dataset resolving conflicts by {@code rule}, all up, streams not yet open. */
  public QuorumCluster(QuorumPolicy policy, List<String> regions, ConflictResolution rule) {
    this(policy, regions, rule, AntiEntropySettings.ON_DEMAND);
  }

  /** Regions {@code regions}, all up, streams not yet open, running anti-entropy as {@code antiEntropy} says. */
  public QuorumCluster(QuorumPolicy policy, List<String> regions, AntiEntropySettings antiEntropy) {
    this(policy, regions, ConflictResolution.LWW, antiEntropy);
  }

  /** Regions {@code regions} of a dataset resolving conflicts by {@code rule}, running anti-entropy as {@code antiEntropy} says. */
  public QuorumCluster(QuorumPolicy policy, List<String> regions, ConflictResolution rule,
      AntiEntropySettings antiEntropy) {
    this(policy, regions, rule, antiEntropy, ReplicationNode.QUORUM_CACHED_KEYS_MAX);
  }

  /**
   * As above, each node keeping the newest version of at most {@code cachedKeysMax} keys in memory
   * (ADR 0057): a bound below the keys in use makes keys leave the cache and be read again.
   */
  public QuorumCluster(QuorumPolicy policy, List<String> regions, ConflictResolution rule,
      AntiEntropySettings antiEntropy, int cachedKeysMax) {
    this.antiEntropy = antiEntropy;
    this.cachedKeysMax = cachedKeysMax;
    DatasetConfig dataset = new DatasetConfig(DATASET, ReplicationMode.QUORUM, regions, regions.get(0), 0,
        FsyncPolicy.OPERATING_SYSTEM, 1, rule, List.of(), FailoverPolicy.MANUAL, policy);
    ReplicationBounds bounds = new ReplicationBounds(64, 1 << 20, 0, 256, 100, 500, 300, 1_000, 1_000, 1_000,
        1_000, 1_000, 64, 1_024);
    for (String region : regions) {
      configs.put(region, SimNetwork.agentConfig(region, regions, dataset, bounds));
      stores.put(region, new InMemoryReplicaStore());
      nodes.put(region, node(region));
    }
  }

  private ReplicationNode node(String region) {
    return new ReplicationNode(configs.get(region), LogRetention.KEEP_ALL, stores.get(region), nowMillis, antiEntropy,
        MultiPrimaryBounds.fromSystemProperties(), cachedKeysMax);
  }

  /** The stream on which {@code coordinator} reaches {@code replica}. */
  public static String stream(String replica) {
    return DATASET + "@" + replica;
  }

  /** The current time. */
  public long nowMillis() {
    return nowMillis;
  }

  /** Whether {@code region} runs. */
  public boolean isUp(String region) {
    return nodes.containsKey(region);
  }

  /** Opens every stream between running regions that is not open yet (all of them, idempotently). */
  public void connectAll() {
    for (String a : nodes.keySet()) {
      for (String b : nodes.keySet()) {
        if (!a.equals(b)) {
          openStream(a, b);
        }
      }
    }
  }

  private final java.util.Set<String> open = new java.util.TreeSet<>();

  /** {@code coordinator} opens its stream to {@code replica}. */
  public void openStream(String coordinator, String replica) {
    if (!isUp(coordinator) || !isUp(replica) || cut.contains(coordinator + ">" + replica)
        || !open.add(coordinator + ">" + replica)) {
      return;
    }
    apply(coordinator, nodes.get(coordinator).step(nowMillis, new Input.PeerConnected(replica, stream(replica))));
    apply(replica, nodes.get(replica).step(nowMillis, new Input.PeerConnected(coordinator, stream(replica))));
  }

  /** Kills {@code region} (its store survives); streams with it close at the others. */
  public void crash(String region) {
    ReplicationNode node = nodes.remove(region);
    if (node == null) {
      return;
    }
    for (HintCounts counts : node.hintCounts()) {
      long[] total = hintsOfEarlierRuns.computeIfAbsent(region + ">" + counts.target(), k -> new long[3]);
      total[0] += counts.stored();
      total[1] += counts.delivered();
      total[2] += counts.dropped();
    }
    queue.removeIf(envelope -> envelope.from().equals(region) || envelope.to().equals(region));
    for (String other : nodes.keySet()) {
      if (open.remove(other + ">" + region)) {
        apply(other, nodes.get(other).step(nowMillis, new Input.PeerDisconnected(region, stream(region), "crash")));
      }
      if (open.remove(region + ">" + other)) {
        apply(other, nodes.get(other).step(nowMillis, new Input.PeerDisconnected(region, stream(other), "crash")));
      }
    }
  }

  /**
   * Cuts the link between {@code a} and {@code b}: both streams between them close at both ends and
   * what was in flight between them is lost, until {@link #heal}.
   */
  public void cut(String a, String b) {
    cut.add(a + ">" + b);
    cut.add(b + ">" + a);
    queue.removeIf(envelope -> envelope.from().equals(a) && envelope.to().equals(b)
        || envelope.from().equals(b) && envelope.to().equals(a));
    closeStream(a, b);
    closeStream(b, a);
  }

  // The stream coordinator -> replica closes, as the transport reports it at both ends.
  private void closeStream(String coordinator, String replica) {
    if (!open.remove(coordinator + ">" + replica)) {
      return;
    }
    for (String end : List.of(coordinator, replica)) {
      String other = end.equals(coordinator) ? replica : coordinator;
      if (isUp(end)) {
        apply(end, nodes.get(end).step(nowMillis, new Input.PeerDisconnected(other, stream(replica), "link cut")));
      }
    }
  }

  /** Heals the link between {@code a} and {@code b}; the streams reopen. */
  public void heal(String a, String b) {
    cut.remove(a + ">" + b);
    cut.remove(b + ">" + a);
    openStream(a, b);
    openStream(b, a);
  }

  /** Heals every cut link. */
  public void healAll() {
    cut.clear();
    connectAll();
  }

  /** Asks {@code region} to repair the dataset with {@code peers} (empty: every other replica). */
  public void repair(String region, List<String> peers) {
    apply(region, nodes.get(region).step(nowMillis, new Input.RepairRequested(DATASET, peers)));
  }

  /** Everything the regions reported so far, in order. */
  public List<ReplicationEvent> events() {
    return List.copyOf(events);
  }

  /** Restarts {@code region} from its store; streams open as the transport would open them. */
  public void restart(String region) {
    if (isUp(region)) {
      return;
    }
    nodes.put(region, node(region));
    connectAll();
  }

  /** Submits a request at {@code region}; returns its id. */
  public long request(String region, ClientOperation operation) {
    long id = nextRequestId++;
    apply(region, nodes.get(region).step(nowMillis, new Input.ClientRequest(id, DATASET, operation)));
    return id;
  }

  /** A put at {@code region}. */
  public long put(String region, String key, String value) {
    return request(region, new ClientOperation.Put(Bytes.ofUtf8(key), Bytes.ofUtf8(value)));
  }

  /** A get at {@code region}. */
  public long get(String region, String key) {
    return request(region, new ClientOperation.Get(Bytes.ofUtf8(key)));
  }

  /** The answer to request {@code id}, or null while it has none. */
  public ClientResult result(long id) {
    return results.get(id);
  }

  /** Moves time on and ticks every running region. */
  public void tick(long advanceMillis) {
    nowMillis += advanceMillis;
    for (Map.Entry<String, ReplicationNode> node : nodes.entrySet()) {
      apply(node.getKey(), node.getValue().tick(nowMillis));
    }
  }

  private void apply(String region, Output output) {
    if (output.syncStoreFirst()) {
      stores.get(region).sync();
    }
    for (Output.Outbound outbound : output.messages()) {
      if (!cut.contains(region + ">" + outbound.to())) {
        queue.add(new Envelope(region, outbound.to(), outbound.message()));
      }
    }
    events.addAll(output.events());
    for (ClientResponse response : output.responses()) {
      ClientResult previous = results.put(response.requestId(), response.result());
      if (previous != null) {
        throw new AssertionError("request " + response.requestId() + " answered twice: " + previous + " then "
            + response.result());
      }
    }
    if (!output.disconnects().isEmpty()) {
      throw new AssertionError(region + " disconnected a peer for a protocol violation: " + output.disconnects());
    }
  }

  /** Messages in flight. */
  public List<Envelope> queued() {
    return List.copyOf(queue);
  }

  /** Delivers the oldest queued message matching {@code which}; false if none. */
  public boolean deliverFirst(Predicate<Envelope> which) {
    for (Envelope envelope : queue) {
      if (which.test(envelope)) {
        deliver(envelope);
        return true;
      }
    }
    return false;
  }

  /**
   * Delivers one message picked by {@code random}, never overtaking an older one on the same
   * stream; false if none is queued.
   */
  public boolean deliverOne(Random random) {
    if (queue.isEmpty()) {
      return false;
    }
    Envelope picked = queue.get(random.nextInt(queue.size()));
    for (Envelope envelope : queue) {
      if (envelope.from().equals(picked.from()) && envelope.to().equals(picked.to())
          && envelope.message().dataset().equals(picked.message().dataset())) {
        picked = envelope;
        break;
      }
    }
    deliver(picked);
    return true;
  }

  private void deliver(Envelope envelope) {
    queue.remove(envelope);
    if (isUp(envelope.to())) {
      apply(envelope.to(), nodes.get(envelope.to()).step(nowMillis,
          new Input.PeerMessageReceived(envelope.from(), envelope.message())));
    }
  }

  /** Delivers everything, including what it causes. */
  public void deliverAll() {
    for (int round = 0; round < 1_000_000 && !queue.isEmpty(); round++) {
      deliver(queue.get(0));
    }
    if (!queue.isEmpty()) {
      throw new AssertionError("messages kept flowing: " + queue.size());
    }
  }

  /** Queues a second copy of every queued message matching {@code which}; returns how many. */
  public int duplicate(Predicate<Envelope> which) {
    List<Envelope> copies = queue.stream().filter(which).toList();
    queue.addAll(copies);
    return copies.size();
  }

  /** Queues {@code envelope} as if its sender had sent it (a late or replayed message). */
  public void inject(Envelope envelope) {
    queue.add(envelope);
  }

  /** Drops queued messages matching {@code which} (a lossy moment of the network). */
  public void drop(Predicate<Envelope> which) {
    queue.removeIf(which);
  }

  /** The store of {@code region}. */
  public InMemoryReplicaStore store(String region) {
    return stores.get(region);
  }

  /** Hints {@code coordinator} counts toward {@code target} over all its runs: stored, delivered, dropped, kept. */
  public long[] hints(String coordinator, String target) {
    long[] total = hintsOfEarlierRuns.getOrDefault(coordinator + ">" + target, new long[3]).clone();
    long kept = store(coordinator).hints(DATASET).getOrDefault(target, new TreeMap<>()).size();
    ReplicationNode node = nodes.get(coordinator);
    if (node != null) {
      for (HintCounts counts : node.hintCounts()) {
        if (counts.target().equals(target)) {
          total[0] += counts.stored();
          total[1] += counts.delivered();
          total[2] += counts.dropped();
        }
      }
    }
    return new long[] {total[0], total[1], total[2], kept};
  }
}

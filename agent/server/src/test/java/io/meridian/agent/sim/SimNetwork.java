package io.meridian.agent.sim;

import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.LinkEmulation;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationBounds;
import io.meridian.agent.core.replication.Input;
import io.meridian.agent.core.replication.Output;
import io.meridian.agent.core.replication.PeerMessage;
import io.meridian.agent.core.replication.ReplicationNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The simulated network and clock shared by the single-dataset simulations: one stream per pair of
 * regions that is up or down, a generation per stream so that messages sent on a stream that has
 * since closed are dropped, a queue of messages ordered by delivery time, and an advance loop that
 * interleaves deliveries with the nodes' ticks. What happens to each message (loss, duplication,
 * delay) is the simulation's own {@link Faults} policy; everything else a node outputs (store sync,
 * client answers, events, disconnects) goes to the simulation's output handler before the node's
 * messages are sent, as the agent's driver persists before it sends.
 */
final class SimNetwork {
  /** A simulation's fault policy, drawn from its own seeded randomness. */
  @FunctionalInterface
  interface Faults {
    /**
     * The delays after which copies of one message from {@code from} to {@code to} arrive: none
     * when it is lost, two when it is duplicated. Called only while the link is up.
     */
    long[] delaysMillis(String from, String to);
  }

  /**
   * A fault policy that also looks at the message: a simulation whose faults depend on what a
   * frame carries (data frozen on a stream while heartbeats pass, as on the agent's separate
   * heartbeat lane) implements this as well, and the network asks it instead.
   */
  interface MessageFaults extends Faults {
    /** As {@link #delaysMillis(String, String)}, for {@code message}. */
    long[] delaysMillis(String from, String to, PeerMessage message);
  }

  private record Envelope(long atMillis, long order, String from, String to, long generation, PeerMessage message)
      implements Comparable<Envelope> {
    @Override
    public int compareTo(Envelope other) {
      return atMillis != other.atMillis ? Long.compare(atMillis, other.atMillis) : Long.compare(order, other.order);
    }
  }

  private final String dataset;
  private final Faults faults;
  private final BiConsumer<String, Output> outputs;
  private final Map<String, ReplicationNode> nodes = new TreeMap<>();
  // Per unordered pair: the connection's generation; messages of an older one are dropped.
  private final Map<String, Long> generations = new TreeMap<>();
  private final Map<String, Boolean> linkUp = new TreeMap<>();
  private final PriorityQueue<Envelope> queue = new PriorityQueue<>();
  private long nowMillis;
  private long order;

  /**
   * A network for {@code dataset} whose clock starts at {@code startMillis}; {@code outputs}
   * receives each node output, for everything but its messages.
   */
  SimNetwork(String dataset, long startMillis, Faults faults, BiConsumer<String, Output> outputs) {
    this.dataset = dataset;
    this.nowMillis = startMillis;
    this.faults = faults;
    this.outputs = outputs;
  }

  long nowMillis() {
    return nowMillis;
  }

  /** Puts {@code node} in {@code region}'s place (a start or a restart); its links are unchanged. */
  void start(String region, ReplicationNode node) {
    nodes.put(region, node);
  }

  boolean linkUp(String a, String b) {
    return linkUp.getOrDefault(pair(a, b), false);
  }

  /** Opens a new stream between {@code a} and {@code b} and tells both ends. */
  void connect(String a, String b) {
    generations.merge(pair(a, b), 1L, Long::sum);
    linkUp.put(pair(a, b), true);
    step(a, new Input.PeerConnected(b, dataset));
    step(b, new Input.PeerConnected(a, dataset));
  }

  /** Closes the stream between {@code a} and {@code b}, dropping what is in flight on it, and tells both ends. */
  void disconnect(String a, String b, String reason) {
    generations.merge(pair(a, b), 1L, Long::sum);
    linkUp.put(pair(a, b), false);
    step(a, new Input.PeerDisconnected(b, dataset, reason));
    step(b, new Input.PeerDisconnected(a, dataset, reason));
  }

  /** Gives {@code input} to {@code region}'s node now and carries out what it outputs. */
  void step(String region, Input input) {
    apply(region, nodes.get(region).step(nowMillis, input));
  }

  /** Runs {@code millis} of simulated time: deliveries in order, each node ticked when it asks. */
  void advance(long millis) {
    long until = nowMillis + millis;
    while (true) {
      Envelope next = queue.peek();
      long tickAt = nodes.values().stream().mapToLong(ReplicationNode::nextTickAtMillis).min().orElse(until);
      long at = Math.min(until, Math.min(next == null ? until : next.atMillis(), Math.max(tickAt, nowMillis)));
      nowMillis = Math.max(nowMillis, at);
      if (next != null && next.atMillis() <= nowMillis) {
        queue.poll();
        deliver(next);
        continue;
      }
      for (Map.Entry<String, ReplicationNode> node : nodes.entrySet()) {
        if (node.getValue().nextTickAtMillis() <= nowMillis) {
          apply(node.getKey(), node.getValue().tick(nowMillis));
        }
      }
      if (nowMillis >= until) {
        return;
      }
    }
  }

  private void deliver(Envelope envelope) {
    String link = pair(envelope.from(), envelope.to());
    if (!linkUp.getOrDefault(link, false) || generations.get(link) != envelope.generation()) {
      return; // The stream it travelled on is gone.
    }
    step(envelope.to(), new Input.PeerMessageReceived(envelope.from(), envelope.message()));
  }

  private void apply(String region, Output output) {
    outputs.accept(region, output);
    for (Output.Outbound outbound : output.messages()) {
      String link = pair(region, outbound.to());
      if (!linkUp.getOrDefault(link, false)) {
        continue;
      }
      long[] delays = faults instanceof MessageFaults messageFaults
          ? messageFaults.delaysMillis(region, outbound.to(), outbound.message())
          : faults.delaysMillis(region, outbound.to());
      for (long delay : delays) {
        queue.add(new Envelope(nowMillis + delay, order++, region, outbound.to(), generations.get(link),
            outbound.message()));
      }
    }
  }

  /** The configuration of {@code region}'s agent in a simulated cluster of {@code regions} holding one dataset. */
  static AgentConfig agentConfig(String region, List<String> regions, DatasetConfig dataset,
      ReplicationBounds bounds) {
    List<PeerConfig> peers = new ArrayList<>();
    for (String peer : regions) {
      if (!peer.equals(region)) {
        peers.add(new PeerConfig(peer, "localhost:0", LinkEmulation.NONE));
      }
    }
    return new AgentConfig(region, peers, List.of(dataset), bounds);
  }

  private static String pair(String a, String b) {
    return a.compareTo(b) < 0 ? a + "-" + b : b + "-" + a;
  }
}

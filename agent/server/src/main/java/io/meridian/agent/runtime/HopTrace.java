package io.meridian.agent.runtime;

import io.meridian.agent.core.replication.PeerMessage;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Timestamps of a write's hops between agents, as JFR events, to break a sync write's latency down
 * (primary send, batch on the wire after the emulated delay, replica receive, replica disk sync,
 * acknowledgement sent, on the wire, received, client answered; ADR 0051). Off unless the agent
 * runs with {@code -Dmeridian.trace.hops=true} and a flight recording, e.g.
 * {@code MERIDIAN_AGENT_JAVA_OPTIONS="-Dmeridian.trace.hops=true
 * -XX:StartFlightRecording=filename=/tmp/hops-%p.jfr,settings=default"}; when off, each hop costs
 * one static boolean check. Times are {@code System.nanoTime}, the machine's monotonic clock on
 * Linux, so hops of agents on one machine compare across processes.
 */
public final class HopTrace {
  /** Whether hops are recorded: the system property {@code meridian.trace.hops}. */
  public static final boolean ENABLED = Boolean.getBoolean("meridian.trace.hops");

  private HopTrace() {}

  /** One hop of one batch, acknowledgement, store sync or client answer. */
  @Name("meridian.ReplicationHop")
  @Label("Replication hop")
  @Category("Meridian")
  @Description("A write's step between agents, for latency breakdowns (ADR 0051)")
  @StackTrace(false)
  static final class HopEvent extends Event {
    @Label("Hop")
    String hop;
    @Label("Peer")
    String peer;
    @Label("Dataset")
    String dataset;
    @Label("Sequence")
    long sequence;
    @Label("Monotonic nanos")
    long nanos;
    @Label("Since nanos")
    long sinceNanos;
  }

  /** Records {@code hop} now for a batch's last sequence or an acknowledgement's applied one. */
  public static void message(String hop, String peer, PeerMessage message) {
    if (!ENABLED) {
      return;
    }
    if (message instanceof PeerMessage.ChangeBatch batch) {
      record(hop + "-batch", peer, batch.dataset(), batch.lastSequence(), 0);
    } else if (message instanceof PeerMessage.Ack ack) {
      record(hop + "-ack", peer, ack.dataset(), ack.appliedSequence(), 0);
    }
  }

  /** Records a hop with an explicit sequence; {@code sinceNanos} is when it began, or 0. */
  public static void record(String hop, String peer, String dataset, long sequence, long sinceNanos) {
    if (!ENABLED) {
      return;
    }
    HopEvent event = new HopEvent();
    event.hop = hop;
    event.peer = peer;
    event.dataset = dataset;
    event.sequence = sequence;
    event.nanos = System.nanoTime();
    event.sinceNanos = sinceNanos;
    event.commit();
  }
}

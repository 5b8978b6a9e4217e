package io.meridian.agent.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;

/**
 * A leader change Ratis reports never runs our listener on the reporting thread: Ratis reports it
 * inside its server's lock, and our listener publishes to the agent's runtime, which may run all
 * of its queued work on the publishing thread (client steps, listeners, a wait for the disk), so
 * the Raft server would stay locked, its heartbeats and votes stalled, for as long as that takes.
 * The changes reach the listener later, on the executor, in the order Ratis reported them.
 */
class LeaderChangeHandoffTest {

  @Test
  void leaderChangesReachTheListenerOnTheExecutorInOrderNotOnRatisThread() {
    List<Runnable> handedOver = new ArrayList<>();
    List<String> heard = new CopyOnWriteArrayList<>();
    List<Thread> heardOn = new CopyOnWriteArrayList<>();
    ConsensusStateMachine machine = new ConsensusStateMachine("orders", "a", (leader, term) -> {
      heard.add(leader);
      heardOn.add(Thread.currentThread());
    }, handedOver::add);

    machine.notifyLeaderChanged(null, RaftPeerId.valueOf("b"));
    machine.notifyLeaderChanged(null, null);
    machine.notifyLeaderChanged(null, RaftPeerId.valueOf("c"));

    assertThat(heard).as("nothing ran on the reporting thread").isEmpty();
    assertThat(handedOver).hasSize(3);

    Thread executor = new Thread(() -> handedOver.forEach(Runnable::run), "leader-events");
    executor.start();
    try {
      executor.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    assertThat(executor.isAlive()).as("the handed-over changes finished within 30 s").isFalse();
    assertThat(heard).containsExactly("b", "", "c");
    assertThat(heardOn).containsOnly(executor);
  }
}

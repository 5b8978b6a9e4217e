package io.meridian.agent.failover;

import io.meridian.agent.core.replication.Input;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine of the failover group: applies committed {@link FailoverCommand}s to a
 * {@link DecisionLog} in log order and hands each decision to the agent. It keeps no snapshot: the
 * log is small (a few entries per failover) and replaying it on restart re-delivers every decision
 * in order, which the core tolerates (older epochs are ignored, the current one is harmless).
 */
final class FailoverStateMachine extends BaseStateMachine {
  private static final Logger log = LoggerFactory.getLogger(FailoverStateMachine.class);

  private final DecisionLog decisions;
  private final Consumer<Input.EpochDecided> onDecision;
  private final String region;
  private final Consumer<Input.ReleaseRetracted> onRetraction;

  FailoverStateMachine(DecisionLog decisions, Consumer<Input.EpochDecided> onDecision) {
    this(decisions, onDecision, "", retraction -> { });
  }

  /** Also hands this {@code region}'s committed retractions to {@code onRetraction} (ADR 0019). */
  FailoverStateMachine(DecisionLog decisions, Consumer<Input.EpochDecided> onDecision, String region,
      Consumer<Input.ReleaseRetracted> onRetraction) {
    this.decisions = decisions;
    this.onDecision = onDecision;
    this.region = region;
    this.onRetraction = onRetraction;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext transaction) {
    LogEntryProto entry = transaction.getLogEntry();
    String reply;
    synchronized (decisions) {
      reply = apply(entry.getStateMachineLogEntry().getLogData().toByteArray(), TermIndex.valueOf(entry).toString());
      updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    }
    return CompletableFuture.completedFuture(Message.valueOf(reply));
  }

  /**
   * Applies one committed entry's bytes at log position {@code at}: hands a decision to the agent,
   * and a retraction only when it is this region's; answers what happened. Callers hold the
   * decision log's lock.
   */
  String apply(byte[] data, String at) {
    try {
      FailoverCommand command = FailoverCommand.decode(data);
      DecisionLog.Outcome outcome = decisions.apply(command);
      if (outcome.decision().isPresent()) {
        Input.EpochDecided decision = outcome.decision().get();
        log.info("failover decision at {}: dataset {} epoch {} primary {} from sequence {} ({})", at,
            decision.dataset(), decision.epoch(), decision.primary(), decision.startSequence(), outcome.detail());
        onDecision.accept(decision);
        return "DECIDED " + decision.epoch() + " " + decision.primary() + " " + decision.startSequence();
      }
      if (outcome.retraction().isPresent()) {
        DecisionLog.Retraction retraction = outcome.retraction().get();
        log.info("failover retraction at {}: {}", at, outcome.detail());
        if (retraction.region().equals(region)) {
          onRetraction.accept(retraction.input());
        }
        return "RETRACTED " + outcome.detail();
      }
      return "NOCHANGE " + outcome.detail();
    } catch (IllegalArgumentException malformed) {
      return "REFUSED " + malformed.getMessage();
    }
  }

  /** The decision log, read under its own lock. */
  DecisionLog decisions() {
    return decisions;
  }
}

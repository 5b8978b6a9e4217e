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
      try {
        FailoverCommand command = FailoverCommand.decode(entry.getStateMachineLogEntry().getLogData().toByteArray());
        DecisionLog.Outcome outcome = decisions.apply(command);
        if (outcome.decision().isPresent()) {
          Input.EpochDecided decision = outcome.decision().get();
          log.info("failover decision at {}: dataset {} epoch {} primary {} from sequence {} ({})", TermIndex.valueOf(entry),
              decision.dataset(), decision.epoch(), decision.primary(), decision.startSequence(), outcome.detail());
          onDecision.accept(decision);
          reply = "DECIDED " + decision.epoch() + " " + decision.primary() + " " + decision.startSequence();
        } else if (outcome.retraction().isPresent()) {
          DecisionLog.Retraction retraction = outcome.retraction().get();
          log.info("failover retraction at {}: {}", TermIndex.valueOf(entry), outcome.detail());
          if (retraction.region().equals(region)) {
            onRetraction.accept(retraction.input());
          }
          reply = "RETRACTED " + outcome.detail();
        } else {
          reply = "NOCHANGE " + outcome.detail();
        }
      } catch (IllegalArgumentException malformed) {
        reply = "REFUSED " + malformed.getMessage();
      }
      updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    }
    return CompletableFuture.completedFuture(Message.valueOf(reply));
  }

  /** The decision log, read under its own lock. */
  DecisionLog decisions() {
    return decisions;
  }
}

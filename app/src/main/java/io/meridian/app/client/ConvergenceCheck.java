package io.meridian.app.client;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.GetResponse;
import io.meridian.agent.api.v1.ReadConsistency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits, after a load, until every replica answers the same for a set of keys, and says how long
 * that took after the last write was acknowledged.
 *
 * <p>Each round reads every key at every replica at {@code eventual} (the replica's own state)
 * and compares the answers without the serving region: found, value, version, siblings, causal
 * context and CRDT value must be equal everywhere. The keys are the load's shared (contended)
 * keys and, per region written at, the last private key written there. A replica applies each
 * origin region's writes in that region's commit order (ADR 0008), so when the last key a region
 * wrote answers the same everywhere, everything that region wrote before has been applied
 * everywhere too: agreement on these keys means the replicas have applied every write of the
 * load, and agreement on the contended keys shows the conflicts were resolved alike.
 *
 * <p>The time reported is the end of the first round in which everything agreed, minus the last
 * write acknowledgement: an upper bound, late by at most one round (whose duration is reported).
 * Rounds follow each other every {@link #ROUND_PAUSE} for at most {@link #TIMEOUT}.
 */
public final class ConvergenceCheck {
  /** Longest wait for agreement after the load. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);
  /** Pause between rounds. */
  public static final Duration ROUND_PAUSE = Duration.ofMillis(5);
  /** Deadline of one round's reads. */
  private static final Duration ROUND_DEADLINE = Duration.ofSeconds(5);

  /**
   * What the check found.
   *
   * @param converged whether every replica agreed on every key within {@link #TIMEOUT}
   * @param millisAfterLastAck from the last acknowledged write to the end of the first agreeing
   *     round (or to giving up)
   * @param millisAfterIssueEnd from the end of issuing operations to the same instant (the last
   *     acknowledgements may come later than that when the agents were saturated)
   * @param rounds rounds of reads done
   * @param lastRoundMillis how long the last round took: the figure's resolution
   * @param keys keys compared per replica
   * @param replicas replicas compared
   * @param difference when not converged: one key that still differed and the answers, or the
   *     read that failed
   */
  public record Result(boolean converged, double millisAfterLastAck, double millisAfterIssueEnd,
      int rounds, double lastRoundMillis, int keys, int replicas, String difference) {

    /** The line {@code meridian load} prints. */
    public String line() {
      if (converged) {
        return String.format(java.util.Locale.ROOT, "converged after %.0f ms (after the last "
            + "acknowledged write; %.0f ms after the load stopped issuing): %d keys agree at %d "
            + "replicas, %d rounds of reads, the last took %.1f ms", millisAfterLastAck,
            millisAfterIssueEnd, keys, replicas, rounds, lastRoundMillis);
      }
      return String.format(java.util.Locale.ROOT, "NOT converged %.0f ms after the last "
          + "acknowledged write (%d rounds over %d keys at %d replicas): %s", millisAfterLastAck,
          rounds, keys, replicas, difference);
    }
  }

  private final Map<String, AgentClient> clients;
  private final String dataset;
  private final List<ByteString> keys;
  private final Duration timeout;

  /**
   * A check over {@code keys} at every client's replica.
   *
   * @param clients one client per replica of the dataset
   * @param dataset the dataset
   * @param keys the keys to compare
   */
  public ConvergenceCheck(Map<String, AgentClient> clients, String dataset, List<ByteString> keys) {
    this(clients, dataset, keys, TIMEOUT);
  }

  /**
   * A check over {@code keys} at every client's replica that gives up after {@code timeout}.
   *
   * @param clients one client per replica of the dataset
   * @param dataset the dataset
   * @param keys the keys to compare
   * @param timeout longest wait for agreement
   */
  public ConvergenceCheck(Map<String, AgentClient> clients, String dataset, List<ByteString> keys,
      Duration timeout) {
    this.timeout = timeout;
    if (clients.isEmpty() || keys.isEmpty()) {
      throw new IllegalArgumentException("a convergence check needs at least one replica and one key");
    }
    this.clients = Map.copyOf(clients);
    this.dataset = dataset;
    this.keys = List.copyOf(keys);
  }

  /**
   * Reads in rounds until every replica agrees or the timeout passes.
   *
   * @param lastAckNanos {@code System.nanoTime()} of the last acknowledged write
   * @param issueEndNanos {@code System.nanoTime()} when the load stopped issuing
   * @return what was found
   * @throws InterruptedException when interrupted
   */
  public Result await(long lastAckNanos, long issueEndNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int rounds = 0;
    String difference = "no round completed";
    double roundMillis = 0;
    while (true) {
      long roundStart = System.nanoTime();
      difference = round();
      long roundEnd = System.nanoTime();
      rounds++;
      roundMillis = (roundEnd - roundStart) / 1e6;
      if (difference == null) {
        return new Result(true, (roundEnd - lastAckNanos) / 1e6, (roundEnd - issueEndNanos) / 1e6,
            rounds, roundMillis, keys.size(), clients.size(), null);
      }
      if (roundEnd > deadline) {
        return new Result(false, (roundEnd - lastAckNanos) / 1e6, (roundEnd - issueEndNanos) / 1e6,
            rounds, roundMillis, keys.size(), clients.size(), difference);
      }
      LockSupport.parkNanos(ROUND_PAUSE.toNanos());
      if (Thread.interrupted()) {
        throw new InterruptedException("convergence check interrupted");
      }
    }
  }

  /** One round: null when everything agrees, else what differed. */
  private String round() throws InterruptedException {
    List<String> regions = new ArrayList<>(clients.keySet());
    List<List<ListenableFuture<GetResponse>>> answers = new ArrayList<>();
    for (String region : regions) {
      List<ListenableFuture<GetResponse>> perKey = new ArrayList<>(keys.size());
      for (ByteString key : keys) {
        perKey.add(clients.get(region).kvFuture()
            .withDeadlineAfter(ROUND_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
            .get(GetRequest.newBuilder().setDataset(dataset).setKey(key)
                .setConsistency(ReadConsistency.READ_CONSISTENCY_EVENTUAL).build()));
      }
      answers.add(perKey);
    }
    List<List<GetResponse>> read = new ArrayList<>();
    for (int r = 0; r < regions.size(); r++) {
      try {
        // successfulAsList, not allAsList: the latter logs every failure after the first as SEVERE
        // with its stack trace, which buried the load's report when a region was down.
        List<GetResponse> answered = Futures.successfulAsList(answers.get(r)).get(ROUND_DEADLINE.toMillis() + 1000,
            TimeUnit.MILLISECONDS);
        for (int k = 0; k < answered.size(); k++) {
          if (answered.get(k) == null) {
            Futures.getDone(answers.get(r).get(k));
          }
        }
        read.add(answered);
      } catch (ExecutionException | TimeoutException e) {
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        return "a read at " + regions.get(r) + " failed: " + Status.fromThrowable(cause).getCode()
            + " " + cause.getMessage();
      }
    }
    for (int k = 0; k < keys.size(); k++) {
      // Who served a read and when (GetResponse fields 4 and 8) differ between replicas that agree.
      GetResponse first = read.get(0).get(k).toBuilder().clearServedByRegion().clearServedAtUnixMicros().build();
      for (int r = 1; r < regions.size(); r++) {
        GetResponse other = read.get(r).get(k).toBuilder().clearServedByRegion().clearServedAtUnixMicros().build();
        if (!first.equals(other)) {
          return "key " + keys.get(k).toStringUtf8() + ": " + regions.get(0) + " has "
              + describe(first) + ", " + regions.get(r) + " has " + describe(other);
        }
      }
    }
    return null;
  }

  private static String describe(GetResponse response) {
    if (!response.getFound()) {
      return "nothing";
    }
    return "version {" + response.getVersion().toString().replace('\n', ' ').strip() + "}"
        + (response.getSiblingsCount() > 1 ? " with " + response.getSiblingsCount() + " siblings" : "");
  }
}

package io.meridian.agent.core.probe;

import io.meridian.agent.core.Invariants;
import io.meridian.agent.core.replication.RequestOptions.ReadLevel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Decides what one source region's probes of one dataset show (ADR 0022): how long each write took
 * to become visible at each other region, and whether a read broke its level's promise.
 *
 * <p>Promises, judged against the probe's own writes and the prober's clock (times in nanoseconds
 * of one monotonic clock; a read's start is when it was sent, so a read that reached its region
 * later is judged leniently, never falsely):
 *
 * <ul>
 *   <li>{@code eventual}: none (a local replica may be arbitrarily behind).
 *   <li>{@code strong}: a read sent after a write was acknowledged returns that write or a newer one.
 *   <li>{@code quorum}: the same, when the dataset's write and read quorums overlap (W + R &gt; N);
 *       otherwise no promise.
 *   <li>{@code session}: a read carrying the token of a write returns that write or a newer one.
 *   <li>{@code bounded-staleness}: a read returns no write older than the bound: every write
 *       acknowledged more than the bound's milliseconds before the read was sent is reflected, and
 *       no more than the bound's versions of acknowledged probe writes are missing (probe writes are
 *       a subset of the dataset's, so this undercounts and never accuses falsely).
 * </ul>
 *
 * <p>Visibility is measured by {@code eventual} reads: a write is visible at a region from the first
 * such read that returns it (or a newer one); its delay is that read's midpoint minus the write's
 * send time, so the read's own round trip is split evenly.
 */
public final class ProbeJudge {
  /** Writes remembered; older ones are never the newest a read must reflect. */
  public static final int WRITES_REMEMBERED_MAX = 256;

  /**
   * What the dataset promises beyond eventual reads.
   *
   * @param quorumReadsOverlapWrites whether W + R &gt; N for quorum-level reads
   * @param staleness the bound of bounded-staleness reads, if the dataset has one
   */
  public record Promises(boolean quorumReadsOverlapWrites, Optional<StalenessBound> staleness) {
    /** Only strong reads promise anything beyond eventual. */
    public static final Promises STRONG_ONLY = new Promises(false, Optional.empty());
  }

  /**
   * The bound of bounded-staleness reads.
   *
   * @param millis how old the newest missing write may be
   * @param versions how many writes may be missing
   */
  public record StalenessBound(long millis, long versions) {
    /** Validates ranges. */
    public StalenessBound {
      Invariants.check(millis >= 0 && versions >= 0, "staleness bound must not be negative: %d ms, %d versions",
          millis, versions);
    }
  }

  /**
   * One probe read.
   *
   * @param target the region read at
   * @param level the level asked for
   * @param startedAtNanos when it was sent
   * @param finishedAtNanos when its answer arrived
   * @param observed the probe the read returned; empty when the key was absent
   * @param sessionFloor for session reads: the probe whose token the read carried
   */
  public record Read(String target, ReadLevel level, long startedAtNanos, long finishedAtNanos,
      Optional<ProbeId> observed, Optional<ProbeId> sessionFloor) {
    /** Validates ordering. */
    public Read {
      Invariants.check(finishedAtNanos >= startedAtNanos, "a read cannot finish (%d) before it starts (%d)",
          finishedAtNanos, startedAtNanos);
      Invariants.check(level != ReadLevel.DEFAULT, "probe reads name their level");
    }
  }

  /** A write became visible at {@code target} {@code delayNanos} after it was sent. */
  public record Visibility(String target, ProbeId probe, long delayNanos) {}

  /**
   * A read broke its level's promise.
   *
   * @param expectedAtLeast the oldest probe the read was allowed to return
   * @param observed what it returned (empty: nothing)
   * @param detail the promise, in words
   */
  public record Violation(String target, ReadLevel level, ProbeId expectedAtLeast, Optional<ProbeId> observed,
      String detail) {}

  /** What one read showed. */
  public record Verdict(Optional<Visibility> visibility, Optional<Violation> violation) {}

  private record Write(ProbeId id, long sentAtNanos, long acknowledgedAtNanos) {}

  private final Promises promises;
  private final Deque<Write> writes = new ArrayDeque<>();
  private final Map<String, ProbeId> newestVisible = new TreeMap<>();

  /** A judge for a dataset making {@code promises}. */
  public ProbeJudge(Promises promises) {
    this.promises = promises;
  }

  /** The probe {@code id}, sent at {@code sentAtNanos}, was acknowledged at {@code acknowledgedAtNanos}. */
  public void written(ProbeId id, long sentAtNanos, long acknowledgedAtNanos) {
    Invariants.check(acknowledgedAtNanos >= sentAtNanos, "probe %s acknowledged (%d) before it was sent (%d)", id,
        acknowledgedAtNanos, sentAtNanos);
    Invariants.check(writes.isEmpty() || writes.peekLast().id().olderThan(id),
        "probe %s is not newer than the last one written, %s", id, writes.isEmpty() ? "-" : writes.peekLast().id());
    writes.addLast(new Write(id, sentAtNanos, acknowledgedAtNanos));
    while (writes.size() > WRITES_REMEMBERED_MAX) {
      writes.pollFirst();
    }
  }

  /** Whether {@code target} has shown the newest acknowledged write yet. */
  public boolean visibleAt(String target) {
    ProbeId newest = writes.isEmpty() ? null : writes.peekLast().id();
    ProbeId seen = newestVisible.get(target);
    return newest == null || seen != null && !seen.olderThan(newest);
  }

  /** Judges {@code read}. */
  public Verdict judge(Read read) {
    Optional<Visibility> visibility = read.level() == ReadLevel.EVENTUAL ? visibility(read) : Optional.empty();
    Optional<ProbeId> required = required(read);
    Optional<Violation> violation = Optional.empty();
    if (required.isPresent() && (read.observed().isEmpty() || read.observed().get().olderThan(required.get()))) {
      violation = Optional.of(new Violation(read.target(), read.level(), required.get(), read.observed(),
          promise(read.level())));
    } else if (read.level() == ReadLevel.BOUNDED_STALENESS && promises.staleness().isPresent()) {
      violation = tooManyVersionsMissing(read);
    }
    return new Verdict(visibility, violation);
  }

  private Optional<Visibility> visibility(Read read) {
    if (read.observed().isEmpty()) {
      return Optional.empty();
    }
    ProbeId seen = newestVisible.get(read.target());
    Write newestCovered = null;
    for (Iterator<Write> it = writes.descendingIterator(); it.hasNext(); ) {
      Write write = it.next();
      if (!read.observed().get().olderThan(write.id())) {
        newestCovered = write;
        break;
      }
    }
    if (newestCovered == null || seen != null && !seen.olderThan(newestCovered.id())) {
      return Optional.empty();
    }
    newestVisible.put(read.target(), newestCovered.id());
    long midpoint = read.startedAtNanos() + (read.finishedAtNanos() - read.startedAtNanos()) / 2;
    return Optional.of(new Visibility(read.target(), newestCovered.id(),
        Math.max(0, midpoint - newestCovered.sentAtNanos())));
  }

  private Optional<ProbeId> required(Read read) {
    switch (read.level()) {
      case STRONG:
        return newestAcknowledgedBy(read.startedAtNanos());
      case QUORUM:
        return promises.quorumReadsOverlapWrites() ? newestAcknowledgedBy(read.startedAtNanos()) : Optional.empty();
      case SESSION:
        return read.sessionFloor();
      case BOUNDED_STALENESS:
        return promises.staleness()
            .flatMap(bound -> newestAcknowledgedBy(read.startedAtNanos() - bound.millis() * 1_000_000));
      default:
        return Optional.empty();
    }
  }

  private Optional<Violation> tooManyVersionsMissing(Read read) {
    StalenessBound bound = promises.staleness().orElseThrow();
    long missing = 0;
    ProbeId oldestMissing = null;
    for (Write write : writes) {
      boolean reflected = read.observed().isPresent() && !read.observed().get().olderThan(write.id());
      if (write.acknowledgedAtNanos() <= read.startedAtNanos() && !reflected) {
        missing++;
        oldestMissing = oldestMissing == null ? write.id() : oldestMissing;
      }
    }
    if (missing <= bound.versions()) {
      return Optional.empty();
    }
    return Optional.of(new Violation(read.target(), read.level(), oldestMissing, read.observed(),
        "a bounded-staleness read may miss at most " + bound.versions() + " acknowledged writes; it missed "
            + missing + " probe writes"));
  }

  private Optional<ProbeId> newestAcknowledgedBy(long nanos) {
    for (Iterator<Write> it = writes.descendingIterator(); it.hasNext(); ) {
      Write write = it.next();
      if (write.acknowledgedAtNanos() <= nanos) {
        return Optional.of(write.id());
      }
    }
    return Optional.empty();
  }

  private String promise(ReadLevel level) {
    switch (level) {
      case STRONG:
        return "a strong read returns every write acknowledged before it started";
      case QUORUM:
        return "a quorum read (W + R > N) returns every write acknowledged before it started";
      case SESSION:
        return "a session read returns the write whose token it carries, or a newer one";
      default:
        return "a bounded-staleness read misses no write acknowledged more than "
            + promises.staleness().map(StalenessBound::millis).orElse(0L) + " ms before it started";
    }
  }
}

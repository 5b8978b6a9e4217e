package io.meridian.app.client;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.GetResponse;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.PutResponse;
import io.meridian.agent.api.v1.ReadConsistency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * {@code meridian load --consistency session}: closed-loop client sessions checking
 * read-your-writes across regions (ADR 0021). Each session writes its own key at one region, keeps
 * the session token of its newest write, and reads the key back at <em>another</em> region at
 * {@code session} with that token. A read that returns an older value than the session's last
 * acknowledged write is a violation; the agents promise there are none.
 */
public final class SessionLoad {
  /** Sessions per write region. */
  public static final int SESSIONS_PER_REGION = 4;
  /** Deadline of each request. */
  public static final Duration OPERATION_DEADLINE = Duration.ofSeconds(5);
  private static final long HIGHEST_MICROS = 60_000_000;

  /**
   * What to drive.
   *
   * @param dataset the dataset
   * @param writeRegions where sessions write, spread evenly
   * @param readRegions where sessions read; each session reads at the one after its write region
   * @param ratePerSecond writes plus reads per second, over all sessions
   * @param duration how long
   */
  public record Options(String dataset, List<String> writeRegions, List<String> readRegions, double ratePerSecond,
      Duration duration) {
    /** Validates. */
    public Options {
      Objects.requireNonNull(dataset, "dataset");
      writeRegions = List.copyOf(writeRegions);
      readRegions = List.copyOf(readRegions);
      if (writeRegions.isEmpty() || readRegions.isEmpty()) {
        throw new IllegalArgumentException("a session load needs a region to write at and one to read at");
      }
      if (!(ratePerSecond > 0) || duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("the rate and the duration must be more than zero");
      }
    }
  }

  /**
   * What happened.
   *
   * @param writes acknowledged writes
   * @param reads session reads answered
   * @param violations reads that returned something older than the session's last write
   * @param failures requests refused or timed out (not violations: nothing stale was returned)
   * @param readMicrosP50 median session-read latency
   * @param readMicrosP99 99th percentile session-read latency
   * @param servedRemotely reads answered by another region than the one asked (forwarded)
   * @param failureSamples a few failure messages with their counts
   */
  public record Summary(long writes, long reads, long violations, long failures, long readMicrosP50,
      long readMicrosP99, long servedRemotely, Map<String, Long> failureSamples) {}

  private final Map<String, AgentClient> clients;
  private final Options options;
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong reads = new AtomicLong();
  private final AtomicLong violations = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong servedRemotely = new AtomicLong();
  private final Histogram readMicros = new Histogram(HIGHEST_MICROS, 3);
  private final Map<String, Long> failureSamples = new ConcurrentHashMap<>();
  private final String runId = Long.toString(System.currentTimeMillis(), 36);

  /** A session load over {@code clients} (by region). */
  public SessionLoad(Map<String, AgentClient> clients, Options options) {
    this.clients = Map.copyOf(clients);
    this.options = options;
  }

  /** Runs every session for the duration and returns the counts. */
  public Summary run() throws InterruptedException {
    int sessions = SESSIONS_PER_REGION * options.writeRegions().size();
    long start = System.nanoTime();
    long end = start + options.duration().toNanos();
    long nanosPerOperation = Math.max(1, (long) (1e9 / options.ratePerSecond()));
    AtomicLong nextSlot = new AtomicLong(start);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < sessions; i++) {
      String writeAt = options.writeRegions().get(i % options.writeRegions().size());
      // Another region than the write's whenever there is one: read-your-writes across regions.
      int others = Math.max(1, options.readRegions().size() - 1);
      int readIndex = (Math.max(0, options.readRegions().indexOf(writeAt)) + 1
          + (i / options.writeRegions().size()) % others) % options.readRegions().size();
      String readAt = options.readRegions().get(readIndex);
      int session = i;
      Thread thread = new Thread(() -> session(session, writeAt, readAt, nextSlot, nanosPerOperation, end),
          "meridian-session-" + i);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join(options.duration().toMillis() + 3 * OPERATION_DEADLINE.toMillis());
    }
    synchronized (readMicros) {
      return new Summary(writes.get(), reads.get(), violations.get(), failures.get(),
          readMicros.getValueAtPercentile(50), readMicros.getValueAtPercentile(99), servedRemotely.get(),
          Map.copyOf(failureSamples));
    }
  }

  private void session(int session, String writeAt, String readAt, AtomicLong nextSlot, long nanosPerOperation,
      long end) {
    ByteString key = ByteString.copyFromUtf8("session-" + runId + "-" + session);
    ByteString token = ByteString.EMPTY;
    long acknowledged = -1;
    long counter = 0;
    boolean write = true;
    while (true) {
      long slot = nextSlot.getAndAdd(nanosPerOperation);
      if (slot >= end) {
        return;
      }
      long wait = slot - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      if (write) {
        try {
          PutResponse response = clients.get(writeAt).kv()
              .withDeadlineAfter(OPERATION_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
              .put(PutRequest.newBuilder().setDataset(options.dataset()).setKey(key)
                  .setValue(ByteString.copyFromUtf8(Long.toString(counter))).build());
          acknowledged = counter;
          token = response.getSessionToken();
          writes.incrementAndGet();
        } catch (StatusRuntimeException e) {
          // Outcome unknown or refused: the session's promise covers acknowledged writes only.
          fail(writeAt, e);
        }
        counter++;
      } else if (acknowledged >= 0) {
        long startNanos = System.nanoTime();
        try {
          GetResponse response = clients.get(readAt).kv()
              .withDeadlineAfter(OPERATION_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
              .get(GetRequest.newBuilder().setDataset(options.dataset()).setKey(key)
                  .setConsistency(ReadConsistency.READ_CONSISTENCY_SESSION).setSessionToken(token).build());
          long micros = (System.nanoTime() - startNanos) / 1_000;
          synchronized (readMicros) {
            readMicros.recordValue(Math.min(micros, HIGHEST_MICROS));
          }
          reads.incrementAndGet();
          if (!response.getServedByRegion().equals(readAt)) {
            servedRemotely.incrementAndGet();
          }
          long seen = response.getFound() ? parse(response.getValue().toStringUtf8()) : -1;
          if (seen < acknowledged) {
            violations.incrementAndGet();
            failureSamples.merge("violation: read " + (seen < 0 ? "nothing" : "value " + seen) + " after write "
                + acknowledged + " (served by " + response.getServedByRegion() + ")", 1L, Long::sum);
          }
        } catch (StatusRuntimeException e) {
          fail(readAt, e);
        }
      }
      write = !write;
    }
  }

  private static long parse(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private void fail(String region, StatusRuntimeException e) {
    failures.incrementAndGet();
    if (failureSamples.size() < 10) {
      String description = String.valueOf(e.getStatus().getDescription());
      failureSamples.merge(region + ": " + e.getStatus().getCode() + ": "
          + description.substring(0, Math.min(160, description.length())), 1L, Long::sum);
    }
  }
}

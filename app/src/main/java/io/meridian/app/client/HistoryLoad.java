package io.meridian.app.client;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meridian.agent.api.v1.CompareAndSetRequest;
import io.meridian.agent.api.v1.CompareAndSetResponse;
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.GetResponse;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.ReadConsistency;
import io.meridian.app.client.HistoryRecorder.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The load {@code meridian load --history FILE} runs: a fixed number of client processes, each
 * issuing one operation at a time (put, get or compare-and-set on a few keys, so operations
 * collide) and recording its invocation and completion with {@link HistoryRecorder}. Processes
 * share one pacer at the requested rate. A process whose operation ends with an unknown outcome
 * records {@code info} and continues under a new process number, as Jepsen does, since the old
 * operation may still take effect at any later time.
 */
public final class HistoryLoad {
  /** Longest wait for one operation; after it the outcome is unknown. */
  public static final Duration OPERATION_DEADLINE = Duration.ofSeconds(5);
  /**
   * Pause of a process after an operation of unknown outcome, so a process facing a dead or
   * frozen agent does not flood the history with unknowns (each widens a checker's search).
   */
  public static final Duration BACKOFF_AFTER_UNKNOWN = Duration.ofMillis(500);
  /** Client processes per target region. */
  public static final int PROCESSES_PER_REGION = 4;

  /**
   * What to drive.
   *
   * @param dataset the dataset
   * @param regions agents the processes talk to, spread evenly
   * @param ratePerSecond operations per second over all processes
   * @param duration how long to issue operations
   * @param keys how many keys (named {@code k0}, {@code k1}, ...)
   * @param casRatio share of compare-and-sets
   * @param readRatio share of gets
   * @param consistency the consistency of gets
   */
  public record Options(String dataset, List<String> regions, double ratePerSecond, Duration duration, int keys,
      double casRatio, double readRatio, ReadConsistency consistency) {
    /** Checks ranges, with the flag to fix in the message. */
    public Options {
      regions = List.copyOf(regions);
      if (keys < 1) {
        throw new IllegalArgumentException("--keys must be at least 1");
      }
      if (casRatio < 0 || casRatio > 1 || readRatio < 0 || casRatio + readRatio > 1) {
        throw new IllegalArgumentException("--cas-ratio and --read-ratio must be between 0 and 1 and add up to at most 1");
      }
      if (!(ratePerSecond > 0)) {
        throw new IllegalArgumentException("--rate must be positive");
      }
    }
  }

  /** Operations by outcome. */
  public record Summary(long invoked, long ok, long failed, long unknown, long events) {}

  private final Map<String, AgentClient> clients;
  private final Options options;
  private final HistoryRecorder recorder;
  private final AtomicLong nextProcess = new AtomicLong();
  private final AtomicLong invoked = new AtomicLong();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong unknown = new AtomicLong();
  // Values some process saw per key, so compare-and-sets have a fair chance to match.
  private final Map<String, String> lastSeen = new ConcurrentHashMap<>();

  /** A load over {@code clients} (by region) recording into {@code recorder}. */
  public HistoryLoad(Map<String, AgentClient> clients, Options options, HistoryRecorder recorder) {
    this.clients = Map.copyOf(clients);
    this.options = options;
    this.recorder = recorder;
  }

  /** Runs the processes for the options' duration and waits for their last operations. */
  public Summary run() throws InterruptedException {
    int processes = PROCESSES_PER_REGION * options.regions().size();
    nextProcess.set(processes);
    long start = System.nanoTime();
    long end = start + options.duration().toNanos();
    long nanosPerOperation = Math.max(1, (long) (1e9 / options.ratePerSecond()));
    AtomicLong nextSlot = new AtomicLong(start);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < processes; i++) {
      String region = options.regions().get(i % options.regions().size());
      long first = i;
      long seed = System.nanoTime() + i;
      Thread thread = new Thread(() -> process(first, region, new SplittableRandom(seed), nextSlot,
          nanosPerOperation, end), "meridian-history-" + i);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join(options.duration().toMillis() + 2 * OPERATION_DEADLINE.toMillis());
    }
    return new Summary(invoked.get(), ok.get(), failed.get(), unknown.get(), recorder.events());
  }

  private void process(long first, String region, SplittableRandom random, AtomicLong nextSlot, long nanosPerOperation,
      long end) {
    long process = first;
    long counter = 0;
    AgentClient client = clients.get(region);
    while (true) {
      long slot = nextSlot.getAndAdd(nanosPerOperation);
      if (slot >= end) {
        return;
      }
      long wait = slot - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      String key = "k" + random.nextInt(options.keys());
      double draw = random.nextDouble();
      boolean unknownOutcome;
      if (draw < options.readRatio()) {
        unknownOutcome = get(client, process, key);
      } else if (draw < options.readRatio() + options.casRatio()) {
        unknownOutcome = cas(client, process, key, "p" + process + "-" + counter++);
      } else {
        unknownOutcome = put(client, process, key, "p" + process + "-" + counter++);
      }
      if (unknownOutcome) {
        process = nextProcess.getAndIncrement();
        LockSupport.parkNanos(BACKOFF_AFTER_UNKNOWN.toNanos());
      }
    }
  }

  private boolean get(AgentClient client, long process, String key) {
    invoked.incrementAndGet();
    recorder.record(process, Type.invoke, "get", key, null, null);
    try {
      GetResponse response = client.kv().withDeadlineAfter(OPERATION_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .get(GetRequest.newBuilder().setDataset(options.dataset()).setKey(ByteString.copyFromUtf8(key))
              .setConsistency(options.consistency()).build());
      String value = response.getFound() ? response.getValue().toStringUtf8() : null;
      if (value != null) {
        lastSeen.put(key, value);
      }
      ok.incrementAndGet();
      recorder.record(process, Type.ok, "get", key, value, null);
    } catch (StatusRuntimeException e) {
      // A read changes nothing: whatever went wrong, it certainly had no effect.
      failed.incrementAndGet();
      recorder.record(process, Type.fail, "get", key, null, null);
    }
    return false;
  }

  private boolean put(AgentClient client, long process, String key, String value) {
    invoked.incrementAndGet();
    recorder.record(process, Type.invoke, "put", key, value, null);
    try {
      client.kv().withDeadlineAfter(OPERATION_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .put(PutRequest.newBuilder().setDataset(options.dataset()).setKey(ByteString.copyFromUtf8(key))
              .setValue(ByteString.copyFromUtf8(value)).build());
      lastSeen.put(key, value);
      ok.incrementAndGet();
      recorder.record(process, Type.ok, "put", key, value, null);
      return false;
    } catch (StatusRuntimeException e) {
      return failure(process, "put", key, value, null, e);
    }
  }

  private boolean cas(AgentClient client, long process, String key, String value) {
    String expected = lastSeen.get(key);
    invoked.incrementAndGet();
    recorder.record(process, Type.invoke, "cas", key, value, expected);
    CompareAndSetRequest.Builder request = CompareAndSetRequest.newBuilder().setDataset(options.dataset())
        .setKey(ByteString.copyFromUtf8(key)).setNewValue(ByteString.copyFromUtf8(value));
    if (expected == null) {
      request.setExpectAbsent(true);
    } else {
      request.setExpectedValue(ByteString.copyFromUtf8(expected));
    }
    try {
      CompareAndSetResponse response = client.kv()
          .withDeadlineAfter(OPERATION_DEADLINE.toMillis(), TimeUnit.MILLISECONDS).compareAndSet(request.build());
      if (response.getSwapped()) {
        lastSeen.put(key, value);
        ok.incrementAndGet();
        recorder.record(process, Type.ok, "cas", key, value, expected);
      } else {
        if (response.getCurrentFound()) {
          lastSeen.put(key, response.getCurrentValue().toStringUtf8());
        }
        failed.incrementAndGet();
        recorder.record(process, Type.fail, "cas", key, value, expected);
      }
      return false;
    } catch (StatusRuntimeException e) {
      return failure(process, "cas", key, value, expected, e);
    }
  }

  /** Codes that say the request was refused before anything was written. */
  private static final Set<Status.Code> NOT_APPLIED = Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND,
      Status.Code.FAILED_PRECONDITION, Status.Code.PERMISSION_DENIED, Status.Code.UNIMPLEMENTED,
      Status.Code.OUT_OF_RANGE);

  private boolean failure(long process, String f, String key, String value, String expected,
      StatusRuntimeException e) {
    if (NOT_APPLIED.contains(e.getStatus().getCode())) {
      failed.incrementAndGet();
      recorder.record(process, Type.fail, f, key, value, expected);
      return false;
    }
    unknown.incrementAndGet();
    recorder.record(process, Type.info, f, key, value, expected);
    return true;
  }
}

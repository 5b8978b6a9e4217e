package io.meridian.app.client;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.meridian.agent.api.v1.BatchPutRequest;
import io.meridian.agent.api.v1.BatchPutResponse;
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.GetResponse;
import io.meridian.agent.api.v1.KeyValue;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.PutResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives open-loop load against a deployment's agents and measures operation latency and
 * replication lag.
 *
 * <p>Operations have intended start times evenly spaced at the target rate. A pacer thread wakes
 * every {@link #TICK} and issues everything due: writes to a region go as one request on that
 * region's {@code BatchPut} stream (at most {@link #BATCH_ENTRIES_MAX} entries, asking for
 * acknowledgements without versions: only their count and latency are measured), reads as unary
 * {@code Get}s. Latency is measured from the intended start, so a stall shows as latency rather
 * than as silently fewer operations. At most {@link LoadOptions#inFlightMax()} operations are
 * outstanding; operations due beyond that are shed and counted, as are operations due to a region
 * in the {@link #PUSHBACK_BACKOFF} after it refused a write with RESOURCE_EXHAUSTED.
 *
 * <p>Lag probes: {@link LoadOptions#lagProbesPerSecond()} times a second a fresh key is put at
 * the primary and awaited at every other replica (at most {@link #PROBE_TIMEOUT}). A lag sample
 * is the replica's own wall clock when it answered the read that found the key
 * ({@code GetResponse.served_at_unix_micros}) minus the commit time in the put's version (the
 * primary's hybrid clock, whose physical part is this machine's clock in a local deployment): the
 * time from commit to visibility, excluding how long the put queued before the primary committed
 * it, and excluding how long the answer took to reach this (possibly busy) process (ADR 0038).
 * Where the put's session token lets a replica wait for the write (async, sync, multi-primary and
 * consensus datasets), each probe is read at {@code session} consistency with that token: the
 * replica holds the read until it applies the write and answers in the same step, so the stamp
 * is the moment of visibility, exact to about a millisecond. A read the replica forwarded to
 * another region (its wait ran out) does not count; it is asked again. Quorum tokens would
 * make the read ask other replicas, so quorum probes are polled at {@code eventual} every
 * {@link #PROBE_POLL_INTERVAL}, oldest probe first (see {@link ProbeWatch}), and are exact to
 * about the polling interval.
 */
public final class LoadGenerator {
  /** How often the pacer issues what is due. */
  public static final Duration TICK = Duration.ofMillis(1);
  /** Most entries in one batch request. */
  public static final int BATCH_ENTRIES_MAX = 256;
  /** Deadline of a read or a probe request. */
  public static final Duration REQUEST_DEADLINE = Duration.ofSeconds(10);
  /** How long after the run operations in flight may take to answer. */
  public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(15);
  /**
   * How long operations due to a region are shed after it refused a write with RESOURCE_EXHAUSTED
   * (a primary's backlog bound, ADR 0037 and ADR 0041): the refusal asks clients to slow down.
   */
  public static final Duration PUSHBACK_BACKOFF = Duration.ofMillis(10);
  /** How often a replica is read while waiting for a probe. */
  public static final Duration PROBE_POLL_INTERVAL = Duration.ofMillis(2);
  /** How long a probe is awaited at one replica. */
  public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
  /** Most probe visits outstanding at once; more are not started. */
  public static final int PROBE_VISITS_MAX = 512;
  /** Distinct error messages remembered. */
  private static final int ERROR_SAMPLES_MAX = 5;
  /** Largest latency the histograms hold, in microseconds (one hour). */
  private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

  /**
   * One line of progress, once a second.
   *
   * @param second seconds since the run started
   * @param opsPerSecond successful operations per second over the last second
   * @param errors failed operations so far
   * @param shed operations not sent because of the in-flight bound or a pushback back-off, so far
   * @param p50Millis median latency over the last second
   * @param p99Millis 99th percentile latency over the last second
   * @param inFlight operations outstanding now
   * @param lagP50Millis median replication lag of the probes seen in the last second
   */
  public record Progress(int second, double opsPerSecond, long errors, long shed,
      double p50Millis, double p99Millis, int inFlight, double lagP50Millis) {

    /** As printed by {@code meridian load}. */
    public String line() {
      return String.format(Locale.ROOT, "%4d s  %9.0f ops/s  errors %d  shed %d  p50 %.2f ms  "
          + "p99 %.2f ms  in flight %d  lag p50 %.1f ms", second, opsPerSecond, errors, shed,
          p50Millis, p99Millis, inFlight, lagP50Millis);
    }
  }

  private final Map<String, AgentClient> clients;
  private final LoadOptions options;
  private final Consumer<Progress> progress;

  private final Recorder writeRecorder = new Recorder(HIGHEST_MICROS, 3);
  private final Recorder readRecorder = new Recorder(HIGHEST_MICROS, 3);
  private final Recorder lagRecorder = new Recorder(HIGHEST_MICROS, 3);
  private final Histogram writeTotal = new Histogram(HIGHEST_MICROS, 3);
  private final Histogram readTotal = new Histogram(HIGHEST_MICROS, 3);
  private final Histogram lagTotal = new Histogram(HIGHEST_MICROS, 3);
  private final Map<String, Histogram> lagByRegion = new LinkedHashMap<>();
  private final Map<String, ProbeWatch> probeWatches = new LinkedHashMap<>();
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong reads = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong shed = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger probeVisits = new AtomicInteger();
  private final AtomicLong probesSent = new AtomicLong();
  private final AtomicLong probesNotVisible = new AtomicLong();
  private final Map<String, AtomicLong> errorSamples = new ConcurrentHashMap<>();
  private final String runId = Long.toString(System.currentTimeMillis(), 36);

  /**
   * Creates a generator.
   *
   * @param clients a client per region, covering the options' regions, primary and replicas
   * @param options what to drive
   * @param progress receives a line of progress every second
   */
  public LoadGenerator(Map<String, AgentClient> clients, LoadOptions options,
      Consumer<Progress> progress) {
    this.clients = Map.copyOf(clients);
    this.options = options;
    this.progress = progress;
    for (String region : options.replicas()) {
      lagByRegion.put(region, new Histogram(HIGHEST_MICROS, 3));
      probeWatches.put(region, new ProbeWatch(region));
    }
  }

  private io.meridian.agent.api.v1.ReadConsistency readConsistency =
      io.meridian.agent.api.v1.ReadConsistency.READ_CONSISTENCY_UNSPECIFIED;
  private io.meridian.agent.api.v1.ReplicaCount replicaCount =
      io.meridian.agent.api.v1.ReplicaCount.REPLICA_COUNT_UNSPECIFIED;

  /**
   * Sends the load's reads at {@code consistency} and its reads and writes with {@code count}
   * (quorum datasets); lag probes keep their own reads (session or eventual, see above), so they
   * measure replication. Call before {@link #run}.
   */
  public LoadGenerator withLevels(io.meridian.agent.api.v1.ReadConsistency consistency,
      io.meridian.agent.api.v1.ReplicaCount count) {
    this.readConsistency = consistency;
    this.replicaCount = count;
    return this;
  }

  /** Share of writes sent to the shared contended keys; 0 keeps the single key space. */
  private double contendedShare;
  /** How many shared keys the contended writes pick from. */
  private int contendedKeys;
  /** When the last write was acknowledged, {@code System.nanoTime()}; 0 before the first. */
  private final AtomicLong lastWriteAckNanos = new AtomicLong();
  /** Per target region, the last private key put (the convergence check's marker). */
  private ByteString[] lastPrivateKey;
  private ConvergenceCheck.Result convergence;

  /**
   * Makes {@code share} of the writes go to {@code keys} shared keys ({@code load-shared-J}),
   * written at every target region, and the rest to keys private to the region they are sent
   * to ({@code load-REGION-I}, {@link LoadOptions#keySpace()} of them per region); after the run
   * the generator waits until every replica answers the same for the shared keys and each
   * region's last private key (see {@link ConvergenceCheck}). Without it every write picks from
   * one key space shared by all regions and no convergence is awaited. Call before
   * {@link #run}.
   *
   * @param share share of writes to the shared keys, 0 to 1
   * @param keys how many shared keys, at least 1
   * @return this generator
   */
  public LoadGenerator withContention(double share, int keys) {
    if (!(share >= 0 && share <= 1) || keys < 1) {
      throw new IllegalArgumentException("--contended-share must be between 0 and 1 and "
          + "--contended-keys at least 1 (got " + share + " and " + keys + ")");
    }
    this.contendedShare = share;
    this.contendedKeys = keys;
    return this;
  }

  /**
   * What the convergence check after the run found, or null when no contention was asked for
   * ({@link #withContention}) or the run has not ended.
   */
  public ConvergenceCheck.Result convergence() {
    return convergence;
  }

  /** One region's batch stream and the batches it has outstanding. */
  private final class BatchStream {
    private final String region;
    private final Map<Long, long[]> outstanding = new ConcurrentHashMap<>();
    private volatile StreamObserver<BatchPutRequest> requests;
    /** Until when writes due to this region are shed after it answered RESOURCE_EXHAUSTED. */
    private volatile long backOffUntilNanos;
    private long nextBatchId;

    BatchStream(String region) {
      this.region = region;
    }

    /** Sends one batch; intended start times in nanoseconds, one per entry. */
    void send(List<KeyValue> entries, long[] intendedNanos) {
      if (requests == null) {
        requests = open();
      }
      long batchId = nextBatchId++;
      outstanding.put(batchId, intendedNanos);
      StreamObserver<BatchPutRequest> stream = requests;
      try {
        stream.onNext(BatchPutRequest.newBuilder().setDataset(options.dataset())
            .setBatchId(batchId).addAllEntries(entries).setReplicaCount(replicaCount)
            .setOmitVersions(true).build());
        // addAllEntries copied the list: the caller reuses it for the next batch.
      } catch (RuntimeException closed) {
        failOutstanding("batch stream to " + region + " closed: " + closed.getMessage());
      }
    }

    private StreamObserver<BatchPutRequest> open() {
      return clients.get(region).kvAsync().batchPut(new StreamObserver<>() {
        @Override
        public void onNext(BatchPutResponse response) {
          long now = System.nanoTime();
          long[] intended = outstanding.remove(response.getBatchId());
          if (intended == null) {
            return;
          }
          // Refused puts of one answer usually share one message: it is decoded and counted once
          // per run of equal messages, not per put (the loader shares the cores it measures).
          PutResult refused = null;
          int refusedRun = 0;
          for (int i = 0; i < response.getResultsCount(); i++) {
            PutResult result = response.getResults(i);
            if (result.getCommitted() || result.hasVersion()) {
              writeRecorder.recordValue(micros(now - intended[Math.min(i, intended.length - 1)]));
              writes.incrementAndGet();
              lastWriteAckNanos.set(now);
            } else if (refused != null && refused.getErrorCode() == result.getErrorCode()
                && refused.getErrorMessageBytes().equals(result.getErrorMessageBytes())) {
              refusedRun++;
            } else {
              if (refused != null) {
                errors(refused, refusedRun);
              }
              refused = result;
              refusedRun = 1;
            }
          }
          if (refused != null) {
            errors(refused, refusedRun);
          }
          inFlight.addAndGet(-intended.length);
        }

        private void errors(PutResult refused, int count) {
          Status.Code code = Status.fromCodeValue(refused.getErrorCode()).getCode();
          if (code == Status.Code.RESOURCE_EXHAUSTED) {
            // The region asks its clients to slow down: a well-behaved client backs off instead of
            // answering every refusal at once with more writes (ADR 0041).
            backOffUntilNanos = System.nanoTime() + PUSHBACK_BACKOFF.toNanos();
          }
          error(code + ": " + refused.getErrorMessage(), count);
        }

        @Override
        public void onError(Throwable t) {
          failOutstanding(Status.fromThrowable(t).getCode() + ": " + t.getMessage());
        }

        @Override
        public void onCompleted() {
          failOutstanding("batch stream to " + region + " ended with batches unanswered");
        }
      });
    }

    private synchronized void failOutstanding(String message) {
      for (Long id : List.copyOf(outstanding.keySet())) {
        long[] intended = outstanding.remove(id);
        if (intended != null) {
          for (int i = 0; i < intended.length; i++) {
            error(message);
          }
          inFlight.addAndGet(-intended.length);
        }
      }
      // The next send opens a new stream (only the pacer thread sends).
      requests = null;
    }

    void close() {
      if (requests != null) {
        requests.onCompleted();
      }
    }
  }

  /**
   * Runs the load for the options' duration, then waits (bounded) for answers and probes.
   *
   * @return what was measured
   * @throws InterruptedException when interrupted
   */
  public LoadResult run() throws InterruptedException {
    ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, runnable -> {
      Thread thread = new Thread(runnable, "meridian-load-scheduler");
      thread.setDaemon(true);
      return thread;
    });
    Map<String, BatchStream> streams = new LinkedHashMap<>();
    options.regions().forEach(region -> streams.put(region, new BatchStream(region)));
    SplittableRandom random = new SplittableRandom();
    byte[] valueBytes = new byte[options.valueBytes()];
    random.nextBytes(valueBytes);
    ByteString value = ByteString.copyFrom(valueBytes);

    long start = System.nanoTime();
    long durationNanos = options.duration().toNanos();
    double nanosPerOperation = 1e9 / options.ratePerSecond();
    long totalOperations = (long) Math.floor(durationNanos / nanosPerOperation);
    double nanosPerProbe = options.lagProbesPerSecond() > 0 && !options.replicas().isEmpty()
        ? 1e9 / options.lagProbesPerSecond() : Double.POSITIVE_INFINITY;
    long issued = 0;
    long probes = 0;
    int regionTurn = 0;
    int nextProgressSecond = 1;
    AtomicLong lastProgressCount = new AtomicLong();
    long lastProgressNanos = start;
    // Per region, the puts due and their intended start times, sent each tick as one request.
    int regionCount = options.regions().size();
    BatchStream[] regionStreams = new BatchStream[regionCount];
    List<List<KeyValue>> pendingEntries = new ArrayList<>(regionCount);
    long[][] pendingIntended = new long[regionCount][BATCH_ENTRIES_MAX];
    for (int r = 0; r < regionCount; r++) {
      regionStreams[r] = streams.get(options.regions().get(r));
      pendingEntries.add(new ArrayList<>(BATCH_ENTRIES_MAX));
    }
    // The value never changes during a run, so the entry for a key is made once and reused
    // (the pacer then allocates nothing per put but the batch): the load generator shares the
    // machine with the agents it measures.
    boolean contention = contendedShare > 0 || contendedKeys > 0;
    KeyValue[] entryByKey = new KeyValue[contention ? 0 : options.keySpace()];
    // With contention: the shared keys, then each region's private keys, made once and reused.
    KeyValue[] sharedEntries = new KeyValue[contention ? contendedKeys : 0];
    KeyValue[][] privateEntries = new KeyValue[contention ? regionCount : 0][];
    for (int r = 0; r < privateEntries.length; r++) {
      privateEntries[r] = new KeyValue[options.keySpace()];
    }
    lastPrivateKey = new ByteString[regionCount];

    // The pacer: bounded by the operation count and the duration.
    while (issued < totalOperations) {
      long now = System.nanoTime();
      long due = Math.min(totalOperations,
          (long) Math.floor((now - start) / nanosPerOperation) + 1);
      while (issued < due) {
        long intended = start + (long) (issued * nanosPerOperation);
        issued++;
        int turn = regionTurn;
        regionTurn = (regionTurn + 1) % regionCount;
        if (inFlight.get() >= options.inFlightMax() || now < regionStreams[turn].backOffUntilNanos) {
          shed.incrementAndGet();
          continue;
        }
        inFlight.incrementAndGet();
        int keyIndex = random.nextInt(options.keySpace());
        if (random.nextDouble() < options.readRatio()) {
          read(options.regions().get(turn), ByteString.copyFromUtf8("load-" + keyIndex), intended);
        } else {
          KeyValue entry;
          if (!contention) {
            entry = entryByKey[keyIndex];
            if (entry == null) {
              entry = KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("load-" + keyIndex)).setValue(value).build();
              entryByKey[keyIndex] = entry;
            }
          } else if (random.nextDouble() < contendedShare) {
            int shared = random.nextInt(contendedKeys);
            entry = sharedEntries[shared];
            if (entry == null) {
              entry = KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("load-shared-" + shared))
                  .setValue(value).build();
              sharedEntries[shared] = entry;
            }
          } else {
            entry = privateEntries[turn][keyIndex];
            if (entry == null) {
              entry = KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(
                  "load-" + options.regions().get(turn) + "-" + keyIndex)).setValue(value).build();
              privateEntries[turn][keyIndex] = entry;
            }
            lastPrivateKey[turn] = entry.getKey();
          }
          List<KeyValue> entries = pendingEntries.get(turn);
          pendingIntended[turn][entries.size()] = intended;
          entries.add(entry);
          if (entries.size() >= BATCH_ENTRIES_MAX) {
            flush(regionStreams[turn], entries, pendingIntended[turn]);
          }
        }
      }
      for (int r = 0; r < regionCount; r++) {
        if (!pendingEntries.get(r).isEmpty()) {
          flush(regionStreams[r], pendingEntries.get(r), pendingIntended[r]);
        }
      }
      while (now - start >= probes * nanosPerProbe && probeVisits.get() < PROBE_VISITS_MAX) {
        probes++;
        probe(scheduler, probes);
      }
      if (now - start >= nextProgressSecond * 1_000_000_000L) {
        lastProgressNanos = reportProgress(nextProgressSecond, lastProgressCount,
            lastProgressNanos, now);
        nextProgressSecond++;
      }
      if (now - start > durationNanos + DRAIN_TIMEOUT.toNanos()) {
        break;
      }
      LockSupport.parkNanos(TICK.toNanos());
      if (Thread.interrupted()) {
        throw new InterruptedException("load interrupted");
      }
    }
    long issueEndNanos = System.nanoTime();
    double elapsedSeconds = (issueEndNanos - start) / 1e9;

    long drainDeadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
    // With contention, convergence is timed from the last acknowledgement: wait for the writes
    // here, and for the lag probes (which wait for the replicas to catch up) only after the check.
    while ((inFlight.get() > 0 || (!contention && probeVisits.get() > 0))
        && System.nanoTime() < drainDeadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      long now = System.nanoTime();
      if (now - start >= nextProgressSecond * 1_000_000_000L) {
        lastProgressNanos = reportProgress(nextProgressSecond, lastProgressCount,
            lastProgressNanos, now);
        nextProgressSecond++;
      }
    }
    if (contention) {
      List<ByteString> keys = new ArrayList<>();
      for (int j = 0; j < contendedKeys; j++) {
        keys.add(ByteString.copyFromUtf8("load-shared-" + j));
      }
      for (ByteString marker : lastPrivateKey) {
        if (marker != null) {
          keys.add(marker);
        }
      }
      long lastAck = lastWriteAckNanos.get();
      convergence = new ConvergenceCheck(clients, options.dataset(), keys)
          .await(lastAck == 0 ? System.nanoTime() : lastAck, issueEndNanos);
      long probeDeadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
      while (probeVisits.get() > 0 && System.nanoTime() < probeDeadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      }
    }
    int unanswered = inFlight.get();
    for (int i = 0; i < unanswered; i++) {
      error("no answer within " + DRAIN_TIMEOUT.toSeconds() + " s after the run");
    }
    streams.values().forEach(BatchStream::close);
    scheduler.shutdownNow();
    scheduler.awaitTermination(DRAIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    collectIntervals();

    Map<String, LoadResult.Percentiles> lag = new LinkedHashMap<>();
    synchronized (lagByRegion) {
      lagByRegion.forEach((region, histogram) -> lag.put(region,
          LoadResult.Percentiles.of(histogram)));
    }
    List<String> samples = errorSamples.entrySet().stream()
        .map(e -> e.getValue().get() + " x " + e.getKey()).sorted().toList();
    return new LoadResult(options, elapsedSeconds, writes.get(), reads.get(), errors.get(),
        shed.get(), LoadResult.Percentiles.of(writeTotal), LoadResult.Percentiles.of(readTotal),
        lag, LoadResult.Percentiles.of(lagTotal), probesSent.get(), probesNotVisible.get(),
        samples);
  }

  private long reportProgress(int second, AtomicLong lastCount, long lastNanos, long now) {
    Histogram interval = new Histogram(HIGHEST_MICROS, 3);
    Histogram writeInterval = writeRecorder.getIntervalHistogram();
    Histogram readInterval = readRecorder.getIntervalHistogram();
    Histogram lagInterval = lagRecorder.getIntervalHistogram();
    writeTotal.add(writeInterval);
    readTotal.add(readInterval);
    lagTotal.add(lagInterval);
    interval.add(writeInterval);
    interval.add(readInterval);
    long count = writes.get() + reads.get();
    double seconds = (now - lastNanos) / 1e9;
    double opsPerSecond = seconds <= 0 ? 0 : (count - lastCount.getAndSet(count)) / seconds;
    progress.accept(new Progress(second, opsPerSecond, errors.get(), shed.get(),
        interval.getTotalCount() == 0 ? 0 : interval.getValueAtPercentile(50) / 1000.0,
        interval.getTotalCount() == 0 ? 0 : interval.getValueAtPercentile(99) / 1000.0,
        inFlight.get(),
        lagInterval.getTotalCount() == 0 ? 0 : lagInterval.getValueAtPercentile(50) / 1000.0));
    return now;
  }

  private void collectIntervals() {
    writeTotal.add(writeRecorder.getIntervalHistogram());
    readTotal.add(readRecorder.getIntervalHistogram());
    lagTotal.add(lagRecorder.getIntervalHistogram());
  }

  private void flush(BatchStream stream, List<KeyValue> entries, long[] intended) {
    stream.send(entries, java.util.Arrays.copyOf(intended, entries.size()));
    entries.clear();
  }

  private void read(String region, ByteString key, long intended) {
    Futures.addCallback(clients.get(region).kvFuture()
        .withDeadlineAfter(REQUEST_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .get(GetRequest.newBuilder().setDataset(options.dataset()).setKey(key)
            // withLevels (the CLI) wins over the options' level (the studio's load panel).
            .setConsistency(readConsistency != io.meridian.agent.api.v1.ReadConsistency.READ_CONSISTENCY_UNSPECIFIED
                ? readConsistency : options.readConsistency())
            .setReplicaCount(replicaCount).build()),
        new FutureCallback<GetResponse>() {
          @Override
          public void onSuccess(GetResponse response) {
            readRecorder.recordValue(micros(System.nanoTime() - intended));
            reads.incrementAndGet();
            inFlight.decrementAndGet();
          }

          @Override
          public void onFailure(Throwable t) {
            error(Status.fromThrowable(t).getCode() + ": " + t.getMessage());
            inFlight.decrementAndGet();
          }
        }, MoreExecutors.directExecutor());
  }

  private void probe(ScheduledExecutorService scheduler, long number) {
    ByteString key = ByteString.copyFromUtf8("lag-probe-" + runId + "-" + number);
    long sentNanos = System.nanoTime();
    probeVisits.addAndGet(options.replicas().size());
    probesSent.incrementAndGet();
    Futures.addCallback(clients.get(options.primary()).kvFuture()
        .withDeadlineAfter(REQUEST_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .put(PutRequest.newBuilder().setDataset(options.dataset()).setKey(key)
            .setValue(ByteString.copyFrom(Long.toString(sentNanos), StandardCharsets.UTF_8))
            .build()),
        new FutureCallback<>() {
          @Override
          public void onSuccess(io.meridian.agent.api.v1.PutResponse response) {
            long committedAtMillis = response.getVersion().getTimestamp().getPhysicalMillis();
            Probe probe = new Probe(key, sentNanos, committedAtMillis, number, response.getSessionToken());
            for (String replica : options.replicas()) {
              if (replicaCanWaitFor(response.getSessionToken())) {
                awaitVisible(scheduler, replica, probe);
              } else {
                probeWatches.get(replica).add(scheduler, probe);
              }
            }
          }

          @Override
          public void onFailure(Throwable t) {
            Status status = Status.fromThrowable(t);
            error("lag probe put: " + status.getCode() + ": "
                + (status.getDescription() != null ? status.getDescription() : t.getMessage()));
            probeVisits.addAndGet(-options.replicas().size());
          }
        }, MoreExecutors.directExecutor());
  }

  /** A probe put that committed, awaited at one replica. */
  private record Probe(ByteString key, long sentNanos, long committedAtMillis, long number, ByteString token) {}

  /**
   * Whether a replica holds a session read with {@code token} until it has applied the write
   * (log positions, per-origin sequences, Raft indexes), rather than asking other replicas
   * (quorum clock positions) or serving it at once (no token).
   */
  static boolean replicaCanWaitFor(ByteString token) {
    if (token.isEmpty()) {
      return false;
    }
    try {
      io.meridian.agent.core.replication.SessionToken.Position position =
          io.meridian.agent.core.replication.SessionToken.fromBytes(token.toByteArray()).position();
      return !(position instanceof io.meridian.agent.core.replication.SessionToken.ClockPosition);
    } catch (IllegalArgumentException unknownFormat) {
      return false;
    }
  }

  /**
   * The lag of {@code probe} at {@code replica} from an answer that found it there: the replica's
   * stamp of when it answered, or, from an agent too old to stamp, when the answer arrived here.
   */
  static long lagMicros(GetResponse response, Probe probe) {
    long seenMicros = response.getServedAtUnixMicros() > 0 ? response.getServedAtUnixMicros() : wallClockMicros();
    return Math.max(0, seenMicros - probe.committedAtMillis() * 1000);
  }

  private void recordLag(String replica, long lagMicros) {
    lagRecorder.recordValue(Math.min(HIGHEST_MICROS, lagMicros));
    synchronized (lagByRegion) {
      lagByRegion.get(replica).recordValue(Math.min(HIGHEST_MICROS, lagMicros));
    }
  }

  /**
   * Awaits one probe at one replica with a session read carrying the probe's token: the replica
   * answers when it has applied the write (ADR 0021), stamped with when. An answer served by
   * another region (the replica's wait ran out and it forwarded the read) or a failure is tried
   * again after {@link #PROBE_POLL_INTERVAL}, until {@link #PROBE_TIMEOUT} after the put.
   */
  private void awaitVisible(ScheduledExecutorService scheduler, String replica, Probe probe) {
    Futures.addCallback(clients.get(replica).kvFuture()
        .withDeadlineAfter(REQUEST_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .get(GetRequest.newBuilder().setDataset(options.dataset()).setKey(probe.key())
            .setConsistency(io.meridian.agent.api.v1.ReadConsistency.READ_CONSISTENCY_SESSION)
            .setSessionToken(probe.token()).build()),
        new FutureCallback<GetResponse>() {
          @Override
          public void onSuccess(GetResponse response) {
            if (response.getFound() && response.getServedByRegion().equals(replica)) {
              recordLag(replica, lagMicros(response, probe));
              probeVisits.decrementAndGet();
            } else {
              again();
            }
          }

          @Override
          public void onFailure(Throwable t) {
            again();
          }

          private void again() {
            if (System.nanoTime() - probe.sentNanos() > PROBE_TIMEOUT.toNanos()) {
              probesNotVisible.incrementAndGet();
              probeVisits.decrementAndGet();
              return;
            }
            try {
              scheduler.schedule(() -> awaitVisible(scheduler, replica, probe), PROBE_POLL_INTERVAL.toNanos(),
                  TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException shutDown) {
              probesNotVisible.incrementAndGet();
              probeVisits.decrementAndGet();
            }
          }
        }, MoreExecutors.directExecutor());
  }

  /**
   * Waits for the probes at one replica with one read at a time, oldest commit first. The
   * replica applies one origin's writes in commit order, so while the oldest probe is not
   * visible no newer one is either: polling only the oldest measures the same lags as polling
   * each probe, with at most one read per {@link #PROBE_POLL_INTERVAL} per replica, however far
   * behind the replica falls (polling every probe cost hundreds of thousands of reads a second
   * when the lag reached seconds, more CPU than the writes themselves). When a probe is found,
   * the next one is read at once, so probes that became visible together are timed together.
   */
  private final class ProbeWatch {
    private final String replica;
    private final java.util.PriorityQueue<Probe> waiting = new java.util.PriorityQueue<>(
        java.util.Comparator.comparingLong(Probe::committedAtMillis).thenComparingLong(Probe::number));
    private boolean polling;

    ProbeWatch(String replica) {
      this.replica = replica;
    }

    void add(ScheduledExecutorService scheduler, Probe probe) {
      synchronized (this) {
        waiting.add(probe);
        if (polling) {
          return;
        }
        polling = true;
      }
      poll(scheduler);
    }

    private void poll(ScheduledExecutorService scheduler) {
      Probe head;
      synchronized (this) {
        head = waiting.peek();
        if (head == null) {
          polling = false;
          return;
        }
      }
      Futures.addCallback(clients.get(replica).kvFuture()
          .withDeadlineAfter(REQUEST_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .get(GetRequest.newBuilder().setDataset(options.dataset()).setKey(head.key())
              .setConsistency(io.meridian.agent.api.v1.ReadConsistency.READ_CONSISTENCY_EVENTUAL).build()),
          new FutureCallback<GetResponse>() {
            @Override
            public void onSuccess(GetResponse response) {
              if (response.getFound()) {
                recordLag(replica, lagMicros(response, head));
                done(head);
                poll(scheduler);
              } else {
                waitOrGiveUp();
              }
            }

            @Override
            public void onFailure(Throwable t) {
              waitOrGiveUp();
            }

            private void waitOrGiveUp() {
              if (System.nanoTime() - head.sentNanos() > PROBE_TIMEOUT.toNanos()) {
                probesNotVisible.incrementAndGet();
                done(head);
                poll(scheduler);
                return;
              }
              try {
                scheduler.schedule(() -> poll(scheduler), PROBE_POLL_INTERVAL.toNanos(), TimeUnit.NANOSECONDS);
              } catch (java.util.concurrent.RejectedExecutionException shutDown) {
                synchronized (ProbeWatch.this) {
                  int left = waiting.size();
                  waiting.clear();
                  polling = false;
                  probesNotVisible.addAndGet(left);
                  probeVisits.addAndGet(-left);
                }
              }
            }
          }, MoreExecutors.directExecutor());
    }

    private void done(Probe probe) {
      synchronized (this) {
        if (waiting.remove(probe)) {
          probeVisits.decrementAndGet();
        }
      }
    }
  }

  private void error(String message) {
    error(message, 1);
  }

  private void error(String message, int count) {
    errors.addAndGet(count);
    if (errorSamples.size() < ERROR_SAMPLES_MAX || errorSamples.containsKey(message)) {
      errorSamples.computeIfAbsent(message, m -> new AtomicLong()).addAndGet(count);
    }
  }

  private static long wallClockMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
  }

  private static long micros(long nanos) {
    return Math.max(0, Math.min(HIGHEST_MICROS, TimeUnit.NANOSECONDS.toMicros(nanos)));
  }
}

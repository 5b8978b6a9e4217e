package io.meridian.app.live;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Merges everything the agents send on one thread of its own and publishes the newest {@link
 * LiveState} every {@link #PUBLISH_INTERVAL}: inputs from any thread go into a bounded queue;
 * the merge thread drains it into the {@link LiveModel} and the {@link Recording}, then builds
 * the state once. The JavaFX side only reads {@link #latest()}, so a burst of a thousand events
 * costs the UI one state, not a thousand updates.
 */
public final class LiveSession implements AutoCloseable {
  /** How often the merged state is published: ten times a second. */
  public static final Duration PUBLISH_INTERVAL = Duration.ofMillis(100);
  /** Most inputs waiting to be merged; beyond it inputs are dropped and counted. */
  public static final int INPUT_QUEUE_MAX = 100_000;

  private final LongSupplier clock;
  private final BlockingQueue<LiveInput> queue = new ArrayBlockingQueue<>(INPUT_QUEUE_MAX);
  private final LiveModel model;
  private final Recording recording;
  private final AtomicReference<LiveState> latest = new AtomicReference<>(LiveState.EMPTY);
  private final AtomicLong droppedInputs = new AtomicLong();
  private final AtomicLong mergeNanos = new AtomicLong();
  private final ScheduledExecutorService merger;

  /**
   * A session; call {@link #start()} to merge on its own thread, or {@link #mergeNow()} by hand
   * (tests, benchmarks).
   *
   * @param regions the watched regions
   * @param plannedPrimaries primary per dataset as deployed
   * @param clock the studio's wall clock, epoch milliseconds
   */
  public LiveSession(List<String> regions, java.util.Map<String, String> plannedPrimaries,
      LongSupplier clock) {
    this.clock = clock;
    this.recording = new Recording(regions, plannedPrimaries);
    this.model = recording.newModel();
    this.merger = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "meridian-live-merge");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Starts merging and publishing every {@link #PUBLISH_INTERVAL}. */
  public void start() {
    merger.scheduleAtFixedRate(this::mergeNow, 0, PUBLISH_INTERVAL.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** @return the studio clock now */
  public long now() {
    return clock.getAsLong();
  }

  /**
   * Queues an input from any thread. Never blocks: when {@link #INPUT_QUEUE_MAX} inputs wait
   * already, it is dropped and counted.
   */
  public void submit(LiveInput input) {
    if (!queue.offer(input)) {
      droppedInputs.incrementAndGet();
    }
  }

  /** Drains the queue into the model and publishes a new state. Called on the merge thread. */
  public void mergeNow() {
    long started = System.nanoTime();
    List<LiveInput> batch = new ArrayList<>();
    queue.drainTo(batch);
    for (LiveInput input : batch) {
      model.apply(input);
      recording.add(input);
    }
    latest.set(model.state(clock.getAsLong()));
    mergeNanos.addAndGet(System.nanoTime() - started);
  }

  /** @return the newest published state; cheap, for the UI's frame tick */
  public LiveState latest() {
    return latest.get();
  }

  /** @return inputs dropped because the queue was full */
  public long droppedInputs() {
    return droppedInputs.get();
  }

  /** @return total time spent merging so far, for the benchmark */
  public long mergeNanos() {
    return mergeNanos.get();
  }

  /** @return a copy of the recording so far, taken on the merge thread */
  public CompletableFuture<Recording> recording() {
    return CompletableFuture.supplyAsync(recording::copy, merger);
  }

  @Override
  public void close() {
    merger.shutdownNow();
  }
}

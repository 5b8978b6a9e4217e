package io.meridian.agent.probe;

import com.google.protobuf.ByteString;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meridian.agent.api.v1.GetRequest;
import io.meridian.agent.api.v1.GetResponse;
import io.meridian.agent.api.v1.KvGrpc;
import io.meridian.agent.api.v1.ProbeLevelFigures;
import io.meridian.agent.api.v1.ProbeLinkFigures;
import io.meridian.agent.api.v1.ProbesResponse;
import io.meridian.agent.api.v1.PutRequest;
import io.meridian.agent.api.v1.PutResponse;
import io.meridian.agent.api.v1.ReadConsistency;
import io.meridian.agent.config.ConflictResolution;
import io.meridian.agent.config.DatasetConfig;
import io.meridian.agent.config.PeerConfig;
import io.meridian.agent.config.ReplicationMode;
import io.meridian.agent.core.probe.ProbeId;
import io.meridian.agent.core.probe.ProbeJudge;
import io.meridian.agent.core.probe.ProbeKeys;
import io.meridian.agent.core.replication.DatasetStatus;
import io.meridian.agent.core.replication.ReplicationEvent;
import io.meridian.agent.core.replication.RequestOptions.ReadLevel;
import io.meridian.agent.core.replication.Role;
import io.meridian.agent.metrics.ProbeMetrics;
import io.meridian.agent.runtime.AgentRuntime;
import io.meridian.agent.transport.ProbeCalls;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one agent's consistency probes (ADR 0022). Each round, for every dataset this region may
 * write at (a single-primary dataset only while this region is its primary), it writes the next
 * probe to its reserved key through its own KV API, reads it once at each other replica region at
 * every level stronger than eventual that the dataset serves, then polls eventual reads there until
 * the write is visible everywhere or the wait ends. Rounds run one after another on one thread, at
 * most one write per dataset in flight: a low, bounded load.
 */
public final class ConsistencyProber implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConsistencyProber.class);
  /** Recent visibility measurements kept per link for the figures. */
  public static final int SAMPLES_MAX = 300;
  /** Rounds after which a level a dataset refused is tried again (roles and versions change). */
  static final int REFUSAL_ROUNDS = 300;
  private static final List<ReadLevel> LEVELS_BEYOND_EVENTUAL =
      List.of(ReadLevel.SESSION, ReadLevel.BOUNDED_STALENESS, ReadLevel.QUORUM, ReadLevel.STRONG);

  private final String region;
  private final AgentRuntime runtime;
  private final ProbeSettings settings;
  private final ProbeMetrics metrics;
  private final LongSupplier nanoTime;
  private final long incarnation;
  private final KvGrpc.KvBlockingStub self;
  private final Map<String, KvGrpc.KvStub> peers = new TreeMap<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final Map<String, DatasetProbe> datasets = new LinkedHashMap<>();
  private ScheduledExecutorService executor;
  private long rounds;

  /** What one dataset's probes know. */
  private static final class DatasetProbe {
    final DatasetConfig config;
    final ProbeJudge judge;
    final List<String> targets;
    long number;
    ByteString lastToken = ByteString.EMPTY;
    Optional<ProbeId> lastWritten = Optional.empty();
    final Map<ReadLevel, String> refused = new TreeMap<>();
    final Map<ReadLevel, Long> refusedAtRound = new TreeMap<>();
    final Map<ReadLevel, long[]> levelCounts = new TreeMap<>(); // reads, violations
    final Map<String, LinkFigures> links = new TreeMap<>();

    DatasetProbe(DatasetConfig config, ProbeJudge judge, List<String> targets) {
      this.config = config;
      this.judge = judge;
      this.targets = targets;
      targets.forEach(target -> links.put(target, new LinkFigures()));
    }
  }

  /** Visibility figures of one link: counts and a ring of recent measurements. */
  private static final class LinkFigures {
    long visible;
    long unseen;
    final double[] samplesMillis = new double[SAMPLES_MAX];
    int samples;
    double lastMillis = -1;

    void add(double millis) {
      samplesMillis[(int) (visible % SAMPLES_MAX)] = millis;
      visible++;
      samples = (int) Math.min(SAMPLES_MAX, visible);
      lastMillis = millis;
    }

    double quantile(double q) {
      if (samples == 0) {
        return -1;
      }
      double[] sorted = Arrays.copyOf(samplesMillis, samples);
      Arrays.sort(sorted);
      int index = (int) Math.max(0, Math.ceil(q * samples) - 1);
      return sorted[Math.min(samples - 1, index)];
    }
  }

  /**
   * A prober for {@code runtime}'s region.
   *
   * @param allDatasets every dataset of the agent's configuration, consensus ones included
   * @param selfAddress where this agent's own KV API answers
   * @param channelFactory makes a channel to an agent address
   * @param wallClockMillis names this prober's incarnation, so a restart's probes are newer
   * @param nanoTime the monotonic clock reads and writes are timed with
   */
  public ConsistencyProber(AgentRuntime runtime, List<DatasetConfig> allDatasets, String selfAddress,
      Function<String, ManagedChannel> channelFactory, ProbeMetrics metrics, ProbeSettings settings,
      LongSupplier wallClockMillis, LongSupplier nanoTime) {
    this.region = runtime.config().region();
    this.runtime = runtime;
    this.settings = settings;
    this.metrics = metrics;
    this.nanoTime = nanoTime;
    this.incarnation = wallClockMillis.getAsLong();
    this.self = KvGrpc.newBlockingStub(intercepted(channelFactory, selfAddress));
    Map<String, String> addresses = new TreeMap<>();
    for (PeerConfig peer : runtime.config().peers()) {
      addresses.put(peer.region(), peer.address());
    }
    for (DatasetConfig dataset : allDatasets) {
      if (!dataset.replicas().contains(region)) {
        continue; // a witness: it holds no data to probe
      }
      List<String> targets = dataset.replicas().stream()
          .filter(replica -> !replica.equals(region) && addresses.containsKey(replica)).toList();
      for (String target : targets) {
        peers.computeIfAbsent(target, t -> KvGrpc.newStub(intercepted(channelFactory, addresses.get(t))));
      }
      datasets.put(dataset.name(), new DatasetProbe(dataset, new ProbeJudge(promises(dataset)), targets));
      metrics.levelProbed(dataset.name(), levelName(ReadLevel.EVENTUAL));
    }
  }

  // What each level promises in this dataset's mode, beyond what every mode promises (ADR 0022).
  private static ProbeJudge.Promises promises(DatasetConfig dataset) {
    int n = dataset.replicas().size();
    boolean overlap;
    if (dataset.mode() == ReplicationMode.QUORUM) {
      int writeAcks = dataset.quorum() == null ? n / 2 + 1 : dataset.quorum().writeAcks();
      overlap = writeAcks + (n / 2 + 1) > n;
    } else {
      // Consensus answers every level but eventual linearizably; the single-primary modes have no
      // quorum reads of their own, and a sync write acknowledged by fewer than all replicas would
      // not be promised to a majority read.
      overlap = dataset.mode() == ReplicationMode.CONSENSUS;
    }
    // Bounded staleness (ADR 0030): a read served while the replica lagged by more than the dataset's
    // bound breaks it. The agent's version bound 0 means "none"; the judge's would mean "no write missed".
    Optional<ProbeJudge.StalenessBound> staleness = dataset.reads().hasStalenessBound()
        ? Optional.of(new ProbeJudge.StalenessBound(dataset.reads().stalenessMillisMax(),
            dataset.reads().stalenessVersionsMax() == 0 ? Long.MAX_VALUE : dataset.reads().stalenessVersionsMax()))
        : Optional.empty();
    return new ProbeJudge.Promises(overlap, staleness);
  }

  private io.grpc.Channel intercepted(Function<String, ManagedChannel> channelFactory, String address) {
    ManagedChannel channel = channelFactory.apply(address);
    channels.add(channel);
    return ClientInterceptors.intercept(channel, ProbeCalls.clientInterceptor(region));
  }

  /** Runs rounds every {@code intervalMillis} on a thread of its own until closed. */
  public synchronized void start() {
    if (!settings.enabled() || executor != null) {
      return;
    }
    executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "meridian-probe-" + region);
      thread.setDaemon(true);
      return thread;
    });
    executor.scheduleWithFixedDelay(() -> {
      try {
        runRound();
      } catch (RuntimeException e) {
        log.warn("{}: a consistency probe round failed: {}", region, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, settings.intervalMillis(), settings.intervalMillis(), TimeUnit.MILLISECONDS);
  }

  /** One round over every dataset (blocking); tests call it directly. */
  public void runRound() throws InterruptedException {
    rounds++;
    for (DatasetProbe probe : datasets.values()) {
      if (writesHere(probe.config)) {
        probe(probe);
      }
    }
  }

  private boolean writesHere(DatasetConfig dataset) {
    if (dataset.mode() != ReplicationMode.ASYNC && dataset.mode() != ReplicationMode.SYNC) {
      return true;
    }
    // Single-primary: only the primary writes locally; a replica's write would be forwarded.
    return runtime.status().stream().filter(status -> status.dataset().equals(dataset.name()))
        .map(DatasetStatus::role).anyMatch(role -> role == Role.PRIMARY);
  }

  private void probe(DatasetProbe probe) throws InterruptedException {
    String dataset = probe.config.name();
    ProbeId id = new ProbeId(incarnation, probe.number + 1);
    long sentAt = nanoTime.getAsLong();
    PutResponse written;
    try {
      PutRequest.Builder put = PutRequest.newBuilder().setDataset(dataset)
          .setKey(ByteString.copyFrom(ProbeKeys.keyOf(region))).setValue(ByteString.copyFrom(ProbeKeys.valueOf(id)));
      if (probe.config.conflictResolution() == ConflictResolution.VERSION_VECTOR) {
        // Only this region writes its probe key, but under version vectors a write without the
        // causal context of the previous one is concurrent with it: every round would add a
        // sibling and count a conflict. The local copy holds every earlier probe write of ours.
        put.setCausalContext(self.withDeadlineAfter(settings.requestTimeoutMillis(), TimeUnit.MILLISECONDS)
            .get(GetRequest.newBuilder().setDataset(dataset).setKey(put.getKey()).build()).getCausalContext());
      }
      written = self.withDeadlineAfter(settings.requestTimeoutMillis(), TimeUnit.MILLISECONDS).put(put.build());
    } catch (StatusRuntimeException e) {
      // Not acknowledged: the outcome is unknown, so it sets no promise; the next round tries again.
      log.debug("{}: probe write of {} failed: {}", region, dataset, e.getStatus());
      probe.number++;
      return;
    }
    long acknowledgedAt = nanoTime.getAsLong();
    probe.number++;
    synchronized (this) {
      probe.judge.written(id, sentAt, acknowledgedAt);
      probe.lastWritten = Optional.of(id);
      probe.lastToken = written.getSessionToken();
    }
    // Reads at the stronger levels go out at once, right after the acknowledgement (where a stale
    // answer is most likely), and run alongside the eventual reads that time visibility.
    List<ReadLevel> levels = LEVELS_BEYOND_EVENTUAL.stream().filter(level -> probedNow(probe, level)).toList();
    java.util.concurrent.CountDownLatch levelReads = new java.util.concurrent.CountDownLatch(
        levels.size() * probe.targets.size());
    for (ReadLevel level : levels) {
      for (String target : probe.targets) {
        read(probe, target, level, failure -> levelReads.countDown());
      }
    }
    waitUntilVisible(probe, id, sentAt);
    levelReads.await(settings.requestTimeoutMillis() + 1_000, TimeUnit.MILLISECONDS);
  }

  private boolean probedNow(DatasetProbe probe, ReadLevel level) {
    Long refusedAt = probe.refusedAtRound.get(level);
    if (refusedAt != null && rounds - refusedAt < REFUSAL_ROUNDS) {
      return false;
    }
    if (level == ReadLevel.SESSION && probe.lastToken.isEmpty()) {
      refuse(probe, level, "the dataset's writes return no session token");
      return false;
    }
    return true;
  }

  private synchronized void refuse(DatasetProbe probe, ReadLevel level, String reason) {
    probe.refused.put(level, reason);
    probe.refusedAtRound.put(level, rounds);
  }

  private void waitUntilVisible(DatasetProbe probe, ProbeId id, long sentAt) throws InterruptedException {
    Map<String, String> failures = new TreeMap<>();
    long deadline = sentAt + settings.visibilityWaitMillis() * 1_000_000;
    while (true) {
      List<String> pending = probe.targets.stream().filter(target -> !visibleAt(probe, target)).toList();
      if (pending.isEmpty()) {
        return;
      }
      if (nanoTime.getAsLong() >= deadline) {
        for (String target : pending) {
          String reason;
          synchronized (failures) {
            reason = failures.getOrDefault(target, "");
          }
          synchronized (this) {
            probe.links.get(target).unseen++;
          }
          metrics.unseen(probe.config.name(), region, target);
          runtime.report(new ReplicationEvent.ProbeUnseen(probe.config.name(), region, target, id.toString(),
              settings.visibilityWaitMillis(), reason));
        }
        return;
      }
      // One eventual read at every pending region at once, then a pause: the resolution.
      java.util.concurrent.CountDownLatch reads = new java.util.concurrent.CountDownLatch(pending.size());
      for (String target : pending) {
        read(probe, target, ReadLevel.EVENTUAL, failure -> {
          failure.ifPresent(reason -> {
            synchronized (failures) {
              failures.put(target, reason);
            }
          });
          reads.countDown();
        });
      }
      reads.await(settings.requestTimeoutMillis() + 1_000, TimeUnit.MILLISECONDS);
      TimeUnit.MILLISECONDS.sleep(settings.pollIntervalMillis());
    }
  }

  private synchronized boolean visibleAt(DatasetProbe probe, String target) {
    return probe.judge.visibleAt(target);
  }

  // Reads the probe key at target and judges the answer; then tells done why the read failed, if it did.
  private void read(DatasetProbe probe, String target, ReadLevel level,
      java.util.function.Consumer<Optional<String>> done) {
    String dataset = probe.config.name();
    GetRequest.Builder request = GetRequest.newBuilder().setDataset(dataset)
        .setKey(ByteString.copyFrom(ProbeKeys.keyOf(region))).setConsistency(consistency(level));
    Optional<ProbeId> sessionFloor = Optional.empty();
    if (level == ReadLevel.SESSION) {
      request.setSessionToken(probe.lastToken);
      sessionFloor = probe.lastWritten;
    }
    long startedAt = nanoTime.getAsLong();
    Optional<ProbeId> floor = sessionFloor;
    peers.get(target).withDeadlineAfter(settings.requestTimeoutMillis(), TimeUnit.MILLISECONDS)
        .get(request.build(), new io.grpc.stub.StreamObserver<>() {
          @Override
          public void onNext(GetResponse response) {
            try {
              judge(probe, target, level, startedAt, nanoTime.getAsLong(), response, floor);
            } finally {
              done.accept(Optional.empty());
            }
          }

          @Override
          public void onError(Throwable t) {
            Status status = Status.fromThrowable(t);
            if (status.getCode() == Status.Code.FAILED_PRECONDITION && level != ReadLevel.EVENTUAL) {
              refuse(probe, level, "region " + target + " refused it: " + status.getDescription());
            }
            done.accept(Optional.of(status.getCode() + ": " + status.getDescription()));
          }

          @Override
          public void onCompleted() {}
        });
  }

  private void judge(DatasetProbe probe, String target, ReadLevel level, long startedAt, long finishedAt,
      GetResponse response, Optional<ProbeId> sessionFloor) {
    String dataset = probe.config.name();
    Optional<ProbeId> observed = observedProbe(response);
    ProbeJudge.Verdict verdict;
    synchronized (this) {
      probe.refused.remove(level);
      probe.refusedAtRound.remove(level);
      verdict = probe.judge.judge(new ProbeJudge.Read(target, level, startedAt, finishedAt, observed, sessionFloor));
      long[] counts = probe.levelCounts.computeIfAbsent(level, l -> new long[2]);
      counts[0]++;
      if (verdict.violation().isPresent()) {
        counts[1]++;
      }
      verdict.visibility().ifPresent(v -> probe.links.get(target).add(v.delayNanos() / 1e6));
    }
    metrics.read(dataset, levelName(level), verdict.violation().isPresent());
    verdict.visibility().ifPresent(v -> {
      metrics.visible(dataset, region, target, v.delayNanos() / 1e9);
      runtime.report(new ReplicationEvent.ProbeMeasured(dataset, region, target, v.probe().toString(), v.delayNanos()));
    });
    verdict.violation().ifPresent(v -> {
      log.warn("{}: consistency probe violation in dataset {} at {}: a {} read returned {} where {} was due ({})",
          region, dataset, target, levelName(level), v.observed().map(ProbeId::toString).orElse("nothing"),
          v.expectedAtLeast(), v.detail());
      runtime.report(new ReplicationEvent.ProbeViolated(dataset, region, target, levelName(level),
          v.expectedAtLeast().toString(), v.observed().map(ProbeId::toString).orElse(""), v.detail()));
    });
  }

  // The probe a read returned: under version vectors, concurrent probe writes (a write whose
  // context read failed) come back as siblings, and the newest of them is what the read saw.
  private static Optional<ProbeId> observedProbe(GetResponse response) {
    if (!response.getFound()) {
      return Optional.empty();
    }
    if (response.getSiblingsCount() > 1) {
      return response.getSiblingsList().stream()
          .map(sibling -> ProbeKeys.parse(sibling.getValue().toByteArray()))
          .flatMap(Optional::stream)
          .max(java.util.Comparator.naturalOrder());
    }
    return ProbeKeys.parse(response.getValue().toByteArray());
  }

  private static ReadConsistency consistency(ReadLevel level) {
    switch (level) {
      case SESSION:
        return ReadConsistency.READ_CONSISTENCY_SESSION;
      case BOUNDED_STALENESS:
        return ReadConsistency.READ_CONSISTENCY_BOUNDED_STALENESS;
      case QUORUM:
        return ReadConsistency.READ_CONSISTENCY_QUORUM;
      case STRONG:
        return ReadConsistency.READ_CONSISTENCY_STRONG;
      default:
        return ReadConsistency.READ_CONSISTENCY_EVENTUAL;
    }
  }

  /** The level's name as the CLI and the metrics spell it. */
  static String levelName(ReadLevel level) {
    return level.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /** What the probes measured so far, for the control API. */
  public synchronized ProbesResponse figures() {
    ProbesResponse.Builder response = ProbesResponse.newBuilder().setEnabled(settings.enabled())
        .setIntervalMillis(settings.intervalMillis());
    for (DatasetProbe probe : datasets.values()) {
      for (Map.Entry<String, LinkFigures> link : probe.links.entrySet()) {
        LinkFigures figures = link.getValue();
        response.addLinks(ProbeLinkFigures.newBuilder().setDataset(probe.config.name()).setSourceRegion(region)
            .setTargetRegion(link.getKey()).setVisible(figures.visible).setUnseen(figures.unseen)
            .setLastMillis(figures.lastMillis).setP50Millis(figures.quantile(0.5)).setP99Millis(figures.quantile(0.99))
            .setMaxMillis(figures.quantile(1.0)));
      }
      for (ReadLevel level : List.of(ReadLevel.EVENTUAL, ReadLevel.SESSION, ReadLevel.BOUNDED_STALENESS,
          ReadLevel.QUORUM, ReadLevel.STRONG)) {
        long[] counts = probe.levelCounts.getOrDefault(level, new long[2]);
        String refused = probe.refused.getOrDefault(level, "");
        if (counts[0] == 0 && refused.isEmpty()) {
          continue;
        }
        response.addLevels(ProbeLevelFigures.newBuilder().setDataset(probe.config.name()).setLevel(levelName(level))
            .setReads(counts[0]).setViolations(counts[1]).setNotProbedReason(refused));
      }
    }
    return response.build();
  }

  @Override
  public void close() {
    ScheduledExecutorService running;
    synchronized (this) {
      running = executor;
      executor = null;
    }
    if (running != null) {
      running.shutdownNow();
      try {
        running.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    channels.forEach(ManagedChannel::shutdownNow);
  }
}

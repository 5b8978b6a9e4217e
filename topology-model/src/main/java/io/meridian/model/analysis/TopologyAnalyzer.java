package io.meridian.model.analysis;

import io.meridian.model.Dataset;
import io.meridian.model.Geo;
import io.meridian.model.Link;
import io.meridian.model.Policy;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The entry point: analyses a topology under {@link AnalysisOptions} and returns a
 * {@link TopologyAnalysis}.
 *
 * <p>An analyzer remembers its previous run, so analysing the next version of a topology (the
 * studio does so on every edit) recomputes only what the edit touched: the routing graph is
 * rebuilt only when regions, links or failures change; each dataset's result for each client
 * region is reused when the dataset, its policy, the options and every route it depends on are
 * unchanged; and Monte Carlo samples are reused per route. The memo holds only what the last run
 * used, so it never grows beyond one topology's worth. Results do not depend on the memo: a
 * reused result is equal to a fresh one.
 *
 * <p>Not thread-safe: use one analyzer per thread (the studio runs it on one background thread).
 *
 * <pre>{@code
 * TopologyAnalysis result = new TopologyAnalyzer().analyze(topology, AnalysisOptions.DEFAULTS);
 * }</pre>
 */
public final class TopologyAnalyzer {
  private static final String METHOD = "Each hop's one-way delay is shift + jitter * X with X of "
      + "mean 1 and standard deviation 1 (see delayModel), so it has mean rtt/2 and standard "
      + "deviation jitter; hops along the best route (Dijkstra on RTT) add up; a lost packet "
      + "costs max(200 ms, rtt + 4 jitter). Sums, k-th fastest acknowledgements and PBS "
      + "thresholds are computed sample by sample. Quantiles are order statistics with "
      + "distribution-free 95% intervals; curves carry the DKW bound. Routes without jitter or "
      + "loss are exact.";

  private Topology lastTopologyShape;
  private AnalysisOptions lastOptions;
  private Network network;
  private Map<Object, double[]> samples = Map.of();
  private Map<Object, Object> memo = Map.of();
  private AnalysisStatistics statistics = new AnalysisStatistics(0, 0, 0, 0, false);

  /** An analyzer with an empty memo. */
  public TopologyAnalyzer() {}

  /** Analyses once, with no memo. */
  public static TopologyAnalysis analyzeOnce(Topology topology, AnalysisOptions options) {
    return new TopologyAnalyzer().analyze(topology, options);
  }

  /**
   * Analyses a topology. Never throws for a topology the reader accepted: dangling references and
   * other mistakes the validator reports become notes and warnings.
   */
  public TopologyAnalysis analyze(Topology topology, AnalysisOptions options) {
    Topology shape = topology.withPolicies(List.of()).withDatasets(List.of())
        .withDescription("").withName("shape");
    boolean sameSampling = lastOptions != null && lastOptions.seed() == options.seed()
        && lastOptions.samples() == options.samples()
        && lastOptions.delayModel() == options.delayModel();
    boolean rebuild = network == null || !shape.equals(lastTopologyShape) || lastOptions == null
        || !lastOptions.failedRegions().equals(options.failedRegions())
        || !lastOptions.cutLinks().equals(options.cutLinks());
    if (rebuild) {
      if (network != null) {
        network.forgetPrevious();
      }
      network = new Network(topology, options, network);
    }
    Sampler sampler = new Sampler(options, sameSampling ? samples : Map.of());
    List<String> warnings = new ArrayList<>();
    checkFailures(topology, options, warnings);

    List<String>[] notesByDataset = newNotes(topology.datasets().size());
    List<DatasetAnalyzer.Placement> placements = new ArrayList<>();
    for (int i = 0; i < topology.datasets().size(); i++) {
      Dataset dataset = topology.datasets().get(i);
      int index = i;
      Optional<Policy> policy = topology.policyOf(dataset);
      placements.add(policy.map(value -> DatasetAnalyzer.place(dataset, value, network,
          notesByDataset[index])).orElse(null));
    }
    Map<RecoveryAnalyzer.Direction, Double> load = new HashMap<>();
    Map<Link, Set<String>> linkDatasets = new HashMap<>();
    for (DatasetAnalyzer.Placement p : placements) {
      if (p != null) {
        addTraffic(p, options, load, linkDatasets);
      }
    }

    Map<Object, Object> nextMemo = new HashMap<>();
    DatasetAnalyzer datasets = new DatasetAnalyzer(network, sampler, options, memo, nextMemo);
    RecoveryAnalyzer recovery = new RecoveryAnalyzer(network, sampler, options, load);
    List<Region> clients = distinctRegions(topology);
    List<DatasetAnalysis> results = new ArrayList<>();
    for (int i = 0; i < topology.datasets().size(); i++) {
      Dataset dataset = topology.datasets().get(i);
      DatasetAnalyzer.Placement p = placements.get(i);
      List<String> notes = notesByDataset[i];
      if (p == null) {
        String why = "policy '" + dataset.policy() + "' is not defined; run 'meridian validate'";
        notes.add(why);
        warnings.add("dataset " + dataset.name() + ": " + why);
        results.add(new DatasetAnalysis(dataset.name(), dataset.policy(), null,
            dataset.replicas(), null, null, null, why, List.of(), null, notes));
        continue;
      }
      if (p.leaderNote() != null) {
        notes.add(p.leaderNote());
      }
      if (p.leaderProblem() != null) {
        notes.add(p.leaderProblem());
      }
      results.add(new DatasetAnalysis(dataset.name(), p.policy().name(), p.mode(),
          dataset.replicas(), p.leader(), DatasetAnalyzer.cap(p), DatasetAnalyzer.pacelc(p),
          DatasetAnalyzer.classification(p), datasets.regions(p, clients),
          p.data().isEmpty() ? null : recovery.recovery(p), notes));
    }
    List<LinkAnalysis> links = links(topology, options, load, linkDatasets, warnings);

    lastTopologyShape = shape;
    lastOptions = options;
    samples = sampler.cache();
    memo = nextMemo;
    statistics = new AnalysisStatistics(datasets.computed(), datasets.reused(), sampler.drawn(),
        sampler.reused(), rebuild);
    return new TopologyAnalysis(topology.name(), options,
        new MonteCarlo(options.samples(), options.seed(), options.delayModel(),
            Samples.CONFIDENCE, Samples.curveErrorBound(options.samples()), METHOD),
        links, results, warnings);
  }

  /** What the last {@link #analyze} computed afresh and what it reused. */
  public AnalysisStatistics lastStatistics() {
    return statistics;
  }

  @SuppressWarnings("unchecked")
  private static List<String>[] newNotes(int count) {
    List<String>[] notes = new List[count];
    for (int i = 0; i < count; i++) {
      notes[i] = new ArrayList<>();
    }
    return notes;
  }

  private static List<Region> distinctRegions(Topology topology) {
    Map<RegionId, Region> byId = new LinkedHashMap<>();
    for (Region region : topology.regions()) {
      byId.putIfAbsent(region.id(), region);
    }
    return List.copyOf(byId.values());
  }

  private static void checkFailures(Topology topology, AnalysisOptions options,
      List<String> warnings) {
    for (RegionId id : options.failedRegions()) {
      if (topology.region(id).isEmpty()) {
        warnings.add("--fail " + id + ": no such region in " + topology.name());
      }
    }
    for (LinkRef ref : options.cutLinks()) {
      if (topology.links().stream().noneMatch(ref::names)) {
        warnings.add("--fail " + ref + ": no such link in " + topology.name());
      }
    }
  }

  /** Adds each dataset's replication streams, hop by hop and direction by direction. */
  private void addTraffic(DatasetAnalyzer.Placement p, AnalysisOptions options,
      Map<RecoveryAnalyzer.Direction, Double> load, Map<Link, Set<String>> linkDatasets) {
    double mbpsPerWrite = (options.valueBytes() + RecoveryAnalyzer.MESSAGE_OVERHEAD_BYTES) * 8.0
        / 1e6;
    List<RegionId> alive = p.data().stream().filter(network::alive).toList();
    List<RegionId> writers = switch (p.mode()) {
      case ASYNC, SYNC, CONSENSUS -> p.leader() == null ? List.of() : List.of(p.leader());
      case QUORUM, MULTI_PRIMARY -> alive;
    };
    if (writers.isEmpty()) {
      return;
    }
    double rate = options.writeRatePerSecond() / writers.size();
    for (RegionId writer : writers) {
      for (RegionId target : alive) {
        if (target.equals(writer)) {
          continue;
        }
        Optional<Route> route = network.route(writer, target);
        if (route.isEmpty()) {
          continue;
        }
        List<Link> hops = route.get().hops();
        for (int h = 0; h < hops.size(); h++) {
          Link link = hops.get(h);
          load.merge(new RecoveryAnalyzer.Direction(link, route.get().nodes().get(h).id()),
              rate * mbpsPerWrite, Double::sum);
          linkDatasets.computeIfAbsent(link, l -> new TreeSet<>()).add(p.name());
        }
      }
    }
  }

  private List<LinkAnalysis> links(Topology topology, AnalysisOptions options,
      Map<RecoveryAnalyzer.Direction, Double> load, Map<Link, Set<String>> linkDatasets,
      List<String> warnings) {
    List<LinkAnalysis> out = new ArrayList<>();
    Set<LinkRef> seen = new LinkedHashSet<>();
    // The first region of each id, as Topology.region finds it, without a scan per link end.
    Map<RegionId, Region> regions = new HashMap<>();
    for (Region region : topology.regions()) {
      regions.putIfAbsent(region.id(), region);
    }
    for (Link link : topology.links()) {
      if (!seen.add(LinkRef.of(link))) {
        continue;
      }
      Optional<Region> a = Optional.ofNullable(regions.get(link.a()));
      Optional<Region> b = Optional.ofNullable(regions.get(link.b()));
      double km = a.isPresent() && b.isPresent() ? Geo.greatCircleKm(a.get(), b.get()) : 0;
      double floor = Geo.fibreRttFloorMs(km);
      boolean fasterThanLight = link.rttMs() < floor;
      if (fasterThanLight) {
        warnings.add(String.format(Locale.ROOT, "link %s: rttMs %s is faster than light in fibre "
            + "over %.0f km (at least %.1f ms); predictions over it are optimistic",
            link.name(), DatasetAnalyzer.fmt(link.rttMs()), km, floor));
      }
      boolean cut = options.cutLinks().stream().anyMatch(ref -> ref.names(link))
          || options.failedRegions().contains(link.a())
          || options.failedRegions().contains(link.b());
      double ab = load.getOrDefault(new RecoveryAnalyzer.Direction(link, link.a()), 0.0);
      double ba = load.getOrDefault(new RecoveryAnalyzer.Direction(link, link.b()), 0.0);
      double utilisation = Math.max(ab, ba) / link.bandwidthMbps();
      BandwidthStatus status = utilisation >= 1 ? BandwidthStatus.SATURATED
          : utilisation >= LinkAnalysis.NEAR_SATURATION ? BandwidthStatus.NEAR_SATURATION
          : BandwidthStatus.OK;
      if (status != BandwidthStatus.OK) {
        warnings.add(String.format(Locale.ROOT, "link %s: replication needs %.1f Mbit/s of %s "
            + "(%.0f%%) at %s writes/s of %d bytes%s", link.name(), Math.max(ab, ba),
            DatasetAnalyzer.fmt(link.bandwidthMbps()), utilisation * 100,
            DatasetAnalyzer.fmt(options.writeRatePerSecond()), options.valueBytes(),
            status == BandwidthStatus.SATURATED ? "; lag grows without bound" : ""));
      }
      out.add(new LinkAnalysis(link.name(), link.a(), link.b(), link.rttMs(), link.jitterMs(),
          km, floor, floor > 0 ? link.rttMs() / floor : 0, fasterThanLight, cut,
          link.bandwidthMbps(), ab, ba, utilisation, status,
          List.copyOf(linkDatasets.getOrDefault(link, Set.of()))));
    }
    return out;
  }
}

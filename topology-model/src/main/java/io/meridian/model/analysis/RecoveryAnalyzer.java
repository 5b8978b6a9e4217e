package io.meridian.model.analysis;

import io.meridian.model.Link;
import io.meridian.model.Policy;
import io.meridian.model.RegionId;
import io.meridian.model.ReplicationMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * RPO and RTO of a placed dataset when its write leader fails (or, for leaderless modes, the
 * replica whose loss hurts most).
 *
 * <p>RPO: synchronous modes lose nothing acknowledged. Asynchronous ones lose the writes not yet
 * on the most up-to-date survivor (the one failover promotes): the window is the smallest one-way
 * delay from the failed writer to any survivor, plus on each hop the time to put the value on the
 * wire and the M/D/1 queueing wait {@code rho / (2 (1 - rho)) * transmit} at the link's
 * utilisation {@code rho}; the expected loss is the write rate times the expected window (Little's
 * law). A saturated hop makes the window unbounded.
 *
 * <p>RTO: detection (the policy's detection timeout) + promotion (the new leader fences a new
 * epoch, or wins an election, with a majority round trip) + redirect (clients of the failed
 * region retry at the new leader, one round trip).
 */
final class RecoveryAnalyzer {
  /** Bytes of key, version, clock and framing sent with every replicated value. */
  static final int MESSAGE_OVERHEAD_BYTES = 64;

  /** Replication traffic per direction of each link, in Mbit/s. */
  record Direction(Link link, RegionId from) {}

  private final Network network;
  private final Sampler sampler;
  private final AnalysisOptions options;
  private final Map<Direction, Double> loadMbps;

  RecoveryAnalyzer(Network network, Sampler sampler, AnalysisOptions options,
      Map<Direction, Double> loadMbps) {
    this.network = network;
    this.sampler = sampler;
    this.options = options;
    this.loadMbps = loadMbps;
  }

  Recovery recovery(DatasetAnalyzer.Placement p) {
    Policy policy = p.policy();
    ReplicationMode mode = p.mode();
    List<RegionId> alive = p.data().stream().filter(network::alive).toList();
    RegionId failing = switch (mode) {
      case ASYNC, SYNC, CONSENSUS -> p.leader();
      case QUORUM, MULTI_PRIMARY -> worstWriter(p, alive);
    };
    if (failing == null) {
      String why = p.leaderProblem() != null ? p.leaderProblem() : "no replica is up";
      return new Recovery("no write leader", new Rpo(null, null, null, false,
          policy.rpoTargetMs(), null, why), new Rto(List.of(), null, false, policy.rtoTargetMs(),
          null, why));
    }
    String role = switch (mode) {
      case ASYNC, SYNC -> "primary";
      case CONSENSUS -> "leader";
      case QUORUM, MULTI_PRIMARY -> "replica";
    };
    String scenario = role + " " + failing + " fails"
        + (mode == ReplicationMode.QUORUM || mode == ReplicationMode.MULTI_PRIMARY
            ? " (the replica with the most unreplicated writes)" : "");
    return new Recovery(scenario, rpo(p, failing), rto(p, failing));
  }

  // ---------------------------------------------------------------- RPO

  private Rpo rpo(DatasetAnalyzer.Placement p, RegionId failing) {
    Policy policy = p.policy();
    Long target = policy.rpoTargetMs();
    switch (p.mode()) {
      case CONSENSUS -> {
        return zero(target, "a write commits only on a majority of " + p.voters().size()
            + " voters, and any new leader has it");
      }
      case SYNC -> {
        Integer acks = policy.syncAcks();
        if (acks == null || acks > 0) {
          return zero(target, "a write commits only after " + (acks == null ? "every replica"
              : acks + " other replica(s)") + " acknowledge it");
        }
      }
      case QUORUM -> {
        if (p.quorum() != null && p.quorum().w() >= 2) {
          return zero(target, "each acknowledged write is on W=" + p.quorum().w()
              + " replicas; losing one loses nothing");
        }
      }
      default -> {
        // asynchronous: computed below
      }
    }
    Window window = window(p, failing);
    if (window == null) {
      return new Rpo(null, null, null, false, target, target == null ? null : false,
          "replication from " + failing + " cannot keep up at "
              + DatasetAnalyzer.fmt(options.writeRatePerSecond()) + " writes/s or reaches no "
              + "survivor, so the unreplicated window grows without bound");
    }
    double atRisk = options.writeRatePerSecond() * window.expectedMs / 1000;
    return new Rpo(window.expectedMs, window.p99Ms, atRisk, true, target,
        target == null ? null : window.expectedMs <= target,
        String.format(Locale.ROOT, "writes acknowledged at %s reach the most up-to-date survivor "
            + "%s after %.1f ms on average; at %s writes/s about %.3g acknowledged writes are lost",
            failing, window.survivor, window.expectedMs,
            DatasetAnalyzer.fmt(options.writeRatePerSecond()), atRisk));
  }

  private static Rpo zero(Long target, String why) {
    return new Rpo(0.0, 0.0, 0.0, true, target, target == null ? null : true, why);
  }

  private record Window(double expectedMs, double p99Ms, RegionId survivor) {}

  private record WindowKey(HashedList<Route> routes, HashedList<Double> wireMs) {}

  private Window window(DatasetAnalyzer.Placement p, RegionId writer) {
    List<Route> routes = new ArrayList<>();
    List<Double> wires = new ArrayList<>();
    for (RegionId survivor : p.data()) {
      if (survivor.equals(writer)) {
        continue;
      }
      Optional<Route> route = network.route(writer, survivor);
      if (route.isEmpty()) {
        continue;
      }
      double wire = wireMs(route.get());
      if (Double.isInfinite(wire)) {
        continue;
      }
      routes.add(route.get());
      wires.add(wire);
    }
    if (routes.isEmpty()) {
      return null;
    }
    RegionId closest = null;
    double closestMean = Double.POSITIVE_INFINITY;
    for (int i = 0; i < routes.size(); i++) {
      double mean = routes.get(i).meanRttMs() / 2 + wires.get(i);
      if (mean < closestMean) {
        closestMean = mean;
        closest = routes.get(i).to();
      }
    }
    double[] first = sampler.derived(new WindowKey(new HashedList<>(routes),
        new HashedList<>(wires)), () -> {
          List<double[]> delays = new ArrayList<>();
          for (int i = 0; i < routes.size(); i++) {
            delays.add(Samples.plus(sampler.oneWay("write", routes.get(i)),
                Samples.constant(wires.get(i))));
          }
          double[] earliest = Samples.kthSmallest(delays, 1);
          Latency summary = Samples.latency(earliest, 0, "");
          return new double[] {Samples.mean(earliest), summary.p99Ms()};
        });
    return new Window(first[0], first[1], closest);
  }

  /** Transmission plus queueing along a route, or infinity when a hop is saturated. */
  private double wireMs(Route route) {
    double bits = (options.valueBytes() + MESSAGE_OVERHEAD_BYTES) * 8.0;
    double total = 0;
    for (int h = 0; h < route.hops().size(); h++) {
      Link link = route.hops().get(h);
      RegionId from = route.nodes().get(h).id();
      double transmitMs = bits / (link.bandwidthMbps() * 1e6) * 1000;
      double rho = loadMbps.getOrDefault(new Direction(link, from), 0.0) / link.bandwidthMbps();
      if (rho >= 1) {
        return Double.POSITIVE_INFINITY;
      }
      total += transmitMs + rho / (2 * (1 - rho)) * transmitMs;
    }
    return total;
  }

  /** The replica whose writes take longest to reach a survivor (unbounded counts as longest). */
  private RegionId worstWriter(DatasetAnalyzer.Placement p, List<RegionId> alive) {
    RegionId worst = null;
    double worstMs = Double.NEGATIVE_INFINITY;
    for (RegionId writer : alive) {
      Window window = window(p, writer);
      double ms = window == null ? Double.POSITIVE_INFINITY : window.expectedMs;
      if (ms > worstMs) {
        worstMs = ms;
        worst = writer;
      }
    }
    return worst;
  }

  // ---------------------------------------------------------------- RTO

  private Rto rto(DatasetAnalyzer.Placement p, RegionId failing) {
    Policy policy = p.policy();
    Long target = policy.rtoTargetMs();
    long timeout = policy.failover().detectionTimeoutMs();
    List<RtoTerm> terms = new ArrayList<>();
    ReplicationMode mode = p.mode();
    if (mode == ReplicationMode.QUORUM || mode == ReplicationMode.MULTI_PRIMARY) {
      Optional<Route> next = nearestOther(p, failing);
      if (next.isEmpty()) {
        return new Rto(terms, null, true, target, target == null ? null : false,
            "no other replica survives " + failing);
      }
      int survivors = (int) p.data().stream()
          .filter(r -> !r.equals(failing) && network.alive(r)).count();
      int needed = mode == ReplicationMode.QUORUM && p.quorum() != null ? p.quorum().w() : 1;
      if (survivors < needed) {
        return new Rto(terms, null, true, target, target == null ? null : false,
            "without " + failing + " only " + survivors + " replica(s) remain and writes need W="
                + needed);
      }
      terms.add(new RtoTerm("detection", 0, mode + " has no leader whose failure must be "
          + "detected"));
      terms.add(new RtoTerm("promotion", 0, "every surviving replica already accepts writes"));
      terms.add(new RtoTerm("redirect", 0, String.format(Locale.ROOT, "writes never stop; "
          + "clients that used %s move to %s on their next request (one round trip, %.1f ms)",
          failing, next.get().to(), next.get().meanRttMs())));
      return total(terms, true, target, "no failover: the other replicas keep accepting writes"
          + (mode == ReplicationMode.QUORUM ? " while W=" + needed + " survive" : ""));
    }
    boolean automatic = mode == ReplicationMode.CONSENSUS || policy.failover().automatic();
    List<RegionId> order = new ArrayList<>(policy.failoverPriority());
    order.addAll(p.data());
    RegionId successor = order.stream()
        .filter(r -> !r.equals(failing) && p.data().contains(r) && network.alive(r)
            && network.connected(r, failing))
        .findFirst().orElse(null);
    if (successor == null) {
      return new Rto(terms, null, automatic, target, target == null ? null : false,
          "no surviving data replica can take over from " + failing);
    }
    List<Double> voteRtts = new ArrayList<>();
    for (RegionId v : p.voters()) {
      if (!v.equals(failing) && !v.equals(successor)) {
        network.route(successor, v).ifPresent(r -> voteRtts.add(r.meanRttMs()));
      }
    }
    int need = p.majority() - 1;
    if (voteRtts.size() < need) {
      return new Rto(terms, null, automatic, target, target == null ? null : false,
          "without " + failing + ", " + successor + " reaches " + voteRtts.size() + " of the "
              + need + " other voters a majority of " + p.voters().size() + " needs; add a "
              + "witness region so failover can be decided safely");
    }
    voteRtts.sort(Double::compare);
    double promotion = need == 0 ? 0 : voteRtts.get(need - 1);
    String what = mode == ReplicationMode.CONSENSUS ? "leader" : "primary";
    terms.add(new RtoTerm("detection", timeout, mode == ReplicationMode.CONSENSUS
        ? "followers hear nothing from " + failing + " for the election timeout "
            + "(failover.detectionTimeoutMs)"
        : automatic ? failing + " is declared failed after failover.detectionTimeoutMs"
            : "the failure is noticed after failover.detectionTimeoutMs; then an operator acts"));
    terms.add(new RtoTerm(mode == ReplicationMode.CONSENSUS ? "election" : "promotion", promotion,
        successor + (mode == ReplicationMode.CONSENSUS ? " wins votes from" : " fences a new epoch "
            + "with") + " a majority (" + p.majority() + " of " + p.voters().size()
            + "): one round trip"));
    double redirect = network.route(failing, successor).map(Route::meanRttMs).orElse(0.0);
    terms.add(new RtoTerm("redirect", redirect, "clients of " + failing + " retry at the new "
        + what + " " + successor + " (one round trip)"));
    return total(terms, automatic, target, automatic
        ? successor + " takes over as " + what
        : "manual failover: add the operator's reaction time; " + successor + " is next in line");
  }

  private Optional<Route> nearestOther(DatasetAnalyzer.Placement p, RegionId failing) {
    Route best = null;
    for (RegionId r : p.data()) {
      if (r.equals(failing)) {
        continue;
      }
      Optional<Route> route = network.route(failing, r);
      if (route.isPresent() && (best == null || route.get().meanRttMs() < best.meanRttMs())) {
        best = route.get();
      }
    }
    return Optional.ofNullable(best);
  }

  private static Rto total(List<RtoTerm> terms, boolean automatic, Long target, String why) {
    double sum = terms.stream().mapToDouble(RtoTerm::ms).sum();
    return new Rto(terms, sum, automatic, target, target == null ? null : sum <= target, why);
  }
}

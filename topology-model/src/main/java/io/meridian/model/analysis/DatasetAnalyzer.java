package io.meridian.model.analysis;

import io.meridian.model.Dataset;
import io.meridian.model.Policy;
import io.meridian.model.QuorumSpec;
import io.meridian.model.ReadConsistency;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.ReplicationMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Predicts one dataset on one network: latency and availability of every operation from every
 * client region, staleness, and the CAP/PACELC class. Recovery is in {@link RecoveryAnalyzer}.
 *
 * <p>Per-client results are memoised on everything they depend on (the dataset, its policy, the
 * options, the client, the routes from the client to every voter and between voters, and the
 * write leader), so an edit that does not touch those routes reuses the previous result.
 */
final class DatasetAnalyzer {
  /** How many points a t-visibility curve has. */
  static final int CURVE_POINTS = 25;

  /** Delays: sampled, or at the speed of light (constants), through the same formulas. */
  interface Delays {
    double[] roundTrip(String purpose, Route route);

    double[] oneWay(String purpose, Route route);
  }

  private static final Delays FLOOR = new Delays() {
    @Override
    public double[] roundTrip(String purpose, Route route) {
      return Samples.constant(route.floorRttMs());
    }

    @Override
    public double[] oneWay(String purpose, Route route) {
      return Samples.constant(route.floorRttMs() / 2);
    }
  };

  private final Network network;
  private final Sampler sampler;
  private final Delays sampled;
  private final AnalysisOptions options;
  private final Map<Object, Object> previousMemo;
  private final Map<Object, Object> memo;
  private int computed;
  private int reused;

  DatasetAnalyzer(Network network, Sampler sampler, AnalysisOptions options,
      Map<Object, Object> previousMemo, Map<Object, Object> memo) {
    this.network = network;
    this.sampler = sampler;
    this.options = options;
    this.previousMemo = previousMemo;
    this.memo = memo;
    this.sampled = new Delays() {
      @Override
      public double[] roundTrip(String purpose, Route route) {
        return sampler.roundTrip(purpose, route);
      }

      @Override
      public double[] oneWay(String purpose, Route route) {
        return sampler.oneWay(purpose, route);
      }
    };
  }

  int computed() {
    return computed;
  }

  int reused() {
    return reused;
  }

  /** The placement of a dataset on the network: who holds data, who votes, who leads. */
  record Placement(
      Dataset dataset, Policy policy, List<RegionId> data, List<RegionId> voters,
      QuorumSpec quorum, RegionId leader, String leaderNote, String leaderProblem) {

    ReplicationMode mode() {
      return policy.mode();
    }

    int majority() {
      return voters.size() / 2 + 1;
    }

    String name() {
      return dataset.name();
    }
  }

  /**
   * One dataset's per-client results of a run, under the memo key {@link RunKey} of what they
   * share (the dataset, its policy, the options, the leadership and the routes between voters:
   * the same for every client). A client's result depends besides only on the client region,
   * whether it is alive and its routes to the voters, kept here per client in {@code toVoters}.
   */
  private record DatasetRun(List<Region> clients, boolean[] alive,
      Optional<Route>[][] toVoters, RegionAnalysis[] results) {}

  private record RunKey(HashedList<Object> shared) {}

  /** Places a dataset, or explains in {@code notes} why it cannot be analysed. */
  static Placement place(Dataset dataset, Policy policy, Network network, List<String> notes) {
    List<RegionId> data = new ArrayList<>();
    List<RegionId> voters = new ArrayList<>();
    for (RegionId id : new LinkedHashSet<>(dataset.replicas())) {
      Optional<Region> region = network.region(id);
      if (region.isEmpty()) {
        notes.add("replica " + id + " is not a region of the topology; it is left out");
        continue;
      }
      voters.add(id);
      if (!region.get().isWitness()) {
        data.add(id);
      }
    }
    QuorumSpec quorum = policy.quorum();
    if (policy.mode() == ReplicationMode.QUORUM) {
      int n = data.size();
      if (quorum == null) {
        int half = n / 2 + 1;
        quorum = n == 0 ? null : new QuorumSpec(n, half, half);
        notes.add("policy " + policy.name() + " sets no quorum; assuming N=" + n + " W=" + half
            + " R=" + half);
      } else if (quorum.n() != n) {
        notes.add("quorum N=" + quorum.n() + " but the dataset has " + n
            + " data replicas; the analysis uses the " + n + " replicas with W="
            + Math.min(quorum.w(), Math.max(1, n)) + " R=" + Math.min(quorum.r(), Math.max(1, n)));
        quorum = n == 0 ? null
            : new QuorumSpec(n, Math.min(quorum.w(), n), Math.min(quorum.r(), n));
      }
    }
    Placement base = new Placement(dataset, policy, data, voters, quorum, null, null, null);
    return withLeader(base, network);
  }

  private static Placement withLeader(Placement p, Network network) {
    ReplicationMode mode = p.mode();
    if (mode == ReplicationMode.QUORUM || mode == ReplicationMode.MULTI_PRIMARY) {
      return p;
    }
    Policy policy = p.policy();
    RegionId configured = policy.primary();
    if (configured == null || !p.data().contains(configured)) {
      configured = policy.failoverPriority().stream().filter(p.data()::contains).findFirst()
          .orElse(p.data().isEmpty() ? null : p.data().get(0));
    }
    if (configured == null) {
      return new Placement(p.dataset(), policy, p.data(), p.voters(), p.quorum(), null, null,
          "dataset " + p.name() + " has no data replica to lead");
    }
    boolean automatic = mode == ReplicationMode.CONSENSUS || policy.failover().automatic();
    boolean configuredAlive = network.alive(configured);
    int majority = p.majority();
    int configuredReach = reachableVoters(p, configured, network);
    List<RegionId> candidates = new ArrayList<>();
    for (RegionId id : concat(policy.failoverPriority(), p.data())) {
      if (!id.equals(configured) && p.data().contains(id) && network.alive(id)
          && reachableVoters(p, id, network) >= majority && !candidates.contains(id)) {
        candidates.add(id);
      }
    }
    String what = mode == ReplicationMode.CONSENSUS ? "leader" : "primary";
    if (mode == ReplicationMode.CONSENSUS) {
      if (configuredAlive && configuredReach >= majority) {
        return withLeader(p, configured, null, null);
      }
      if (!candidates.isEmpty()) {
        return withLeader(p, candidates.get(0), candidates.get(0) + " is elected leader because "
            + configured + (configuredAlive ? " cannot reach a majority" : " failed"), null);
      }
      int best = p.voters().stream().filter(network::alive)
          .mapToInt(v -> reachableVoters(p, v, network)).max().orElse(0);
      return withLeader(p, null, null, "no leader: consensus needs a majority of " + majority
          + " of " + p.voters().size() + " voters " + set(p.voters()) + " and the largest group "
          + "that can talk has " + best);
    }
    if (configuredAlive && (!automatic || configuredReach >= majority || candidates.isEmpty())) {
      return withLeader(p, configured, null, null);
    }
    if (!automatic) {
      return withLeader(p, null, null, what + " " + configured
          + " failed and failover is manual (run 'meridian failover' to promote another)");
    }
    if (candidates.isEmpty()) {
      return withLeader(p, null, null, what + " " + configured + " failed and no survivor reaches"
          + " a majority of " + majority + " of " + set(p.voters()) + " to take over safely");
    }
    return withLeader(p, candidates.get(0), candidates.get(0) + " is promoted because "
        + configured + (configuredAlive ? " is cut off from a majority and fenced" : " failed"),
        null);
  }

  private static Placement withLeader(Placement p, RegionId leader, String note, String problem) {
    return new Placement(p.dataset(), p.policy(), p.data(), p.voters(), p.quorum(), leader, note,
        problem);
  }

  private static int reachableVoters(Placement p, RegionId from, Network network) {
    int count = 0;
    for (RegionId v : p.voters()) {
      if (network.connected(from, v)) {
        count++;
      }
    }
    return count;
  }

  /**
   * The instance of an equal key from the previous run, if there is one, so that the many
   * per-client keys built on it compare by identity instead of element by element.
   */
  @SuppressWarnings("unchecked")
  private <T> T canonical(T key) {
    Object known = previousMemo.get(key);
    T result = known != null ? (T) known : key;
    memo.put(result, result);
    return result;
  }

  /**
   * Analyses every client region of a placed dataset. A client whose region, liveness and routes
   * to the voters are those of the previous run of the same dataset (same shared key) reuses its
   * result; routes are compared by identity first, which is what an edit that keeps them gives
   * (see {@link Network}), and by value otherwise.
   */
  @SuppressWarnings("unchecked")
  List<RegionAnalysis> regions(Placement p, List<Region> clients) {
    List<RegionId> voters = p.voters();
    int voterCount = voters.size();
    int[] voterIndex = new int[voterCount];
    for (int j = 0; j < voterCount; j++) {
      voterIndex[j] = network.index(voters.get(j));
    }
    List<Optional<Route>> routes = new ArrayList<>(voterCount * voterCount);
    for (int x : voterIndex) {
      for (int y : voterIndex) {
        routes.add(network.route(x, y));
      }
    }
    HashedList<Optional<Route>> between = new HashedList<>(routes);
    List<Object> sharedParts = new ArrayList<>();
    sharedParts.add(p.dataset());
    sharedParts.add(p.policy());
    sharedParts.add(options);
    sharedParts.add(String.valueOf(p.leader()));
    sharedParts.add(String.valueOf(p.leaderNote()));
    sharedParts.add(String.valueOf(p.leaderProblem()));
    sharedParts.add(between);
    sharedParts.add(p.data().stream().map(network::alive).toList());
    HashedList<Object> shared = canonical(new HashedList<>(sharedParts));
    RunKey runKey = new RunKey(shared);
    DatasetRun before = (DatasetRun) previousMemo.get(runKey);
    Map<RegionId, Integer> beforeByClient = null;
    if (before != null && before.clients() != clients && !before.clients().equals(clients)) {
      beforeByClient = new HashMap<>();
      for (int i = 0; i < before.clients().size(); i++) {
        beforeByClient.putIfAbsent(before.clients().get(i).id(), i);
      }
    }
    Map<Object, Staleness> stalenessByReader = new HashMap<>();
    int clientCount = clients.size();
    boolean[] alive = new boolean[clientCount];
    Optional<Route>[][] toVoters = new Optional[clientCount][];
    RegionAnalysis[] results = new RegionAnalysis[clientCount];
    for (int i = 0; i < clientCount; i++) {
      Region client = clients.get(i);
      int c = network.index(client.id());
      Optional<Route>[] mine = new Optional[voterCount];
      for (int j = 0; j < voterCount; j++) {
        mine[j] = network.route(c, voterIndex[j]);
      }
      alive[i] = network.alive(client.id());
      toVoters[i] = mine;
      int k = before == null ? -1 : beforeByClient == null ? i
          : beforeByClient.getOrDefault(client.id(), -1);
      RegionAnalysis result = null;
      if (k >= 0 && before.alive()[k] == alive[i]
          && sameRoutes(before.toVoters()[k], mine)
          && before.clients().get(k).equals(client)) {
        result = before.results()[k];
      }
      if (result == null) {
        result = client(p, client.id(), stalenessByReader, shared);
        computed++;
      } else {
        reused++;
      }
      results[i] = result;
    }
    memo.put(runKey, new DatasetRun(clients, alive, toVoters, results));
    return List.of(results);
  }

  private static boolean sameRoutes(Optional<Route>[] before, Optional<Route>[] now) {
    for (int j = 0; j < now.length; j++) {
      if (before[j] != now[j] && !before[j].equals(now[j])) {
        return false;
      }
    }
    return true;
  }

  private record StalenessKey(HashedList<Object> shared, RegionId reader) {}

  private RegionAnalysis client(Placement p, RegionId c, Map<Object, Staleness> byReader,
      HashedList<Object> shared) {
    if (!network.alive(c)) {
      String why = c + " is down in this what-if";
      List<Operation> reads = new ArrayList<>();
      for (ReadConsistency level : ReadConsistency.values()) {
        Operation op = read(p, c, level);
        reads.add(op.offered() ? Operation.unavailable(level.fileName(), why) : op);
      }
      return new RegionAnalysis(c, false, Operation.unavailable("write", why), reads,
          Staleness.notApplicable(why));
    }
    List<Operation> reads = new ArrayList<>();
    for (ReadConsistency level : ReadConsistency.values()) {
      reads.add(read(p, c, level));
    }
    Optional<Route> nearest = nearest(p, c);
    Staleness staleness = nearest.isEmpty()
        ? Staleness.notApplicable(c + " reaches no replica of " + p.name())
        : byReader.computeIfAbsent(new StalenessKey(shared, nearest.get().to()),
            key -> {
              Object known = memo.get(key);
              if (known == null) {
                known = previousMemo.get(key);
              }
              Staleness s = known != null ? (Staleness) known
                  : staleness(p, ((StalenessKey) key).reader());
              memo.put(key, s);
              return s;
            });
    return new RegionAnalysis(c, true, write(p, c), reads, staleness);
  }

  // ---------------------------------------------------------------- routes

  private Optional<Route> nearest(Placement p, RegionId c) {
    Route best = null;
    for (RegionId r : p.data()) {
      Optional<Route> route = network.route(c, r);
      if (route.isPresent() && (best == null || route.get().meanRttMs() < best.meanRttMs())) {
        best = route.get();
      }
    }
    return Optional.ofNullable(best);
  }

  private List<Route> reachable(List<RegionId> targets, RegionId from) {
    List<Route> routes = new ArrayList<>();
    for (RegionId t : targets) {
      network.route(from, t).ifPresent(routes::add);
    }
    return routes;
  }

  // ---------------------------------------------------------------- writes

  private Operation write(Placement p, RegionId c) {
    String op = "write";
    return switch (p.mode()) {
      case ASYNC -> viaLeader(p, c, op, "commits at primary", r -> Samples.constant(0),
          "replicas follow asynchronously");
      case SYNC -> syncWrite(p, c);
      case MULTI_PRIMARY -> {
        Optional<Route> near = nearest(p, c);
        if (near.isEmpty()) {
          yield Operation.unavailable(op, c + " cannot write: no replica of "
              + set(p.data()) + " is reachable");
        }
        Route r = near.get();
        yield new Operation(op, true, true, "commits at the nearest replica " + r.to()
            + "; others apply it asynchronously and resolve conflicts by "
            + p.policy().conflictResolution(),
            measure(d -> d.roundTrip("client", r), r.describe()));
      }
      case QUORUM -> quorumOperation(p, c, op, p.quorum() == null ? 1 : p.quorum().w(), "W",
          "inner");
      case CONSENSUS -> consensus(p, c, op, "inner", "commits when a majority", true);
    };
  }

  private Operation syncWrite(Placement p, RegionId c) {
    String op = "write";
    if (p.leader() == null) {
      return Operation.unavailable(op, c + " cannot write: " + p.leaderProblem());
    }
    RegionId leader = p.leader();
    List<RegionId> others = p.data().stream().filter(r -> !r.equals(leader)).toList();
    Integer acks = p.policy().syncAcks();
    int need = acks == null ? others.size() : Math.min(acks, others.size());
    List<Route> ackRoutes = reachable(others, leader);
    if (ackRoutes.size() < need) {
      return Operation.unavailable(op, c + " cannot write: sync needs acks from " + need + " of "
          + set(others) + ", only " + ackRoutes.size() + " reachable from primary " + leader);
    }
    String acked = acks == null ? "all " + need + " other replicas" : need + " of " + set(others);
    // Each replica syncs the write to disk before it acknowledges; the primary syncs its own copy
    // while the batch travels (ADR 0029), so one sync is on the path, after the round trip, or
    // the primary's own when no other replica has to answer (ADR 0051).
    return viaLeader(p, c, op, "commits at primary",
        d -> thenDiskSync(d, kthRoundTrip(d, "inner", ackRoutes, need)),
        need == 0 ? diskSyncText(0, "the primary")
            : "after " + acked + " acknowledge" + afterComma(diskSyncText(need, "the primary")));
  }

  /** Client hop to the leader plus whatever the leader waits for. */
  private Operation viaLeader(Placement p, RegionId c, String op, String verb,
      Function<Delays, double[]> atLeader, String detail) {
    if (p.leader() == null) {
      return Operation.unavailable(op, c + " cannot " + opVerb(op) + ": " + p.leaderProblem());
    }
    Optional<Route> hop = network.route(c, p.leader());
    if (hop.isEmpty()) {
      return Operation.unavailable(op, c + " cannot " + opVerb(op)
          + ": no surviving path to primary " + p.leader());
    }
    Route r = hop.get();
    String note = p.leaderNote() == null ? "" : " (" + p.leaderNote() + ")";
    return new Operation(op, true, true,
        verb + " " + p.leader() + (detail.isEmpty() ? "" : ", " + detail) + note,
        measure(d -> plus(d, d.roundTrip("client", r), atLeader.apply(d)),
            r.describe() + (detail.isEmpty() ? "" : ", then " + detail)));
  }

  private Operation quorumOperation(Placement p, RegionId c, String op, int needed, String letter,
      String purpose) {
    QuorumSpec q = p.quorum();
    if (q == null) {
      return Operation.unavailable(op, p.name() + " has no data replicas");
    }
    Optional<Route> near = nearest(p, c);
    if (near.isEmpty()) {
      return Operation.unavailable(op, c + " cannot " + opVerb(op) + ": no replica of "
          + set(p.data()) + " is reachable");
    }
    Route hop = near.get();
    RegionId coordinator = hop.to();
    List<Route> replies = reachable(p.data(), coordinator);
    if (replies.size() < needed) {
      return Operation.unavailable(op, c + " cannot " + opVerb(op) + ": quorum " + letter + "="
          + needed + " needs " + needed + " of " + set(p.data()) + ", only " + replies.size()
          + " reachable");
    }
    return new Operation(op, true, true, "coordinator " + coordinator + " waits for " + needed
        + " of " + q.n() + " replicas (" + letter + "=" + needed + ")",
        measure(d -> plus(d, d.roundTrip("client", hop),
                kthRoundTrip(d, purpose, replies, needed)),
            hop.describe() + ", then " + needed + " of " + q.n() + " acks"));
  }

  /**
   * A consensus operation: the client's hop to the leader and the fastest majority's round trip,
   * and for a write ({@code durable}) one disk sync, since a follower appends the entry to its
   * Raft log and forces it before it answers (the leader's own sync runs in parallel; with no
   * other voter needed, it is the leader's). A read only confirms leadership: nothing is synced.
   */
  private Operation consensus(Placement p, RegionId c, String op, String purpose, String what,
      boolean durable) {
    if (p.leader() == null) {
      return Operation.unavailable(op, c + " cannot " + opVerb(op) + ": " + p.leaderProblem());
    }
    RegionId leader = p.leader();
    List<RegionId> others = p.voters().stream().filter(v -> !v.equals(leader)).toList();
    int need = p.majority() - 1;
    List<Route> acks = reachable(others, leader);
    if (acks.size() < need) {
      return Operation.unavailable(op, c + " cannot " + opVerb(op) + ": leader " + leader
          + " needs " + need + " of " + set(others) + ", only " + acks.size() + " reachable");
    }
    Optional<Route> hop = network.route(c, leader);
    if (hop.isEmpty()) {
      return Operation.unavailable(op, c + " cannot " + opVerb(op) + ": no surviving path to "
          + "leader " + leader + (p.leaderNote() == null ? "" : " (" + p.leaderNote() + ")"));
    }
    Route r = hop.get();
    String note = p.leaderNote() == null ? "" : " (" + p.leaderNote() + ")";
    String synced = durable ? afterComma(diskSyncText(need, "the leader")) : "";
    return new Operation(op, true, true, "leader " + leader + " " + what + " of "
        + p.voters().size() + " voters (" + p.majority() + ") answer" + synced + note,
        measure(d -> plus(d, d.roundTrip("client", r), durable
                ? thenDiskSync(d, kthRoundTrip(d, purpose, acks, need))
                : kthRoundTrip(d, purpose, acks, need)),
            r.describe() + ", then majority " + p.majority() + " of " + p.voters().size()
                + (durable ? " + disk sync" : "")));
  }

  // ---------------------------------------------------------------- reads

  // Which levels each mode serves is the agent's table (ReadLevels, ADR 0021); the cost is how the
  // agent serves them.
  private Operation read(Placement p, RegionId c, ReadConsistency level) {
    String op = level.fileName();
    ReplicationMode mode = p.mode();
    Optional<String> refusal = ReadLevels.refusal(p.policy(), level);
    if (refusal.isPresent()) {
      return Operation.notOffered(op, refusal.get());
    }
    return switch (level) {
      case EVENTUAL -> mode == ReplicationMode.QUORUM
          ? quorumOperation(p, c, op, 1, "R", "read")
          : local(p, c, op, "served by the nearest replica %s");
      case SESSION -> switch (mode) {
        case ASYNC, SYNC, MULTI_PRIMARY -> local(p, c, op, "served by the nearest replica %s once it holds "
            + "this session's own writes (a replica still behind waits briefly, then asks the primary)");
        case QUORUM -> quorumOperation(p, c, op, p.quorum() == null ? 1 : p.quorum().n() - p.quorum().w() + 1,
            "N-W+1", "read");
        case CONSENSUS -> consensus(p, c, op, "read", "confirms it still leads when a majority", false);
      };
      case BOUNDED_STALENESS -> mode == ReplicationMode.CONSENSUS
          ? consensus(p, c, op, "read", "confirms it still leads when a majority", false)
          : bounded(p, c, op);
      case QUORUM -> switch (mode) {
        case CONSENSUS -> consensus(p, c, op, "read", "confirms it still leads when a majority", false);
        default -> quorumOperation(p, c, op, p.quorum() == null ? 1 : p.quorum().r(), "R", "read");
      };
      case STRONG -> switch (mode) {
        case ASYNC, SYNC -> leasedPrimaryRead(p, c, op);
        case QUORUM -> quorumOperation(p, c, op, p.quorum() == null ? 1 : p.quorum().n(), "N", "read");
        case CONSENSUS -> consensus(p, c, op, "read", "confirms it still leads when a majority", false);
        case MULTI_PRIMARY -> throw new IllegalStateException("refused above");
      };
    };
  }

  /**
   * A strong read of an async or sync dataset: served by the primary while it holds its write lease,
   * that is while a majority of the data replicas (itself included) answer its heartbeats.
   */
  private Operation leasedPrimaryRead(Placement p, RegionId c, String op) {
    if (p.leader() != null) {
      int majority = p.data().size() / 2 + 1;
      int reached = 1 + (int) reachable(p.data().stream().filter(r -> !r.equals(p.leader())).toList(),
          p.leader()).size();
      if (reached < majority) {
        return Operation.unavailable(op, c + " cannot read: primary " + p.leader() + " reaches " + reached
            + " of " + p.data().size() + " replicas, fewer than the majority " + majority
            + " its write lease needs");
      }
    }
    return viaLeader(p, c, op, "reads at primary", d -> Samples.constant(0), "under its write lease");
  }

  private Operation local(Placement p, RegionId c, String op, String explanation) {
    Optional<Route> near = nearest(p, c);
    if (near.isEmpty()) {
      return Operation.unavailable(op, c + " cannot read: no replica of " + set(p.data())
          + " is reachable");
    }
    Route r = near.get();
    return new Operation(op, true, true, String.format(Locale.ROOT, explanation, r.to()),
        measure(d -> d.roundTrip("client", r), r.describe()));
  }

  private Operation bounded(Placement p, RegionId c, String op) {
    if (p.policy().staleness() == null) {
      return Operation.notOffered(op, "policy " + p.policy().name() + " sets no staleness bound");
    }
    Optional<Route> near = nearest(p, c);
    if (near.isEmpty()) {
      return Operation.unavailable(op, c + " cannot read: no replica of " + set(p.data())
          + " is reachable");
    }
    RegionId serving = near.get().to();
    long bound = p.policy().staleness().maxLagMs();
    List<RegionId> sources = switch (p.mode()) {
      case ASYNC, SYNC, CONSENSUS -> p.leader() == null ? List.of() : List.of(p.leader());
      case QUORUM, MULTI_PRIMARY -> p.data().stream().filter(network::alive).toList();
    };
    for (RegionId source : sources) {
      if (!network.connected(serving, source)) {
        return Operation.unavailable(op, c + " cannot read within " + bound + " ms: replica "
            + serving + " is cut off from " + source + ", which takes writes, so its lag passes "
            + "the bound");
      }
    }
    return local(p, c, op, "served by the nearest replica %s while it lags less than " + bound
        + " ms");
  }

  // ---------------------------------------------------------------- staleness (PBS)

  /**
   * PBS for reads coordinated at {@code reader}: per trial, a write starts at a writer, reaches
   * replica m after w_m and is acknowledged after a_m; it commits at the W-th smallest w+a. A read
   * issued t ms after commit reaches replica m after r_m; the first R replicas to answer (by
   * r+s) are read. The read is consistent when one of them had the write: w_m <= commit + t + r_m.
   * So each trial has a threshold t* = max(0, min over the R (w_m - commit - r_m)), and the
   * t-visibility curve is the distribution function of t*.
   */
  private Staleness staleness(Placement p, RegionId reader) {
    ReplicationMode mode = p.mode();
    List<RegionId> writers;
    int w;
    int r;
    String setup;
    switch (mode) {
      case ASYNC -> {
        if (p.leader() == null) {
          return Staleness.notApplicable("no writes commit: " + p.leaderProblem());
        }
        writers = List.of(p.leader());
        w = 1;
        r = 1;
        setup = "writes commit at primary " + p.leader() + "; eventual reads at " + reader;
      }
      case SYNC -> {
        Integer acks = p.policy().syncAcks();
        int others = p.data().size() - 1;
        if (acks == null || acks >= others) {
          return Staleness.notApplicable("sync: every replica has a write before it commits");
        }
        if (p.leader() == null) {
          return Staleness.notApplicable("no writes commit: " + p.leaderProblem());
        }
        writers = List.of(p.leader());
        w = acks + 1;
        r = 1;
        setup = "writes commit at primary " + p.leader() + " with " + acks
            + " acks; eventual reads at " + reader;
      }
      case MULTI_PRIMARY -> {
        writers = p.data().stream().filter(network::alive).toList();
        w = 1;
        r = 1;
        setup = "writes start at any of " + set(writers) + " (equally likely); eventual reads at "
            + reader;
      }
      case QUORUM -> {
        QuorumSpec q = p.quorum();
        if (q == null) {
          return Staleness.notApplicable(p.name() + " has no data replicas");
        }
        if (q.readsSeeLatestWrite()) {
          return Staleness.notApplicable("R+W>N (" + q.r() + "+" + q.w() + ">" + q.n()
              + "): every quorum read sees the latest committed write");
        }
        writers = p.data().stream().filter(network::alive).toList();
        w = q.w();
        r = q.r();
        setup = "W=" + w + " writes coordinated at any of " + set(writers)
            + "; R=" + r + " reads coordinated at " + reader;
      }
      case CONSENSUS -> {
        if (p.leader() == null) {
          return Staleness.notApplicable("no writes commit: " + p.leaderProblem());
        }
        writers = List.of(p.leader());
        w = p.majority();
        r = 1;
        setup = "strong and quorum reads are linearizable; this is eventual reads at follower "
            + reader + " after leader " + p.leader() + " commits";
      }
      default -> throw new IllegalStateException("unknown mode " + mode);
    }
    List<RegionId> replicas = mode == ReplicationMode.CONSENSUS ? p.voters() : p.data();
    List<RegionId> holders = p.data();
    if (writers.isEmpty()) {
      return Staleness.notApplicable("no replica is up to take writes");
    }
    int n = sampler.samples();
    int k = replicas.size();
    int writerCount = writers.size();
    double[][][] wa = new double[writerCount][][];
    double[][][] ack = new double[writerCount][][];
    int[] reachableCount = new int[writerCount];
    for (int i = 0; i < writerCount; i++) {
      wa[i] = new double[k][];
      ack[i] = new double[k][];
      for (int m = 0; m < k; m++) {
        Optional<Route> there = network.route(writers.get(i), replicas.get(m));
        if (there.isPresent()) {
          wa[i][m] = sampler.oneWay("write", there.get());
          ack[i][m] = sampler.oneWay("ack", there.get().reversed());
          reachableCount[i]++;
        }
      }
      if (reachableCount[i] < w) {
        return Staleness.notApplicable("writes at " + writers.get(i) + " cannot commit: W=" + w
            + " of " + set(replicas) + " but only " + reachableCount[i] + " reachable");
      }
    }
    double[][] req = new double[k][];
    double[][] resp = new double[k][];
    int readable = 0;
    for (int m = 0; m < k; m++) {
      Optional<Route> there = network.route(reader, replicas.get(m));
      if (there.isPresent() && holders.contains(replicas.get(m))) {
        req[m] = sampler.oneWay("read", there.get());
        resp[m] = sampler.oneWay("reply", there.get().reversed());
        readable++;
      }
    }
    if (readable < r) {
      return Staleness.notApplicable("reads at " + reader + " need R=" + r + " replicas, only "
          + readable + " reachable");
    }
    boolean exact = writerCount == 1 && allConstant(wa[0]) && allConstant(ack[0])
        && allConstant(req) && allConstant(resp);
    if (exact) {
      n = 1;
    }
    SplittableRandom choose = new SplittableRandom(sampler.seedFor("pbs-writer", p.name(),
        reader.value()));
    double[] threshold = new double[n];
    double[] commitScratch = new double[k];
    double[] readOrder = new double[k];
    int[] readIndex = new int[k];
    boolean unbounded = false;
    for (int t = 0; t < n; t++) {
      int i = writerCount == 1 ? 0 : choose.nextInt(writerCount);
      int reached = 0;
      for (int m = 0; m < k; m++) {
        if (wa[i][m] != null) {
          commitScratch[reached++] = Samples.at(wa[i][m], t) + Samples.at(ack[i][m], t);
        }
      }
      double commit = Samples.select(commitScratch, reached, w);
      int readers = 0;
      for (int m = 0; m < k; m++) {
        if (req[m] != null) {
          readOrder[readers] = Samples.at(req[m], t) + Samples.at(resp[m], t);
          readIndex[readers] = m;
          readers++;
        }
      }
      sortBy(readOrder, readIndex, readers);
      double best = Double.POSITIVE_INFINITY;
      for (int j = 0; j < r; j++) {
        int m = readIndex[j];
        if (wa[i][m] != null) {
          best = Math.min(best, Samples.at(wa[i][m], t) - commit - Samples.at(req[m], t));
        }
      }
      unbounded |= best == Double.POSITIVE_INFINITY;
      threshold[t] = Math.max(0, best);
    }
    if (unbounded) {
      return new Staleness(true, setup + "; some reads reach only replicas the writes cannot "
          + "reach, so they stay stale until the partition heals", List.of(), null, null, null,
          null, null, List.of(), null);
    }
    double[] sorted = Samples.sorted(threshold);
    double t99 = Samples.quantile(sorted, 0.99);
    double t999 = Samples.quantile(sorted, 0.999);
    double end = Math.max(1, Samples.quantile(sorted, 1.0));
    List<CurvePoint> curve = new ArrayList<>();
    for (int j = 0; j < CURVE_POINTS; j++) {
      double at = end * j / (CURVE_POINTS - 1);
      curve.add(new CurvePoint(at, Samples.cdf(sorted, at)));
    }
    double meanLagMs = Samples.mean(threshold);
    double meanBehind = options.writeRatePerSecond() * meanLagMs / 1000;
    List<Long> thresholds = new ArrayList<>(options.versionThresholds());
    if (p.policy().staleness() != null
        && !thresholds.contains(p.policy().staleness().maxLagVersions())) {
      thresholds.add(p.policy().staleness().maxLagVersions());
    }
    List<VersionsBehind> behind = thresholds.stream().sorted()
        .map(kv -> new VersionsBehind(kv, poissonTail(kv, meanBehind))).toList();
    return new Staleness(true, setup + String.format(Locale.ROOT,
        "; at %s writes/s a read misses %.3g writes on average", fmt(options.writeRatePerSecond()),
        meanBehind), curve, t99, t999, Samples.quantileInterval(sorted, 0.99),
        Samples.quantileInterval(sorted, 0.999), meanBehind, behind,
        Samples.constant(threshold) ? 0.0 : Samples.curveErrorBound(n));
  }

  private static boolean allConstant(double[][] arrays) {
    for (double[] array : arrays) {
      if (array != null && array.length != 1) {
        return false;
      }
    }
    return true;
  }

  private static void sortBy(double[] keys, int[] values, int count) {
    for (int i = 1; i < count; i++) {
      double key = keys[i];
      int value = values[i];
      int j = i - 1;
      while (j >= 0 && keys[j] > key) {
        keys[j + 1] = keys[j];
        values[j + 1] = values[j];
        j--;
      }
      keys[j + 1] = key;
      values[j + 1] = value;
    }
  }

  /**
   * P(X <= k) for X Poisson with mean {@code mean}: the number of writes in flight when writes
   * arrive as a Poisson process and each is delayed independently (an M/G/infinity queue).
   */
  static double poissonCdf(long k, double mean) {
    return 1 - poissonTail(k, mean);
  }

  /**
   * P(X > k) for X Poisson with mean {@code mean}. Above the mean it sums the tail's terms
   * directly, so tiny probabilities are not lost to rounding in {@code 1 - cdf}.
   */
  static double poissonTail(long k, double mean) {
    if (mean <= 0) {
      return 0;
    }
    double logMean = Math.log(mean);
    if (k >= mean) {
      double logTerm = -mean + (k + 1) * logMean - logFactorial(k + 1);
      double sum = 0;
      for (long i = k + 1; ; i++) {
        double term = Math.exp(logTerm);
        sum += term;
        if (term < 1e-18 * Math.max(sum, Double.MIN_NORMAL) || term == 0) {
          break;
        }
        logTerm += logMean - Math.log(i + 1);
      }
      return Math.min(1, sum);
    }
    double logTerm = -mean;
    double cdf = Math.exp(logTerm);
    for (long i = 1; i <= k; i++) {
      logTerm += logMean - Math.log(i);
      cdf += Math.exp(logTerm);
    }
    return Math.max(0, 1 - cdf);
  }

  private static double logFactorial(long n) {
    double sum = 0;
    for (long i = 2; i <= n; i++) {
      sum += Math.log(i);
    }
    return sum;
  }

  // ---------------------------------------------------------------- classification

  /** The CAP choice of a mode with its settings. */
  static CapChoice cap(Placement p) {
    return switch (p.mode()) {
      case ASYNC, MULTI_PRIMARY -> CapChoice.AP;
      case SYNC, CONSENSUS -> CapChoice.CP;
      case QUORUM -> p.quorum() != null && p.quorum().readsSeeLatestWrite() ? CapChoice.CP
          : CapChoice.AP;
    };
  }

  /** The PACELC class: what it gives up under partition, and else latency or consistency. */
  static String pacelc(Placement p) {
    return cap(p) == CapChoice.CP ? "PC/EC" : "PA/EL";
  }

  /** Why, in one line tied to the settings. */
  static String classification(Placement p) {
    return switch (p.mode()) {
      case ASYNC -> "reads stay available on both sides of a partition and may be stale; only "
          + "the side with the primary writes; else it trades consistency for latency by "
          + "committing locally";
      case SYNC -> "a write waits for " + (p.policy().syncAcks() == null ? "every replica"
          : p.policy().syncAcks() + " replicas") + ", so a partition stops writes rather than let "
          + "replicas diverge; else every write pays the wide-area round trip";
      case QUORUM -> p.quorum() == null ? "no quorum"
          : p.quorum().readsSeeLatestWrite()
              ? "R+W>N: the side without W (or R) replicas refuses, so reads never go back in "
                  + "time; else quorum round trips cost latency"
              : "R+W<=N: operations proceed with any W and R replicas and reads may be stale; "
                  + "else small quorums keep latency low";
      case MULTI_PRIMARY -> "every replica accepts writes during a partition and conflicts are "
          + "resolved later by " + p.policy().conflictResolution() + "; else writes commit "
          + "locally";
      case CONSENSUS -> "only a side with a majority of the " + p.voters().size()
          + " voters elects a leader and writes; else every write pays a majority round trip";
    };
  }

  // ---------------------------------------------------------------- helpers

  private record KthKey(String purpose, HashedList<Route> routes, int k) {}

  /**
   * The k-th fastest round trip over the routes: what a coordinator or leader waits for. The
   * same for every client of a dataset, so sampled results are remembered across clients and
   * runs.
   */
  private double[] kthRoundTrip(Delays d, String purpose, List<Route> routes, int k) {
    if (k == 0) {
      return Samples.constant(0);
    }
    if (d == FLOOR) {
      return Samples.kthSmallest(routes.stream().map(r -> d.roundTrip(purpose, r)).toList(), k);
    }
    return sampler.derived(new KthKey(purpose, new HashedList<>(routes), k),
        () -> Samples.kthSmallest(routes.stream().map(r -> d.roundTrip(purpose, r)).toList(), k));
  }

  private record SyncedKey(double[] waited, double diskSyncMs) {
    @Override
    public boolean equals(Object other) {
      return other instanceof SyncedKey that && that.waited == waited
          && Double.compare(that.diskSyncMs, diskSyncMs) == 0;
    }

    @Override
    public int hashCode() {
      return 31 * System.identityHashCode(waited) + Double.hashCode(diskSyncMs);
    }
  }

  /**
   * {@code waited} followed by one disk sync ({@link AnalysisOptions#diskSyncMs()}): what a write
   * waits for when the last answer it needs comes from a replica that forces the write to disk
   * first. The speed-of-light floor leaves the sync out: it is the network's limit, and the sync
   * is part of what the design costs above it. Remembered like the round trips it follows.
   */
  private double[] thenDiskSync(Delays d, double[] waited) {
    if (d == FLOOR || options.diskSyncMs() == 0) {
      return waited;
    }
    if (waited.length == 1) {
      return Samples.plus(waited, Samples.constant(options.diskSyncMs()));
    }
    return sampler.derived(new SyncedKey(waited, options.diskSyncMs()),
        () -> Samples.plus(waited, Samples.constant(options.diskSyncMs())));
  }

  /**
   * How an explanation names the disk sync a write waits for, after what precedes it and a
   * comma: {@code "each after a disk sync (1 ms)"}, or the lone writer's own sync when no
   * other replica answers; empty when the analysis assumes no sync time.
   */
  private String diskSyncText(int answering, String writer) {
    if (options.diskSyncMs() == 0) {
      return "";
    }
    String ms = fmt(options.diskSyncMs()) + " ms";
    return answering == 0 ? "once " + writer + "'s own disk sync (" + ms + ") is done"
        : "each after a disk sync (" + ms + ")";
  }

  /** {@code ", " + part}, or nothing when the part is empty. */
  private static String afterComma(String part) {
    return part.isEmpty() ? "" : ", " + part;
  }

  private Latency measure(Function<Delays, double[]> formula, String route) {
    double[] values = formula.apply(sampled);
    double floor = formula.apply(FLOOR)[0];
    if (values.length == 1) {
      return Samples.latency(values, floor, route);
    }
    double[] q = sampler.derived(new Identity(values, null), () -> {
      Latency l = Samples.latency(values, 0, "");
      return new double[] {l.p50Ms(), l.p99Ms(), l.p50CiMs().low(), l.p50CiMs().high(),
          l.p99CiMs().low(), l.p99CiMs().high()};
    });
    return new Latency(q[0], q[1], new Interval(q[2], q[3]), new Interval(q[4], q[5]), floor,
        route);
  }

  /**
   * Keys derived values by the identity of the sample arrays they come from: a remembered array
   * is the same object from run to run, so its sums and summaries can be remembered too.
   */
  private record Identity(double[] first, double[] second) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Identity that && that.first == first && that.second == second;
    }

    @Override
    public int hashCode() {
      return 31 * System.identityHashCode(first) + System.identityHashCode(second);
    }
  }

  /** The sum of two independent delays, remembered when both are sampled arrays. */
  private double[] plus(Delays d, double[] x, double[] y) {
    if (d == FLOOR || x.length == 1 || y.length == 1) {
      return Samples.plus(x, y);
    }
    return sampler.derived(new Identity(x, y), () -> Samples.plus(x, y));
  }

  private static String opVerb(String op) {
    return op.equals("write") ? "write" : "read " + op;
  }

  static String set(List<RegionId> ids) {
    return ids.stream().map(RegionId::value).collect(Collectors.joining(", ", "{", "}"));
  }

  private static List<RegionId> concat(List<RegionId> a, List<RegionId> b) {
    List<RegionId> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  static String fmt(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
        : String.format(Locale.ROOT, "%.3g", value);
  }
}

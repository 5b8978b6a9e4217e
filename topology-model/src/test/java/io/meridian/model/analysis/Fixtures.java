package io.meridian.model.analysis;

import io.meridian.model.Dataset;
import io.meridian.model.FailoverSettings;
import io.meridian.model.Jurisdiction;
import io.meridian.model.Link;
import io.meridian.model.Policy;
import io.meridian.model.QuorumSpec;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.RegionRole;
import io.meridian.model.ReplicationMode;
import io.meridian.model.StalenessBound;
import io.meridian.model.Topology;
import java.util.List;

/**
 * Small topologies with hand-checkable answers: three regions on three continents, fully linked
 * by jitter-free links of 80 ms (us-east~eu-west), 120 ms (eu-west~ap-south) and 190 ms
 * (us-east~ap-south), and one dataset on all three.
 */
final class Fixtures {
  static final RegionId US = RegionId.of("us-east");
  static final RegionId EU = RegionId.of("eu-west");
  static final RegionId AP = RegionId.of("ap-south");

  /**
   * The disk sync the default options add to every sync and consensus write: the replica or
   * follower forces the write to disk before it answers (ADR 0051).
   */
  static final double SYNC = AnalysisOptions.DEFAULT_DISK_SYNC_MS;

  private Fixtures() {}

  static List<Region> regions() {
    return List.of(
        Region.of("us-east", 38.9, -77.4, "US"),
        Region.of("eu-west", 53.3, -6.3, "EU"),
        Region.of("ap-south", 19.1, 72.9, "IN"));
  }

  static List<Link> links() {
    return List.of(Link.of("us-east", "eu-west", 80), Link.of("eu-west", "ap-south", 120),
        Link.of("us-east", "ap-south", 190));
  }

  /** The three regions with one dataset {@code data} on all of them under {@code policy}. */
  static Topology with(Policy policy) {
    return new Topology("fixture", "", regions(), links(), List.of(policy),
        List.of(new Dataset("data", List.of(US, EU, AP), List.of(), policy.name())));
  }

  static Policy async() {
    return Policy.of("p", ReplicationMode.ASYNC).withPrimary(US)
        .withFailoverPriority(List.of(EU, AP))
        .withFailover(new FailoverSettings(true, 3000))
        .withStaleness(new StalenessBound(500, 100));
  }

  static Policy sync() {
    return Policy.of("p", ReplicationMode.SYNC).withPrimary(US)
        .withFailoverPriority(List.of(EU, AP))
        .withFailover(new FailoverSettings(true, 3000));
  }

  static Policy quorum(int n, int w, int r) {
    return Policy.of("p", ReplicationMode.QUORUM).withQuorum(new QuorumSpec(n, w, r));
  }

  static Policy multiPrimary() {
    return Policy.of("p", ReplicationMode.MULTI_PRIMARY)
        .withStaleness(new StalenessBound(500, 100));
  }

  static Policy consensus() {
    return Policy.of("p", ReplicationMode.CONSENSUS).withPrimary(US)
        .withFailoverPriority(List.of(EU, AP))
        .withFailover(new FailoverSettings(true, 1000));
  }

  /** A witness region in Canada linked to us-east (30 ms) and eu-west (70 ms). */
  static Region witness() {
    return new Region(RegionId.of("ca-witness"), "witness", 45.5, -73.6,
        Jurisdiction.of("CA"), null, RegionRole.WITNESS);
  }

  static AnalysisOptions options() {
    return AnalysisOptions.DEFAULTS;
  }

  static DatasetAnalysis analyse(Topology topology, AnalysisOptions options) {
    return TopologyAnalyzer.analyzeOnce(topology, options).dataset("data").orElseThrow();
  }

  static DatasetAnalysis analyse(Topology topology, String... failures) {
    return analyse(topology, options().withFailures(List.of(failures)));
  }
}

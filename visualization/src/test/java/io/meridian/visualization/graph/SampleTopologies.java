package io.meridian.visualization.graph;

import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.RegionRole;
import io.meridian.model.Topology;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Small topologies shared by the graph tests. */
final class SampleTopologies {

  private SampleTopologies() {}

  /**
   * Five regions on three continents, two of them in the same Frankfurt data-centre
   * cluster, one witness, and five links.
   */
  static Topology fiveRegions() {
    return Topology.empty("five")
        .plusRegion(Region.of("eu-central", 50.11, 8.68, "EU"))
        .plusRegion(Region.of("eu-central-gcp", 50.11, 8.68, "EU"))
        .plusRegion(Region.of("us-east", 38.9, -77.5, "US"))
        .plusRegion(Region.of("ap-tokyo", 35.7, 139.7, "JP"))
        .plusRegion(Region.of("eu-witness", 53.35, -6.26, "EU").withRole(RegionRole.WITNESS))
        .plusLink(Link.of("eu-central", "us-east", 88))
        .plusLink(Link.of("eu-central", "ap-tokyo", 226))
        .plusLink(Link.of("us-east", "ap-tokyo", 148))
        .plusLink(Link.of("eu-central", "eu-central-gcp", 1.2))
        .plusLink(Link.of("eu-witness", "eu-central", 24));
  }

  private static final double[][] METROS = {
      {50.1, 8.7}, {53.3, -6.3}, {51.5, -0.1}, {48.9, 2.3}, {59.3, 18.1}, {45.5, 9.2},
      {52.4, 4.9}, {40.4, -3.7}, {52.2, 21.0}, {47.4, 8.5}, {38.9, -77.5}, {40.0, -83.0},
      {37.4, -122.0}, {45.6, -121.2}, {32.8, -96.8}, {41.9, -87.6}, {43.7, -79.4}, {45.5, -73.6},
      {-23.5, -46.6}, {-33.4, -70.6}, {19.4, -99.1}, {35.7, 139.7}, {34.7, 135.5}, {37.6, 127.0},
      {1.35, 103.8}, {22.3, 114.2}, {31.2, 121.5}, {39.9, 116.4}, {19.1, 72.9}, {28.6, 77.2},
      {12.97, 77.6}, {-33.9, 151.2}, {-37.8, 145.0}, {-36.8, 174.8}, {25.2, 55.3}, {24.7, 46.7},
      {32.1, 34.8}, {-26.2, 28.0}, {-33.9, 18.4}, {6.5, 3.4}};

  /**
   * A large seeded topology: regions clustered around real cloud metros, each linked to its
   * nearest neighbours and then at random until {@code linkCount} links exist.
   *
   * @param regionCount how many regions
   * @param linkCount how many links, at most one per pair
   * @param seed the random seed
   * @return the topology
   */
  static Topology generated(int regionCount, int linkCount, long seed) {
    Random random = new Random(seed);
    List<Region> regions = new ArrayList<>(regionCount);
    for (int i = 0; i < regionCount; i++) {
      double[] metro = METROS[i % METROS.length];
      double latitude = Math.max(-89, Math.min(89, metro[0] + random.nextGaussian() * 1.5));
      double longitude = Math.max(-179, Math.min(179, metro[1] + random.nextGaussian() * 2));
      Region region = Region.of("r" + i, latitude, longitude, i % 3 == 0 ? "EU" : "US");
      regions.add(i % 17 == 0 ? region.withRole(RegionRole.WITNESS) : region);
    }
    List<Link> links = new ArrayList<>(linkCount);
    Set<Long> pairs = new HashSet<>();
    int attempts = 0;
    while (links.size() < linkCount && attempts++ < linkCount * 20) {
      int a = random.nextInt(regionCount);
      int b = links.size() < regionCount ? (a + 1 + random.nextInt(3)) % regionCount
          : random.nextInt(regionCount);
      if (a == b || !pairs.add((long) Math.min(a, b) * regionCount + Math.max(a, b))) {
        continue;
      }
      links.add(Link.of("r" + a, "r" + b, 5 + random.nextInt(250)));
    }
    return new Topology("generated-" + regionCount, "", regions, links, List.of(), List.of());
  }
}

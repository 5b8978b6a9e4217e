package io.meridian.visualization.graph;

import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.RegionRole;
import io.meridian.model.Topology;

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
}

package io.meridian.agent.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The failover decision group this agent belongs to (ADR 0016): one Apache Ratis group across the
 * deployment's voting agents, whose log is the sequence of failover decisions.
 *
 * @param port where this agent's Ratis server listens
 * @param members every voting agent of the group, this one included, with its Ratis address
 * @param priorities per dataset, the regions in the order they take over as primary; a region
 *     not listed comes after the listed ones, in replica order
 */
public record FailoverGroupConfig(int port, List<Member> members, Map<String, List<String>> priorities) {

  /** One voting agent: its region and the {@code host:port} of its Ratis server. */
  public record Member(String region, String address) {
    /** Validates presence. */
    public Member {
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(address, "address");
    }
  }

  /** Validates the port and that regions are listed once. */
  public FailoverGroupConfig {
    members = List.copyOf(members);
    priorities = priorities == null ? Map.of() : Map.copyOf(priorities);
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("failover group port " + port + " is not a port (0 to 65535)");
    }
    if (members.isEmpty()) {
      throw new IllegalArgumentException("a failover group needs at least one member");
    }
    if (members.stream().map(Member::region).distinct().count() != members.size()) {
      throw new IllegalArgumentException("a region is listed twice in the failover group " + members);
    }
  }

  /** The failover order of {@code dataset}: its priority list, then its other replicas in order. */
  public List<String> order(DatasetConfig dataset) {
    List<String> order = new java.util.ArrayList<>(priorities.getOrDefault(dataset.name(), List.of()));
    order.retainAll(dataset.replicas());
    for (String replica : dataset.replicas()) {
      if (!order.contains(replica)) {
        order.add(replica);
      }
    }
    return order;
  }
}

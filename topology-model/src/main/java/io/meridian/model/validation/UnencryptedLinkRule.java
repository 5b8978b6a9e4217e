package io.meridian.model.validation;

import io.meridian.model.Dataset;
import io.meridian.model.Link;
import io.meridian.model.RegionId;
import io.meridian.model.diagnostics.Problem;
import io.meridian.model.diagnostics.Severity;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Replicated data must not cross the network in clear. A link carries a dataset when traffic
 * between two of its data replicas takes it: their direct link, or else the links of the lowest-RTT
 * path between them.
 */
final class UnencryptedLinkRule extends Rule {
  UnencryptedLinkRule() {
    super("unencrypted-link", Severity.WARNING,
        "an unencrypted link carries replication traffic of a dataset");
  }

  private record Carried(String dataset, RegionId from, RegionId to) {}

  @Override
  void check(ValidationContext context, List<Problem> problems) {
    List<Link> links = context.topology().links();
    if (links.stream().allMatch(Link::encrypted)) {
      return;
    }
    Map<Integer, Carried> firstCarried = new TreeMap<>();
    List<Dataset> datasets = context.topology().datasets();
    for (int d = 0; d < datasets.size(); d++) {
      // Witnesses exchange votes, not data.
      List<RegionId> replicas = context.dataReplicas(d);
      for (int x = 0; x < replicas.size(); x++) {
        for (int y = x + 1; y < replicas.size(); y++) {
          Optional<ValidationContext.Route> route = context.route(replicas.get(x), replicas.get(y));
          if (route.isEmpty()) {
            continue;
          }
          for (int index : route.get().links()) {
            if (!links.get(index).encrypted()) {
              firstCarried.putIfAbsent(index,
                  new Carried(datasets.get(d).name(), replicas.get(x), replicas.get(y)));
            }
          }
        }
      }
    }
    firstCarried.forEach((index, carried) -> problems.add(problem(
        "/links/" + index + "/encrypted",
        "link " + links.get(index).name() + " is not encrypted but carries dataset '"
            + carried.dataset() + "' between '" + carried.from() + "' and '" + carried.to() + "'",
        "set encrypted: true on this link")));
  }
}

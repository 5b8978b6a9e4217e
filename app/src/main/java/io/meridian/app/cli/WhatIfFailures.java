package io.meridian.app.cli;

import io.meridian.model.Link;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import io.meridian.model.diagnostics.Suggestions;
import java.util.List;
import java.util.Optional;

/**
 * Checks the {@code --fail REGION|A~B} entries of {@code analyze} and {@code screenshot} against
 * a topology: a typo must not silently turn a what-if into "nothing failed".
 */
final class WhatIfFailures {
  private WhatIfFailures() {}

  /**
   * The first entry that names no region or link of {@code topology}, as a message with a
   * suggestion; empty when every entry names something.
   *
   * @param file the file name for the message
   */
  static Optional<String> firstUnknown(Topology topology, List<String> failures, String file) {
    List<String> regions = topology.regions().stream().map(r -> r.id().value()).toList();
    for (String failure : failures) {
      String[] ends = failure.split("~", -1);
      for (String end : ends) {
        if (!regions.contains(end)) {
          return Optional.of("--fail " + failure + ": no region '" + end + "' in " + file + "; "
              + Suggestions.closest(end, regions).map(s -> "did you mean '" + s + "'?")
                  .orElse("regions are " + String.join(", ", regions)));
        }
      }
      if (ends.length > 1 && (ends.length != 2
          || topology.link(RegionId.of(ends[0]), RegionId.of(ends[1])).isEmpty())) {
        return Optional.of("--fail " + failure + ": no link between "
            + String.join(" and ", ends) + " in " + file + "; name a link as A~B, e.g. "
            + topology.links().stream().findFirst().map(Link::name).orElse("a~b"));
      }
    }
    return Optional.empty();
  }
}
